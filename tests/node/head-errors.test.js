// Custom-class heads refuse what they cannot use with an Error saying what was wrong: training
// without examples or on one label, classifying before training or with a label the head does
// not know, NaN in embeddings or in a saved head, a saved head of another model or feature
// size, malformed head files, bad options, disposed heads and models; in worker mode too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { load, loadHead } from '../../web/index.js';
import { readPhotoClasses } from './head-photos.js';
import { randomModelPath } from './test-support.js';

let model;
let photos;
let trained;  // {softmax, knn}: JSON objects of heads trained on cat and parrot

before(async () => {
  model = await load();
  photos = await readPhotoClasses();
  const head = model.createHead();
  await head.addExample(photos.cat, 'cat');
  await head.addExample(photos.parrot, 'parrot');
  await head.addExample(photos['hot dog'], 'hot dog');
  trained = {};
  for (const method of ['softmax', 'knn']) {
    await head.train({ method });
    trained[method] = structuredClone(head.toJSON());
  }
  head.dispose();
});
after(() => model.dispose());

test('training needs examples of at least two labels', async () => {
  const head = model.createHead();
  await assert.rejects(head.train(), { name: 'Error', message: /^train: there are no examples yet/ });
  await head.addExample(photos.cat, 'cat');
  await assert.rejects(head.train(), /every example has the label "cat": a head needs examples of at least 2 labels/);
  await assert.rejects(head.train({ method: 'knn' }), /at least 2 labels/);
  // Removing a label takes its examples with it.
  await head.addExample(photos.parrot, 'parrot');
  await head.removeExamples('parrot');
  await assert.rejects(head.train(), /at least 2 labels/);
  await assert.rejects(head.removeExamples('dog'), { name: 'RangeError', message: /no example has the label "dog"/ });
  head.dispose();
});

test('an untrained head cannot classify or be saved; an unknown label is named', async () => {
  const head = model.createHead();
  await assert.rejects(head.classify(photos.cat), /classify: the head is not trained yet: call train\(\) first/);
  assert.throws(() => head.toJSON(), /toJSON: the head is not trained yet/);
  assert.equal(head.method, null);
  assert.deepEqual(head.labels, []);
  const loaded = await loadHead(model, trained.softmax);
  await assert.rejects(loaded.classify(photos.cat, { labels: ['cat', 'dog'] }),
    { name: 'RangeError', message: /classify: unknown label "dog": this head knows "cat", "parrot", "hot dog"/ });
  const [only] = await loaded.classify(photos.cat, { labels: ['parrot', 'hot dog'] });
  assert.notEqual(only.label, 'cat');
  await assert.rejects(loaded.classify(photos.cat, { topK: 4 }), { name: 'RangeError', message: /topK must be an integer from 1 to 3/ });
  await assert.rejects(loaded.classify(photos.cat, { labels: [] }), TypeError);
  head.dispose();
  loaded.dispose();
});

