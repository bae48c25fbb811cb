// Instantiating the WebAssembly module: the single-threaded SIMD build everywhere, and a
// pthreads build where threads can run (Node; browser pages that are cross-origin isolated).
// One instance of each per page or process.
import createMobileNetV2Module from '../dist/mobilenetv2.mjs';

const isNode = typeof process === 'object' && !!process.versions?.node;
const WASM_URL = new URL('../dist/mobilenetv2.wasm', import.meta.url);
const THREADS_WASM_URL = new URL('../dist/mobilenetv2-threads.wasm', import.meta.url);
const NODE_THREADS_URL = new URL('../dist/node-threads/mobilenetv2.js', import.meta.url);
const NODE_THREADS_WASM_URL = new URL('../dist/node-threads/mobilenetv2.wasm', import.meta.url);

// The smallest module using a SIMD128 instruction (i32x4.splat of a constant, then drop):
// WebAssembly.validate() on it tells whether SIMD is supported, before loading anything.
const simdProbe = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x41, 0x00, 0xfd, 0x11, 0x1a, 0x0b,
]);

function checkSimd() {
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(simdProbe)) {
    throw new Error('this JavaScript engine lacks WebAssembly SIMD128, which mobilenetv2-wasm needs (Chrome 91+, Firefox 89+, Safari 16.4+, Node 16.4+)');
  }
}

async function readFileUrl(url) {
  const { readFile } = await import(/* @vite-ignore */ 'node:fs/promises');
  return new Uint8Array(await readFile(url));
}

/** Hardware threads of this machine (1 when unknown). */
export async function hardwareThreads() {
  if (isNode) {
    const os = await import(/* @vite-ignore */ 'node:os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return globalThis.navigator?.hardwareConcurrency ?? 1;
}

/** Whether this context can run the pthreads build; if not, why not (for the warning). */
export function threadSupport() {
  if (isNode) return { ok: true };
  if (typeof SharedArrayBuffer !== 'function' || !globalThis.crossOriginIsolated) {
    return { ok: false, why: 'the page is not cross-origin isolated: serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp' };
  }
  return { ok: true };
}

function memoize(factory) {
  let promise = null;
  return () => {
    if (!promise) {
      promise = factory();
      promise.catch(() => { promise = null; });
    }
    return promise;
  };
}

/** The single-threaded module. */
export const singleThreadModule = memoize(async () => {
  checkSimd();
  const options = {};
  if (isNode) options.wasmBinary = await readFileUrl(WASM_URL);
  else options.locateFile = () => WASM_URL.href;
  return createMobileNetV2Module(options);
});

/**
 * The pthreads module, with a worker pool for one inference split over every hardware
 * thread. Its size is fixed when it starts: threads started later would need the event loop
 * that a waiting caller blocks.
 */
export const multiThreadModule = memoize(async () => {
  checkSimd();
  const threadWorkers = Math.max(1, Math.min(15, (await hardwareThreads()) - 1));
  if (isNode) {
    const { createRequire } = await import(/* @vite-ignore */ 'node:module');
    const { fileURLToPath } = await import(/* @vite-ignore */ 'node:url');
    const factory = createRequire(import.meta.url)(fileURLToPath(NODE_THREADS_URL));
    const module = await factory({ wasmBinary: await readFileUrl(NODE_THREADS_WASM_URL), threadWorkers });
    // Idle pool workers must not keep the Node process alive after the caller is done.
    for (const worker of module.PThread.unusedWorkers) worker.unref();
    return module;
  }
  const { default: factory } = await import(/* @vite-ignore */ '../dist/mobilenetv2-threads.mjs');
  return factory({ threadWorkers, locateFile: (file) => (file.endsWith('.wasm') ? THREADS_WASM_URL.href : new URL(`../dist/${file}`, import.meta.url).href) });
});

/**
 * Runs `create` (which makes a model that starts `count` threads of its own) once `count` idle
 * pthread workers with the module loaded are ready, and returns what it returns. The pool made
 * at start-up covers one model; a second threaded model alive at the same time (float32 and
 * int8, a classifier and a detector) would start its threads on new workers, and a new worker
 * only finishes loading when the main thread returns to the event loop, which an inference
 * waiting for that very thread never does: it hung. The workers are loaded here,
 * asynchronously, and the last check of the pool and create() run with no await between them,
 * so loads running concurrently cannot take each other's workers.
 */
export async function createWithThreadWorkers(module, count, create) {
  const { PThread } = module;
  while (PThread.unusedWorkers.length < count) {
    PThread.allocateUnusedWorker();
    const worker = PThread.unusedWorkers[PThread.unusedWorkers.length - 1];
    await new Promise((resolve) => PThread.loadWasmModuleToWorker(worker, resolve));
    // Idle pool workers must not keep the Node process alive after the caller is done.
    if (isNode) worker.unref();
  }
  return create();
}
