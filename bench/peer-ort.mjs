// MobileNetV2 as a float ONNX graph (opset 13) built here from the weights of our .mnv2 file
// (dequantized), run by onnxruntime-web's WebAssembly backend with one thread and SIMD.
// Clip(0, 6) follows each ReLU6 conv (ORT fuses it). The graph pieces and the session set-up
// are shared with the integer peer (bench/onnx-graph.mjs, bench/peer-ort-q8.mjs).
import {
  convLayer, createOrtSession, encodeModel, initializer, int, node, startOrt, valueInfo, walkBackbone,
} from './onnx-graph.mjs';

/** The serialized ONNX model of the network in `weights`. */
export function buildOnnxModel(weights) {
  const nodes = [];
  const initializers = [];
  let counter = 0;
  const fresh = (prefix) => `${prefix}_${counter++}`;
  const tensor = (name) => weights.tensors.get(name);
  initializers.push(initializer('relu6_min', [], new Float32Array([0])));
  initializers.push(initializer('relu6_max', [], new Float32Array([6])));

  function conv(x, size, layer, { stride = 1, depthwise = false, relu6 = true }) {
    const { dims, values, attributes, outSize } = convLayer(tensor(`${layer}.w`), size, { stride, depthwise });
    initializers.push(initializer(`${layer}.w`, dims, values));
    initializers.push(initializer(`${layer}.b`, [dims[0]], tensor(`${layer}.b`).values));
    const y = fresh(layer);
    nodes.push(node('Conv', [x, `${layer}.w`, `${layer}.b`], [y], attributes));
    if (!relu6) return { y, size: outSize };
    const clipped = fresh(`${layer}_relu6`);
    nodes.push(node('Clip', [y, 'relu6_min', 'relu6_max'], [clipped]));
    return { y: clipped, size: outSize };
  }
  function add(name, a, b) {
    const sum = fresh(`${name}_add`);
    nodes.push(node('Add', [a, b], [sum]));
    return sum;
  }

  const head = walkBackbone(weights, 'input', { conv, add });
  nodes.push(node('GlobalAveragePool', [head.y], ['pooled']));
  nodes.push(node('Flatten', ['pooled'], ['features'], [int('axis', 1)]));
  const logitsW = tensor('logits.w');
  const classes = logitsW.dims[0];
  initializers.push(initializer('logits.w', [classes, logitsW.dims[3]], logitsW.values));
  initializers.push(initializer('logits.b', [classes], tensor('logits.b').values));
  nodes.push(node('Gemm', ['features', 'logits.w', 'logits.b'], ['logits'], [int('transB', 1)]));
  nodes.push(node('Softmax', ['logits'], ['probabilities'], [int('axis', 1)]));

  const size = weights.inputSize;
  return encodeModel({
    nodes, initializers,
    input: [valueInfo('input', [1, 3, size, size])],
    output: [valueInfo('probabilities', [1, classes])],
  });
}

export async function createOrtPeer(weights) {
  const ort = await startOrt({ threads: 1 });
  const bytes = buildOnnxModel(weights);
  const session = await createOrtSession(ort, bytes);
  const size = weights.inputSize;
  return {
    name: 'onnxruntime-web',
    weightBytes: bytes.length,
    modelBytes: bytes.length,
    /** Probabilities (Float32Array) of one NCHW float image. */
    async run(nchw) {
      const input = new ort.Tensor('float32', nchw, [1, 3, size, size]);
      const { probabilities } = await session.run({ input });
      return probabilities.data;
    },
  };
}
