// The worker side of load({worker: true}) (see worker-client.js): holds one model and runs
// the calls it is sent, in order. Runs as a module Web Worker or as a Node worker thread.
//
// Messages in:  {id, type: 'load', kind, options, progress}, {id, type: 'call', method, pixels, options},
//               {id, type: 'head', head, op, ...} (custom-class heads, head-worker.js)
// Messages out: {id, type: 'progress', loaded, total}, {id, type: 'result', value},
//               {id, type: 'error', name, message}
import * as api from './index.js';
import { handleHeadMessage } from './head-worker.js';

// Which exported loader builds each kind of model; a missing loader makes 'load' fail cleanly.
const LOADERS = { classifier: 'load', detector: 'loadDetector' };

let model = null;

/**
 * The model's public surface: plain data properties, and its methods (not dispose) with
 * whether they take an image: by convention the image is the first parameter, so a method
 * declaring parameters takes one (classify(input, options)) and one declaring none does not
 * (memoryStats()).
 */
function describe(instance) {
  const properties = {};
  for (const [key, value] of Object.entries(instance)) {
    if (!key.startsWith('_') && typeof value !== 'function') properties[key] = value;
  }
  const methods = [];
  for (let proto = Object.getPrototypeOf(instance); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== 'constructor' && name !== 'dispose' && !name.startsWith('_') &&
          typeof proto[name] === 'function' && !methods.some((method) => method.name === name)) {
        methods.push({ name, takesImage: proto[name].length > 0 });
      }
    }
  }
  return { properties, methods };
}

async function handle(message, post) {
  if (message.type === 'load') {
    const loader = api[LOADERS[message.kind]];
    if (typeof loader !== 'function') throw new Error(`this build has no ${message.kind} model`);
    const onProgress = message.progress ? ({ loaded, total }) => post({ id: message.id, type: 'progress', loaded, total }) : undefined;
    model?.dispose();
    model = await loader({ ...message.options, onProgress });
    return describe(model);
  }
  if (message.type === 'call') {
    if (!model) throw new Error('no model is loaded in this worker');
    const method = describe(model).methods.find(({ name }) => name === message.method);
    if (!method) throw new Error(`unknown method ${message.method}`);
    return method.takesImage ? model[method.name](message.pixels, message.options) : model[method.name]();
  }
  if (message.type === 'head') {
    if (!model) throw new Error('no model is loaded in this worker');
    return handleHeadMessage(model, message);
  }
  throw new Error(`unknown message type ${message.type}`);
}

/** Handles messages one at a time, so calls run in the order they were made. */
function serve(post) {
  let queue = Promise.resolve();
  return (message) => {
    queue = queue.then(async () => {
      try {
        const value = await handle(message, post);
        // Feature vectors (copies the model made, never views of WASM memory) go back without
        // a second copy.
        const owned = ArrayBuffer.isView(value) && value.byteOffset === 0 && value.byteLength === value.buffer.byteLength;
        const transfer = owned ? [value.buffer] : [];
        post({ id: message.id, type: 'result', value }, transfer);
      } catch (error) {
        post({ id: message.id, type: 'error', name: error?.name ?? 'Error', message: error?.message ?? String(error) });
      }
    });
  };
}

if (typeof process === 'object' && process.versions?.node) {
  // Node: parentPort buffers messages until a listener is attached, so an async import is fine.
  import(/* @vite-ignore */ 'node:worker_threads').then(({ parentPort }) => {
    parentPort.on('message', serve((message, transfer) => parentPort.postMessage(message, transfer)));
  });
} else {
  // Browsers: the listener must be attached synchronously, or early messages are lost.
  const handler = serve((message, transfer) => self.postMessage(message, transfer));
  self.addEventListener('message', (event) => handler(event.data));
}
