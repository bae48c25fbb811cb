// Module.Classifier: the typed-array API over the bound ClassifierCore. Arguments are checked
// here (with the helpers of model.post.js, linked first into the same module scope) so a wrong
// call gets an Error that names the argument, pixels are copied once into WASM memory, and
// core failures (which return null, see embind.cc) become Errors.

function checkCrop(crop) {
  if (typeof crop !== 'number' || !Number.isFinite(crop) || crop <= 0 || crop > 1) {
    throw new RangeError(`crop must be a number in (0, 1], got ${describe(crop)}`);
  }
}

Module['Classifier'] = class Classifier extends CoreOwner {
  // options.execution: 'fused' (default, paper section 5.1) or 'layer-by-layer' (every layer
  // materialized; the reference for tests and memory comparisons).
  // options.precision: 'float32' (default: weights dequantized, float arithmetic) or 'int8'
  // (the quantized model with TFLite's integer arithmetic). options.threads: threads for one
  // inference (model.post.js, checkThreads). Checked by createCore (model.post.js).
  // options.relaxed: true runs the float kernels' relaxed-SIMD twins (Module.installRelaxedKernels
  // must have resolved to true); `kernels` then says 'relaxed-simd' (int8 has no such twins).
  constructor(weights, options = {}) {
    checkOptionsObject(options, 'Classifier');
    const relaxed = options['relaxed'] ?? false;
    if (typeof relaxed !== 'boolean') throw new TypeError(`relaxed must be a boolean, got ${describe(relaxed)}`);
    super('Classifier', createCore('Classifier', weights, options, relaxed));
    this.kernels = this._core['kernels'];
    this.featureSize = this._core['featureSize'];
    this.alpha = this._core['alpha'];
  }

  /** Checks and stages the pixels; returns their byte count. */
  _stage(rgba, width, height) {
    const core = this._live();
    checkPixels(rgba, width, height);
    return stagePixels(core, rgba);
  }

  classify(rgba, width, height, topK = 5, crop = 1) {
    this._live();
    if (!Number.isInteger(topK) || topK < 1 || topK > this.numClasses) {
      throw new RangeError(`topK must be an integer from 1 to ${this.numClasses}, got ${describe(topK)}`);
    }
    checkCrop(crop);
    const bytes = this._stage(rgba, width, height);
    const top = this._core['classify'](width, height, bytes, topK, crop);
    if (top === null) throw new Error(this._core['error']());
    return top;
  }

  embed(rgba, width, height, crop = 1) {
    this._live();
    checkCrop(crop);
    const bytes = this._stage(rgba, width, height);
    const view = this._core['embed'](width, height, bytes, crop);
    if (view === null) throw new Error(this._core['error']());
    return view.slice();
  }

  /** Turns per-layer timing on or off (off by default: timing costs a little). */
  setProfiling(on) {
    this._live()['setProfiling'](!!on);
  }

  /** Milliseconds per summary() row of the last classify()/embed() while profiling. */
  layerTimes() {
    return this._live()['layerMs']();
  }
};
