// What the command line's commands share (cli.js, cli-head.js): option parsing, where a wrong
// option is a UsageError (printed with the usage text), and the printing of classifications.
import { performance } from 'node:perf_hooks';
import { readImage } from './decode-image.js';

export class UsageError extends Error {}

// --precision: float32 (default) or int8 (the quantized model with integer arithmetic).
export function precisionOption(text) {
  if (text !== 'float32' && text !== 'int8') throw new UsageError(`--precision must be float32 or int8, got ${text}`);
  return text;
}

export function positiveInteger(text, name) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive integer, got ${text}`);
  return value;
}

export function fraction(text, name) {
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1)) throw new UsageError(`--${name} must be a number in [0, 1], got ${text}`);
  return value;
}

// --crop: the central fraction of each side, in (0, 1].
export function cropOption(text) {
  const crop = Number(text);
  if (!(crop > 0 && crop <= 1)) throw new UsageError(`--crop must be in (0, 1], got ${text}`);
  return crop;
}

/**
 * Reads each image file, classifies it with classify(image) -> [{index, label, score}] and
 * prints the result: `--json` lines {"image", "top", "ms"}, or text.
 */
export async function printClassifications(files, classify, json) {
  for (const file of files) {
    const image = await readImage(file);
    const start = performance.now();
    const top = await classify(image);
    const ms = performance.now() - start;
    if (json) {
      console.log(JSON.stringify({ image: file, top, ms: Number(ms.toFixed(3)) }));
    } else {
      console.log(`${file} (${ms.toFixed(1)} ms)`);
      for (const { index, label, score } of top) console.log(`  ${score.toFixed(4)}  ${String(index).padStart(4)}  ${label}`);
    }
  }
}
