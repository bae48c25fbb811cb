// The TFLite runtime itself, for comparisons: the WebAssembly build of TFLite that the npm
// package @tensorflow/tfjs-tflite ships (wasm/tflite_web_api_cc.*, its plain single-threaded
// build without SIMD), loaded in Node directly. Its own loader fetches the .wasm by URL, which
// Node cannot do for files, so the Emscripten factory gets the bytes (wasmBinary) instead and
// the package's TFLiteWebModelRunner is used through its Embind class.
//
// Its runner applies the XNNPACK delegate, which has no option to turn off and requantizes
// through float; runner({builtinKernels: true}) gives the model to it in the form that keeps
// TFLite's builtin kernels (tflite-without-xnnpack.js). The profile of each run says which
// kernels ran (nodeTypes()).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { withoutXnnpack } from './tflite-without-xnnpack.js';

const require = createRequire(import.meta.url);
const PACKAGE = '@tensorflow/tfjs-tflite';

/** The directory of the package's WebAssembly files; throws if the package is not installed. */
export function tfliteWasmDir() {
  let packageJson;
  try {
    packageJson = require.resolve(`${PACKAGE}/package.json`);
  } catch (error) {
    throw new Error(`${PACKAGE} (a devDependency: the TFLite runtime these tests compare with) ` +
      `is not installed; run npm install (${error.message})`);
  }
  return path.join(path.dirname(packageJson), 'wasm');
}

let modulePromise = null;
// What the runtime printed (its errors explain a failed load or run; the rest is chatter such
// as "Created TensorFlow Lite XNNPACK delegate for CPU."), newest last.
const messages = [];
const remember = (text) => {
  messages.push(String(text));
  if (messages.length > 20) messages.shift();
};
const recent = () => (messages.length > 0 ? ` (TFLite said: ${messages.slice(-5).join(' | ')})` : '');

/** The package's Emscripten module (one per process). */
export function tfliteModule() {
  if (modulePromise === null) {
    const dir = tfliteWasmDir();
    const factory = require(path.join(dir, 'tflite_web_api_cc.js'));
    modulePromise = factory({
      wasmBinary: readFileSync(path.join(dir, 'tflite_web_api_cc.wasm')),
      print: remember,
      printErr: remember,
    });
  }
  return modulePromise;
}

function toArray(vector) {
  const items = [];
  for (let i = 0; i < vector.size(); i++) items.push(vector.get(i));
  vector.delete();
  return items;
}

/**
 * A TFLite interpreter for the model's bytes, on 1 thread. builtinKernels: keep XNNPACK off;
 * extraOutputs: tensor indices to return after the model's own outputs (builtinKernels only).
 * run(input) copies `input` (a typed array of the input tensor's type) into the first input,
 * runs, and returns copies of every output; nodeTypes() counts the kernels of the runs so far.
 */
export async function tfliteRunner(modelBytes, { builtinKernels = true, extraOutputs = [] } = {}) {
  const module = await tfliteModule();
  let bytes = modelBytes;
  let feed = () => {};
  if (builtinKernels) ({ bytes, feed } = withoutXnnpack(modelBytes, { extraOutputs }));
  else if (extraOutputs.length > 0) throw new Error('extraOutputs needs builtinKernels');
  const address = module._malloc(bytes.length);
  module.HEAPU8.set(bytes, address);
  const created = module.TFLiteWebModelRunner.CreateFromBufferAndOptions(address, bytes.length,
    { numThreads: 1, enableProfiling: true, maxProfilingBufferEntries: 4096 });
  if (!created.ok()) {
    module._free(address);
    throw new Error(`TFLite cannot load the model: ${created.errorMessage()}${recent()}`);
  }
  const runner = created.value();
  return {
    inputs: () => toArray(runner.GetInputs()).map(({ dataType, name, shape }) => ({ dataType, name, shape })),
    run(input) {
      const inputs = toArray(runner.GetInputs());
      inputs[0].data().set(input);
      feed(inputs);
      if (!runner.Infer()) throw new Error(`TFLite inference failed${recent()}`);
      // Fetched after the run: outputs sized at run time get their memory then.
      return toArray(runner.GetOutputs()).map((tensor) => tensor.data().slice());
    },
    nodeTypes() {
      const counts = {};
      for (const { nodeType } of toArray(runner.GetProfilingResults())) counts[nodeType] = (counts[nodeType] ?? 0) + 1;
      return counts;
    },
    dispose() {
      runner.delete();
      module._free(address);
    },
  };
}
