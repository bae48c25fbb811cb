// LiteRT.js (@litertjs/core) engines for the browser benchmark, in the frame litert.html: the
// plain build (?threads=1) or the threaded one (?threads=2). The CPU path is XNNPACK compiled
// to WebAssembly ('wasm' accelerator). Each engine is timed as a user calls it: its input
// array (prepared once, in the model's own input type) into a new Tensor, run, the outputs
// read back into JavaScript arrays, every tensor deleted.
import { getGlobalLiteRt, loadAndCompile, loadLiteRt, supportsFeature, Tensor } from '/litert/dist/index.js';

const threads = Number(new URLSearchParams(location.search).get('threads') ?? 1);

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

// Starts this frame's runtime: {wasmFile, relaxedSimd, threadCount}. loadLiteRt picks the
// file itself (relaxed SIMD or not, threaded or not); the script it added says which.
async function start() {
  const relaxedSimd = await supportsFeature('relaxedSimd');
  await loadLiteRt('/litert/wasm/', threads > 1 ? { threads: true } : {});
  const script = [...document.querySelectorAll('script[src]')].find((s) => /litert_wasm_\w+\.js$/.test(s.src));
  return {
    wasmFile: script ? script.src.split('/').pop() : 'unknown',
    relaxedSimd,
    threadCount: getGlobalLiteRt().liteRtWasm.getThreadCount(),
  };
}

// LiteRT.js tells input types apart with instanceof, which only knows this frame's typed
// array classes: arrays made by the page are copied into them (once, outside any timing).
const adopt = (array) => new globalThis[array.constructor.name](array);

// A compiled model: {inputs, outputs, adopt(array), infer(arrays of this frame) -> [typed arrays]}.
async function compile(url) {
  const model = await loadAndCompile(await fetchBytes(url), { accelerator: 'wasm', cpuOptions: { numThreads: threads } });
  const describe = (details) => details.map(({ dtype, shape }) => ({ dtype, shape: [...shape] }));
  const inputs = describe(model.getInputDetails());
  const outputs = describe(model.getOutputDetails());
  return {
    inputs,
    outputs,
    adopt,
    async infer(arrays) {
      const tensors = arrays.map((array, i) => new Tensor(array, inputs[i].shape));
      try {
        const results = await model.run(tensors);
        try {
          return results.map((tensor) => tensor.toTypedArray().slice());
        } finally {
          for (const tensor of results) tensor.delete();
        }
      } finally {
        for (const tensor of tensors) tensor.delete();
      }
    },
  };
}

/** Bytes of the runtime's WebAssembly memory (one memory for every model of this frame). */
function wasmMemoryBytes() {
  return getGlobalLiteRt().liteRtWasm.HEAPU8.buffer.byteLength;
}

window.liteRt = { threads, start, compile, wasmMemoryBytes };
