// MobileNetV2 built from tf ops (bench/tfjs-forward.mjs) on @tensorflow/tfjs-backend-wasm
// (XNNPACK inside), in Node, from the weights of our .mnv2 file.
//
// One thread, SIMD: the backend is told there is no multithreading support, so it loads its
// plain SIMD build (tfjs-backend-wasm-simd.wasm), and setThreadsCount(1) on top of that.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createTfjsForward } from './tfjs-forward.mjs';

const require = createRequire(import.meta.url);

export async function createTfjsPeer(weights) {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const distDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  wasm.setWasmPaths(`${join(distDir, 'dist')}/`);
  tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialize');
  await tf.ready();
  const weightsBefore = tf.memory().numBytes;
  const run = createTfjsForward(tf, weights);
  return {
    name: 'tfjs-backend-wasm',
    weightBytes: tf.memory().numBytes - weightsBefore,
    run,
  };
}
