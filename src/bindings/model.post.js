// Shared by Module.Classifier (classifier.post.js) and Module.Detector (detector.post.js),
// which Emscripten links after this file into the same module scope: argument checks that
// give an Error naming the argument, the copying of pixels into WASM memory, the options both
// engines take, and CoreOwner, the base of both wrappers (the bound core's lifetime and the
// methods that just forward to it).

const MAX_IMAGE_SIDE = 16384;
// No loadable model comes near this (memory-budget.h caps a model at 1 GiB of memory, and
// every weight byte costs at least one float); bigger inputs are refused before any copy.
const MAX_WEIGHT_BYTES = 1 << 30;

// The typed array accessors of the prototype, not the instance: an own property named
// `length` or Symbol.toStringTag on an object must not fool the checks, and typed arrays from
// another realm (iframe, vm context) must pass them.
const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Uint8Array.prototype);
const typedArrayTag = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, Symbol.toStringTag).get;
const typedArrayLength = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, 'length').get;
const typedArrayOffset = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, 'byteOffset').get;
const typedArrayBuffer = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, 'buffer').get;
const arrayBufferLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;

/** 'Uint8Array', 'Float32Array', ... for a real typed array, else undefined. */
function typedArrayKind(value) {
  return ArrayBuffer.isView(value) ? typedArrayTag.call(value) : undefined;
}

function isArrayBuffer(value) {
  try {
    arrayBufferLength.call(value);  // throws unless value is a (non-shared) ArrayBuffer
    return true;
  } catch (notAnArrayBuffer) {
    return false;
  }
}

/** A short description of a wrong argument for messages; never calls the value's own code. */
function describe(value) {
  switch (typeof value) {
    case 'number': return String(value);
    case 'string': return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value)}`;
    case 'bigint': return `the BigInt ${value}n`;
    case 'boolean': return String(value);
    case 'undefined': return 'undefined';
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
    default: break;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an Array of length ${value.length}`;
  const kind = typedArrayKind(value);
  if (kind) return `a ${kind} of length ${typedArrayLength.call(value)}`;
  if (ArrayBuffer.isView(value)) return 'a DataView';
  if (isArrayBuffer(value)) return 'an ArrayBuffer';
  return 'an object';
}

/** The bytes of a .mnv2 file as a same-realm Uint8Array view, or a TypeError/RangeError. */
function weightBytes(weights) {
  const buffer = isArrayBuffer(weights);
  const kind = typedArrayKind(weights);
  if (!buffer && kind !== 'Uint8Array' && kind !== 'Uint8ClampedArray') {
    throw new TypeError(`weights must be a Uint8Array or ArrayBuffer with a .mnv2 file, got ${describe(weights)}`);
  }
  // The length first: a view of a detached buffer cannot even be constructed.
  const length = buffer ? arrayBufferLength.call(weights) : typedArrayLength.call(weights);
  if (length === 0) {
    throw new RangeError('weights are empty (0 bytes; was their ArrayBuffer transferred or detached?)');
  }
  if (length > MAX_WEIGHT_BYTES) {
    throw new RangeError(`weights have ${length} bytes, more than the ${MAX_WEIGHT_BYTES} bytes any loadable model has`);
  }
  const bytes = buffer ? new Uint8Array(weights)
    : new Uint8Array(typedArrayBuffer.call(weights), typedArrayOffset.call(weights), length);
  // Embind copies them into WASM memory with a malloc it does not check (see embind.cc).
  if (!Module['canAllocate'](bytes.length + 5)) {
    throw new Error(`not enough WebAssembly memory to copy ${bytes.length} bytes of weights (dispose() models no longer used)`);
  }
  return bytes;
}

