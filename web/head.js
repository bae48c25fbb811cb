// Custom classes: a head taught on top of the classifier's embeddings, in the page.
//
//   const head = model.createHead();
//   await head.addExample(image, 'thumbs up', { augment: 4 });
//   await head.addExample(otherImage, 'thumbs down');
//   await head.train({ method: 'softmax' });          // or 'knn'
//   await head.classify(frame);                       // -> [{index, label, score}, ...]
//   const json = head.toJSON();                       // and loadHead(model, json) later
//
// The examples are embed()'s feature vectors, kept in WebAssembly memory by the module's
// HeadTrainer (src/head/, the C++ trainers on the engine's SIMD kernels). In worker mode the
// same Head lives in the model's worker (head-worker.js) behind a proxy (head-client.js).
import { toRgba } from './pixels.js';
import { describe, readOptions } from './options.js';
import { augmentedCopies } from './head-augment.js';
import { checkLabel, deepFreeze, encodeHeadJSON, parseHeadJSON, MAX_HEAD_LABELS, MAX_KNN_K } from './head-format.js';

const SOFTMAX_DEFAULTS = { epochs: 100, learningRate: 1e-3, weightDecay: 1e-4 };
const KNN_DEFAULTS = { k: 3 };
const MAX_AUGMENTED_COPIES = 64;
const MAX_EPOCHS = 10000;

function isFloat32Array(value) {
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Float32Array]';
}

function quoted(label) {
  return JSON.stringify(label.length > 40 ? `${label.slice(0, 40)}...` : label);
}

function checkInteger(name, value, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
}

function checkNumber(name, value, min, max, minInclusive) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value > max || (minInclusive ? value < min : value <= min)) {
    throw new RangeError(`${name} must be a number in ${minInclusive ? '[' : '('}${min}, ${max}], got ${describe(value)}`);
  }
}

/** train() options: {method, ...the method's own options with their defaults}. */
function trainOptions(options) {
  const { method, ...rest } = readOptions(options, { method: 'softmax', ...SOFTMAX_DEFAULTS, ...KNN_DEFAULTS }, 'train');
  if (method !== 'softmax' && method !== 'knn') throw new RangeError(`train: method must be 'softmax' or 'knn', got ${describe(method)}`);
  const own = method === 'softmax' ? SOFTMAX_DEFAULTS : KNN_DEFAULTS;
  for (const key of Object.keys(options ?? {})) {
    if (key !== 'method' && !(key in own) && options[key] !== undefined) {
      throw new TypeError(`train: option ${key} does not apply to method '${method}' (it takes ${Object.keys(own).join(', ')})`);
    }
  }
  if (method === 'knn') {
    checkInteger('k', rest.k, 1, MAX_KNN_K);
    return { method, k: rest.k };
  }
  checkInteger('epochs', rest.epochs, 1, MAX_EPOCHS);
  checkNumber('learningRate', rest.learningRate, 0, 10, false);
  checkNumber('weightDecay', rest.weightDecay, 0, 10, true);
  return { method, epochs: rest.epochs, learningRate: rest.learningRate, weightDecay: rest.weightDecay };
}

/** addExample() options, checked: {crop, augment, flip, jitter, seed (undefined: the head's own sequence)}. */
function exampleOptions(options, isEmbedding) {
  const read = readOptions(options, { crop: 1, augment: 0, flip: true, jitter: 0.2, seed: undefined }, 'addExample');
  checkInteger('augment', read.augment, 0, MAX_AUGMENTED_COPIES);
  if (isEmbedding && (read.augment > 0 || read.crop !== 1)) {
    throw new TypeError('addExample: crop and augment apply to images, not to an embedding');
  }
  if (read.augment === 0) {
    for (const key of ['flip', 'jitter', 'seed']) {
      if (options?.[key] !== undefined) throw new TypeError(`addExample: ${key} shapes the augmented copies: it needs augment > 0`);
    }
  }
  checkNumber('crop', read.crop, 0, 1, false);
  if (typeof read.flip !== 'boolean') throw new TypeError(`flip must be true or false, got ${describe(read.flip)}`);
  checkNumber('jitter', read.jitter, 0, 0.9, true);
  if (read.seed !== undefined) checkInteger('seed', read.seed, 0, 0xffffffff);
  return read;
}

export class Head {
  /** Use model.createHead(). */
  constructor(model, module, modelInfo) {
    this._model = model;
    this._modelInfo = modelInfo;
    this._trainer = new module.HeadTrainer(modelInfo.featureSize);
    this._exampleLabels = [];  // label of each class index the trainer's examples use
    this._trained = null;      // {method, labels}
    this._json = null;         // toJSON()'s frozen result, made on first use
    this._addCalls = 0;        // numbers the default augmentation seeds
  }

