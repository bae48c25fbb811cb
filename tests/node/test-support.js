// Helpers for the robustness, soak and determinism tests: a small random-weights model written
// by the native tool (so long runs are fast and no model file is copied), a garbage collector
// that works without --expose-gc, and a way to forge weight-file headers with a valid CRC.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { repoRoot } from './shared-data.js';

const NATIVE_BUILD = path.join(repoRoot, 'build/native');
const TOOL = path.join(NATIVE_BUILD, 'mnv2-test-data');

function ensureTool() {
  // scripts/build.sh builds the tool with the native build; a tree built before the tool
  // existed gets it here. Not rebuilt when present: that would rebuild the whole engine
  // after any source edit, and the models it writes do not depend on the engine.
  if (existsSync(TOOL)) return;
  if (!existsSync(path.join(NATIVE_BUILD, 'CMakeCache.txt'))) {
    throw new Error(`${NATIVE_BUILD} is not configured: run bash scripts/build.sh first`);
  }
  const build = () => execFileSync('cmake', ['--build', NATIVE_BUILD, '--target', 'mnv2-test-data'], { stdio: 'ignore' });
  try {
    build();
  } catch {
    // A build configured before the target existed has no rule for it yet.
    execFileSync('cmake', ['-S', repoRoot, '-B', NATIVE_BUILD], { stdio: 'ignore' });
    build();
  }
}

/**
 * Path of a classifier .mnv2 with random weights (tests/cpp/model/random-model.h), created on
 * first use in build/test-models. Defaults: alpha 0.35, 96x96 input, 10 classes.
 */
export function randomModelPath({ alpha = 0.35, size = 96, classes = 10, seed = 1 } = {}) {
  const dir = path.join(repoRoot, 'build/test-models');
  const file = path.join(dir, `random-${alpha}-${size}-${classes}-${seed}.mnv2`);
  ensureTool();
  if (!existsSync(file) || statSync(file).mtimeMs < statSync(TOOL).mtimeMs) {
    mkdirSync(dir, { recursive: true });
    execFileSync(TOOL, ['model', file, String(alpha), String(size), String(classes), String(seed)]);
  }
  return file;
}

let collector = globalThis.gc;

/** A full garbage collection, then a turn of the event loop so finalizers can run. */
export async function collectGarbage() {
  if (!collector) {
    // Without --expose-gc: the flag can still be set at run time, and a new context's global
    // then has gc().
    v8.setFlagsFromString('--expose-gc');
    collector = vm.runInNewContext('gc');
  }
  for (let round = 0; round < 3; ++round) {
    collector();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

// ---- weight-file forging: the header layout of src/model/weight-format.h -----------------

export const HEADER = {
  magic: 0, version: 8, headerBytes: 12, modelKind: 16, inputSize: 20, alpha: 24,
  numClasses: 28, tensorCount: 32, tensorTableOffset: 36, labelsOffset: 40, labelsBytes: 44,
  fileBytes: 48, checksum: 56, inputMean: 60, inputStd: 64, reserved: 68, size: 80,
};

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; ++n) {
    let c = n;
    for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3), the weight file's checksum. */
export function crc32(bytes) {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; ++i) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * A copy of a weight file with edit(view) applied to it, then file_bytes and the checksum made
 * consistent again, so the loader's later checks (not the CRC) are what rejects it.
 */
export function forge(bytes, edit, { fixChecksum = true } = {}) {
  const copy = new Uint8Array(bytes);
  const view = new DataView(copy.buffer);
  edit(view, copy);
  if (fixChecksum) {
    view.setBigUint64(HEADER.fileBytes, BigInt(copy.length), true);
    view.setUint32(HEADER.checksum, crc32(copy.subarray(HEADER.size)), true);
  }
  return copy;
}