function checkOptionsObject(options, what) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${what} options must be an object, got ${describe(options)}`);
  }
}

function checkDimension(name, value) {
  if (!Number.isInteger(value) || value < 1 || value > MAX_IMAGE_SIDE) {
    throw new RangeError(`${name} must be an integer from 1 to ${MAX_IMAGE_SIDE}, got ${describe(value)}`);
  }
}

function checkPixels(rgba, width, height) {
  const kind = typedArrayKind(rgba);
  if (kind !== 'Uint8Array' && kind !== 'Uint8ClampedArray') {
    throw new TypeError(`pixels must be a Uint8Array or Uint8ClampedArray of RGBA bytes, got ${describe(rgba)}`);
  }
  checkDimension('width', width);
  checkDimension('height', height);
  const length = typedArrayLength.call(rgba);
  if (length !== width * height * 4) {
    const detached = length === 0 ? ' (was its ArrayBuffer transferred or detached?)' : '';
    throw new RangeError(`pixels has ${length} bytes, a ${width}x${height} RGBA image needs ${width * height * 4}${detached}`);
  }
}

/** Copies checked pixels into the core's staging buffer; returns their byte count. */
function stagePixels(core, rgba) {
  const length = typedArrayLength.call(rgba);
  const pointer = core['staging'](length);
  if (!pointer) {
    throw new Error(`not enough WebAssembly memory for a ${length}-byte image (dispose() models no longer used)`);
  }
  // Read HEAPU8 only now: staging() may have grown (and so replaced) WASM memory.
  HEAPU8.set(rgba, pointer);
  return length;
}

/** options.precision: 'float32' (default) or 'int8'. */
function checkPrecision(options) {
  const precision = options['precision'] ?? 'float32';
  if (precision !== 'float32' && precision !== 'int8') {
    throw new RangeError(`precision must be 'float32' or 'int8', got ${describe(precision)}`);
  }
  return precision;
}

/** options.execution: 'fused' (default) or 'layer-by-layer'. */
function checkExecution(options) {
  const execution = options['execution'] ?? 'fused';
  if (execution !== 'fused' && execution !== 'layer-by-layer') {
    throw new RangeError(`execution must be 'fused' or 'layer-by-layer', got ${describe(execution)}`);
  }
  return execution;
}

// The integer engine has one schedule of its own (row bands for large blocks); asking for the
// float reference schedule with it would silently do something else.
// options.threads: threads for one inference. More than one needs the pthreads build of this
// module, whose worker pool (Module.threadWorkers) bounds it.
function checkThreads(options) {
  // Not `1 + (Module['threadWorkers'] ?? 0)`: Emscripten 3.1.6's minifier drops those
  // parentheses, giving NaN, and then any thread count passes the check below.
  const workers = Module['threadWorkers'];
  const maxThreads = 1 + (typeof workers === 'number' ? workers : 0);
  const threads = options['threads'] ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > maxThreads) {
    throw new RangeError(`threads must be an integer from 1 to ${maxThreads} in this module, got ${describe(threads)}`);
  }
  return threads;
}

function checkSchedule(precision, execution) {
  if (precision === 'int8' && execution === 'layer-by-layer') {
    throw new RangeError("execution 'layer-by-layer' applies to precision 'float32' only");
  }
}

// The options both models take, checked, and the bound core `kind` ('Classifier' or 'Detector')
// created from the weights; the loader's message becomes an Error. options.relaxed: true runs
// the relaxed-SIMD twins (Module.installRelaxedKernels must have resolved to true): always for
// float32, for int8 where its integer dot product is exact here; the core's `kernels` says
// which ran ('relaxed-simd' or 'simd').
function createCore(kind, weights, options) {
  checkOptionsObject(options, kind);
  const bytes = weightBytes(weights);
  const execution = checkExecution(options);
  const threads = checkThreads(options);
  const precision = checkPrecision(options);
  checkSchedule(precision, execution);
  const relaxed = options['relaxed'] ?? false;
  if (typeof relaxed !== 'boolean') throw new TypeError(`relaxed must be a boolean, got ${describe(relaxed)}`);
  const core = Module[kind + 'Core']['create'](bytes, execution === 'layer-by-layer', threads,
                                               precision === 'int8', relaxed);
  if (!core) throw new Error(Module['lastCreateError']());
  return core;
}

// (No optional chaining or catch without a binding in this file: Emscripten 3.1.6's terser
// cannot parse them.)
// Embind frees a bound C++ object only through delete(); a model dropped without dispose()
// would hold its WASM memory (weights, activations: tens of MB) until the page closes. When a
// wrapper is garbage collected this deletes its core. GC timing is up to the engine, so
// dispose() stays the way to free memory promptly. finalizedCores counts these (for tests).
Module['finalizedCores'] = 0;
const coreRegistry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((core) => {
    if (!core['isDeleted']()) {
      core['delete']();
      Module['finalizedCores'] += 1;
    }
  })
  : null;

/** Deletes `core` when `owner` is collected, unless untrack(owner) ran first. */
function track(owner, core) {
  if (coreRegistry) coreRegistry.register(owner, core, owner);
}

function untrack(owner) {
  if (coreRegistry) coreRegistry.unregister(owner);
}

/**
 * Owns a bound core: _live() returns it or throws once disposed; memoryStats() and summary()
 * forward to it; dispose() (or delete()) frees it. `kind` names the wrapper in messages. The
 * properties both models have are read once here.
 */
class CoreOwner {
  constructor(kind, core) {
    this._kind = kind;
    this._core = core;
    track(this, core);  // deleted when the wrapper is collected without dispose()
    this.threads = core['threads'];
    this.precision = core['precision'];
    this.kernels = core['kernels'];
    this.inputSize = core['inputSize'];
    this.numClasses = core['numClasses'];
    this.labels = core['labels']();
  }

  _live() {
    if (!this._core) throw new Error(`this ${this._kind} was disposed`);
    return this._core;
  }

  /** {weightsBytes, activationPeakBytes, scratchBytes, wasmMemoryBytes} */
  memoryStats() {
    return this._live()['memoryStats']();
  }

  /** Per-layer rows {name, type, input, output, expansion, stride, params, macs, activationBytes}. */
  summary() {
    return this._live()['summary']();
  }

  dispose() {
    if (this._core) {
      untrack(this);
      this._core['delete']();
      this._core = null;
    }
  }

  delete() {
    this.dispose();
  }
}
