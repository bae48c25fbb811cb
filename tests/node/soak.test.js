// Soak: a page may classify webcam frames for hours, so thousands of calls on images of
// changing sizes must leave WASM memory exactly where it was after warm-up and the JS heap
// flat, and give the same bits for the same image at the end as at the start. Models that
// are dropped without dispose() must be freed by the FinalizationRegistry.
//
// 10,000 calls run on a small random-weights model (alpha 0.35, 96x96: the same code paths at
// a fraction of the cost); the real model and the detector get shorter runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as api from '../../web/index.js';
import createMobileNetV2Module from '../../dist/mobilenetv2.mjs';
import { repoRoot } from './shared-data.js';
import { collectGarbage, randomModelPath } from './test-support.js';

const MiB = 1024 * 1024;
// Largest first: the staging buffer grows once, during warm-up.
const SIZES = [[641, 479], [640, 480], [1, 1], [96, 96], [33, 257], [300, 200], [1024, 7],
  [2, 900], [224, 224], [97, 301], [5, 5], [160, 120]];
const CROPS = [1, 0.875, 0.5];

function makeImages() {
  return SIZES.map(([width, height], n) => {
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < data.length; ++i) data[i] = (i * 2654435761 + n * 40503) >>> 24;
    return { data, width, height };
  });
}

async function memory(model) {
  await collectGarbage();
  return { wasm: model.memoryStats().wasmMemoryBytes, heap: process.memoryUsage().heapUsed };
}

function report(t, label, calls, before, after, ms) {
  const line = `${label}: ${calls} calls in ${(ms / 1000).toFixed(1)} s; WASM memory ${before.wasm} -> ${after.wasm} bytes; ` +
    `JS heap ${(before.heap / MiB).toFixed(2)} -> ${(after.heap / MiB).toFixed(2)} MiB`;
  t.diagnostic(line);
  console.log(`soak: ${line}`);
}

/** `calls` classify calls (every 10th also embeds) cycling through sizes, crops and topK. */
async function soakClassifier(t, model, calls, label) {
  const images = makeImages();
  const first = [];
  for (const image of images) first.push(await model.classify(image, { topK: 3 }));  // warm-up
  const before = await memory(model);
  const start = performance.now();
  for (let call = 0; call < calls; ++call) {
    const image = images[call % images.length];
    const topK = 1 + (call % 5);
    const top = await model.classify(image, { topK, crop: CROPS[call % CROPS.length] });
    if (top.length !== topK) assert.fail(`call ${call}: ${top.length} results for topK ${topK}`);
    if (call % 10 === 0) await model.embed(image, { crop: CROPS[(call >> 1) % CROPS.length] });
  }
  const ms = performance.now() - start;
  const after = await memory(model);
  report(t, label, calls, before, after, ms);
  assert.equal(after.wasm, before.wasm, 'WASM memory grew');
  assert.ok(after.heap - before.heap < 4 * MiB, `JS heap grew by ${after.heap - before.heap} bytes`);
  // Nothing drifted: the same image gives the same answer, bit for bit, as before the run.
  for (let i = 0; i < images.length; ++i) {
    assert.deepEqual(await model.classify(images[i], { topK: 3 }), first[i], `${SIZES[i]} after the soak`);
  }
}

test('10,000 classify calls on a small model: memory flat, answers unchanged', async (t) => {
  const model = await api.load({ weights: randomModelPath() });
  try {
    await soakClassifier(t, model, 10000, 'random-weights alpha 0.35 / 96');
  } finally {
    model.dispose();
  }
});

test('500 classify calls on the real model: memory flat, answers unchanged', async (t) => {
  const model = await api.load();
  try {
    await soakClassifier(t, model, 500, 'MobileNetV2 1.0 / 224');
  } finally {
    model.dispose();
  }
});

const detectorWeights = path.join(repoRoot, 'weights/ssdlite_mobilenet_v2_voc_300.mnv2');
const noDetector = typeof api.loadDetector !== 'function' ? 'no loadDetector in this build'
  : !existsSync(detectorWeights) ? `${detectorWeights} missing` : false;