  _live() {
    if (!this._trainer) throw new Error('this head was disposed');
    return this._trainer;
  }

  /** The feature vectors of an input: the embedding itself, or the image's (and its copies'). */
  async _features(input, options, what) {
    const featureSize = this._modelInfo.featureSize;
    if (isFloat32Array(input)) {
      if (input.length !== featureSize) {
        throw new RangeError(`${what}: an embedding must have ${featureSize} values (this model's featureSize), got ${input.length}`);
      }
      const bad = input.findIndex((value) => !Number.isFinite(value));
      if (bad >= 0) throw new RangeError(`${what}: the embedding has a non-finite value (${input[bad]}) at index ${bad}`);
      return [input];
    }
    const model = this._model;
    const image = toRgba(input);
    const features = [await model.embed(image, { crop: options.crop })];
    if (options.augment > 0) {
      const seed = options.seed ?? (0x5eed + this._addCalls) >>> 0;
      for (const copy of augmentedCopies(image, { crop: options.crop, copies: options.augment, jitter: options.jitter, flip: options.flip, seed })) {
        features.push(await model.embed(copy));
      }
    }
    return features;
  }

  /**
   * Adds an example of `label`: an image (anything classify() takes) or an embedding
   * (Float32Array of featureSize values). options.crop as for classify(); options.augment: that
   * many extra copies, randomly cropped (keeping at least 1 - options.jitter of each side,
   * default 0.2) and mirrored (options.flip, default true), from options.seed (default: the
   * head's own sequence, so the same calls give the same copies). Resolves to the number of
   * examples of `label` now.
   */
  async addExample(input, label, options) {
    const trainer = this._live();
    checkLabel(label);
    const read = exampleOptions(options, isFloat32Array(input));
    this._addCalls += 1;
    let index = this._exampleLabels.indexOf(label);
    if (index < 0 && this._exampleLabels.length >= MAX_HEAD_LABELS) {
      throw new RangeError(`addExample: a head takes at most ${MAX_HEAD_LABELS} labels`);
    }
    const features = await this._features(input, read, 'addExample');
    this._live();  // disposed while embedding?
    const all = new Float32Array(features.length * this._modelInfo.featureSize);
    features.forEach((vector, i) => all.set(vector, i * vector.length));
    // A new label takes the next class index, and is listed only once its examples are in.
    index = this._exampleLabels.indexOf(label);
    const isNew = index < 0;
    if (isNew) index = this._exampleLabels.length;
    trainer.addExamples(all, index);
    if (isNew) this._exampleLabels.push(label);
    return trainer.labelCount(index);
  }

  /** Forgets the examples of `label` (or every example when no label is given). */
  async removeExamples(label) {
    const trainer = this._live();
    const labels = label === undefined ? [...this._exampleLabels] : [checkLabel(label)];
    for (const name of labels) {
      const index = this._exampleLabels.indexOf(name);
      if (index < 0) throw new RangeError(`removeExamples: no example has the label ${quoted(name)}`);
      trainer.removeLabel(index);
      this._exampleLabels.splice(index, 1);
    }
  }

  /** [{label, count}] of the examples added so far, in the order their labels first appeared. */
  async exampleCounts() {
    const trainer = this._live();
    return this._exampleLabels.map((label, index) => ({ label, count: trainer.labelCount(index) }));
  }

  /**
   * Trains on the examples: options.method 'softmax' (default: a softmax regression, options
   * epochs 100, learningRate 0.001, weightDecay 0.0001) or 'knn' (k nearest neighbours by cosine,
   * option k 3). Resolves to {method, labels, examples, ms} plus {loss, accuracy} on the
   * examples (softmax) or {k} (knn).
   */
  async train(options) {
    const trainer = this._live();
    const settings = trainOptions(options);
    const labels = [...this._exampleLabels];
    const examples = trainer.exampleCount();
    if (examples === 0) throw new Error('train: there are no examples yet: add some with addExample(image, label)');
    if (labels.length < 2) {
      throw new Error(`train: every example has the label ${quoted(labels[0])}: a head needs examples of at least 2 labels`);
    }
    const start = performance.now();
    const report = { method: settings.method, labels, examples };
    if (settings.method === 'softmax') {
      Object.assign(report, trainer.trainSoftmax(labels.length, settings.epochs, settings.learningRate, settings.weightDecay));
    } else {
      trainer.trainKnn(labels.length, settings.k);
      report.k = Math.min(settings.k, examples);
    }
    report.ms = performance.now() - start;
    this._trained = { method: settings.method, labels };
    this._json = null;
    return report;
  }

