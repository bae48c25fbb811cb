// Hostile and mistaken arguments at every public entry point: each one must give an Error
// with a message naming what is wrong, never a crash, a hang, memory growth or a model that
// stops working. Runs on a small random-weights model (test-support.js) so it is quick; the
// real model's basic cases are in api.test.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import * as api from '../../web/index.js';
import createMobileNetV2Module from '../../dist/mobilenetv2.mjs';
import { repoRoot } from './shared-data.js';
import { randomModelPath, forge, HEADER } from './test-support.js';

const { load } = api;
let tinyBytes;
let model;
let image;
let expected;

function pixels(width, height, seed = 1) {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; ++i) data[i] = (i * 131 + seed * 71) & 255;
  return { data, width, height };
}

/** A Uint8Array whose buffer was then transferred away (its length reads 0). */
function detachedView(length) {
  const view = new Uint8Array(length);
  structuredClone(view.buffer, { transfer: [view.buffer] });
  return view;
}

function detached(length) {
  const buffer = new ArrayBuffer(length);
  structuredClone(buffer, { transfer: [buffer] });  // moves the memory away: buffer is detached
  return buffer;
}

/** Runs every [description, call, expected message] case; each must reject with that message. */
async function expectErrors(cases) {
  for (const [what, call, message] of cases) {
    await assert.rejects(async () => call(), (error) => {
      assert.ok(error instanceof Error, `${what}: threw a non-Error ${error}`);
      assert.match(error.message, message, `${what}: message "${error.message}"`);
      return true;
    }, what);
  }
}

before(async () => {
  tinyBytes = new Uint8Array(readFileSync(randomModelPath()));
  model = await load({ weights: tinyBytes });
  image = pixels(40, 30);
  expected = await model.classify(image, { topK: 10 });
});
after(() => model.dispose());

test('load(): options that are not an options object', async () => {
  await expectErrors([
    ['null', () => load(null), /load options must be an object, got null/],
    ['a number', () => load(42), /load options must be an object, got 42/],
    ['a string', () => load('weights.mnv2'), /load options must be an object, got the string "weights.mnv2"/],
    ['an array', () => load([tinyBytes]), /load options must be an object, got an Array of length 1/],
    ['onProgress not a function', () => load({ weights: tinyBytes, onProgress: 'yes' }), /onProgress must be a function, got the string "yes"/],
    ['execution unknown', () => load({ weights: tinyBytes, execution: 'fast' }), /execution must be 'fused' or 'layer-by-layer', got the string "fast"/],
    ['execution a number', () => load({ weights: tinyBytes, execution: 1 }), /execution must be 'fused' or 'layer-by-layer', got 1/],
    ['threads 0', () => load({ weights: tinyBytes, threads: 0 }), /threads must be .*got 0/],
    ['threads NaN', () => load({ weights: tinyBytes, threads: NaN }), /threads must be .*got NaN/],
    ['threads 1.5', () => load({ weights: tinyBytes, threads: 1.5 }), /threads must be .*got 1\.5/],
  ]);
});

