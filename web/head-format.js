// The head file: a trained head as JSON, and the one function that checks such a file before
// anything of it is used (users load these from disk or the network: every field is hostile
// until checked). tests/node/property-head.test.js feeds parseHeadJSON hostile variants.
//
//   {
//     "format": "mobilenetv2-wasm-head", "version": 1,
//     "model": {"weightsCrc32": "1a2b3c4d", "featureSize": 1280, "alpha": 1, "inputSize": 224},
//     "method": "softmax" | "knn",
//     "labels": ["thumbs up", "thumbs down"],
//     "softmax": {"mean": F32, "weights": F32, "bias": F32}        (method "softmax")
//     "knn": {"k": 3, "features": F32, "exampleLabels": [0, 1, ...]}  (method "knn")
//   }
//
// F32 is base64 of little-endian float32 values: mean[featureSize], weights[labels][featureSize],
// bias[labels], features[examples][featureSize]. The model is named by the CRC-32 its weight
// file's header records (of everything after the header), so a head trained on one set of
// weights is refused by another, even one of the same shapes.

import { describe } from './options.js';

export const HEAD_FORMAT = 'mobilenetv2-wasm-head';
export const HEAD_FORMAT_VERSION = 1;
export const MAX_HEAD_LABELS = 10000;   // as kMaxHeadClasses in src/head/trainable-head.h
export const MAX_LABEL_LENGTH = 1000;
export const MAX_KNN_K = 1000;

// FileHeader.checksum is bytes 56..59, little-endian (src/model/weight-format.h, whose layout a
// static_assert fixes).
const CHECKSUM_OFFSET = 56;

/** The weight file's CRC-32 as 8 hex digits; call only on bytes the loader accepted. */
export function weightFileChecksum(bytes) {
  const view = ArrayBuffer.isView(bytes) ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new DataView(bytes);
  return view.getUint32(CHECKSUM_OFFSET, true).toString(16).padStart(8, '0');
}

function fail(message) {
  throw new Error(`head JSON: ${message}`);
}

/** A field's value for a message: as JSON when it has a JSON form (JSON.stringify throws on a
 * BigInt, a cycle or a throwing getter, which must not replace the message). */
function shown(value) {
  try {
    return JSON.stringify(value) ?? describe(value);
  } catch {
    return describe(value);
  }
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A checked label: a non-empty string of at most MAX_LABEL_LENGTH characters. */
export function checkLabel(label, what = 'label') {
  if (typeof label !== 'string' || label.length === 0 || label.length > MAX_LABEL_LENGTH) {
    const got = typeof label === 'string' ? `a string of ${label.length} characters` : typeof label;
    throw new TypeError(`${what} must be a non-empty string of at most ${MAX_LABEL_LENGTH} characters, got ${got}`);
  }
  return label;
}

function bytesToBase64(bytes) {
  let binary = '';
  const chunk = 0x2000;  // String.fromCharCode takes its arguments on the stack
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

function encodeFloats(values) {
  return bytesToBase64(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

/** Float32Array of `count` finite values from a base64 field, or an Error naming it. */
function decodeFloats(text, count, name) {
  if (typeof text !== 'string') fail(`${name} must be a base64 string of ${count} float32 values`);
  const expectedLength = 4 * Math.ceil((4 * count) / 3);
  if (text.length !== expectedLength) {
    fail(`${name} must hold ${count} float32 values (${expectedLength} base64 characters), it has ${text.length} characters`);
  }
  let binary;
  try {
    binary = atob(text);
  } catch {
    fail(`${name} is not valid base64`);
  }
  if (binary.length !== 4 * count) fail(`${name} must hold ${count} float32 values, it decodes to ${binary.length} bytes`);
  // Float32Array is in the host's byte order: little-endian wherever WebAssembly memory (which
  // is little-endian by definition) can be read through one, so wherever this package runs.
  const values = new Float32Array(count);
  const bytes = new Uint8Array(values.buffer);
  for (let i = 0; i < bytes.length; i++) bytes[i] = binary.charCodeAt(i);
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(values[i])) fail(`${name} has a non-finite value (${values[i]}) at index ${i}`);
  }
  return values;
}

function integerField(object, key, min, max, where) {
  const value = object[key];
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(`${where}.${key} must be an integer from ${min} to ${max}, got ${shown(value)}`);
  }
  return value;
}

function checkKeys(object, allowed, where) {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) fail(`${where} has an unknown field ${JSON.stringify(key)} (it has ${allowed.join(', ')})`);
  }
}

