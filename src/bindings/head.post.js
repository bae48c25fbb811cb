// Module.HeadTrainer: the Float32Array API over the bound HeadCore (head-embind.cc), linked
// after model.post.js into the same module scope (it uses describe, typedArrayKind, track and
// untrack from there). Arguments are checked here so a wrong call gets an Error naming the
// argument; feature vectors are copied once into WASM memory; core failures become Errors.
// web/head.js builds the user-facing head (labels, images, JSON) on top of it.

function checkCount(name, value, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
}

function checkVector(name, array, length) {
  if (typedArrayKind(array) !== 'Float32Array' || typedArrayLength.call(array) !== length) {
    throw new TypeError(`${name} must be a Float32Array of ${length} values, got ${describe(array)}`);
  }
}

// (No destructuring in this file: Emscripten 3.1.6's minifier mangles it, see model.post.js.)
Module['HeadTrainer'] = class HeadTrainer {
  constructor(featureSize) {
    checkCount('featureSize', featureSize, 1, 1 << 20);
    this.featureSize = featureSize;
    this._core = new Module['HeadCore'](featureSize);
    track(this, this._core);
  }

  _live() {
    if (!this._core) throw new Error('this head was disposed');
    return this._core;
  }

  /** Copies Float32Arrays one after another into the staging buffer. */
  _stage(arrays) {
    const core = this._live();
    let floats = 0;
    for (const array of arrays) {
      if (typedArrayKind(array) !== 'Float32Array') throw new TypeError(`expected a Float32Array, got ${describe(array)}`);
      floats += typedArrayLength.call(array);
    }
    if (!Module['canAllocate'](4 * floats + 16)) {
      throw new Error(`not enough WebAssembly memory for ${floats} feature values (dispose() heads and models no longer used)`);
    }
    // Read HEAPF32 only after staging(): it may have grown (and so replaced) WASM memory.
    let offset = core['staging'](floats) >> 2;
    for (const array of arrays) {
      HEAPF32.set(array, offset);
      offset += typedArrayLength.call(array);
    }
  }

  _checkFeatures(features, what) {
    if (typedArrayKind(features) !== 'Float32Array' || typedArrayLength.call(features) % this.featureSize !== 0 ||
        typedArrayLength.call(features) === 0) {
      throw new TypeError(`${what} must be a Float32Array of a multiple of ${this.featureSize} values, got ${describe(features)}`);
    }
    return typedArrayLength.call(features) / this.featureSize;
  }

  // Refuses work whose scratch memory WASM cannot hold (with exceptions off a failing
  // allocation would abort the module): the trainers need about three copies of the examples.
  _checkTrainingMemory(classes) {
    const n = this.exampleCount();
    const d = this.featureSize;
    const bytes = 4 * (3 * n * d + 4 * classes * d + 2 * n * classes + d);
    if (!Module['canAllocate'](bytes)) {
      throw new Error(`not enough WebAssembly memory to train on ${n} examples (${bytes} bytes)`);
    }
  }

  /** Adds every feature vector in `features` (count x featureSize values) as an example of class `label`. */
  addExamples(features, label) {
    const count = this._checkFeatures(features, 'features');
    checkCount('label', label, 0, 0xfffffffe);
    this._stage([features]);
    if (!this._core['addExamples'](count, label)) throw new Error(this._core['error']());
  }

  /** Drops the examples of class `label`; the classes above it move down by one. */
  removeLabel(label) {
    checkCount('label', label, 0, 0xfffffffe);
    this._live()['removeLabel'](label);
  }

  exampleCount() {
    return this._live()['exampleCount']();
  }

  labelCount(label) {
    checkCount('label', label, 0, 0xfffffffe);
    return this._live()['labelCount'](label);
  }

  /** Softmax regression on the examples; returns {loss, accuracy} on them. */
  trainSoftmax(classes, epochs, learningRate, weightDecay) {
    checkCount('classes', classes, 2, 10000);
    checkCount('epochs', epochs, 1, 100000);
    this._checkTrainingMemory(classes);
    const report = this._live()['trainSoftmax'](classes, epochs, learningRate, weightDecay);
    if (report === null) throw new Error(this._core['error']());
    return report;
  }

  trainKnn(classes, k) {
    checkCount('classes', classes, 2, 10000);
    checkCount('k', k, 1, 1000);
    this._checkTrainingMemory(classes);
    if (!this._live()['trainKnn'](classes, k)) throw new Error(this._core['error']());
  }

  /** A softmax head saved earlier: mean[featureSize], weights[classes x featureSize], bias[classes]. */
  loadSoftmax(classes, mean, weights, bias) {
    checkCount('classes', classes, 2, 10000);
    const d = this.featureSize;
    checkVector('mean', mean, d);
    checkVector('weights', weights, classes * d);
    checkVector('bias', bias, classes);
    this._stage([mean, weights, bias]);
    if (!this._core['loadSoftmax'](classes)) throw new Error(this._core['error']());
  }

  /** Every class as {index, score}, highest score first. */
  predict(features) {
    if (this._checkFeatures(features, 'features') !== 1) {
      throw new TypeError(`features must be one vector of ${this.featureSize} values`);
    }
    this._stage([features]);
    const ranking = this._core['predict']();
    if (ranking === null) throw new Error(this._core['error']());
    return ranking;
  }

  /** 'softmax', 'knn', or '' before training. */
  get method() {
    return this._live()['method'];
  }

  get classes() {
    return this._live()['classes'];
  }

  /** The trained softmax parameters, copied: {mean, weights, bias}. */
  softmaxParameters() {
    const core = this._live();
    return { mean: core['softmaxMean']().slice(), weights: core['softmaxWeights']().slice(), bias: core['softmaxBias']().slice() };
  }

  /** The examples the kNN head was trained on, copied: {k, features, exampleLabels}. */
  knnExamples() {
    const core = this._live();
    return { k: core['knnK'], features: core['knnFeatures']().slice(), exampleLabels: core['knnLabels']().slice() };
  }

  dispose() {
    if (this._core) {
      untrack(this);
      this._core['delete']();
      this._core = null;
    }
  }
};
