// Property test of the head file: a seeded stream of hostile variants of real trained heads'
// JSON (softmax and kNN, trained on shared photos) through parseHeadJSON (web/head-format.js)
// and loadHead, in the main thread and in a worker. Variants: wrong types anywhere, fields
// dropped or added, NaN / infinite / huge / denormal float32 values, float fields of the wrong
// length or not base64, another model's CRC or feature size, huge label and example arrays,
// bad kNN indices and k, the other method, truncated or altered JSON text, and values that are
// no JSON at all. Every call gives a well-formed head or an Error whose message starts "head
// JSON:"; a loaded head ranks its labels with scores in [0, 1]; afterwards the model and a
// valid head give the answers they gave before, and WASM memory has not grown since warm-up.
// MNV2_PROPERTY_SEED=<n> replays another seed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { load, loadHead } from '../../web/index.js';
import { parseHeadJSON } from '../../web/head-format.js';
import { readPhotoClasses } from './head-photos.js';
import { seededRandom, hostileValue, outcome, runRandomCalls } from './property-support.js';

const SEED = Number(process.env.MNV2_PROPERTY_SEED ?? 16);
const PARSES = 3000;
const LOADS = 120;
const FLOAT_FIELDS = [['softmax', 'mean'], ['softmax', 'weights'], ['softmax', 'bias'], ['knn', 'features']];

let model;
let photos;
let valid;  // [softmax JSON, knn JSON] of heads trained on three photos

before(async () => {
  model = await load();
  photos = await readPhotoClasses();
  const head = model.createHead();
  for (const label of ['cat', 'parrot', 'hot dog']) await head.addExample(photos[label], label);
  valid = [];
  for (const method of ['softmax', 'knn']) {
    await head.train({ method });
    valid.push(structuredClone(head.toJSON()));
  }
  head.dispose();
});
after(() => model?.dispose());

function encodeFloats(values) {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

function decodeFloats(text) {
  const bytes = Buffer.from(text, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + (bytes.byteLength & ~3)));
}

function randomFloats(random, count) {
  return Float32Array.from({ length: count }, () => random.next() * 2 - 1);
}

const HOSTILE_FLOATS = [NaN, Infinity, -Infinity, 3e38, -3e38, 1e30, -1e20, 1e-45, 1.5e-42, 0, -0];

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The objects inside a head JSON that have fields (the head, model, softmax or knn). */
function objectsOf(head) {
  return [head, head.model, head.softmax, head.knn].filter(isObject);
}

