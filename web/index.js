// mobilenetv2-wasm: MobileNetV2 image classification in WebAssembly (SIMD128).
//
//   import { load } from 'mobilenetv2-wasm';
//   const model = await load();
//   const top = await model.classify({ data, width, height }, { topK: 5 });
//   model.dispose();
//
// Works in Node >= 18 and in browsers; in Node the .wasm and weight files are read from the
// package directory, in a browser they are fetched relative to this module.
import createMobileNetV2Module from '../dist/mobilenetv2.mjs';
import { toRgba } from './pixels.js';

const isNode = typeof process === 'object' && !!process.versions?.node;

const DEFAULT_WEIGHTS = new URL('../weights/mobilenet_v2_1.0_224.mnv2', import.meta.url);
const WASM_URL = new URL('../dist/mobilenetv2.wasm', import.meta.url);

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
  for await (const chunk of response.body) {
    chunks.push(chunk);
    loaded += chunk.length;
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

let modulePromise = null;

/** The shared WebAssembly module instance (one per page or process). */
function wasmModule() {
  if (!modulePromise) {
    modulePromise = (async () => {
      if (typeof WebAssembly !== 'object' || !WebAssembly.validate(simdProbe)) {
        throw new Error('this JavaScript engine lacks WebAssembly SIMD128, which mobilenetv2-wasm needs (Chrome 91+, Firefox 89+, Safari 16.4+, Node 16.4+)');
      }
      const options = {};
      if (isNode) options.wasmBinary = await readUrl(WASM_URL);
      else options.locateFile = () => WASM_URL.href;
      return createMobileNetV2Module(options);
    })();
    modulePromise.catch(() => { modulePromise = null; });
  }
  return modulePromise;
}

// The smallest module using a SIMD128 instruction (i32x4.splat of a constant, then drop):
// WebAssembly.validate() on it tells whether SIMD is supported, before loading anything.
const simdProbe = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x41, 0x00, 0xfd, 0x11, 0x1a, 0x0b,
]);

class MobileNetV2 {
  constructor(classifier) {
    this._classifier = classifier;
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
  async classify(input, { topK = 5, crop = 1 } = {}) {
    const classifier = this._live();
    const { data, width, height } = toRgba(input);
    return classifier.classify(data, width, height, topK, crop);
  }

  /** The penultimate-layer feature vector (Float32Array of featureSize values). */
  async embed(input, { crop = 1 } = {}) {
    const classifier = this._live();
    const { data, width, height } = toRgba(input);
    return classifier.embed(data, width, height, crop);
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
 * total}) reports the weight download.
 */
export async function load({ weights = DEFAULT_WEIGHTS, onProgress } = {}) {
  const module = await wasmModule();
  let bytes = weights;
  if (typeof weights === 'string' || weights instanceof URL) {
    bytes = await readUrl(await toUrl(weights), onProgress);
  } else if (!(weights instanceof Uint8Array || weights instanceof ArrayBuffer)) {
    throw new TypeError('weights must be a URL, a path, a Uint8Array or an ArrayBuffer');
  }
  return new MobileNetV2(new module.Classifier(bytes));
}

export { toRgba };