test('load(): weights of the wrong type, empty or detached', async () => {
  await expectErrors([
    ['a number', () => load({ weights: 42 }), /weights must be a URL, a path, a Uint8Array or an ArrayBuffer, got 42/],
    ['null', () => load({ weights: null }), /weights must be .*got null/],
    ['an object', () => load({ weights: { length: 10 } }), /weights must be .*got an object/],
    ['an array of bytes', () => load({ weights: [77, 78, 86, 50] }), /weights must be .*got an Array of length 4/],
    ['a Float32Array', () => load({ weights: new Float32Array(tinyBytes.buffer.slice(0, 400)) }), /weights must be a Uint8Array or ArrayBuffer with a \.mnv2 file, got a Float32Array of length 100/],
    ['an Int8Array', () => load({ weights: new Int8Array(8) }), /got a Int8Array of length 8/],
    ['a DataView', () => load({ weights: new DataView(tinyBytes.buffer) }), /got a DataView/],
    ['empty bytes', () => load({ weights: new Uint8Array(0) }), /weights are empty \(0 bytes/],
    ['a detached ArrayBuffer', () => load({ weights: detached(4096) }), /weights are empty \(0 bytes; was their ArrayBuffer transferred or detached\?\)/],
    ['a view of a detached buffer', () => load({ weights: detachedView(64) }), /weights are empty/],
    ['a missing file', () => load({ weights: path.join(repoRoot, 'no-such-weights.mnv2') }), /ENOENT|no such file/],
    ['a URL with no server', () => load({ weights: new URL('http://127.0.0.1:9/none.mnv2') }), /fetch failed|ECONNREFUSED|could not fetch/],
  ]);
});

test('load(): malformed and hostile weight files', async () => {
  const H = HEADER;
  const set32 = (offset, value) => (view) => view.setUint32(offset, value, true);
  const setF32 = (offset, value) => (view) => view.setFloat32(offset, value, true);
  const tableOffset = new DataView(tinyBytes.buffer, tinyBytes.byteOffset).getUint32(H.tensorTableOffset, true);
  const record = (field, value) => set32(tableOffset + field, value);  // tensor record 0
  const cases = [
    ['random bytes', new Uint8Array(1000).map((_, i) => (i * 7919) & 255), /invalid weight file: bad magic/],
    ['shorter than the header', tinyBytes.slice(0, 79), /invalid weight file: only 79 bytes, smaller than the header/],
    ['truncated', tinyBytes.slice(0, tinyBytes.length - 1), /header says \d+ bytes but the file has \d+ \(truncated or padded\?\)/],
    ['padded', new Uint8Array([...tinyBytes, 0]), /header says \d+ bytes but the file has \d+/],
    ['a flipped byte', forge(tinyBytes, (view, bytes) => { bytes[5000] ^= 1; }, { fixChecksum: false }), /checksum mismatch \(corrupted file\)/],
    ['wrong magic', forge(tinyBytes, set32(0, 0x464c457f)), /bad magic \(not a \.mnv2 weight file\)/],
    ['version 2', forge(tinyBytes, set32(H.version, 2)), /version 2, this engine reads 1/],
    ['header size 81', forge(tinyBytes, set32(H.headerBytes, 81)), /bad header size/],
    ['a detector file', forge(tinyBytes, set32(H.modelKind, 2)), /weight file holds a detector, not a classifier/],
    ['model kind 7', forge(tinyBytes, set32(H.modelKind, 7)), /unknown model kind 7/],
    ['input size 0', forge(tinyBytes, set32(H.inputSize, 0)), /input size 0 out of range/],
    ['input size 2^31', forge(tinyBytes, set32(H.inputSize, 2 ** 31)), /input size 2147483648 out of range/],
    ['alpha NaN', forge(tinyBytes, setF32(H.alpha, NaN)), /alpha out of range/],
    ['alpha Infinity', forge(tinyBytes, setF32(H.alpha, Infinity)), /alpha out of range/],
    ['alpha -1', forge(tinyBytes, setF32(H.alpha, -1)), /alpha out of range/],
    ['alpha 0.5 (shapes of 0.35)', forge(tinyBytes, setF32(H.alpha, 0.5)), /tensor [\w.]+ has shape \[[\d,]+\], alpha 0\.5 needs \[[\d,]+\]/],
    ['0 classes', forge(tinyBytes, set32(H.numClasses, 0)), /class count out of range/],
    ['2^32-1 classes', forge(tinyBytes, set32(H.numClasses, 2 ** 32 - 1)), /class count out of range/],
    ['11 classes, 10 labels', forge(tinyBytes, set32(H.numClasses, 11)), /header declares 11 classes but the file has 10 labels/],
    ['std 0', forge(tinyBytes, setF32(H.inputStd, 0)), /input normalization is not finite\/positive/],
    ['mean NaN', forge(tinyBytes, setF32(H.inputMean, NaN)), /input normalization is not finite\/positive/],
    ['reserved set', forge(tinyBytes, set32(H.reserved, 1)), /non-zero reserved header fields/],
    ['0 tensors', forge(tinyBytes, set32(H.tensorCount, 0)), /tensor count out of range/],
    ['2^31 tensors', forge(tinyBytes, set32(H.tensorCount, 2 ** 31)), /tensor count out of range/],
    ['table running past the end', forge(tinyBytes, set32(H.tensorTableOffset, tinyBytes.length - 100)), /tensor table lies outside the file/],
    ['table offset 2^32-8', forge(tinyBytes, set32(H.tensorTableOffset, 2 ** 32 - 8)), /tensor table lies outside the file/],
    ['labels past the end', forge(tinyBytes, set32(H.labelsOffset, 2 ** 32 - 1)), /labels lie outside the file/],
    ['labels 2^32-1 bytes', forge(tinyBytes, set32(H.labelsBytes, 2 ** 32 - 1)), /labels lie outside the file/],
    ['tensor name without NUL', forge(tinyBytes, (view, bytes) => bytes.fill(65, tableOffset, tableOffset + 32)), /tensor 0 has no NUL-terminated name/],
    ['tensor type 9', forge(tinyBytes, record(32, 9)), /tensor 0 \(stem\.w\) has unknown type 9/],
    ['tensor rank 5', forge(tinyBytes, record(36, 5)), /tensor 0 \(stem\.w\) has rank 5 \(1\.\.4 allowed\)/],
    ['tensor dimension 2^31', forge(tinyBytes, record(40, 2 ** 31)), /tensor 0 \(stem\.w\) is too large/],
    ['tensor dimension 0', forge(tinyBytes, record(40, 0)), /tensor 0 \(stem\.w\) has a zero dimension/],
    ['tensor data offset unaligned', forge(tinyBytes, record(56, 2)), /tensor 0 \(stem\.w\) data is not 4-byte aligned/],
    ['tensor data past the end', forge(tinyBytes, record(56, 2 ** 32 - 4)), /tensor 0 \(stem\.w\) data lies outside the file/],
    ['tensor data bytes wrong', forge(tinyBytes, record(60, 7)), /tensor 0 \(stem\.w\) has 7 data bytes, its shape needs 432/],
    ['quant params past the end', forge(tinyBytes, record(64, 2 ** 32 - 4)), /tensor 0 \(stem\.w\) quant params lie outside the file/],
    ['quant count 3', forge(tinyBytes, record(68, 3)), /tensor 0 \(stem\.w\) has 3 quant params, expected 1 or 16/],
    ['quant axis 7', forge(tinyBytes, record(72, 7)), /tensor 0 \(stem\.w\) has quant axis past rank/],
    ['tensor renamed', forge(tinyBytes, (view, bytes) => bytes.set([...'stem.x'].map((c) => c.charCodeAt(0)), tableOffset)), /weight file has no tensor stem\.w/],
  ];
  await expectErrors(cases.map(([what, bytes, message]) => [what, () => load({ weights: bytes }), message]));
});

test('classify(): inputs that are not RGBA images', async () => {
  const ok = pixels(4, 4);
  const transferred = detachedView(64);
  await expectErrors([
    ['undefined', () => model.classify(undefined), /input must be \{data, width, height\} RGBA pixels, .*got undefined/],
    ['null', () => model.classify(null), /input must be .*got null/],
    ['a number', () => model.classify(42), /input must be .*got 42/],
    ['a path', () => model.classify('cat.jpg'), /input must be .*got the string "cat\.jpg"/],
    ['bare bytes', () => model.classify(ok.data), /input must be .*got a Uint8Array/],
    ['no width', () => model.classify({ data: ok.data, height: 4 }), /input must be .*got an object/],
    ['an Array as data', () => model.classify({ data: [1, 2, 3, 4], width: 1, height: 1 }), /its data is an Array of length 4/],
    ['Float32Array data', () => model.classify({ data: new Float32Array(64), width: 4, height: 4 }), /its data is a Float32Array/],
    ['Int8Array data', () => model.classify({ data: new Int8Array(64), width: 4, height: 4 }), /its data is a Int8Array/],
    ['Uint16Array data', () => model.classify({ data: new Uint16Array(64), width: 4, height: 4 }), /its data is a Uint16Array/],
    ['DataView data', () => model.classify({ data: new DataView(new ArrayBuffer(64)), width: 4, height: 4 }), /its data is a DataView/],
    ['ArrayBuffer data', () => model.classify({ data: new ArrayBuffer(64), width: 4, height: 4 }), /its data is an object/],
    ['detached data', () => model.classify({ data: transferred, width: 4, height: 4 }), /pixels has 0 bytes, a 4x4 RGBA image needs 64 \(was its ArrayBuffer transferred or detached\?\)/],
  ]);
});

test('classify(): widths, heights and buffer lengths', async () => {
  const data = new Uint8Array(64);
  const withSize = (width, height, bytes = data) => () => model.classify({ data: bytes, width, height });
  const cases = [];
  for (const [value, shown] of [[0, '0'], [-1, '-1'], [1.5, '1\\.5'], [NaN, 'NaN'], [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'], ['4', 'the string "4"'], [4n, 'the BigInt 4n'], [null, 'null'], [undefined, 'undefined'],
    [Symbol('w'), 'a symbol'], [true, 'true'], [16385, '16385'], [2 ** 31, '2147483648'], [2 ** 32 + 4, '4294967300'],
    [2 ** 53, '9007199254740992'], [{}, 'an object']]) {
    cases.push([`width ${shown}`, withSize(value, 4), new RegExp(`width must be an integer from 1 to 16384, got ${shown}`)]);
    cases.push([`height ${shown}`, withSize(4, value), new RegExp(`height must be an integer from 1 to 16384, got ${shown}`)]);
  }
  cases.push(
    ['one byte short', withSize(4, 4, new Uint8Array(63)), /pixels has 63 bytes, a 4x4 RGBA image needs 64/],
    ['one byte long', withSize(4, 4, new Uint8Array(65)), /pixels has 65 bytes, a 4x4 RGBA image needs 64/],
    ['RGB, not RGBA', withSize(4, 4, new Uint8Array(48)), /pixels has 48 bytes, a 4x4 RGBA image needs 64/],
    ['16384 x 16384 with 64 bytes', withSize(16384, 16384), /pixels has 64 bytes, a 16384x16384 RGBA image needs 1073741824/],
  );
  await expectErrors(cases);
});

test('classify() and embed(): options', async () => {
  const cases = [
    ['options null', () => model.classify(image, null), /classify options must be an object, got null/],
    ['options a number', () => model.classify(image, 5), /classify options must be an object, got 5/],
    ['options a string', () => model.classify(image, 'topK'), /classify options must be an object, got the string "topK"/],
    ['options an array', () => model.classify(image, [5]), /classify options must be an object, got an Array of length 1/],
    ['a misspelt option', () => model.classify(image, { topk: 3 }), /classify has no option "topk" \(it takes topK, crop\)/],
    ['embed takes no topK', () => model.embed(image, { topK: 3 }), /embed has no option "topK" \(it takes crop\)/],
    ['embed options null', () => model.embed(image, null), /embed options must be an object, got null/],
    ['profile runs 0', () => model.profile(image, { runs: 0 }), /runs must be a positive integer, got 0/],
    ['profile runs NaN', () => model.profile(image, { runs: NaN }), /runs must be a positive integer, got NaN/],
  ];
  for (const [value, shown] of [[0, '0'], [-1, '-1'], [1.5, '1\\.5'], [NaN, 'NaN'], [Infinity, 'Infinity'],
    [11, '11'], [2 ** 31, '2147483648'], ['5', 'the string "5"'], [5n, 'the BigInt 5n'], [null, 'null'], [true, 'true']]) {
    cases.push([`topK ${shown}`, () => model.classify(image, { topK: value }), new RegExp(`topK must be an integer from 1 to 10, got ${shown}`)]);
  }
  for (const [value, shown] of [[0, '0'], [-0.5, '-0\\.5'], [1.0000001, '1\\.0000001'], [NaN, 'NaN'], [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'], ['0.5', 'the string "0\\.5"'], [null, 'null'], [0n, 'the BigInt 0n']]) {
    cases.push([`crop ${shown}`, () => model.classify(image, { crop: value }), new RegExp(`crop must be a number in \\(0, 1\\], got ${shown}`)]);
    cases.push([`embed crop ${shown}`, () => model.embed(image, { crop: value }), new RegExp(`crop must be a number in \\(0, 1\\], got ${shown}`)]);
  }
  await expectErrors(cases);
  // Undefined options mean the defaults, as with destructuring.
  assert.deepEqual(await model.classify(image, { topK: undefined, crop: undefined }), await model.classify(image));
});

test('extreme but valid images classify', async () => {
  for (const [width, height] of [[1, 1], [16384, 1], [1, 16384], [3, 2000], [257, 1]]) {
    const top = await model.classify(pixels(width, height), { topK: 10, crop: 0.01 });
    assert.equal(top.length, 10, `${width}x${height}`);
    assert.ok(top.every(({ score }) => Number.isFinite(score) && score >= 0 && score <= 1));
  }
});

test('calls after dispose() throw, whatever the arguments', async () => {
  const other = await load({ weights: tinyBytes });
  other.dispose();
  other.dispose();
  await expectErrors([
    ['classify', () => other.classify(image), /this model was disposed/],
    ['classify with bad options', () => other.classify(null, null), /this model was disposed/],
    ['embed', () => other.embed(image), /this model was disposed/],
    ['profile', () => other.profile(image), /this model was disposed/],
    ['memoryStats', () => other.memoryStats(), /this model was disposed/],
    ['summary', () => other.summary(), /this model was disposed/],
  ]);
});

test('the WASM module API refuses lookalikes and survives memory exhaustion', async () => {
  const wasmBinary = readFileSync(path.join(repoRoot, 'dist/mobilenetv2.wasm'));
  const module = await createMobileNetV2Module({ wasmBinary });
  const classifier = new module.Classifier(tinyBytes);
  try {
    const real = pixels(4, 4);
    // An object claiming to be a Uint8Array of a billion bytes is not copied (that would hang).
    const fake = { [Symbol.toStringTag]: 'Uint8Array', length: 1e9 };
    assert.throws(() => classifier.classify(fake, 4, 4), /pixels must be a Uint8Array or Uint8ClampedArray of RGBA bytes, got an object/);
    // An own `length` that lies does not change what is copied.
    const liar = new Uint8Array(16);
    Object.defineProperty(liar, 'length', { value: 64 });
    assert.throws(() => classifier.classify(liar, 4, 4), /pixels has 16 bytes, a 4x4 RGBA image needs 64/);
    // Typed arrays from another realm (a vm context, an iframe) are real typed arrays.
    const foreign = vm.runInNewContext('new Uint8Array(64)');
    foreign.set(real.data);
    assert.deepEqual(classifier.classify(foreign, 4, 4, 3, 1), classifier.classify(real.data, 4, 4, 3, 1));
    assert.throws(() => new module.Classifier(tinyBytes, null), /Classifier options must be an object, got null/);
    // The single-threaded module takes 1 thread; its bound once minified to NaN (terser's
    // handling of ??), which let any count through.
    assert.throws(() => new module.Classifier(tinyBytes, { threads: 2 }), /threads must be an integer from 1 to 1 in this module, got 2/);
    assert.throws(() => new module.Classifier(tinyBytes, { threads: 1000 }), /threads must be an integer from 1 to 1 in this module, got 1000/);
    assert.throws(() => new module.Classifier(vm.runInNewContext('new Float64Array(2)')), /got a Float64Array of length 2/);
    // More memory than wasm32 can have: the core says so instead of aborting the module.
    assert.equal(module.canAllocate(3e9), false);
    assert.equal(module.canAllocate(-1), false);
    assert.equal(module.canAllocate(NaN), false);
    const core = classifier._core;  // the bound C++ object under the wrapper
    assert.equal(core.staging(0xfffffff0), 0);
    assert.equal(core.classify(4, 4, 64, 1, 1), null);
    assert.match(core.error(), /pixels were not staged/);
    // And the module still works after all of it.
    assert.equal(classifier.classify(real.data, 4, 4, 3, 1).length, 3);
  } finally {
    classifier.dispose();
  }
});

test('the model still gives the same answer after all the bad calls', async () => {
  assert.deepEqual(await model.classify(image, { topK: 10 }), expected);
});

test('loadDetector(): wrong options and a classifier file', { skip: typeof api.loadDetector !== 'function' && 'no detector in this build' }, async () => {
  await expectErrors([
    ['options null', () => api.loadDetector(null), /loadDetector options must be an object, got null/],
    ['weights a number', () => api.loadDetector({ weights: 7 }), /weights must be a URL, a path, a Uint8Array or an ArrayBuffer, got 7/],
    ['a classifier file', () => api.loadDetector({ weights: tinyBytes }), /weight file holds a classifier, not a detector/],
    ['empty weights', () => api.loadDetector({ weights: new Uint8Array(0) }), /weights are empty/],
  ]);
});

test('int8 with the float reference schedule is refused, not silently ignored', async () => {
  await assert.rejects(load({ weights: path.join(repoRoot, 'weights/mobilenet_v2_1.0_224.mnv2'), precision: 'int8', execution: 'layer-by-layer' }),
    { name: 'RangeError', message: "execution 'layer-by-layer' applies to precision 'float32' only" });
  await assert.rejects(api.loadDetector({ precision: 'int8', execution: 'layer-by-layer' }),
    { name: 'RangeError', message: "execution 'layer-by-layer' applies to precision 'float32' only" });
});
