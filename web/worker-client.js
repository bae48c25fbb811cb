// load({worker: true}): the model lives in a dedicated worker (a Web Worker in browsers, a
// worker thread in Node) so inference never blocks the page. The object returned has the same
// properties and methods as the in-thread model; each call converts its image to RGBA here
// (drawing needs the DOM) and transfers the pixels, so nothing large is copied twice.
//
// One worker per model: dispose() terminates it, which frees all its memory at once. The
// methods are whatever the worker's model has, so a new model kind needs no change here.
import { toRgba } from './pixels.js';
import { createWorkerHead } from './head-client.js';

const isNode = typeof process === 'object' && !!process.versions?.node;

const ERROR_TYPES = { TypeError, RangeError };

function rebuildError({ name, message }) {
  return new (ERROR_TYPES[name] ?? Error)(message);
}

async function spawn() {
  // Node first: the pthreads build of the module sets a global Worker (worker_threads') in
  // Node, which is not a Web Worker.
  if (isNode) {
    const { Worker: ThreadWorker } = await import(/* @vite-ignore */ 'node:worker_threads');
    const worker = new ThreadWorker(new URL('./worker.js', import.meta.url));
    // An idle model must not keep the process alive; a pending call re-references it.
    worker.unref();
    return {
      post: (message, transfer) => worker.postMessage(message, transfer),
      onMessage: (handler) => worker.on('message', handler),
      onFailure: (handler) => {
        worker.on('error', (error) => handler(new Error(`the model's worker failed: ${error.message}`)));
        worker.on('exit', (code) => handler(new Error(`the model's worker exited (code ${code})`)));
      },
      terminate: () => worker.terminate(),
      ref: () => worker.ref(),
      unref: () => worker.unref(),
    };
  }
  // The `new Worker(new URL(...), {type: 'module'})` form is spelled out because bundlers
  // (Vite, webpack, Parcel) recognize exactly it and bundle the worker with its imports.
  if (typeof Worker === 'function') {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    return {
      post: (message, transfer) => worker.postMessage(message, transfer),
      onMessage: (handler) => worker.addEventListener('message', (event) => handler(event.data)),
      onFailure: (handler) => {
        worker.addEventListener('error', (event) => {
          event.preventDefault();
          handler(new Error(`the model's worker failed: ${event.message || 'could not start it'}`));
        });
        worker.addEventListener('messageerror', () => handler(new Error("the model's worker sent a message that could not be read")));
      },
      terminate: () => worker.terminate(),
    };
  }
  throw new Error('worker mode needs Web Workers (browsers) or worker_threads (Node)');
}

/** RGBA pixels the worker may take ownership of: ours as they are, the caller's as a copy. */
function transferablePixels(input) {
  const rgba = toRgba(input);
  if (rgba !== input && rgba.data.byteOffset === 0 && rgba.data.byteLength === rgba.data.buffer.byteLength) {
    return rgba;
  }
  return { data: new Uint8ClampedArray(rgba.data), width: rgba.width, height: rgba.height };
}

class Connection {
  constructor(channel) {
    this._channel = channel;
    this._pending = new Map();
    this._nextId = 1;
    this._failure = null;
    channel.onMessage((message) => this._receive(message));
    channel.onFailure((error) => this._fail(error));
  }

  _receive({ id, type, ...rest }) {
    const call = this._pending.get(id);
    if (!call) return;
    if (type === 'progress') {
      call.onProgress?.({ loaded: rest.loaded, total: rest.total });
      return;
    }
    this._pending.delete(id);
    if (this._pending.size === 0) this._channel.unref?.();
    if (type === 'error') call.reject(rebuildError(rest));
    else call.resolve(rest.value);
    if (this._closeWhenIdle && this._pending.size === 0) this.close();
  }

  _fail(error) {
    this._failure ??= error;
    for (const call of this._pending.values()) call.reject(error);
    this._pending.clear();
  }

  request(message, { transfer = [], onProgress } = {}) {
    if (this._failure) return Promise.reject(this._failure);
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject, onProgress });
      this._channel.ref?.();
      this._channel.post({ ...message, id }, transfer);
    });
  }

  close() {
    this._fail(new Error('this model was disposed'));
    this._channel.terminate();
  }

  /** Closes now, or once the calls in flight have answered (their callers still wait). */
  closeWhenIdle() {
    if (this._pending.size === 0) this.close();
    else this._closeWhenIdle = true;
  }
}

// A model dropped without dispose() would keep its worker (and the model's memory) alive for
// the page's lifetime; once the model object is garbage collected, its worker is terminated.
const workerRegistry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((connection) => connection.closeWhenIdle())
  : null;

class WorkerModel {
  constructor(connection, { properties, methods }) {
    this._connection = connection;
    workerRegistry?.register(this, connection, this);
    Object.assign(this, properties);
    for (const { name, takesImage } of methods) {
      this[name] = takesImage ? (input, options = {}) => this._callWithImage(name, input, options) : () => this._call(name);
    }
    // A head is an object in the worker, not a value: it gets a proxy (head-client.js).
    if (this.createHead) this.createHead = () => createWorkerHead(this._connection, transferablePixels);
  }

  async _callWithImage(method, input, options) {
    if (!this._connection) throw new Error('this model was disposed');
    const pixels = transferablePixels(input);
    return this._connection.request({ type: 'call', method, pixels, options }, { transfer: [pixels.data.buffer] });
  }

  async _call(method) {
    if (!this._connection) throw new Error('this model was disposed');
    return this._connection.request({ type: 'call', method });
  }

  /** Terminates the worker, which frees the model's memory; further calls throw. */
  dispose() {
    workerRegistry?.unregister(this);
    this._connection?.close();
    this._connection = null;
  }
}

/** Weights in a form a worker can use: URLs absolute (the worker's base URL differs), bytes as is. */
function portableWeights(weights) {
  if (weights instanceof URL) return weights.href;
  if (typeof weights === 'string' && !isNode) {
    return new URL(weights, globalThis.document?.baseURI ?? globalThis.location?.href).href;
  }
  return weights;
}

/** Loads a model of the given kind ('classifier', ...) in a new worker. */
export async function loadInWorker(kind, { onProgress, ...options } = {}) {
  const connection = new Connection(await spawn());
  if ('weights' in options) options.weights = portableWeights(options.weights);
  try {
    const info = await connection.request({ type: 'load', kind, options, progress: !!onProgress }, { onProgress });
    return new WorkerModel(connection, info);
  } catch (error) {
    connection.close();
    throw error;
  }
}