test('NaN and wrong-length embeddings are refused, in examples and at classification', async () => {
  const head = await loadHead(model, trained.knn);
  const embedding = await model.embed(photos.cat);
  const poisoned = embedding.slice();
  poisoned[5] = NaN;
  await assert.rejects(head.addExample(poisoned, 'cat'), { name: 'RangeError', message: /addExample: the embedding has a non-finite value \(NaN\) at index 5/ });
  poisoned[5] = Infinity;
  await assert.rejects(head.classify(poisoned), /classify: the embedding has a non-finite value \(Infinity\) at index 5/);
  await assert.rejects(head.classify(embedding.subarray(0, 1000)), /an embedding must have 1280 values \(this model's featureSize\), got 1000/);
  await assert.rejects(head.addExample(embedding, 'cat', { augment: 2 }), /crop and augment apply to images, not to an embedding/);
  // The refused example was not half added: the head still has 3 examples of cat.
  assert.deepEqual((await head.exampleCounts()).map(({ count }) => count), [1, 1, 1]);
  assert.equal(await head.addExample(embedding, 'cat'), 2);
  head.dispose();
});

test('bad options get an Error naming the option', async () => {
  const head = model.createHead();
  const image = photos.cat;
  await assert.rejects(head.addExample(image, ''), { name: 'TypeError', message: /label must be a non-empty string/ });
  await assert.rejects(head.addExample(image, 42), { name: 'TypeError', message: /label must be a non-empty string/ });
  await assert.rejects(head.addExample(image, 'cat', { flip: true }), /flip shapes the augmented copies: it needs augment > 0/);
  await assert.rejects(head.addExample(image, 'cat', { augment: 65 }), { name: 'RangeError', message: /augment must be an integer from 0 to 64/ });
  await assert.rejects(head.addExample(image, 'cat', { augment: 1, jitter: 1 }), { name: 'RangeError', message: /jitter must be a number in \[0, 0.9\]/ });
  await assert.rejects(head.addExample(image, 'cat', { crop: 0 }), { name: 'RangeError', message: /crop/ });
  await assert.rejects(head.addExample(image, 'cat', { augmentation: 2 }), { name: 'TypeError', message: /addExample has no option "augmentation"/ });
  await assert.rejects(head.addExample({ width: 2 }, 'cat'), TypeError);
  await head.addExample(image, 'cat');
  await head.addExample(photos.parrot, 'parrot');
  await assert.rejects(head.train({ method: 'svm' }), { name: 'RangeError', message: /method must be 'softmax' or 'knn'/ });
  await assert.rejects(head.train({ epochs: 0 }), { name: 'RangeError', message: /epochs must be an integer from 1 to 10000/ });
  await assert.rejects(head.train({ learningRate: NaN }), { name: 'RangeError', message: /learningRate must be a number in \(0, 10\], got NaN/ });
  await assert.rejects(head.train({ weightDecay: -1 }), { name: 'RangeError', message: /weightDecay/ });
  await assert.rejects(head.train({ method: 'knn', epochs: 5 }), { name: 'TypeError', message: /option epochs does not apply to method 'knn' \(it takes k\)/ });
  await assert.rejects(head.train({ k: 5 }), /option k does not apply to method 'softmax'/);
  await assert.rejects(head.train({ method: 'knn', k: 0 }), { name: 'RangeError', message: /k must be an integer from 1 to 1000/ });
  head.dispose();
});

test('a disposed head or model says so', async () => {
  const other = await load();
  const head = other.createHead();
  other.dispose();
  assert.throws(() => other.createHead(), /this model was disposed/);
  await assert.rejects(head.addExample(photos.cat, 'cat'), /this model was disposed/);
  head.dispose();
  head.dispose();  // idempotent
  await assert.rejects(head.addExample(photos.cat, 'cat'), /this head was disposed/);
  await assert.rejects(head.train(), /this head was disposed/);
  assert.throws(() => head.toJSON(), /this head was disposed/);
  await assert.rejects(loadHead({}, trained.softmax), { name: 'TypeError', message: /loadHead: model must be a model from load\(\)/ });
});

test("a head of another model's weights or feature size is refused, naming both models", async () => {
  // Random-weight models: alpha 0.35 still has 1280 features, alpha 1.4 has 1792.
  const sameSize = await load({ weights: randomModelPath({ alpha: 0.35, size: 96, classes: 10 }) });
  const largerSize = await load({ weights: randomModelPath({ alpha: 1.4, size: 96, classes: 10 }) });
  try {
    assert.equal(sameSize.featureSize, 1280);
    await assert.rejects(loadHead(sameSize, trained.softmax),
      /^Error: head JSON: the head was trained on another model's embeddings \(head: MobileNetV2 1\/224, 1280 features, weights CRC-32 [0-9a-f]{8}; this model: MobileNetV2 0.35\/96, 1280 features, weights CRC-32 [0-9a-f]{8}\)/);
    await assert.rejects(loadHead(largerSize, trained.knn), /head JSON: the head takes embeddings of 1280 features, this model's have 1792/);
  } finally {
    sameSize.dispose();
    largerSize.dispose();
  }
});

/** base64 of float32 values. */
function floats(...values) {
  return Buffer.from(new Float32Array(values).buffer).toString('base64');
}

test('malformed head files are refused with a message saying what is wrong', async () => {
  const softmax = trained.softmax;
  const knn = trained.knn;
  const weights = Buffer.from(softmax.softmax.weights, 'base64');
  weights.writeFloatLE(NaN, 4 * 1300);
  const cases = [
    ['{"format": ', /head JSON: not valid JSON/],
    ['[]', /head JSON: must be an object/],
    [{ ...softmax, format: 'something-else' }, /"format" must be "mobilenetv2-wasm-head": this is not a head file/],
    [{ ...softmax, version: 2 }, /"version" 2 is not supported/],
    [{ ...softmax, extra: 1 }, /the head has an unknown field "extra"/],
    [{ ...softmax, model: { ...softmax.model, weightsCrc32: 'XYZ' } }, /model.weightsCrc32 must be 8 lowercase hex digits/],
    [{ ...softmax, model: { ...softmax.model, featureSize: 0 } }, /model.featureSize must be an integer from 1/],
    [{ ...softmax, labels: ['only one'] }, /"labels" must be an array of 2 to 10000 labels/],
    [{ ...softmax, labels: ['cat', 'cat', 'dog'] }, /"labels" has a label twice/],
    [{ ...softmax, labels: ['cat', '', 'dog'] }, /labels\[1\] must be a non-empty string/],
    [{ ...softmax, method: 'svm' }, /"method" must be "softmax" or "knn", got "svm"/],
    [{ ...softmax, knn: knn.knn }, /a softmax head has no "knn" field/],
    [{ ...softmax, softmax: { ...softmax.softmax, bias: floats(1, 2) } }, /softmax.bias must hold 3 float32 values/],
    [{ ...softmax, softmax: { ...softmax.softmax, mean: softmax.softmax.mean.replace(/^..../, '!!!!') } }, /softmax.mean is not valid base64/],
    [{ ...softmax, softmax: { ...softmax.softmax, weights: weights.toString('base64') } }, /softmax.weights has a non-finite value \(NaN\) at index 1300/],
    [{ ...softmax, softmax: { ...softmax.softmax, bias: 7 } }, /softmax.bias must be a base64 string of 3 float32 values/],
    [{ ...knn, knn: { ...knn.knn, k: 0 } }, /knn.k must be an integer from 1 to 1000/],
    [{ ...knn, knn: { ...knn.knn, exampleLabels: [0, 1, 5] } }, /knn.exampleLabels\[2\] must be an index into "labels" \(0 to 2\)/],
    [{ ...knn, knn: { ...knn.knn, exampleLabels: [0, 1, 1] } }, /label "hot dog" has no example in knn.exampleLabels/],
    [{ ...knn, knn: { ...knn.knn, features: floats(1, 2, 3) } }, /knn.features must hold 3840 float32 values/],
  ];
  for (const [json, message] of cases) {
    await assert.rejects(loadHead(model, json), message, JSON.stringify(json).slice(0, 80));
  }
});

test('worker mode refuses the same things with the same errors', async () => {
  const inWorker = await load({ worker: true });
  try {
    const head = inWorker.createHead();
    await head.addExample(photos.cat, 'cat');
    await assert.rejects(head.train(), { name: 'Error', message: /every example has the label "cat"/ });
    await assert.rejects(head.addExample(photos.cat, 'cat', { flip: false }), /flip shapes the augmented copies/);
    assert.throws(() => head.toJSON(), /not trained yet/);
    await assert.rejects(head.classify(photos.cat), /not trained yet/);
    const loaded = await loadHead(inWorker, trained.softmax);
    await assert.rejects(loaded.classify(photos.cat, { labels: ['dog'] }), { name: 'RangeError', message: /unknown label "dog"/ });
    await assert.rejects(loadHead(inWorker, { ...trained.softmax, version: 9 }), /"version" 9 is not supported/);
    await assert.rejects(loadHead(inWorker, { ...trained.softmax, labels: [1n] }), /head JSON: cannot be serialized/);
    assert.deepEqual(await loaded.classify(photos.parrot), await (await loadHead(model, trained.softmax)).classify(photos.parrot));
    inWorker.dispose();
    await assert.rejects(loaded.classify(photos.cat), /this model was disposed/);
    assert.throws(() => inWorker.createHead(), /this model was disposed/);
  } finally {
    inWorker.dispose();
  }
});