  /**
   * The trained head's labels with their scores, highest first: [{index, label, score}]
   * (index into head.labels). input: an image or an embedding. options.topK (default: up to 5),
   * options.crop (images), options.labels: only these labels (each one the head knows).
   */
  async classify(input, options) {
    const trainer = this._live();
    if (!this._trained) throw new Error('classify: the head is not trained yet: call train() first');
    const { labels } = this._trained;
    const read = readOptions(options, { topK: undefined, crop: 1, labels: undefined }, 'classify');
    let allowed = null;
    if (read.labels !== undefined) {
      if (!Array.isArray(read.labels) || read.labels.length === 0) {
        throw new TypeError(`classify: labels must be a non-empty array of the head's labels, got ${describe(read.labels)}`);
      }
      allowed = new Set(read.labels.map((label) => {
        checkLabel(label, 'each of labels');
        if (!labels.includes(label)) throw new RangeError(`classify: unknown label ${quoted(label)}: this head knows ${labels.map(quoted).join(', ')}`);
        return label;
      }));
    }
    const candidates = allowed ? allowed.size : labels.length;
    const topK = read.topK ?? Math.min(5, candidates);
    checkInteger('topK', topK, 1, candidates);
    const isEmbedding = isFloat32Array(input);
    if (isEmbedding && read.crop !== 1) throw new TypeError('classify: crop applies to images, not to an embedding');
    if (!isEmbedding) checkNumber('crop', read.crop, 0, 1, false);
    const [features] = await this._features(input, { crop: read.crop, augment: 0 }, 'classify');
    const ranking = this._live().predict(features).map(({ index, score }) => ({ index, label: labels[index], score }));
    return (allowed ? ranking.filter(({ label }) => allowed.has(label)) : ranking).slice(0, topK);
  }

  /** The trained head as a JSON object (JSON.stringify(head) works); loadHead(model, json) reads it. */
  toJSON() {
    const trainer = this._live();
    if (!this._trained) throw new Error('toJSON: the head is not trained yet: call train() first');
    if (!this._json) {
      const { method, labels } = this._trained;
      this._json = deepFreeze(encodeHeadJSON({
        model: this._modelInfo,
        method,
        labels,
        softmax: method === 'softmax' ? trainer.softmaxParameters() : null,
        knn: method === 'knn' ? trainer.knnExamples() : null,
      }));
    }
    return this._json;
  }

  /** Replaces this head's examples and model by a saved head (loadHead's work). */
  async _load(json) {
    const trainer = this._live();
    const head = parseHeadJSON(json, this._modelInfo);
    await this.removeExamples();
    if (head.method === 'softmax') {
      try {
        trainer.loadSoftmax(head.labels.length, head.softmax.mean, head.softmax.weights, head.softmax.bias);
      } catch (error) {
        // The core refuses finite values too large to score with (or memory runs out): the
        // message names the file, as parseHeadJSON's do.
        throw new Error(`head JSON: cannot use the softmax parameters: ${error.message}`);
      }
    } else {
      // A kNN head is its examples: they come back as examples, so more can be added.
      const { features, exampleLabels, k } = head.knn;
      const d = this._modelInfo.featureSize;
      exampleLabels.forEach((label, i) => trainer.addExamples(features.subarray(i * d, (i + 1) * d), label));
      this._exampleLabels = [...head.labels];
      trainer.trainKnn(head.labels.length, k);
    }
    this._trained = { method: head.method, labels: head.labels };
    this._json = null;
  }

  /** The trained head's labels ([] before training). */
  get labels() {
    return this._trained ? [...this._trained.labels] : [];
  }

  /** 'softmax' or 'knn' once trained, else null. */
  get method() {
    return this._trained?.method ?? null;
  }

  /** Frees the head's WASM memory; later calls throw. The model stays usable. */
  dispose() {
    this._trainer?.dispose();
    this._trainer = null;
    this._model = null;
  }
}

/**
 * A head saved with toJSON() (the object or its JSON text), on `model` (in-thread or worker
 * model alike). Rejects with an Error starting "head JSON:" when the file is malformed, or
 * was made for another model or feature size.
 */
export async function loadHead(model, json) {
  if (model === null || typeof model !== 'object' || typeof model.createHead !== 'function') {
    throw new TypeError(`loadHead: model must be a model from load(), got ${describe(model)}`);
  }
  const head = model.createHead();
  try {
    await head._load(json);
  } catch (error) {
    head.dispose();
    throw error;
  }
  return head;
}
