// The detector's JavaScript API as a package user calls it: the coco-ssd result shape, the
// options, an Error naming the problem for every kind of wrong argument, and the worker mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load, loadDetector } from '../../web/index.js';
import { readImage } from '../../web/decode-image.js';
import { imagesDir, repoRoot } from './shared-data.js';

const weightsPath = path.join(repoRoot, 'weights/ssdlite_mobilenet_v2_voc_300.mnv2');
let detector;
let pets;

before(async () => {
  detector = await loadDetector();
  pets = await readImage(path.join(imagesDir, 'pets.jpg'));
});
after(() => detector.dispose());

test('the detector describes itself', () => {
  assert.equal(detector.inputSize, 300);
  assert.equal(detector.numClasses, 20);
  assert.equal(detector.labels.length, 20);
  assert.equal(detector.labels[0], 'aeroplane');
  assert.equal(detector.labels[7], 'cat');
  assert.equal(detector.labels[19], 'tvmonitor');
});

test('detect returns coco-ssd shaped results sorted by score', async () => {
  const found = await detector.detect(pets, { minScore: 0.3 });
  assert.ok(found.length >= 2);
  for (const d of found) {
    assert.deepEqual(Object.keys(d).sort(), ['bbox', 'class', 'classIndex', 'score']);
    assert.equal(d.bbox.length, 4);
    assert.ok(d.bbox[2] > 0 && d.bbox[3] > 0);
    assert.equal(d.class, detector.labels[d.classIndex]);
    assert.ok(d.score >= 0.3 && d.score <= 1);
  }
  for (let i = 1; i < found.length; ++i) assert.ok(found[i - 1].score >= found[i].score);
});

test('options limit and shape the result', async () => {
  assert.equal((await detector.detect(pets, { maxDetections: 1 })).length, 1);
  // Nothing suppressed and every box a candidate: exactly maxDetections come back.
  assert.equal((await detector.detect(pets, { minScore: 0, iouThreshold: 1, maxDetections: 100 })).length, 100);
  assert.deepEqual(await detector.detect(pets, { minScore: 1 }), []);
  const agnostic = await detector.detect(pets, { minScore: 0.2 });
  const perClass = await detector.detect(pets, { minScore: 0.2, classAgnostic: false });
  assert.ok(perClass.length >= agnostic.length);
  assert.deepEqual(perClass.filter((d) => d.class === 'dog').length, 2);
});

test('ImageData-like Uint8ClampedArray input gives the same result', async () => {
  const clamped = { data: new Uint8ClampedArray(pets.data), width: pets.width, height: pets.height };
  assert.deepEqual(await detector.detect(clamped), await detector.detect(pets));
});

test('out-of-range options throw a RangeError naming the option', async () => {
  for (const minScore of [NaN, Infinity, -0.1, 1.5, '0.5']) {
    await assert.rejects(detector.detect(pets, { minScore }), { name: 'RangeError', message: /minScore/ });
  }
  for (const maxDetections of [0, 1.5, NaN, 5000, -3]) {
    await assert.rejects(detector.detect(pets, { maxDetections }), { name: 'RangeError', message: /maxDetections/ });
  }
  for (const iouThreshold of [-1, 2, NaN]) {
    await assert.rejects(detector.detect(pets, { iouThreshold }), { name: 'RangeError', message: /iouThreshold/ });
  }
  await assert.rejects(detector.detect(pets, { classAgnostic: 'yes' }), { name: 'TypeError', message: /classAgnostic/ });
  await assert.rejects(detector.detect({ data: new Uint8Array(10), width: 2, height: 2 }), /pixels has 10 bytes/);
  await assert.rejects(detector.detect('cat.jpg'), TypeError);
});

test('weights as bytes or a path load the same detector; a classifier file is refused', async () => {
  const bytes = readFileSync(weightsPath);
  const expected = await detector.detect(pets);
  for (const weights of [new Uint8Array(bytes), weightsPath]) {
    const other = await loadDetector({ weights });
    assert.deepEqual(await other.detect(pets), expected);
    other.dispose();
  }
  await assert.rejects(loadDetector({ weights: path.join(repoRoot, 'weights/mobilenet_v2_1.0_224.mnv2') }),
    /holds a classifier, not a detector/);
  await assert.rejects(load({ weights: weightsPath }), /holds a detector, not a classifier/);
});

test('a disposed detector throws', async () => {
  const other = await loadDetector();
  other.dispose();
  other.dispose();  // twice is fine
  await assert.rejects(other.detect(pets), /disposed/);
});

test('in a worker the detector gives the same result', async () => {
  const worker = await loadDetector({ worker: true });
  try {
    assert.equal(worker.numClasses, 20);
    assert.deepEqual(await worker.detect(pets, { minScore: 0.3 }), await detector.detect(pets, { minScore: 0.3 }));
    await assert.rejects(worker.detect(pets, { minScore: 2 }), { name: 'RangeError', message: /minScore/ });
  } finally {
    worker.dispose();
  }
});