/** `value` with every object in it frozen (a head's JSON is handed out, never copied). */
export function deepFreeze(value) {
  if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/** The model a head belongs to, as recorded in its JSON. */
export function modelRecord({ weightsCrc32, featureSize, alpha, inputSize }) {
  // alpha is a float32 in the weight file: 0.35 reads back as 0.3499999940395355.
  return { weightsCrc32, featureSize, alpha: Number(alpha.toPrecision(6)), inputSize };
}

function describeModel(model) {
  const { weightsCrc32, featureSize, alpha, inputSize } = modelRecord(model);
  return `MobileNetV2 ${alpha}/${inputSize}, ${featureSize} features, weights CRC-32 ${weightsCrc32}`;
}

/**
 * Checks a head JSON (a string or the parsed object) against the model it is to run on
 * ({weightsCrc32, featureSize, alpha, inputSize}) and returns its contents:
 * {method, labels, softmax: {mean, weights, bias}} or {method, labels, knn: {k, features,
 * exampleLabels}}, with Float32Arrays of finite values. Throws an Error starting "head JSON:"
 * that says what is wrong.
 */
export function parseHeadJSON(json, model) {
  let head = json;
  if (typeof json === 'string') {
    try {
      head = JSON.parse(json);
    } catch (error) {
      fail(`not valid JSON (${error.message})`);
    }
  }
  if (!isPlainObject(head)) fail('must be an object');
  if (head.format !== HEAD_FORMAT) fail(`"format" must be ${JSON.stringify(HEAD_FORMAT)}: this is not a head file`);
  if (head.version !== HEAD_FORMAT_VERSION) {
    fail(`"version" ${shown(head.version)} is not supported (this package reads version ${HEAD_FORMAT_VERSION})`);
  }
  checkKeys(head, ['format', 'version', 'model', 'method', 'labels', 'softmax', 'knn'], 'the head');

  const recorded = head.model;
  if (!isPlainObject(recorded)) fail('"model" must be an object');
  checkKeys(recorded, ['weightsCrc32', 'featureSize', 'alpha', 'inputSize'], 'model');
  if (typeof recorded.weightsCrc32 !== 'string' || !/^[0-9a-f]{8}$/.test(recorded.weightsCrc32)) {
    fail('model.weightsCrc32 must be 8 lowercase hex digits');
  }
  const featureSize = integerField(recorded, 'featureSize', 1, 1 << 20, 'model');
  if (typeof recorded.alpha !== 'number' || !(recorded.alpha > 0 && recorded.alpha <= 4)) fail('model.alpha must be a number in (0, 4]');
  integerField(recorded, 'inputSize', 1, 16384, 'model');
  if (featureSize !== model.featureSize) {
    fail(`the head takes embeddings of ${featureSize} features, this model's have ${model.featureSize} (head: ${describeModel(recorded)}; this model: ${describeModel(model)})`);
  }
  if (recorded.weightsCrc32 !== model.weightsCrc32) {
    fail(`the head was trained on another model's embeddings (head: ${describeModel(recorded)}; this model: ${describeModel(model)})`);
  }

  const { labels } = head;
  if (!Array.isArray(labels) || labels.length < 2 || labels.length > MAX_HEAD_LABELS) {
    fail(`"labels" must be an array of 2 to ${MAX_HEAD_LABELS} labels`);
  }
  labels.forEach((label, i) => {
    try {
      checkLabel(label, `labels[${i}]`);
    } catch (error) {
      fail(error.message);
    }
  });
  if (new Set(labels).size !== labels.length) fail('"labels" has a label twice');

  if (head.method === 'softmax') {
    if ('knn' in head) fail('a softmax head has no "knn" field');
    const softmax = head.softmax;
    if (!isPlainObject(softmax)) fail('"softmax" must be an object');
    checkKeys(softmax, ['mean', 'weights', 'bias'], 'softmax');
    return {
      method: 'softmax',
      labels: [...labels],
      softmax: {
        mean: decodeFloats(softmax.mean, featureSize, 'softmax.mean'),
        weights: decodeFloats(softmax.weights, labels.length * featureSize, 'softmax.weights'),
        bias: decodeFloats(softmax.bias, labels.length, 'softmax.bias'),
      },
    };
  }
  if (head.method === 'knn') {
    if ('softmax' in head) fail('a knn head has no "softmax" field');
    const knn = head.knn;
    if (!isPlainObject(knn)) fail('"knn" must be an object');
    checkKeys(knn, ['k', 'features', 'exampleLabels'], 'knn');
    const k = integerField(knn, 'k', 1, MAX_KNN_K, 'knn');
    const exampleLabels = knn.exampleLabels;
    if (!Array.isArray(exampleLabels) || exampleLabels.length < 2) fail('knn.exampleLabels must be an array of at least 2 label indices');
    const present = new Array(labels.length).fill(false);
    exampleLabels.forEach((index, i) => {
      if (!Number.isInteger(index) || index < 0 || index >= labels.length) {
        fail(`knn.exampleLabels[${i}] must be an index into "labels" (0 to ${labels.length - 1})`);
      }
      present[index] = true;
    });
    const missing = present.indexOf(false);
    if (missing >= 0) fail(`label ${JSON.stringify(labels[missing])} has no example in knn.exampleLabels`);
    return {
      method: 'knn',
      labels: [...labels],
      knn: {
        k,
        features: decodeFloats(knn.features, exampleLabels.length * featureSize, 'knn.features'),
        exampleLabels: Uint32Array.from(exampleLabels),
      },
    };
  }
  fail(`"method" must be "softmax" or "knn", got ${shown(head.method)}`);
}

/** The JSON of a trained head (the inverse of parseHeadJSON, for the same model record). */
export function encodeHeadJSON({ model, method, labels, softmax, knn }) {
  const head = { format: HEAD_FORMAT, version: HEAD_FORMAT_VERSION, model: modelRecord(model), method, labels: [...labels] };
  if (method === 'softmax') {
    head.softmax = { mean: encodeFloats(softmax.mean), weights: encodeFloats(softmax.weights), bias: encodeFloats(softmax.bias) };
  } else {
    head.knn = { k: knn.k, features: encodeFloats(knn.features), exampleLabels: Array.from(knn.exampleLabels) };
  }
  return head;
}
