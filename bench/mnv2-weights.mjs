// Reads a .mnv2 weight file from a path (Node); the parsing itself, and the helpers that walk
// the network it holds, are in bench/mnv2-format.mjs (loadable in a browser page too).
import { readFileSync } from 'node:fs';
import { parseWeights } from './mnv2-format.mjs';

export { describeBlocks, ohwiToHwio, ohwiToOihw, parseWeights } from './mnv2-format.mjs';

/** parseWeights of the file at `path`. */
export function readWeights(path) {
  return parseWeights(new Uint8Array(readFileSync(path)), path);
}
