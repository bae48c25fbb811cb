// This engine as a peer of the others: the SIMD128 build through the public load() API, fed
// the shared images' RGBA pixels at the model's own size (so its resize is the identity and it
// sees exactly the pixels the peers see). Loadable in Node and in the browser benchmark's page.
import { load } from '../web/index.js';

// precision 'int8' runs the quantized model with integer arithmetic (load's precision option).
// threads > 1 asks for the pthreads build; what ran is in model.backend and model.threads.
export async function createOursPeer(weights, { precision = 'float32', threads = 1 } = {}) {
  const model = await load({ weights, threads, precision });
  if (threads === 1 && model.threads !== undefined && model.threads !== 1) throw new Error('ours: expected 1 thread');
  const size = model.inputSize;
  const memory = model.memoryStats();
  return {
    name: precision === 'int8' ? 'mobilenetv2-wasm-int8' : 'mobilenetv2-wasm',
    model,
    weightBytes: memory.weightsBytes,
    activationBytes: memory.activationPeakBytes + memory.scratchBytes,
    /** Probabilities (Float32Array, by class index) of one size x size RGBA image. */
    async run(rgba) {
      const top = await model.classify({ data: rgba, width: size, height: size }, { topK: model.numClasses });
      const probabilities = new Float32Array(model.numClasses);
      for (const { index, score } of top) probabilities[index] = score;
      return probabilities;
    },
    /** One timed inference as a user would call it: top-1 only. */
    async classify(rgba) {
      return model.classify({ data: rgba, width: size, height: size }, { topK: 1 });
    },
    memoryStats: () => model.memoryStats(),
    dispose: () => model.dispose(),
  };
}
