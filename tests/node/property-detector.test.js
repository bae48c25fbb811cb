// Property test of the detector's methods, as property-classifier.test.js does for the
// classifier: in each mode (main thread, worker, two threads; float32 and int8) a seeded stream of random,
// mostly hostile calls to detect, summary and memoryStats on the real model. Every call returns
// well-formed detections or throws an Error with a message; afterwards the model still finds
// the reference's cat in the cat photo, as before, and WASM memory has not grown since the
// warm-up. MNV2_PROPERTY_SEED=<n> replays another seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadDetector } from '../../web/index.js';
import { readImage } from '../../web/decode-image.js';
import { imagesDir, readReference } from './shared-data.js';
import {
  seededRandom, imageArgument, optionsArgument, runRandomCalls, LARGEST_IMAGES, describeArgument,
  assertDetections, MODEL_MODES, loadInMode, reportCall,
} from './property-support.js';

const SEED = Number(process.env.MNV2_PROPERTY_SEED ?? 16);
const CALLS = 60;
const CAT_LABEL = readReference('ssdlite_mobilenet_v2_voc_300.jsonl').get('cat.bmp').detections[0].label;

const cat = await readImage(path.join(imagesDir, 'cat.bmp'));

function randomCall(random, model) {
  const method = random.pick(['detect', 'detect', 'detect', 'summary', 'memoryStats']);
  if (method !== 'detect') return reportCall(random, model, method);
  const image = imageArgument(random);
  const options = optionsArgument(random, {
    minScore: [0, 0.3, 0.5, 1],
    maxDetections: [1, 5, 20, 100],
    iouThreshold: [0, 0.45, 1],
    classAgnostic: [true, false],
  });
  const args = random.chance(0.05) ? [image] : [image, options];
  // What the call must respect when it succeeds (the defaults when an option was not given).
  const limit = typeof options === 'object' && options !== null && options.maxDetections !== undefined
    ? options.maxDetections : 20;
  return {
    what: `detect(${args.map(describeArgument).join(', ')})`,
    run: () => model.detect(...args),
    check: (value, what) => assertDetections(value, model, limit, what),
  };
}

for (const [m, mode] of MODEL_MODES.entries()) {
  test(`detector, ${mode.name}: random hostile calls keep their promise`, async (t) => {
    const random = seededRandom(SEED * 103 + m);
    const model = await loadInMode(loadDetector, mode);
    try {
      const before = await model.detect(cat);
      assert.ok(before.length >= 1 && before[0].class === CAT_LABEL, `cat.bmp: ${JSON.stringify(before)}`);
      for (const [width, height] of LARGEST_IMAGES) {
        await model.detect({ data: new Uint8Array(width * height * 4), width, height }, { minScore: 0, maxDetections: 100 });
      }
      const memory = (await model.memoryStats()).wasmMemoryBytes;
      await runRandomCalls(t, { seed: SEED, calls: CALLS, randomCall: () => randomCall(random, model) });
      assert.deepEqual(await model.detect(cat), before, 'the cat after the hostile calls');
      assert.equal((await model.memoryStats()).wasmMemoryBytes, memory, 'WASM memory grew');
    } finally {
      model.dispose();
    }
  });
}
