// Determinism: the same input gives bit-identical output across calls (whatever ran in
// between), across models loaded from the same bytes, and across fresh instances of the WASM
// module. Compared bit for bit: scores as float32 bit patterns, features as raw bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import createMobileNetV2Module from '../../dist/mobilenetv2.mjs';
import { load } from '../../web/index.js';
import { readImage } from '../../web/decode-image.js';
import { imagesDir, repoRoot } from './shared-data.js';

const weights = new Uint8Array(readFileSync(path.join(repoRoot, 'weights/mobilenet_v2_1.0_224.mnv2')));
const wasmBinary = readFileSync(path.join(repoRoot, 'dist/mobilenetv2.wasm'));

function noise(width, height, seed) {
  const data = new Uint8Array(width * height * 4);
  let state = seed;
  for (let i = 0; i < data.length; ++i) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state >>> 24;
  }
  return { data, width, height };
}

const cases = [];  // {name, image, crop}
let instances;     // two separate module instances, one classifier each

/** Scores as their float32 bit patterns (Object.is on doubles would also do; this is explicit). */
function bits(top) {
  const scores = new Float32Array(top.map(({ score }) => score));
  return { indices: top.map(({ index }) => index), bits: Array.from(new Uint32Array(scores.buffer)) };
}

function featureBytes(features) {
  return Buffer.from(features.buffer, features.byteOffset, features.byteLength);
}

before(async () => {
  for (const name of ['cat.bmp', 'owl.jpg']) {
    const image = await readImage(path.join(imagesDir, name));
    cases.push({ name, image, crop: 1 }, { name: `${name} crop 0.875`, image, crop: 0.875 });
  }
  cases.push({ name: 'noise 97x301', image: noise(97, 301, 1), crop: 1 });
  cases.push({ name: 'noise 1x1', image: noise(1, 1, 2), crop: 1 });
  cases.push({ name: 'noise 1000x3 crop 0.3', image: noise(1000, 3, 3), crop: 0.3 });
  const factories = [await createMobileNetV2Module({ wasmBinary }), await createMobileNetV2Module({ wasmBinary })];
  assert.notEqual(factories[0], factories[1]);
  instances = factories.map((module) => new module.Classifier(weights));
});

after(() => instances?.forEach((classifier) => classifier.dispose()));

test('two fresh module instances give bit-identical scores and features', () => {
  const [a, b] = instances;
  for (const { name, image, crop } of cases) {
    const { data, width, height } = image;
    assert.deepEqual(bits(b.classify(data, width, height, 1001, crop)), bits(a.classify(data, width, height, 1001, crop)), name);
    assert.ok(featureBytes(b.embed(data, width, height, crop)).equals(featureBytes(a.embed(data, width, height, crop))), name);
  }
});

test('repeated calls with other images in between give the same bits', () => {
  const [a] = instances;
  const first = cases.map(({ image: { data, width, height }, crop }) => ({
    top: bits(a.classify(data, width, height, 1001, crop)),
    features: featureBytes(a.embed(data, width, height, crop)),
  }));
  // Reverse order this time, so every case follows a different image than before.
  for (let i = cases.length - 1; i >= 0; --i) {
    const { name, image: { data, width, height }, crop } = cases[i];
    assert.deepEqual(bits(a.classify(data, width, height, 1001, crop)), first[i].top, name);
    assert.ok(featureBytes(a.embed(data, width, height, crop)).equals(first[i].features), name);
  }
});

test('the package API agrees bit for bit with the bare module', async () => {
  const model = await load({ weights });
  try {
    for (const { name, image, crop } of cases) {
      const { data, width, height } = image;
      assert.deepEqual(bits(await model.classify(image, { topK: 1001, crop })),
        bits(instances[0].classify(data, width, height, 1001, crop)), name);
    }
  } finally {
    model.dispose();
  }
});
