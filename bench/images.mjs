// The shared photos, made identical for every engine: each file is decoded once and resized
// once, here in JavaScript, to the model's square input. Our engine then gets those RGBA
// pixels at their native size (its resize is the identity at scale 1) and the peers get the
// same pixels normalized, (p - mean) / std, as NHWC or NCHW floats. So any difference in the
// top-1 comes from the networks, not from preprocessing.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readImage } from '../web/decode-image.js';

// Box (area) filter: every output pixel averages the source rectangle it covers, weighting
// partially covered source pixels by their overlap. Good enough for a downscale with no
// aliasing; all that matters here is that every engine sees its output.
function resizeArea({ data, width, height }, size) {
  const out = new Uint8Array(size * size * 4);
  const sx = width / size;
  const sy = height / size;
  for (let oy = 0; oy < size; ++oy) {
    const y0 = oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < size; ++ox) {
      const x0 = ox * sx;
      const x1 = x0 + sx;
      const sum = [0, 0, 0];
      let total = 0;
      for (let y = Math.floor(y0); y < Math.min(height, Math.ceil(y1)); ++y) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.min(width, Math.ceil(x1)); ++x) {
          const w = wy * (Math.min(x + 1, x1) - Math.max(x, x0));
          const p = (y * width + x) * 4;
          sum[0] += w * data[p];
          sum[1] += w * data[p + 1];
          sum[2] += w * data[p + 2];
          total += w;
        }
      }
      const q = (oy * size + ox) * 4;
      for (let c = 0; c < 3; ++c) out[q + c] = Math.min(255, Math.round(sum[c] / total));
      out[q + 3] = 255;
    }
  }
  return out;
}

/**
 * A fixed pseudo-random RGBA image, size x size (a linear congruential generator's top byte
 * per channel): benchmark input that needs no file and is the same in every run. `seed`
 * picks the sequence, so callers keep the exact pixels they were timed with before.
 */
export function noiseRgba(size, seed = 1) {
  const data = new Uint8Array(size * size * 4);
  for (let i = 0; i < data.length; ++i) { seed = (seed * 1103515245 + 12345) >>> 0; data[i] = seed >>> 24; }
  return data;
}

/**
 * The images of `directory` resized to size x size: [{name, rgba, nhwc, nchw}], with rgba the
 * pixels for our engine and nhwc / nchw Float32Arrays of (p - mean) / std for the peers.
 */
export async function loadSharedImages(directory, size, mean, std) {
  const names = readdirSync(directory).filter((name) => /\.(bmp|jpe?g|png)$/i.test(name)).sort();
  const images = [];
  for (const name of names) {
    const rgba = resizeArea(await readImage(join(directory, name)), size);
    const pixels = size * size;
    const nhwc = new Float32Array(pixels * 3);
    const nchw = new Float32Array(pixels * 3);
    for (let p = 0; p < pixels; ++p) {
      for (let c = 0; c < 3; ++c) {
        // Float32 arithmetic like the engine's (x - mean) / std.
        const value = Math.fround(Math.fround(rgba[p * 4 + c] - mean) / std);
        nhwc[p * 3 + c] = value;
        nchw[c * pixels + p] = value;
      }
    }
    images.push({ name, rgba, nhwc, nchw });
  }
  return images;
}
