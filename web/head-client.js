// model.createHead() in worker mode: a proxy with the Head's methods (head.js) whose head lives
// in the model's worker (head-worker.js), so embedding and training never block this thread.
// Images are converted to RGBA here and their pixels transferred, as for the model's methods.
// The worker answers train() and loading with the head's JSON, kept here so that toJSON(),
// labels and method are synchronous, as on the in-thread head.
import { deepFreeze } from './head-format.js';

let nextHeadId = 1;

// A head dropped without dispose() would stay in the worker until the model is disposed; once
// the proxy is garbage collected, the worker is told to free it.
const headRegistry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(({ connection, id }) => {
    connection.request({ type: 'head', head: id, op: 'dispose' }).catch(() => {});
  })
  : null;

function isFloat32Array(value) {
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Float32Array]';
}

/** An input as the worker can take it: an embedding copied, an image as transferable pixels. */
function portableInput(input, transferablePixels) {
  if (isFloat32Array(input)) {
    const copy = new Float32Array(input);
    return { input: copy, transfer: [copy.buffer] };
  }
  const pixels = transferablePixels(input);
  return { input: pixels, transfer: [pixels.data.buffer] };
}

class WorkerHead {
  constructor(connection, transferablePixels) {
    this._connection = connection;
    this._transferablePixels = transferablePixels;
    this._id = nextHeadId++;
    this._json = null;
    // Requests run in order in the worker, so the head exists before any later call reaches it.
    this._request('create').catch(() => {});
    headRegistry?.register(this, { connection, id: this._id }, this);
  }

  _request(op, fields = {}, transfer = []) {
    if (!this._connection) return Promise.reject(new Error('this head was disposed'));
    return this._connection.request({ type: 'head', head: this._id, op, ...fields }, { transfer });
  }

  async addExample(input, label, options) {
    const { input: portable, transfer } = portableInput(input, this._transferablePixels);
    return this._request('addExample', { input: portable, label, options }, transfer);
  }

  async removeExamples(label) {
    return this._request('removeExamples', { label });
  }

  async exampleCounts() {
    return this._request('exampleCounts');
  }

  async train(options) {
    const { report, json } = await this._request('train', { options });
    this._json = deepFreeze(json);
    return report;
  }

  async classify(input, options) {
    const { input: portable, transfer } = portableInput(input, this._transferablePixels);
    return this._request('classify', { input: portable, options }, transfer);
  }

  toJSON() {
    if (!this._connection) throw new Error('this head was disposed');
    if (!this._json) throw new Error('toJSON: the head is not trained yet: call train() first');
    return this._json;
  }

  async _load(json) {
    let text = json;
    if (typeof json !== 'string') {
      // Structured cloning would refuse some objects JSON accepts (and accept others it
      // refuses); as text the worker checks exactly what the in-thread head would.
      try {
        text = JSON.stringify(json);
      } catch (error) {
        throw new TypeError(`head JSON: cannot be serialized (${error.message})`);
      }
    }
    const { json: loaded } = await this._request('load', { json: text });
    this._json = deepFreeze(loaded);
  }

  get labels() {
    return this._json ? [...this._json.labels] : [];
  }

  get method() {
    return this._json?.method ?? null;
  }

  dispose() {
    if (!this._connection) return;
    headRegistry?.unregister(this);
    this._request('dispose').catch(() => {});
    this._connection = null;
  }
}

/**
 * createHead() of a worker model: `connection` is its worker's (null once disposed),
 * transferablePixels(input) worker-client.js's conversion of images.
 */
export function createWorkerHead(connection, transferablePixels) {
  if (!connection) throw new Error('this model was disposed');
  return new WorkerHead(connection, transferablePixels);
}
