// MobileNetV2 built from tf ops on @tensorflow/tfjs-backend-wasm (XNNPACK inside), from the
// weights of our .mnv2 file: fused conv2d / depthwiseConv2d with bias + relu6, add for the
// residuals, mean for the pooling, matMul + bias for the classifier, softmax.
//
// One thread, SIMD: the backend is told there is no multithreading support, so it loads its
// plain SIMD build (tfjs-backend-wasm-simd.wasm), and setThreadsCount(1) on top of that.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describeBlocks, ohwiToHwio } from './mnv2-weights.mjs';

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

/**
 * The network from tf ops on the current backend: returns run(nhwc) -> probabilities
 * (Float32Array) of one NHWC float image. Also used by bench/peers-threads.mjs.
 */
export function createTfjsForward(tf, weights) {
  const tensor = (name) => weights.tensors.get(name);
  const conv = (name) => {
    const w = tensor(`${name}.w`);
    return {
      filter: tf.tensor4d(ohwiToHwio(w.values, w.dims), [w.dims[1], w.dims[2], w.dims[3], w.dims[0]]),
      bias: tf.tensor1d(tensor(`${name}.b`).values),
    };
  };
  const depthwise = (name) => {
    const w = tensor(`${name}.w`);
    // [1][3][3][C] is already [3][3][C][1], tf's depthwise filter layout.
    return {
      filter: tf.tensor4d(w.values, [3, 3, w.dims[3], 1]),
      bias: tf.tensor1d(tensor(`${name}.b`).values),
    };
  };

  const blocks = describeBlocks(weights).map((block) => ({
    ...block,
    expand: block.hasExpand ? conv(`block${block.index}.expand`) : null,
    dw: depthwise(`block${block.index}.dw`),
    project: conv(`block${block.index}.project`),
  }));
  const stem = conv('stem');
  const head = conv('head');
  const logitsW = tensor('logits.w');
  const [classes, , , features] = logitsW.dims;
  // [classes][1][1][features] transposed to [features][classes] for matMul.
  const logitsT = new Float32Array(logitsW.values.length);
  for (let o = 0; o < classes; ++o) {
    for (let i = 0; i < features; ++i) logitsT[i * classes + o] = logitsW.values[o * features + i];
  }
  const logits = { w: tf.tensor2d(logitsT, [features, classes]), b: tf.tensor1d(tensor('logits.b').values) };

  const relu6Conv = (x, { filter, bias }, strides) =>
    tf.fused.conv2d({ x, filter, bias, strides, pad: 'same', activation: 'relu6' });
  const linearConv = (x, { filter, bias }) =>
    tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'same', activation: 'linear' });

  function forward(input) {
    let x = relu6Conv(input, stem, 2);
    for (const block of blocks) {
      let y = block.expand ? relu6Conv(x, block.expand, 1) : x;
      y = tf.fused.depthwiseConv2d({ x: y, filter: block.dw.filter, bias: block.dw.bias, strides: block.stride, pad: 'same', activation: 'relu6' });
      y = linearConv(y, block.project);
      x = block.residual ? tf.add(x, y) : y;
    }
    x = relu6Conv(x, head, 1);
    const pooled = tf.mean(x, [1, 2]);
    return tf.softmax(tf.fused.matMul({ a: pooled, b: logits.w, bias: logits.b }));
  }

  const size = weights.inputSize;
  return (nhwc) => {
    const probabilities = tf.tidy(() => forward(tf.tensor4d(nhwc, [1, size, size, 3])));
    const values = probabilities.dataSync();
    probabilities.dispose();
    return values;
  };
}
