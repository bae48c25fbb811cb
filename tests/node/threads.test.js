// Threads through the JavaScript API: the int8 classifiers and both detectors (float32 and
// int8) load the pthreads build for threads > 1 and give, on every shared photo, exactly what
// one thread gives: the same scores and features bit for bit, the same detections, and (int8)
// the same raw head tensors. One scheduler splits the work for every precision, so only who
// computes a value changes, never how.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { load, loadDetector } from '../../web/index.js';
import { readImage } from '../../web/decode-image.js';
import { imagePaths, repoRoot } from './shared-data.js';

const CLASSIFIERS = ['mobilenet_v2_1.0_224.mnv2', 'tf2_mobilenet_v2_1.0_224_ptq.mnv2'];
const DETECTOR = path.join(repoRoot, 'weights/ssdlite_mobilenet_v2_voc_300.mnv2');

const photos = [];
before(async () => {
  for (const file of imagePaths()) photos.push({ name: path.basename(file), pixels: await readImage(file) });
  assert.ok(photos.length >= 10, `expected the 10 shared photos, found ${photos.length}`);
});

/** Loads a model on 1 and on 2 threads, hands both to check(), and disposes them. */
async function onOneAndTwoThreads(loader, options, check) {
  const one = await loader({ ...options, threads: 1 });
  const two = await loader({ ...options, threads: 2 });
  try {
    assert.deepEqual([one.backend, one.threads], ['simd', 1]);
    assert.deepEqual([two.backend, two.threads], ['simd-threads', 2]);
    await check(one, two);
  } finally {
    one.dispose();
    two.dispose();
  }
}

const bytes = (view) => Buffer.from(view.buffer, view.byteOffset, view.byteLength);

for (const weights of CLASSIFIERS) {
  test(`int8 ${weights}: two threads score every photo like one`, async () => {
    const options = { weights: path.join(repoRoot, 'weights', weights), precision: 'int8' };
    await onOneAndTwoThreads(load, options, async (one, two) => {
      for (const { name, pixels } of photos) {
        const topK = one.numClasses;
        assert.deepEqual(await two.classify(pixels, { topK, crop: 0.875 }),
          await one.classify(pixels, { topK, crop: 0.875 }), name);
        assert.ok(bytes(await two.embed(pixels)).equals(bytes(await one.embed(pixels))), name);
      }
    });
  });
}

for (const precision of ['float32', 'int8']) {
  test(`${precision} detector: two threads detect on every photo what one does`, async () => {
    await onOneAndTwoThreads(loadDetector, { weights: DETECTOR, precision }, async (one, two) => {
      let found = 0;
      for (const { name, pixels } of photos) {
        const options = { minScore: 0.05, maxDetections: 100 };
        const expected = await one.detect(pixels, options);
        assert.deepEqual(await two.detect(pixels, options), expected, name);
        found += expected.length;
        if (precision === 'int8') assert.deepEqual(two._detector.headCodes(), one._detector.headCodes(), name);
      }
      assert.ok(found > 10, `only ${found} detections on all photos: a broken network would agree with itself`);
    });
  });
}

test('loadDetector({threads}) in a worker runs on those threads', async () => {
  const detector = await loadDetector({ weights: DETECTOR, worker: true, threads: 2, precision: 'int8' });
  try {
    assert.deepEqual([detector.backend, detector.threads], ['simd-threads', 2]);
    const cat = photos.find(({ name }) => name === 'cat.bmp');
    assert.deepEqual((await detector.detect(cat.pixels)).map((d) => d.class), ['cat']);
  } finally {
    detector.dispose();
  }
});

// Each threaded model runs threads of its own. Before load() made their workers ready, a
// second threaded model alive beside the first hung in its first inference (its thread waited
// for a worker that only loads when the caller returns to the event loop); loads running
// concurrently could also take each other's readied workers, so these four load at once.
test('threaded models loaded concurrently and alive together each give their one-thread results', async () => {
  const configs = [
    { loader: load, options: {}, run: (model, pixels) => model.classify(pixels, { topK: 5 }) },
    { loader: load, options: { precision: 'int8' }, run: (model, pixels) => model.classify(pixels, { topK: 5 }) },
    { loader: loadDetector, options: { weights: DETECTOR }, run: (model, pixels) => model.detect(pixels) },
    { loader: loadDetector, options: { weights: DETECTOR, precision: 'int8' }, run: (model, pixels) => model.detect(pixels) },
  ];
  const some = photos.slice(0, 3);
  const expected = [];
  for (const { loader, options, run } of configs) {
    const one = await loader({ ...options, threads: 1 });
    expected.push(await Promise.all(some.map(({ pixels }) => run(one, pixels))));
    one.dispose();
  }
  const models = [];
  try {
    // allSettled: every model that did load is disposed below, even when another one failed.
    const settled = await Promise.allSettled(configs.map(({ loader, options }) => loader({ ...options, threads: 2 })));
    models.push(...settled.filter(({ status }) => status === 'fulfilled').map(({ value }) => value));
    const failed = settled.find(({ status }) => status === 'rejected');
    if (failed) throw failed.reason;
    for (const model of models) assert.deepEqual([model.backend, model.threads], ['simd-threads', 2]);
    // Interleaved: every model runs between two runs of every other one.
    for (let round = 0; round < 2; ++round) {
      for (const [i, { run }] of configs.entries()) {
        for (const [p, { name, pixels }] of some.entries()) {
          assert.deepEqual(await run(models[i], pixels), expected[i][p], `model ${i}, ${name}, round ${round}`);
        }
      }
    }
  } finally {
    for (const model of models) model.dispose();
  }
});
