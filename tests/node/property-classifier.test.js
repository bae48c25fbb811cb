// Property test of the classifier's methods: in each mode (main thread, worker, two threads;
// float32 and int8) a seeded stream of random, mostly hostile calls to classify, embed,
// summary and memoryStats on the real model. Every call returns a well-formed result or throws
// an Error with a message; afterwards the model still classifies the cat photo as before (as
// the reference's Egyptian cat), and WASM memory has not grown since the warm-up.
// MNV2_PROPERTY_SEED=<n> replays another seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { load } from '../../web/index.js';
import { readImage } from '../../web/decode-image.js';
import { imagesDir, readReference } from './shared-data.js';
import {
  seededRandom, imageArgument, optionsArgument, runRandomCalls, LARGEST_IMAGES, describeArgument,
  assertClassification, assertFeatures, MODEL_MODES, loadInMode, reportCall,
} from './property-support.js';

const SEED = Number(process.env.MNV2_PROPERTY_SEED ?? 16);
const CALLS = 100;
const CAT_CLASS = readReference('mobilenet_v2_1.0_224_quant.jsonl').get('cat.bmp').top5[0];

const cat = await readImage(path.join(imagesDir, 'cat.bmp'));

/** One random call: which method, with what, and how its result must look. */
function randomCall(random, model) {
  const method = random.pick(['classify', 'classify', 'embed', 'summary', 'memoryStats']);
  if (method === 'summary' || method === 'memoryStats') return reportCall(random, model, method);
  const image = imageArgument(random);
  const options = method === 'classify'
    ? optionsArgument(random, { topK: [1, 3, 5, model.numClasses], crop: [1, 0.875, 0.01] })
    : optionsArgument(random, { crop: [1, 0.5] });
  const args = random.chance(0.05) ? [image] : [image, options];
  return {
    what: `${method}(${args.map(describeArgument).join(', ')})`,
    run: () => model[method](...args),
    check: (value, what) => (method === 'classify' ? assertClassification(value, model, what)
      : assertFeatures(value, model, what)),
  };
}

for (const [m, mode] of MODEL_MODES.entries()) {
  test(`classifier, ${mode.name}: random hostile calls keep their promise`, async (t) => {
    const random = seededRandom(SEED * 101 + m);
    const model = await loadInMode(load, mode);
    try {
      const before = await model.classify(cat, { topK: 5 });
      assert.equal(before[0].index, CAT_CLASS, `cat.bmp: ${before[0].label}`);
      // Warm-up: the largest images the generator makes size the staging buffers for good.
      for (const [width, height] of LARGEST_IMAGES) {
        await model.classify({ data: new Uint8Array(width * height * 4), width, height });
        await model.embed({ data: new Uint8Array(width * height * 4), width, height });
      }
      const memory = (await model.memoryStats()).wasmMemoryBytes;
      await runRandomCalls(t, { seed: SEED, calls: CALLS, randomCall: () => randomCall(random, model) });
      assert.deepEqual(await model.classify(cat, { topK: 5 }), before, 'the cat after the hostile calls');
      assert.equal((await model.memoryStats()).wasmMemoryBytes, memory, 'WASM memory grew');
    } finally {
      model.dispose();
    }
  });
}
