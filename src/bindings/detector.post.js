// Module.Detector: the typed-array API over the bound DetectorCore, like Module.Classifier
// (model.post.js, linked first into the same module scope, provides the shared checks).
// Options are checked here so a wrong value gets an Error naming the option, and core failures
// (null, see embind.cc) become Errors.

function checkFraction(name, value) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`${name} must be a number in [0, 1], got ${describe(value)}`);
  }
}

// memoryStats(), dispose() and summary() come from CoreOwner; a detector's summary() rows are the
// backbone's up to its head conv, then extra0.., then box<m> and class<m> for every map m.
Module['Detector'] = class Detector extends CoreOwner {
  // options.precision: 'float32' (default: weights dequantized, float arithmetic) or 'int8'
  // (the quantized model with TFLite's integer arithmetic; needs a weight file converted with
  // activation quantization). options.execution: 'fused' (default) or 'layer-by-layer', how
  // the float backbone runs (as for Module.Classifier); the SSD head is the same either way.
  // options.threads: as for Module.Classifier (model.post.js, checkThreads).
  constructor(weights, options = {}) {
    super('Detector', createCore('Detector', weights, options));
    const core = this._core;
    this.numAnchors = core['numAnchors'];
    this.execution = core['execution'];
    // The model's own NMS settings, used when detect() is not told otherwise.
    this.defaultIouThreshold = core['defaultIouThreshold'];
    this.defaultClassAgnostic = core['defaultClassAgnostic'];
  }

  // options: minScore (default 0.5), maxDetections (20), iouThreshold (the model's, 0.6 for
  // the VOC SSDLite), classAgnostic (the model's: true, one class per box). Returns
  // [{bbox: [x, y, width, height], class, classIndex, score}] sorted by score, in pixels.
  detect(rgba, width, height, options = {}) {
    const core = this._live();
    checkOptionsObject(options, 'detect');
    const minScore = options['minScore'] ?? 0.5;
    const maxDetections = options['maxDetections'] ?? 20;
    const iouThreshold = options['iouThreshold'] ?? this.defaultIouThreshold;
    const classAgnostic = options['classAgnostic'] ?? this.defaultClassAgnostic;
    checkFraction('minScore', minScore);
    checkFraction('iouThreshold', iouThreshold);
    if (!Number.isInteger(maxDetections) || maxDetections < 1 || maxDetections > this.numAnchors) {
      throw new RangeError(`maxDetections must be an integer from 1 to ${this.numAnchors}, got ${describe(maxDetections)}`);
    }
    if (typeof classAgnostic !== 'boolean') {
      throw new TypeError(`classAgnostic must be true or false, got ${describe(classAgnostic)}`);
    }
    checkPixels(rgba, width, height);
    const bytes = stagePixels(core, rgba);  // null-safe staging (model.post.js)
    const detections = core['detect'](width, height, bytes, minScore, maxDetections,
      iouThreshold, classAgnostic);
    if (detections === null) throw new Error(core['error']());
    return detections;
  }

  // precision 'int8' only: copies of the last detect()'s raw head tensors in the model's
  // quantization, {boxCodes: Int8Array [anchors * 4], scoreCodes: Int8Array [anchors *
  // (numClasses + 1)]} (the concatenated box encodings and the LOGISTIC's output), for
  // comparisons with TFLite's tensors.
  headCodes() {
    const core = this._live();
    const boxCodes = core['boxCodes']();
    const scoreCodes = core['scoreCodes']();
    if (boxCodes === null || scoreCodes === null) throw new Error('headCodes() needs precision \'int8\'');
    return { boxCodes: boxCodes.slice(), scoreCodes: scoreCodes.slice() };
  }
};