// Each changes a head JSON (a mutable copy) in one way; some leave it valid.
const MUTATIONS = [
  function poisonFloat(head, random) {
    const [outer, key] = random.pick(FLOAT_FIELDS);
    if (!isObject(head[outer]) || typeof head[outer][key] !== 'string') return;
    const values = decodeFloats(head[outer][key]);
    if (values.length === 0) return;
    values[random.int(values.length)] = random.pick(HOSTILE_FLOATS);
    head[outer][key] = encodeFloats(values);
  },
  function reshapeFloats(head, random) {
    const [outer, key] = random.pick(FLOAT_FIELDS);
    if (!isObject(head[outer])) return;
    const text = String(head[outer][key] ?? '');
    head[outer][key] = random.pick([
      () => encodeFloats(randomFloats(random, random.pick([0, 1, 3, 1279, 1281, 3840, 3 * 1281]))),
      () => 'A'.repeat(random.pick([4, 5 << 20, 4 * 1024 * 1024])),  // up to a few million floats' worth
      () => '!'.repeat(text.length),
      () => text.slice(0, random.int(text.length + 1)),
      () => `${text}AAAA`,
      () => `${text.slice(0, -4)}====`,
      () => hostileValue(random),
    ])();
  },
  function otherFeatureSize(head, random) {
    if (!isObject(head.model)) return;
    const size = random.pick([1279, 1281, 1, 1792, 2 ** 20, 2 ** 20 + 1, 0, -1280, 1280.5, '1280', 1e100]);
    head.model.featureSize = size;
    const labels = Array.isArray(head.labels) ? head.labels.length : 3;
    const examples = Array.isArray(head.knn?.exampleLabels) ? head.knn.exampleLabels.length : 3;
    if (!Number.isInteger(size) || size < 1 || Math.max(labels, examples) * size > 1 << 20 || random.chance(0.3)) return;
    // Float fields of the new size, so the feature-size check is what decides.
    if (isObject(head.softmax)) {
      head.softmax.mean = encodeFloats(randomFloats(random, size));
      head.softmax.weights = encodeFloats(randomFloats(random, labels * size));
    }
    if (isObject(head.knn)) head.knn.features = encodeFloats(randomFloats(random, examples * size));
  },
  function otherModel(head, random) {
    if (!isObject(head.model)) return;
    const crc = String(head.model.weightsCrc32);
    const key = random.pick(['weightsCrc32', 'weightsCrc32', 'alpha', 'inputSize']);
    head.model[key] = key === 'weightsCrc32'
      ? random.pick([() => random.int(2 ** 32).toString(16).padStart(8, '0'), () => crc.toUpperCase(), () => `${crc}0`,
        () => crc.slice(1), () => Number.parseInt(crc, 16), () => ''])()
      : random.pick([0, -1, 5, 0.35, 1.4, 96, 16385, 1.5, '1', null]);
  },
  function otherLabels(head, random) {
    const labels = Array.isArray(head.labels) ? head.labels : [];
    head.labels = random.pick([
      () => Array.from({ length: 10001 }, (_, i) => `label ${i}`),
      () => Array.from({ length: 5000 }, (_, i) => `label ${i}`),
      () => [...labels, labels[0]],
      () => [...labels, `new ${random.int(100)}`],
      () => labels.slice(1),
      () => labels.map((label, i) => (i === 1 ? random.pick(['', 'x'.repeat(1001), 7, null, ['cat']]) : label)),
      () => hostileValue(random),
    ])();
  },
  function otherExamples(head, random) {
    if (!isObject(head.knn)) return;
    const indices = Array.isArray(head.knn.exampleLabels) ? head.knn.exampleLabels : [];
    if (random.chance(0.3)) {
      head.knn.k = random.pick([0, 1, 1000, 1001, 2.5, -1, '3', null, 2 ** 53]);
      return;
    }
    head.knn.exampleLabels = random.pick([
      () => new Array(200000).fill(0),
      () => indices.map((index, i) => (i === 0 ? random.pick([3, -1, 1.5, '0', null, 2 ** 32]) : index)),
      () => indices.map(() => 0),
      () => [...indices, 1],
      () => indices.slice(0, 2),
      () => hostileValue(random),
    ])();
  },
  function otherMethod(head, random) {
    const other = head.method === 'softmax' ? 'knn' : 'softmax';
    if (random.chance(0.5)) head.method = other;
    else head[other] = head[head.method];
  },
  function otherFormat(head, random) {
    const key = random.pick(['format', 'version']);
    head[key] = random.pick(['mobilenetv2-wasm', 'mobilenetv2-wasm-head', 2, 1, 1.0, '1', 0, null]);
  },
  function unknownField(head, random) {
    random.pick(objectsOf(head))[random.pick(['extra', '__proto__', 'constructor', 'labels', 'k'])] = hostileValue(random);
  },
  function dropField(head, random) {
    const object = random.pick(objectsOf(head));
    const keys = Object.keys(object);
    if (keys.length) delete object[random.pick(keys)];
  },
  function hostileField(head, random) {
    const object = random.pick(objectsOf(head));
    const keys = Object.keys(object);
    if (keys.length) object[random.pick(keys)] = hostileValue(random);
  },
];

/** A hostile variant of one of the valid heads: an object, JSON text, or anything at all. */
function headArgument(random) {
  if (random.chance(0.04)) return { value: hostileValue(random), what: 'a hostile value' };
  const head = structuredClone(random.pick(valid));
  const applied = [];
  for (let n = random.between(1, 3); n > 0; --n) {
    const mutation = random.pick(MUTATIONS);
    mutation(head, random);
    applied.push(mutation.name);
  }
  let text;
  try {
    text = JSON.stringify(head) ?? '';
  } catch {
    return { value: head, what: `${applied.join(', ')} (no JSON text: a getter throws)` };
  }
  if (random.chance(0.2)) {
    const at = random.int(text.length + 1);
    text = random.pick([
      () => text.slice(0, at),
      () => `${text.slice(0, at)}${random.pick(['"', '}', ',', '\\', '\u0000', 'NaN', '1e999'])}${text.slice(at + 1)}`,
      () => `\ufeff${text}`,
    ])();
    applied.push('as altered text');
  }
  return { value: head, what: applied.join(', ') };
}

function assertHeadError(error, what) {
  assert.match(error.message, /^head JSON: ./, `${what}: ${error.message}`);
}

