// Custom classes on real photos with the real engine: a head taught five shared photos from
// crops (plus augmented copies) names other crops of them, with softmax regression and with
// kNN; it recognizes a photo it never saw as the right kind of thing; a saved and reloaded head
// scores bit for bit like the original; the same calls give the same head; and worker mode
// gives what the main thread gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { load, loadHead } from '../../web/index.js';
import { readImage } from '../../web/decode-image.js';
import { imagesDir } from './shared-data.js';
import { readPhotoClasses, trainingCrops, testCrops } from './head-photos.js';

const AUGMENT = 3;  // copies per training crop: 2 crops x 4 = 8 examples per class

let model;
let photos;
let testSet;  // [{label, image, features}]
let taught;   // taughtHead(model), shared by the tests that retrain it (training starts afresh)

/** A head taught every photo class from its training crops, each with AUGMENT copies. */
async function taughtHead(onModel) {
  const head = onModel.createHead();
  for (const [label, image] of Object.entries(photos)) {
    for (const crop of trainingCrops(image)) await head.addExample(crop, label, { augment: AUGMENT });
  }
  return head;
}

before(async () => {
  model = await load();
  photos = await readPhotoClasses();
  testSet = [];
  for (const [label, image] of Object.entries(photos)) {
    for (const crop of testCrops(image)) testSet.push({ label, image: crop, features: await model.embed(crop) });
  }
  taught = await taughtHead(model);
});
after(() => {
  taught.dispose();
  model.dispose();
});

async function accuracy(head) {
  let correct = 0;
  for (const { label, features } of testSet) {
    const [top] = await head.classify(features, { topK: 1 });
    if (top.label === label) correct += 1;
  }
  return correct / testSet.length;
}

test('a head taught 5 photos from 2 crops each names 30 other crops of them (softmax and kNN)', async (t) => {
  const head = taught;
  const counts = await head.exampleCounts();
  assert.deepEqual(counts.map(({ count }) => count), [8, 8, 8, 8, 8]);

  const softmax = await head.train({ method: 'softmax' });
  assert.equal(softmax.examples, 40);
  assert.equal(softmax.accuracy, 1, 'the training examples are fitted');
  const softmaxAccuracy = await accuracy(head);
  // Chance is 1/5, and a head that learned nothing names one class for everything: 20%.
  t.diagnostic(`softmax: ${(softmaxAccuracy * 100).toFixed(1)}% of ${testSet.length} test crops (loss ${softmax.loss.toFixed(4)}, trained in ${softmax.ms.toFixed(1)} ms)`);
  assert.ok(softmaxAccuracy >= 0.9, `softmax accuracy ${softmaxAccuracy}`);

  // Classifying an image is classifying its embedding.
  const { image, features } = testSet[7];
  assert.deepEqual(await head.classify(image, { topK: 5 }), await head.classify(features, { topK: 5 }));

  const knn = await head.train({ method: 'knn', k: 3 });
  assert.equal(knn.k, 3);
  const knnAccuracy = await accuracy(head);
  t.diagnostic(`knn (k 3): ${(knnAccuracy * 100).toFixed(1)}% of ${testSet.length} test crops`);
  assert.ok(knnAccuracy >= 0.9, `knn accuracy ${knnAccuracy}`);
});

test('a head recognizes a photo it never saw: owl.jpg is a "bird" after bird.bmp and parrot.jpg', async (t) => {
  const kinds = { bird: ['bird.bmp', 'parrot.jpg'], food: ['hot_dog.jpg', 'missvickie_potato_chips.bmp'], person: ['grace_hopper.bmp'], insect: ['dragonfly.bmp'] };
  const head = model.createHead();
  for (const [label, files] of Object.entries(kinds)) {
    for (const file of files) await head.addExample(await readImage(path.join(imagesDir, file)), label, { augment: 3 });
  }
  const owl = await readImage(path.join(imagesDir, 'owl.jpg'));
  for (const method of ['softmax', 'knn']) {
    await head.train({ method });
    const top = await head.classify(owl);
    t.diagnostic(`${method}: ${top.map(({ label, score }) => `${label} ${score.toFixed(3)}`).join(', ')}`);
    assert.equal(top[0].label, 'bird');
    assert.ok(top[0].score > 0.5, `${method} score ${top[0].score}`);
    assert.equal(top.length, 4);
  }
  head.dispose();
});

test('a head saved with toJSON() and loaded again scores bit for bit the same (softmax and kNN)', async () => {
  const head = taught;
  for (const method of ['softmax', 'knn']) {
    await head.train({ method });
    const text = JSON.stringify(head);
    const loaded = await loadHead(model, text);
    assert.equal(loaded.method, method);
    assert.deepEqual(loaded.labels, head.labels);
    for (const { image } of testSet.filter((_, i) => i % 4 === 0)) {
      assert.deepEqual(await loaded.classify(image), await head.classify(image));
    }
    // Saved again, it is the same file: nothing is lost or rounded.
    assert.equal(JSON.stringify(loaded.toJSON()), text);
    loaded.dispose();
  }
});

test('the same calls give the same head (seeded augmentation, deterministic training)', async () => {
  const make = async () => {
    const head = model.createHead();
    await head.addExample(photos.cat, 'cat', { augment: 2, jitter: 0.3 });
    await head.addExample(photos.parrot, 'parrot', { augment: 2, seed: 7 });
    await head.train();
    const json = JSON.stringify(head);
    head.dispose();
    return json;
  };
  assert.equal(await make(), await make());
});

test('worker mode teaches the same head and gives the same scores as the main thread', async () => {
  const inWorker = await load({ worker: true });
  try {
    const head = taught;
    const remote = await taughtHead(inWorker);
    assert.deepEqual(await remote.exampleCounts(), await head.exampleCounts());
    for (const method of ['softmax', 'knn']) {
      const report = await head.train({ method });
      const remoteReport = await remote.train({ method });
      assert.deepEqual({ ...remoteReport, ms: 0 }, { ...report, ms: 0 });
      assert.deepEqual(remote.toJSON(), head.toJSON());
      assert.equal(remote.method, method);
      for (const { image, features } of testSet.filter((_, i) => i % 5 === 0)) {
        const scores = await head.classify(image);
        assert.deepEqual(await remote.classify(image), scores);
        assert.deepEqual(await remote.classify(features), scores);
      }
    }
    // A head saved on the main thread loads in the worker, and the other way round.
    const there = await loadHead(inWorker, head.toJSON());
    const back = await loadHead(model, there.toJSON());
    assert.deepEqual(await there.classify(testSet[3].image), await back.classify(testSet[3].image));
    remote.dispose();
    await assert.rejects(remote.classify(testSet[0].features), /this head was disposed/);
  } finally {
    inWorker.dispose();
  }
});
