// Property test of load() and loadDetector(): a seeded stream of random option objects (the
// weights a small random-weights model, that model with random bytes changed and its checksum
// fixed so the loader's deeper checks decide, truncated, random bytes or anything at all; the
// execution, threads, precision, worker and onProgress options anything too), in the main
// thread, in workers and with two threads. Every call gives a model that classifies, or an
// Error with a message; failed and disposed loads leave WASM memory where the warm-up left it.
// MNV2_PROPERTY_SEED=<n> replays another seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { load, loadDetector } from '../../web/index.js';
import { randomModelPath, forge, HEADER } from './test-support.js';
import {
  seededRandom, hostileValue, optionValue, outcome, assertClassification, assertDetections,
} from './property-support.js';

const SEED = Number(process.env.MNV2_PROPERTY_SEED ?? 16);
const LOADS = 120;
// Worker loads start a thread each: a few of them cover the worker's own checks.
const WORKER_LOADS = 8;

const tiny = new Uint8Array(readFileSync(randomModelPath({ alpha: 0.35, size: 32, classes: 4, seed: 3 })));
const image = { data: new Uint8Array(20 * 10 * 4).fill(90), width: 20, height: 10 };

/** Weights: the tiny model, changed in a random way, or not weights at all. */
function weightsArgument(random) {
  switch (random.int(7)) {
    case 0: return tiny;
    case 1: return tiny.buffer.slice(0);
    case 2: return tiny.subarray(0, random.int(tiny.length));
    case 3: return random.bytes(random.pick([0, 79, 80, 500]));
    case 4: return hostileValue(random);
    default:
      // A few random bytes changed, then file_bytes and the checksum made consistent: the
      // header, tensor table and tensor checks decide, not the CRC. Not the input size: a
      // larger one is a valid, larger model, which needs more memory than the warm-up's.
      return forge(tiny, (view, bytes) => {
        for (let n = random.between(1, 4); n > 0; --n) {
          const offset = random.chance(0.5) ? random.int(HEADER.size + 80 * 8) : random.int(bytes.length);
          if (offset >= HEADER.inputSize && offset < HEADER.inputSize + 4) continue;
          bytes[offset] = random.chance(0.5) ? random.int(256) : bytes[offset] ^ (1 << random.int(8));
        }
      });
  }
}

function loadOptions(random, workerAllowed) {
  const options = { weights: weightsArgument(random) };
  if (random.chance(0.4)) options.execution = optionValue(random, ['fused', 'layer-by-layer']);
  if (random.chance(0.4)) options.precision = optionValue(random, ['float32', 'int8']);
  if (random.chance(0.4)) options.threads = optionValue(random, [1, 2, 'auto']);
  if (random.chance(0.2)) options.onProgress = optionValue(random, [() => {}]);
  if (workerAllowed) options.worker = true;
  return random.chance(0.05) ? hostileValue(random) : options;
}

test('load() and loadDetector() with random options give a model or an Error', async (t) => {
  const random = seededRandom(SEED * 107);
  // The long-lived model whose memoryStats() reports the main-thread module's memory. The
  // warm-up loads what the stream may load (undefined options or weights mean the bundled
  // models, which are larger) and fails once, so those allocations are counted before.
  const witness = await load({ weights: tiny });
  try {
    (await load()).dispose();
    (await loadDetector()).dispose();
    (await load({ weights: tiny })).dispose();
    await outcome(() => load({ weights: tiny.subarray(0, 100) }), 'warm-up');
    const memory = witness.memoryStats().wasmMemoryBytes;
    let loaded = 0, workers = 0;
    for (let i = 0; i < LOADS; ++i) {
      const worker = workers < WORKER_LOADS && random.chance(0.15);
      const detector = random.chance(0.2);
      const options = loadOptions(random, worker);
      workers += worker;
      const what = `seed ${SEED}, load ${i} (${detector ? 'loadDetector' : 'load'}${worker ? ', worker' : ''})`;
      const { value: model, error } = await outcome(() => (detector ? loadDetector(options) : load(options)), what);
      if (error) continue;
      try {
        ++loaded;
        if (detector) {
          assertDetections(await model.detect(image, { maxDetections: 5 }), model, 5, what);
        } else {
          assertClassification(await model.classify(image, { topK: 2 }), model, what);
        }
      } finally {
        model.dispose();
      }
    }
    t.diagnostic(`${LOADS} loads (${workers} in workers): ${loaded} models, ${LOADS - loaded} errors`);
    assert.ok(loaded > 0, 'no load succeeded: the generator makes valid options too');
    assert.equal(witness.memoryStats().wasmMemoryBytes, memory, 'WASM memory grew over the loads');
  } finally {
    witness.dispose();
  }
});
