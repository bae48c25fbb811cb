// Where the shared test data lives: ../shared beside the repository (or $MNV2_SHARED).
// The reference files there were computed by an independent TFLite runtime (Arm NN 22,
// CpuRef, integer arithmetic); see shared/reference/SOURCES.md and shared/models/SOURCES.md.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { readImage } from '../../web/decode-image.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = process.env.MNV2_SHARED ?? path.resolve(repoRoot, '../shared');
export const imagesDir = path.join(sharedDir, 'images');

export function imagePaths() {
  return readdirSync(imagesDir).filter((name) => /\.(bmp|jpe?g|png)$/i.test(name)).sort()
    .map((name) => path.join(imagesDir, name));
}

export function readReference(name) {
  const text = readFileSync(path.join(sharedDir, 'reference', name), 'utf8');
  return new Map(text.trim().split('\n').map((line) => {
    const entry = JSON.parse(line);
    return [entry.image, entry];
  }));
}

/** Asserts that every shared photo (there are 10) has an entry in a readReference() map. */
export function assertReferenceCoversImages(reference) {
  const images = imagePaths();
  assert.ok(images.length >= 10, `expected the 10 shared photos, found ${images.length}`);
  for (const image of images) assert.ok(reference.has(path.basename(image)), image);
}

/** A detection's bbox [x, y, width, height] as corners [x0, y0, x1, y1], as the references give boxes. */
export const corners = ({ bbox: [x, y, width, height] }) => [x, y, x + width, y + height];

/** Intersection over union of two [x0, y0, x1, y1] boxes. */
export function iou(a, b) {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const intersection = w * h;
  return intersection / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection);
}

/**
 * RGBA pixels {data, width, height} of a JPEG as libjpeg-turbo decodes it: its djpeg tool (apt
 * package libjpeg-turbo-progs) with the accurate integer IDCT and fancy upsampling, the defaults
 * PIL decodes with. For comparisons with PIL-fed reference results, where the decoder must not
 * be the difference.
 */
export function decodeJpegWithLibjpeg(file) {
  let pnm;
  try {
    pnm = execFileSync('djpeg', ['-dct', 'int', '-pnm', file], { maxBuffer: 1 << 30 });
  } catch (error) {
    throw new Error(`djpeg (apt package libjpeg-turbo-progs) cannot decode ${file}: ${error.message}`);
  }
  // Binary PNM: "P6" (RGB) or "P5" (grey), width, height, maxval, one whitespace byte, pixels.
  const header = /^(P[56])\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pnm.subarray(0, 64).toString('latin1'));
  if (!header || header[4] !== '255') throw new Error(`djpeg: unexpected output header for ${file}`);
  const channels = header[1] === 'P6' ? 3 : 1;
  const width = Number(header[2]);
  const height = Number(header[3]);
  const pixels = pnm.subarray(header[0].length);
  if (pixels.length !== width * height * channels) throw new Error(`djpeg: truncated output for ${file}`);
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) data[4 * i + c] = pixels[channels * i + (channels === 3 ? c : 0)];
    data[4 * i + 3] = 255;
  }
  return { data, width, height };
}

/**
 * A shared photo's pixels as the PIL-fed references saw them: JPEGs decoded by libjpeg-turbo
 * (decodeJpegWithLibjpeg), other formats by our readImage (lossless, so any decoder agrees).
 */
export async function referencePixels(imagePath) {
  return /\.jpe?g$/i.test(imagePath) ? decodeJpegWithLibjpeg(imagePath) : readImage(imagePath);
}
