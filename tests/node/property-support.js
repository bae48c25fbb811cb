// Property tests of the JS API (property-*.test.js): random, hostile arguments from a seeded
// generator, and the promise every call keeps: it returns a well-formed result or throws an
// Error with a message, and the model keeps working. Seeded so a failure reproduces: the
// message names the seed and the call.
import assert from 'node:assert/strict';

/**
 * A small seeded generator (mulberry32: a 32-bit state advanced by a Weyl step and mixed by
 * multiply-xorshift rounds), so a run is the same on every machine and Node version.
 */
export function seededRandom(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random = {
    next,
    /** An integer in [0, n). */
    int: (n) => Math.floor(next() * n),
    /** An integer in [low, high]. */
    between: (low, high) => low + Math.floor(next() * (high - low + 1)),
    chance: (p) => next() < p,
    pick: (values) => values[Math.floor(next() * values.length)],
    bytes: (length) => {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; ++i) out[i] = next() * 256;
      return out;
    },
  };
  return random;
}

/** Values no option or argument expects: wrong types, edge numbers, odd objects. */
export function hostileValue(random) {
  const makers = [
    () => undefined, () => null, () => true, () => false, () => 0, () => -0, () => -1,
    () => 0.5, () => 1.5, () => NaN, () => Infinity, () => -Infinity, () => 2 ** 31,
    () => 2 ** 32 + 4, () => 2 ** 53, () => -(2 ** 53), () => Number.MIN_VALUE,
    () => random.between(-5, 300), () => random.next() * 2 - 0.5, () => '', () => '5', () => '0.5',
    () => 'fused', () => 'int8', () => 'auto', () => 5n, () => Symbol('hostile'), () => ({}),
    () => [], () => [1, 2, 3], () => () => 1, () => new Date(0), () => new Uint8Array(3),
    () => new ArrayBuffer(8), () => ({ valueOf: () => 3 }), () => Object.create(null),
    () => new Proxy({}, {}),
    // An accessor that throws: the Error it throws is what the caller gets.
    () => ({ get width() { throw new Error('hostile getter'); } }),
  ];
  return random.pick(makers)();
}

/** A value for one option: usually one it accepts, sometimes anything. */
export function optionValue(random, valid) {
  return random.chance(0.5) ? random.pick(valid) : hostileValue(random);
}

/** An options argument: an object of known and unknown keys, or not an object at all. */
export function optionsArgument(random, keys) {
  if (random.chance(0.15)) return hostileValue(random);
  const options = {};
  for (const [key, valid] of Object.entries(keys)) {
    if (random.chance(0.6)) options[key] = optionValue(random, valid);
  }
  if (random.chance(0.1)) options[random.pick(['topk', 'minscore', 'Crop', 'foo'])] = 1;
  return options;
}

// The largest valid images the generator makes; the memory checks warm up with these.
export const LARGEST_IMAGES = [[128, 128], [16384, 1], [1, 16384]];

function pixels(random, width, height, Type = Uint8Array) {
  const data = new Type(width * height * 4);
  data.set(random.bytes(Math.min(data.length, 4096)));
  return { data, width, height };
}

/** An image argument: mostly valid RGBA images, otherwise something wrong with it. */
export function imageArgument(random) {
  const width = random.between(1, 64);
  const height = random.between(1, 64);
  switch (random.int(12)) {
    case 0: return hostileValue(random);
    case 1: return { ...pixels(random, width, height), width: hostileValue(random) };
    case 2: return { ...pixels(random, width, height), height: hostileValue(random) };
    case 3: return { data: hostileValue(random), width, height };
    case 4: return { data: new Uint8Array(width * height * 4 + random.pick([-1, 1, -4])), width, height };
    case 5: return { data: new (random.pick([Float32Array, Int8Array, Uint16Array]))(width * height * 4), width, height };
    case 6: {
      const image = pixels(random, width, height);
      structuredClone(image.data.buffer, { transfer: [image.data.buffer] });  // detached
      return image;
    }
    case 7: {
      const [w, h] = random.pick(LARGEST_IMAGES);
      return pixels(random, w, h);
    }
    case 8: return pixels(random, width, height, Uint8ClampedArray);
    default: return pixels(random, width, height);
  }
}

/** A short description of any value for failure messages, without running its accessors. */
export function describeArgument(value) {
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return `${typeof value} ${String(value).slice(0, 20)}`;
  const fields = Object.keys(value).map((key) => {
    const field = Object.getOwnPropertyDescriptor(value, key);
    if (!field || !('value' in field)) return `${key}: (accessor)`;
    const inner = field.value;
    const shown = inner === null || typeof inner !== 'object' ? describeArgument(inner)
      : inner.constructor?.name ?? 'object';
    return `${key}: ${shown}`;
  });
  return `${value.constructor?.name ?? 'object'} {${fields.join(', ')}}`;
}

/** What a rejected call must give: an Error whose message says something. */
export function assertError(error, what) {
  assert.ok(error instanceof Error, `${what}: threw a non-Error ${String(error)}`);
  assert.equal(typeof error.message, 'string', `${what}: error without a message`);
  assert.ok(error.message.length > 0, `${what}: empty error message`);
}