test('200 detect calls on the real detector: memory flat, answers unchanged', { skip: noDetector }, async (t) => {
  const detector = await api.loadDetector();
  try {
    const images = makeImages();
    const first = [];
    for (const image of images) first.push(await detector.detect(image, { minScore: 0.05 }));
    // The detector has no memoryStats(): a classifier on the same module reads its memory.
    const probe = await api.load({ weights: randomModelPath() });
    try {
      const before = await memory(probe);
      const start = performance.now();
      for (let call = 0; call < 200; ++call) {
        await detector.detect(images[call % images.length], { minScore: [0.05, 0.3, 0.9][call % 3], maxDetections: 1 + (call % 50) });
      }
      const ms = performance.now() - start;
      const after = await memory(probe);
      report(t, 'SSDLite detect', 200, before, after, ms);
      assert.equal(after.wasm, before.wasm, 'WASM memory grew');
      assert.ok(after.heap - before.heap < 4 * MiB, `JS heap grew by ${after.heap - before.heap} bytes`);
    } finally {
      probe.dispose();
    }
    for (let i = 0; i < images.length; ++i) {
      assert.deepEqual(await detector.detect(images[i], { minScore: 0.05 }), first[i]);
    }
  } finally {
    detector.dispose();
  }
});

test('models dropped without dispose() are freed when collected', async (t) => {
  const weights = new Uint8Array(readFileSync(path.join(repoRoot, 'weights/mobilenet_v2_1.0_224.mnv2')));
  // A module of its own, so its memory shows only these models.
  const module = await createMobileNetV2Module({ wasmBinary: readFileSync(path.join(repoRoot, 'dist/mobilenetv2.wasm')) });
  new module.Classifier(weights).dispose();
  const baseline = module.wasmMemoryBytes();  // room for one model
  const modelBytes = new module.Classifier(weights).memoryStats().weightsBytes;  // dropped too
  const forgotten = 12;
  for (let i = 0; i < forgotten; ++i) {
    new module.Classifier(weights);  // eslint-disable-line no-new
    await collectGarbage();
  }
  await collectGarbage();
  const grown = module.wasmMemoryBytes() - baseline;
  const line = `${forgotten + 1} models dropped: ${module.finalizedCores} finalized, WASM memory grew ${(grown / MiB).toFixed(1)} MiB (one model's weights: ${(modelBytes / MiB).toFixed(1)} MiB)`;
  t.diagnostic(line);
  console.log(`soak: ${line}`);
  assert.ok(module.finalizedCores >= forgotten - 1, `only ${module.finalizedCores} finalized`);
  // Without finalization this would be ~13 models' worth.
  assert.ok(grown <= 3 * modelBytes, `WASM memory grew by ${grown} bytes`);

  // The same through the package API: load() without dispose().
  const live = await api.load({ weights });
  try {
    const before = live.memoryStats().wasmMemoryBytes;
    for (let i = 0; i < 6; ++i) {
      await api.load({ weights });
      await collectGarbage();
    }
    await collectGarbage();
    const after = live.memoryStats().wasmMemoryBytes;
    assert.ok(after - before <= 3 * modelBytes, `load() without dispose(): WASM memory grew by ${after - before} bytes`);
  } finally {
    live.dispose();
  }
});

test('a worker model dropped without dispose() ends its worker, after its calls in flight', async () => {
  const weights = randomModelPath();
  const image = makeImages()[3];
  let model = await api.load({ weights, worker: true });
  const connection = model._connection;  // held here only to observe it; the model is dropped
  const expected = await model.classify(image);
  // A call in flight keeps its answer even when the model is collected meanwhile.
  const pending = model.classify(image);
  model = null;
  await collectGarbage();
  assert.deepEqual(await pending, expected);
  await collectGarbage();
  assert.match(String(connection._failure?.message), /this model was disposed/, 'the worker was not ended');
});
