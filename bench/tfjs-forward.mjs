// MobileNetV2 built from tf ops (any tfjs backend), from the weights of our .mnv2 file: fused
// conv2d / depthwiseConv2d with bias + relu6, add for the residuals, mean for the pooling,
// matMul + bias for the classifier, softmax. No Node imports: the browser benchmark's page
// loads it too.
import { describeBlocks, ohwiToHwio } from './mnv2-format.mjs';

/**
 * The network from tf ops on the current backend: returns run(nhwc) -> probabilities
 * (Float32Array) of one NHWC float image. Used by bench/peer-tfjs.mjs, bench/peers-threads.mjs
 * and the browser benchmark's page (tf is then the UMD bundle's global).
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