/** parseHeadJSON's result: the documented shape with finite float32 values of the right sizes. */
function assertParsed(parsed, record, what) {
  const d = record.featureSize;
  const { labels } = parsed;
  assert.ok(Array.isArray(labels) && labels.length >= 2 && labels.every((l) => typeof l === 'string' && l.length > 0), `${what}: labels`);
  assert.equal(new Set(labels).size, labels.length, `${what}: labels twice`);
  const finite = (array, length, name) => {
    assert.ok(array instanceof Float32Array && array.length === length, `${what}: ${name} length`);
    assert.ok(array.every(Number.isFinite), `${what}: ${name} not finite`);
  };
  if (parsed.method === 'softmax') {
    finite(parsed.softmax.mean, d, 'mean');
    finite(parsed.softmax.weights, labels.length * d, 'weights');
    finite(parsed.softmax.bias, labels.length, 'bias');
  } else {
    assert.equal(parsed.method, 'knn', `${what}: method`);
    const { k, features, exampleLabels } = parsed.knn;
    assert.ok(Number.isInteger(k) && k >= 1 && k <= 1000, `${what}: k ${k}`);
    assert.ok(exampleLabels instanceof Uint32Array && exampleLabels.every((i) => i < labels.length), `${what}: example labels`);
    assert.equal(new Set(exampleLabels).size, labels.length, `${what}: a label without examples`);
    finite(features, exampleLabels.length * d, 'features');
  }
}

/** A loaded head ranks its own labels, each score in [0, 1], highest first. */
async function assertHeadWorks(head, embedding, what) {
  assert.ok(head.method === 'softmax' || head.method === 'knn', `${what}: method ${head.method}`);
  const { labels } = head;
  const ranking = await head.classify(embedding, { topK: labels.length });
  assert.equal(ranking.length, labels.length, `${what}: ranking length`);
  for (let i = 0; i < ranking.length; ++i) {
    const { index, label, score } = ranking[i];
    assert.equal(label, labels[index], `${what}: label of ${index}`);
    assert.ok(score >= 0 && score <= 1, `${what}: score ${score}`);
    if (i > 0) assert.ok(score <= ranking[i - 1].score, `${what}: not ranked at ${i}`);
  }
}

test('parseHeadJSON gives the checked contents or an Error starting "head JSON:"', async (t) => {
  const random = seededRandom(SEED * 109);
  const record = valid[0].model;
  await runRandomCalls(t, {
    seed: SEED,
    calls: PARSES,
    randomCall: () => {
      const { value, what } = headArgument(random);
      return {
        what: `parseHeadJSON(${what})`,
        run: () => parseHeadJSON(value, record),
        check: (parsed, where) => assertParsed(parsed, record, where),
        checkError: assertHeadError,
      };
    },
  });
});

for (const [m, mode] of [{ name: 'main thread', options: null }, { name: 'worker', options: { worker: true } }].entries()) {
  test(`loadHead, ${mode.name}: hostile head files give a working head or an Error`, async (t) => {
    const random = seededRandom(SEED * 113 + m);
    const host = mode.options ? await load(mode.options) : model;
    try {
      const cat = await host.embed(photos.cat);
      const catTop = await host.classify(photos.cat, { topK: 3 });
      const witness = await loadHead(host, valid[0]);
      const witnessRanking = await witness.classify(cat);
      // Warm-up: both valid heads loaded and dropped, one refused.
      for (const json of valid) (await loadHead(host, json)).dispose();
      await outcome(() => loadHead(host, { ...valid[1], version: 2 }), 'warm-up');
      const memory = (await host.memoryStats()).wasmMemoryBytes;
      await runRandomCalls(t, {
        seed: SEED,
        calls: LOADS,
        randomCall: () => {
          const { value, what } = headArgument(random);
          return {
            what: `loadHead(${what})`,
            run: () => loadHead(host, value),
            check: async (head, where) => {
              try {
                await assertHeadWorks(head, cat, where);
              } finally {
                head.dispose();
              }
            },
            checkError: assertHeadError,
          };
        },
      });
      assert.deepEqual(await witness.classify(cat), witnessRanking, 'the valid head after the hostile ones');
      assert.deepEqual(await host.classify(photos.cat, { topK: 3 }), catTop, 'the model after the hostile heads');
      witness.dispose();
      assert.equal((await host.memoryStats()).wasmMemoryBytes, memory, 'WASM memory grew');
    } finally {
      if (host !== model) host.dispose();
    }
  });
}