/** Runs call(); returns {value} or {error}, asserting that a throw is a proper Error. */
export async function outcome(call, what) {
  try {
    return { value: await call() };
  } catch (error) {
    assertError(error, what);
    return { error };
  }
}

/** A classify() result: ranked {index, label, score} entries of the model's classes. */
export function assertClassification(top, model, what) {
  assert.ok(Array.isArray(top) && top.length >= 1 && top.length <= model.numClasses, `${what}: ${top?.length} entries`);
  for (let i = 0; i < top.length; ++i) {
    const { index, label, score } = top[i];
    assert.ok(Number.isInteger(index) && index >= 0 && index < model.numClasses, `${what}: index ${index}`);
    assert.equal(label, model.labels[index], `${what}: label of ${index}`);
    assert.ok(score >= 0 && score <= 1, `${what}: score ${score}`);
    if (i > 0) assert.ok(score <= top[i - 1].score, `${what}: not ranked at ${i}`);
  }
}

/** An embed() result: featureSize finite numbers. */
export function assertFeatures(features, model, what) {
  assert.ok(features instanceof Float32Array, `${what}: not a Float32Array`);
  assert.equal(features.length, model.featureSize, `${what}: length`);
  assert.ok(features.every(Number.isFinite), `${what}: a feature is not finite`);
}

/** A detect() result: boxes in pixels with their class and score, sorted, within the limit. */
export function assertDetections(found, model, maxDetections, what) {
  assert.ok(Array.isArray(found) && found.length <= maxDetections, `${what}: ${found?.length} detections`);
  for (let i = 0; i < found.length; ++i) {
    const { bbox, classIndex, score } = found[i];
    assert.ok(Array.isArray(bbox) && bbox.length === 4 && bbox.every(Number.isFinite), `${what}: bbox ${bbox}`);
    assert.ok(Number.isInteger(classIndex) && classIndex >= 0 && classIndex < model.numClasses, `${what}: class ${classIndex}`);
    assert.equal(found[i].class, model.labels[classIndex], `${what}: label of ${classIndex}`);
    assert.ok(score >= 0 && score <= 1, `${what}: score ${score}`);
    if (i > 0) assert.ok(score <= found[i - 1].score, `${what}: not sorted at ${i}`);
  }
}

/** A summary() result: layer rows and their totals. */
export function assertSummary(summary, what) {
  assert.ok(Array.isArray(summary?.layers) && summary.layers.length > 0, `${what}: no layers`);
  for (const layer of summary.layers) {
    assert.equal(typeof layer.name, 'string', `${what}: layer name`);
    assert.ok(Number.isInteger(layer.macs) && layer.macs >= 0, `${what}: macs of ${layer.name}`);
  }
  for (const total of ['params', 'macs', 'peakActivationBytes']) {
    assert.ok(Number.isInteger(summary.totals[total]) && summary.totals[total] > 0, `${what}: totals.${total}`);
  }
}

/** The modes every model's property test runs in: each thread setup in both precisions. */
export const MODEL_MODES = [
  { name: 'main thread, float32', options: {} },
  { name: 'main thread, int8', options: { precision: 'int8' } },
  { name: 'worker, float32', options: { worker: true } },
  { name: 'worker, int8', options: { worker: true, precision: 'int8' } },
  // int8 and the detector run on threads as well as float32 (one network plan for all).
  { name: 'two threads, float32', options: { threads: 2 } },
  { name: 'two threads, int8', options: { threads: 2, precision: 'int8' } },
];

/** `loadFn(mode.options)`, checked to run on two threads where the mode asks for them. */
export async function loadInMode(loadFn, mode) {
  const model = await loadFn(mode.options);
  if (mode.options.threads) assert.equal(model.threads, 2, `${mode.name}: the two-thread build did not load`);
  return model;
}

/** A summary() or memoryStats() call, perhaps with a stray argument, and its result's check. */
export function reportCall(random, model, method) {
  const extra = random.chance(0.5) ? [hostileValue(random)] : [];
  return {
    what: `${method}(${extra.map(describeArgument).join(', ')})`,
    run: () => model[method](...extra),
    check: (value, what) => {
      if (method === 'summary') assertSummary(value, what);
      else assert.ok(Number.isInteger(value.wasmMemoryBytes) && value.wasmMemoryBytes > 0, what);
    },
  };
}

/**
 * Makes `calls` calls with randomCall() -> {what, run, check, checkError?}: each must return a
 * value check() accepts (it may be async) or throw an Error with a message, which checkError()
 * may check further. Returns how many returned a value (the test's diagnostics show the split).
 */
export async function runRandomCalls(t, { seed, calls, randomCall }) {
  let results = 0;
  for (let i = 0; i < calls; ++i) {
    const call = randomCall();
    const what = `seed ${seed}, call ${i}: ${call.what}`;
    const { value, error } = await outcome(call.run, what);
    if (error) {
      call.checkError?.(error, what);
    } else {
      await call.check(value, what);
      ++results;
    }
  }
  t.diagnostic(`${calls} calls: ${results} results, ${calls - results} errors`);
  assert.ok(results > 0, 'no call succeeded: the generator makes valid calls too');
  return results;
}
