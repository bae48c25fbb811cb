// mobilenetv2-wasm: MobileNetV2 image classification in WebAssembly (SIMD128).
//
//   import { load } from 'mobilenetv2-wasm';
//   const model = await load();
//   const top = await model.classify({ data, width, height }, { topK: 5 });
//   model.dispose();
//
//   import { loadDetector } from 'mobilenetv2-wasm';       // SSDLite, 20 Pascal VOC classes
//   const detector = await loadDetector();
//   const objects = await detector.detect(image, { minScore: 0.5 });
//   // -> [{bbox: [x, y, width, height], class: 'cat', classIndex: 7, score: 0.96}, ...]
//
// Works in Node >= 18 and in browsers; in Node the .wasm and weight files are read from the
// package directory, in a browser they are fetched relative to this module.
import { singleThreadModule, multiThreadModule, threadSupport, hardwareThreads, createWithThreadWorkers } from './wasm-module.js';
import { toRgba } from './pixels.js';
import { describe, readOptions } from './options.js';
import { loadInWorker } from './worker-client.js';
import { Head } from './head.js';
import { weightFileChecksum } from './head-format.js';

const isNode = typeof process === 'object' && !!process.versions?.node;

const DEFAULT_WEIGHTS = new URL('../weights/mobilenet_v2_1.0_224.mnv2', import.meta.url);
const DEFAULT_DETECTOR_WEIGHTS = new URL('../weights/ssdlite_mobilenet_v2_voc_300.mnv2', import.meta.url);

