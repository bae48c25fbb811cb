// Module.Classifier: the typed-array API over the bound ClassifierCore. Arguments are checked
// here so a wrong call gets an Error that names the argument, pixels are copied once into
// WASM memory, and core failures (which return null, see embind.cc) become Errors.

const MAX_IMAGE_SIDE = 16384;

function checkDimension(name, value) {
  if (!Number.isInteger(value) || value < 1 || value > MAX_IMAGE_SIDE) {
    throw new RangeError(`${name} must be an integer from 1 to ${MAX_IMAGE_SIDE}, got ${value}`);
  }
}

function checkPixels(rgba, width, height) {
  if (!(rgba instanceof Uint8Array || rgba instanceof Uint8ClampedArray)) {
    throw new TypeError('pixels must be a Uint8Array or Uint8ClampedArray of RGBA bytes');
  }
  checkDimension('width', width);
  checkDimension('height', height);
  if (rgba.length !== width * height * 4) {
    throw new RangeError(`pixels has ${rgba.length} bytes, a ${width}x${height} RGBA image needs ${width * height * 4}`);
  }
}

function checkCrop(crop) {
  if (typeof crop !== 'number' || !Number.isFinite(crop) || crop <= 0 || crop > 1) {
    throw new RangeError(`crop must be a number in (0, 1], got ${crop}`);
  }
}

Module['Classifier'] = class Classifier {
  // options.execution: 'fused' (default, paper section 5.1) or 'layer-by-layer' (every layer
  // materialized; the reference for tests and memory comparisons).
  constructor(weights, options = {}) {
    if (!(weights instanceof Uint8Array || weights instanceof ArrayBuffer)) {
      throw new TypeError('weights must be a Uint8Array or ArrayBuffer with a .mnv2 file');
    }
    const execution = options['execution'] ?? 'fused';
    if (execution !== 'fused' && execution !== 'layer-by-layer') {
      throw new RangeError(`execution must be 'fused' or 'layer-by-layer', got ${execution}`);
    }
    const core = Module['ClassifierCore']['create'](weights, execution === 'layer-by-layer');
    if (!core) throw new Error(Module['lastCreateError']());
    this._core = core;
    this.inputSize = core['inputSize'];
    this.numClasses = core['numClasses'];
    this.featureSize = core['featureSize'];
    this.alpha = core['alpha'];
    this.labels = core['labels']();
  }

  _live() {
    if (!this._core) throw new Error('this Classifier was disposed');
    return this._core;
  }

  _stage(rgba, width, height) {
    checkPixels(rgba, width, height);
    const pointer = this._live()['staging'](rgba.length);
    // Read HEAPU8 only now: staging() may have grown (and so replaced) WASM memory.
    HEAPU8.set(rgba, pointer);
  }

  classify(rgba, width, height, topK = 5, crop = 1) {
    if (!Number.isInteger(topK) || topK < 1 || topK > this.numClasses) {
      throw new RangeError(`topK must be an integer from 1 to ${this.numClasses}, got ${topK}`);
    }
    checkCrop(crop);
    this._stage(rgba, width, height);
    const top = this._core['classify'](width, height, rgba.length, topK, crop);
    if (top === null) throw new Error(this._core['error']());
    return top;
  }

  embed(rgba, width, height, crop = 1) {
    checkCrop(crop);
    this._stage(rgba, width, height);
    const view = this._core['embed'](width, height, rgba.length, crop);
    if (view === null) throw new Error(this._core['error']());
    return view.slice();
  }

  /** {weightsBytes, activationPeakBytes, scratchBytes, wasmMemoryBytes} */
  memoryStats() {
    return this._live()['memoryStats']();
  }

  /** Per-layer rows {name, type, input, output, expansion, stride, params, macs, activationBytes}. */
  summary() {
    return this._live()['summary']();
  }

  /** Turns per-layer timing on or off (off by default: timing costs a little). */
  setProfiling(on) {
    this._live()['setProfiling'](!!on);
  }

  /** Milliseconds per summary() row of the last classify()/embed() while profiling. */
  layerTimes() {
    return this._live()['layerMs']();
  }

  dispose() {
    if (this._core) {
      this._core['delete']();
      this._core = null;
    }
  }

  delete() {
    this.dispose();
  }
};
