// Decoding image files in Node (CLI, tests) with maintained pure-JS decoders, chosen by the
// file's magic bytes rather than its name.
import { readFile } from 'node:fs/promises';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import * as bmp from 'bmp-ts';

function isJpeg(bytes) { return bytes[0] === 0xff && bytes[1] === 0xd8; }
function isPng(bytes) { return bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47; }
function isBmp(bytes) { return bytes[0] === 0x42 && bytes[1] === 0x4d; }

/** RGBA pixels {data, width, height} of a JPEG, PNG or BMP file's bytes. */
export function decodeImage(bytes, name = 'image') {
  try {
    if (isJpeg(bytes)) {
      const { data, width, height } = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { data, width, height };
    }
    if (isPng(bytes)) {
      const { data, width, height } = PNG.sync.read(Buffer.from(bytes));
      return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height };
    }
    if (isBmp(bytes)) {
      const { data, width, height } = bmp.decode(Buffer.from(bytes), { toRGBA: true });
      const rgba = new Uint8Array(data.buffer, data.byteOffset, data.length);
      // 24-bit BMPs have no alpha; the decoder leaves it 0.
      for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
      return { data: rgba, width, height };
    }
  } catch (error) {
    throw new Error(`${name}: cannot decode image (${error.message ?? error})`);
  }
  throw new Error(`${name}: not a JPEG, PNG or BMP file`);
}

/** Reads and decodes an image file. */
export async function readImage(path) {
  let bytes;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`${path}: cannot read file (${error.code ?? error.message})`);
  }
  return decodeImage(bytes, path);
}