async function readUrl(url, onProgress) {
  if (isNode && url.protocol === 'file:') {
    const { readFile } = await import(/* @vite-ignore */ 'node:fs/promises');
    const bytes = new Uint8Array(await readFile(url));
    onProgress?.({ loaded: bytes.length, total: bytes.length });
    return bytes;
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length')) || 0;
  if (!onProgress || !response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks = [];
  let loaded = 0;
  // A reader rather than `for await`: Safari's streams are not async-iterable.
  const reader = response.body.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    chunks.push(chunk.value);
    loaded += chunk.value.length;
    onProgress({ loaded, total });
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

async function toUrl(location) {
  if (location instanceof URL) return location;
  if (isNode && !/^[a-z][a-z0-9+.-]*:/i.test(location)) {
    // A plain path in Node resolves against the working directory, like fs would.
    const { pathToFileURL } = await import(/* @vite-ignore */ 'node:url');
    return pathToFileURL(location);
  }
  return new URL(location, globalThis.location?.href ?? import.meta.url);
}

let warnedAboutThreads = false;

// The module for a requested thread count: the pthreads build when more than one thread is
// asked for and possible here; otherwise the single-threaded build, with a one-time warning
// saying why, since threads that silently do nothing are worse than none.
async function moduleForThreads(threads) {
  if (threads === 'auto') threads = threadSupport().ok ? await hardwareThreads() : 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`threads must be a positive integer or 'auto', got ${threads}`);
  }
  if (threads > 1) {
    const support = threadSupport();
    if (support.ok) return { module: await multiThreadModule(), threads, threaded: true };
    if (!warnedAboutThreads) {
      warnedAboutThreads = true;
      console.warn(`mobilenetv2-wasm: running on 1 thread instead of ${threads}: ${support.why}`);
    }
  }
  return { module: await singleThreadModule(), threads: 1, threaded: false };
}

// A model's core from `chosen` (moduleForThreads): create() makes it. On the pthreads build the
// model starts threads of its own, on pool workers readied first (createWithThreadWorkers).
function createCore(chosen, create) {
  if (!chosen.threaded) return create();
  // More threads than the module allows stay for its own check to refuse with a message.
  const workers = Math.min(chosen.threads, 1 + chosen.module.threadWorkers) - 1;
  return createWithThreadWorkers(chosen.module, workers, create);
}

const BACKENDS = ['auto', 'simd', 'relaxed-simd'];

// Whether a model runs on the relaxed-SIMD kernels, from load's backend option: 'auto' uses
// them where this JavaScript engine supports relaxed SIMD (feature detection on the kernel
// module itself), 'simd' never, 'relaxed-simd' always or fails saying why.
async function useRelaxed(module, backend) {
  if (!BACKENDS.includes(backend)) {
    throw new RangeError(`backend must be 'auto', 'simd' or 'relaxed-simd', got ${describe(backend)}`);
  }
  if (backend === 'simd') return false;
  if (await module.installRelaxedKernels()) return true;
  if (backend === 'relaxed-simd') {
    throw new Error("backend 'relaxed-simd' needs WebAssembly relaxed SIMD, which this JavaScript engine lacks (Chromium 114+ has it; Node 20 needs --experimental-wasm-relaxed-simd)");
  }
  return false;
}

class MobileNetV2 {
  constructor(classifier, threaded) {
    this._classifier = classifier;
    /**
     * The kernels that run: 'simd' or 'relaxed-simd', plus '-threads' for the pthreads build.
     */
    this.backend = `${classifier.kernels}${threaded ? '-threads' : ''}`;
    this.threads = classifier.threads;
    /** 'float32' or 'int8' (load's precision option). */
    this.precision = classifier.precision;
    this.inputSize = classifier.inputSize;
    this.numClasses = classifier.numClasses;
    this.featureSize = classifier.featureSize;
    this.alpha = classifier.alpha;
    this.labels = classifier.labels;
  }

  _live() {
    if (!this._classifier) throw new Error('this model was disposed');
    return this._classifier;
  }

  /**
   * Top classes of an image: [{index, label, score}] sorted by score.
   * options.topK (default 5), options.crop: central fraction of each side to keep (default 1).
   */
  async classify(input, options) {
    const classifier = this._live();
    const { topK, crop } = readOptions(options, { topK: 5, crop: 1 }, 'classify');
    const { data, width, height } = toRgba(input);
    return classifier.classify(data, width, height, topK, crop);
  }

  /**
   * Memory in bytes: {weightsBytes, activationPeakBytes, scratchBytes, wasmMemoryBytes}.
   * Activations are planned once at load; wasmMemoryBytes is the whole module's memory.
   */
  memoryStats() {
    return this._live().memoryStats();
  }

  /**
   * The network as it runs: {layers, totals}. Each layer row has its type, input and output
   * shapes [h, w, c], expansion t, stride, parameters, multiply-adds and the activation bytes
   * alive while it runs under the current execution plan.
   */
  summary() {
    return summarize(this._live().summary());
  }

  /**
   * Times every layer: runs the model `runs` times on the input with per-layer timing on and
   * returns summary() with a median `ms` added to each layer row.
   */
  async profile(input, options) {
    const classifier = this._live();
    const { runs } = readOptions(options, { runs: 10 }, 'profile');
    if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be a positive integer, got ${describe(runs)}`);
    const { data, width, height } = toRgba(input);
    const samples = [];
    classifier.setProfiling(true);
    try {
      for (let run = 0; run < runs; ++run) {
        classifier.classify(data, width, height, 1, 1);
        samples.push(classifier.layerTimes());
      }
    } finally {
      classifier.setProfiling(false);
    }
    const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];
    const { layers, totals } = this.summary();
    layers.forEach((layer, i) => { layer.ms = median(samples.map((times) => times[i])); });
    totals.ms = layers.reduce((sum, layer) => sum + layer.ms, 0);
    return { layers, totals };
  }

  /** The penultimate-layer feature vector (Float32Array of featureSize values). */
  async embed(input, options) {
    const classifier = this._live();
    const { crop } = readOptions(options, { crop: 1 }, 'embed');
    const { data, width, height } = toRgba(input);
    return classifier.embed(data, width, height, crop);
  }

  /** A new head, to teach this model custom classes from examples (web/head.js). */
  createHead() {
    this._live();
    const { module, weightsCrc32 } = this._headSupport;
    return new Head(this, module, { weightsCrc32, featureSize: this.featureSize, alpha: this.alpha, inputSize: this.inputSize });
  }

  /** Frees the WASM memory of this model; further calls throw. */
  dispose() {
    this._classifier?.dispose();
    this._classifier = null;
  }
}

/**
 * Loads the classifier. options.weights: URL, path (Node) or bytes (Uint8Array/ArrayBuffer) of a
 * .mnv2 weight file, default the bundled MobileNetV2 1.0/224; options.onProgress({loaded,
 * total}) reports the weight download; options.worker: true runs the model in a worker
 * (same methods, see worker-client.js); options.precision: 'float32' (default) or 'int8' (the
 * quantized model with TFLite's integer arithmetic); options.backend: 'auto' (default: relaxed
 * SIMD where supported), 'simd' or 'relaxed-simd' (see useRelaxed).
 */
export async function load(options) {
  // Not strict: options reach the worker and the module, which check the ones they use.
  const { weights, onProgress, worker, execution, threads, precision, backend } = readOptions(options,
    { weights: DEFAULT_WEIGHTS, onProgress: undefined, worker: false, execution: 'fused', threads: 1, precision: 'float32', backend: 'auto' }, 'load', { strict: false });
  checkProgress(onProgress);
  if (worker) return loadInWorker('classifier', { weights, onProgress, execution, threads, precision, backend });
  const chosen = await moduleForThreads(threads);
  const module = chosen.module;
  const relaxed = await useRelaxed(module, backend);
  let bytes = weights;
  if (typeof weights === 'string' || weights instanceof URL) {
    bytes = await readUrl(await toUrl(weights), onProgress);
  } else if (!(ArrayBuffer.isView(weights) || weights instanceof ArrayBuffer)) {
    // Byte arrays of every kind go on: Module.Classifier names a wrong kind precisely.
    throw new TypeError(`weights must be a URL, a path, a Uint8Array or an ArrayBuffer, got ${describe(weights)}`);
  }
  const core = await createCore(chosen, () => new module.Classifier(bytes, { execution, threads: chosen.threads, precision, relaxed }));
  const model = new MobileNetV2(core, chosen.threaded);
  model._headSupport = { module, weightsCrc32: weightFileChecksum(bytes) };  // for createHead()
  return model;
}

function checkProgress(onProgress) {
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new TypeError(`onProgress must be a function, got ${describe(onProgress)}`);
  }
}

/** Totals of summary rows: parameters, multiply-adds, and the peak live activation bytes. */
export function summarize(layers) {
  const totals = { params: 0, macs: 0, peakActivationBytes: 0 };
  for (const layer of layers) {
    totals.params += layer.params;
    totals.macs += layer.macs;
    totals.peakActivationBytes = Math.max(totals.peakActivationBytes, layer.activationBytes);
  }
  return { layers, totals };
}

/** The bytes of a weight file given as a URL, a path (Node) or bytes. */
async function weightBytes(weights, onProgress) {
  if (typeof weights === 'string' || weights instanceof URL) return readUrl(await toUrl(weights), onProgress);
  if (ArrayBuffer.isView(weights) || weights instanceof ArrayBuffer) return weights;  // checked by the module
  throw new TypeError(`weights must be a URL, a path, a Uint8Array or an ArrayBuffer, got ${describe(weights)}`);
}

class SSDLiteDetector {
  constructor(detector, threaded) {
    this._detector = detector;
    /** As the classifier's: 'simd' or 'relaxed-simd', plus '-threads' for the pthreads build. */
    this.backend = `${detector.kernels}${threaded ? '-threads' : ''}`;
    this.threads = detector.threads;
    this.inputSize = detector.inputSize;
    this.numClasses = detector.numClasses;
    this.labels = detector.labels;
    /** 'float32' or 'int8' (loadDetector's precision option). */
    this.precision = detector.precision;
    /** 'fused' or 'layer-by-layer': how the backbone runs (loadDetector's execution option). */
    this.execution = detector.execution;
  }

  _live() {
    if (!this._detector) throw new Error('this detector was disposed');
    return this._detector;
  }

  /**
   * Objects in an image: [{bbox: [x, y, width, height], class, classIndex, score}] in the
   * image's pixels, sorted by score (the shape of @tensorflow-models/coco-ssd's detect()).
   * options.minScore (default 0.5), options.maxDetections (20), options.iouThreshold (the
   * model's, 0.6), options.classAgnostic (the model's: true, one class per box; false runs
   * NMS per class). Out-of-range values throw a RangeError naming the option.
   */
  async detect(input, options = {}) {
    const detector = this._live();
    const { data, width, height } = toRgba(input);
    return detector.detect(data, width, height, options);
  }

  /** Memory in bytes, as for the classifier: {weightsBytes, activationPeakBytes, scratchBytes, wasmMemoryBytes}. */
  memoryStats() {
    return this._live().memoryStats();
  }

  /**
   * The network as it runs, like the classifier's summary(): {layers, totals}, the layers
   * being the backbone up to its head conv, the SSD extra layers (extra0..) and the box and
   * class predictors of every feature map (box0, class0, ...).
   */
  summary() {
    return summarize(this._live().summary());
  }

  /** Frees the WASM memory of this detector; further calls throw. */
  dispose() {
    this._detector?.dispose();
    this._detector = null;
  }
}

/**
 * Loads the SSDLite object detector (Pascal VOC). options.weights: URL, path (Node) or bytes of
 * a detector .mnv2 file, default the bundled ssdlite_mobilenet_v2_voc_300; options.onProgress
 * as for load(); options.worker: true runs it in a worker; options.precision: 'float32'
 * (default) or 'int8' (the quantized model with TFLite's integer arithmetic);
 * options.execution: 'fused' (default) or 'layer-by-layer', how the backbone runs, and
 * options.threads and options.backend, as for load().
 */
export async function loadDetector(options) {
  const { weights, onProgress, worker, precision, execution, threads, backend } = readOptions(options,
    { weights: DEFAULT_DETECTOR_WEIGHTS, onProgress: undefined, worker: false, precision: 'float32', execution: 'fused', threads: 1, backend: 'auto' },
    'loadDetector', { strict: false });
  checkProgress(onProgress);
  if (worker) return loadInWorker('detector', { weights, onProgress, precision, execution, threads, backend });
  const chosen = await moduleForThreads(threads);
  const relaxed = await useRelaxed(chosen.module, backend);
  const bytes = await weightBytes(weights, onProgress);
  const detector = await createCore(chosen, () => new chosen.module.Detector(bytes, { precision, execution, threads: chosen.threads, relaxed }));
  return new SSDLiteDetector(detector, chosen.threaded);
}

export { toRgba };
export { loadHead } from './head.js';
