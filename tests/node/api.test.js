// The JavaScript API as a package user calls it: results, features, and an Error that names
// the problem for every kind of wrong argument.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from '../../web/index.js';
import { readImage } from '../../web/decode-image.js';
import { imagesDir, repoRoot } from './shared-data.js';

const weightsPath = path.join(repoRoot, 'weights/mobilenet_v2_1.0_224.mnv2');
let model;
let cat;

before(async () => {
  model = await load();
  cat = await readImage(path.join(imagesDir, 'cat.bmp'));
});
after(() => model.dispose());

test('the model describes itself', () => {
  assert.equal(model.inputSize, 224);
  assert.equal(model.numClasses, 1001);
  assert.equal(model.featureSize, 1280);
  assert.equal(model.alpha, 1);
  assert.equal(model.labels[0], 'background');
  assert.equal(model.labels[286], 'Egyptian cat');
});

test('classify returns topK sorted classes with labels', async () => {
  const top = await model.classify(cat, { topK: 3, crop: 0.875 });
  assert.equal(top.length, 3);
  assert.equal(top[0].label, 'Egyptian cat');
  assert.ok(top[0].score > top[1].score && top[1].score >= top[2].score);
  const all = await model.classify(cat, { topK: 1001 });
  const total = all.reduce((sum, entry) => sum + entry.score, 0);
  assert.ok(Math.abs(total - 1) < 1e-4, `probabilities sum to ${total}`);
});

test('ImageData-like Uint8ClampedArray input works the same', async () => {
  const clamped = { data: new Uint8ClampedArray(cat.data), width: cat.width, height: cat.height };
  assert.deepEqual(await model.classify(clamped), await model.classify(cat));
});

test('embed returns the 1280-d pooled features, deterministically', async () => {
  const features = await model.embed(cat);
  assert.ok(features instanceof Float32Array);
  assert.equal(features.length, 1280);
  assert.ok(features.every((value) => value >= 0 && value <= 6), 'ReLU6 features are in [0, 6]');
  assert.ok(features.some((value) => value > 0));
  const again = await model.embed(cat);
  assert.deepEqual(again, features);
  const other = await model.embed(await readImage(path.join(imagesDir, 'owl.jpg')));
  assert.notDeepEqual(other, features);
});

test('weights given as bytes, as a path and as a URL load the same model', async () => {
  const bytes = readFileSync(weightsPath);
  for (const weights of [new Uint8Array(bytes), bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), weightsPath]) {
    const other = await load({ weights });
    assert.deepEqual(await other.classify(cat), await model.classify(cat));
    other.dispose();
  }
  const progress = [];
  const fromPath = await load({ weights: weightsPath, onProgress: (event) => progress.push(event) });
  fromPath.dispose();
  assert.deepEqual(progress.at(-1), { loaded: bytes.length, total: bytes.length });
});

test('bad inputs throw Errors that say what is wrong', async () => {
  const pixels = new Uint8Array(4 * 4 * 4);
  const cases = [
    [{ data: pixels, width: 0, height: 4 }, {}, /width must be an integer from 1 to 16384, got 0/],
    [{ data: pixels, width: -4, height: 4 }, {}, /width must be/],
    [{ data: pixels, width: 4.5, height: 4 }, {}, /width must be/],
    [{ data: pixels, width: 4, height: NaN }, {}, /height must be/],
    [{ data: pixels, width: 20000, height: 4 }, {}, /width must be/],
    [{ data: pixels, width: 4, height: 5 }, {}, /pixels has 64 bytes, a 4x5 RGBA image needs 80/],
    [{ data: [1, 2, 3], width: 1, height: 1 }, {}, /input must be/],
    [{ data: new Float32Array(64), width: 4, height: 4 }, {}, /input must be/],
    ['cat.jpg', {}, /input must be/],
    [null, {}, /input must be/],
    [{ data: pixels, width: 4, height: 4 }, { topK: 0 }, /topK must be an integer from 1 to 1001, got 0/],
    [{ data: pixels, width: 4, height: 4 }, { topK: 1002 }, /topK must be/],
    [{ data: pixels, width: 4, height: 4 }, { topK: Infinity }, /topK must be/],
    [{ data: pixels, width: 4, height: 4 }, { crop: 0 }, /crop must be a number in \(0, 1\], got 0/],
    [{ data: pixels, width: 4, height: 4 }, { crop: NaN }, /crop must be/],
    [{ data: pixels, width: 4, height: 4 }, { crop: '0.5' }, /crop must be/],
  ];
  for (const [input, options, message] of cases) {
    await assert.rejects(model.classify(input, options), (error) => error instanceof Error && message.test(error.message),
      `${JSON.stringify(options)} should fail with ${message}`);
  }
  // The model still works after all of that.
  assert.equal((await model.classify(cat, { crop: 0.875 }))[0].label, 'Egyptian cat');
});

test('bad weights throw Errors that say what is wrong', async () => {
  await assert.rejects(load({ weights: new Uint8Array(10) }), /invalid weight file: only 10 bytes/);
  await assert.rejects(load({ weights: 42 }), /weights must be a URL, a path, a Uint8Array or an ArrayBuffer/);
  await assert.rejects(load({ weights: '/nonexistent.mnv2' }), /ENOENT|no such file/);
  const corrupted = new Uint8Array(readFileSync(weightsPath));
  corrupted[5000] ^= 0x80;
  await assert.rejects(load({ weights: corrupted }), /checksum mismatch/);
});

test('a disposed model refuses further calls', async () => {
  const other = await load();
  other.dispose();
  other.dispose();  // twice is harmless
  await assert.rejects(other.classify(cat), /this model was disposed/);
  await assert.rejects(other.embed(cat), /this model was disposed/);
});
