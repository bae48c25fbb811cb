// MobileNetV2 as an ONNX graph (opset 13) built here from the weights of our .mnv2 file, run
// by onnxruntime-web's WebAssembly backend with one thread and SIMD.
//
// Convolutions are NCHW with OIHW weights. TF's SAME padding puts the odd pixel after (for
// stride 2 on an even size nothing goes before), so every Conv gets explicit pads computed
// the TF way rather than an auto_pad mode. Clip(0, 6) follows each ReLU6 conv (ORT fuses it).
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describeBlocks, ohwiToOihw } from './mnv2-weights.mjs';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto');

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const ATTR = onnx.AttributeProto.AttributeType;

// TF SAME padding of one spatial dimension: [before, after].
function samePads(size, stride, kernel) {
  const out = Math.ceil(size / stride);
  const total = Math.max(0, (out - 1) * stride + kernel - size);
  return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
}

function initializer(name, dims, values) {
  return onnx.TensorProto.create({
    name, dims, dataType: FLOAT,
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  });
}

const ints = (name, values) => onnx.AttributeProto.create({ name, type: ATTR.INTS, ints: values });
const int = (name, value) => onnx.AttributeProto.create({ name, type: ATTR.INT, i: value });

function valueInfo(name, dims) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: FLOAT,
        shape: onnx.TensorShapeProto.create({ dim: dims.map((d) => onnx.TensorShapeProto.Dimension.create({ dimValue: d })) }),
      }),
    }),
  });
}

/** The serialized ONNX model of the network in `weights`. */
export function buildOnnxModel(weights) {
  const nodes = [];
  const initializers = [];
  let counter = 0;
  const fresh = (prefix) => `${prefix}_${counter++}`;
  const tensor = (name) => weights.tensors.get(name);
  initializers.push(initializer('relu6_min', [], new Float32Array([0])));
  initializers.push(initializer('relu6_max', [], new Float32Array([6])));

  // Conv from an OHWI (or depthwise 1HWC) tensor; returns the output name and size.
  function conv(x, size, layer, { stride = 1, depthwise = false, relu6 = true }) {
    const w = tensor(`${layer}.w`);
    let dims;
    let values;
    if (depthwise) {
      const channels = w.dims[3];
      dims = [channels, 1, 3, 3];
      values = ohwiToOihw(w.values, [1, 3, 3, channels]);  // [1][3][3][C] -> [1][C][3][3]
    } else {
      dims = [w.dims[0], w.dims[3], w.dims[1], w.dims[2]];
      values = ohwiToOihw(w.values, w.dims);
    }
    const kernel = dims[2];
    const pads = samePads(size, stride, kernel);
    initializers.push(initializer(`${layer}.w`, dims, values));
    initializers.push(initializer(`${layer}.b`, [dims[0]], tensor(`${layer}.b`).values));
    const y = fresh(layer);
    nodes.push(onnx.NodeProto.create({
      opType: 'Conv', input: [x, `${layer}.w`, `${layer}.b`], output: [y],
      attribute: [
        ints('kernel_shape', [kernel, kernel]), ints('strides', [stride, stride]),
        ints('pads', [pads.before, pads.before, pads.after, pads.after]),
        int('group', depthwise ? dims[0] : 1),
      ],
    }));
    if (!relu6) return { y, size: pads.out };
    const clipped = fresh(`${layer}_relu6`);
    nodes.push(onnx.NodeProto.create({ opType: 'Clip', input: [y, 'relu6_min', 'relu6_max'], output: [clipped] }));
    return { y: clipped, size: pads.out };
  }

  const inputSize = weights.inputSize;
  let { y: x, size } = conv('input', inputSize, 'stem', { stride: 2 });
  for (const block of describeBlocks(weights)) {
    const name = `block${block.index}`;
    let y = x;
    if (block.hasExpand) y = conv(y, size, `${name}.expand`, {}).y;
    const dw = conv(y, size, `${name}.dw`, { stride: block.stride, depthwise: true });
    const project = conv(dw.y, dw.size, `${name}.project`, { relu6: false });
    if (block.residual) {
      const sum = fresh(`${name}_add`);
      nodes.push(onnx.NodeProto.create({ opType: 'Add', input: [x, project.y], output: [sum] }));
      x = sum;
    } else {
      x = project.y;
    }
    size = project.size;
  }
  x = conv(x, size, 'head', {}).y;
  nodes.push(onnx.NodeProto.create({ opType: 'GlobalAveragePool', input: [x], output: ['pooled'] }));
  nodes.push(onnx.NodeProto.create({ opType: 'Flatten', input: ['pooled'], output: ['features'], attribute: [int('axis', 1)] }));
  const logitsW = tensor('logits.w');
  const classes = logitsW.dims[0];
  initializers.push(initializer('logits.w', [classes, logitsW.dims[3]], logitsW.values));
  initializers.push(initializer('logits.b', [classes], tensor('logits.b').values));
  nodes.push(onnx.NodeProto.create({
    opType: 'Gemm', input: ['features', 'logits.w', 'logits.b'], output: ['logits'], attribute: [int('transB', 1)],
  }));
  nodes.push(onnx.NodeProto.create({ opType: 'Softmax', input: ['logits'], output: ['probabilities'], attribute: [int('axis', 1)] }));

  const graph = onnx.GraphProto.create({
    name: 'mobilenet_v2', node: nodes, initializer: initializers,
    input: [valueInfo('input', [1, 3, inputSize, inputSize])],
    output: [valueInfo('probabilities', [1, classes])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8, producerName: 'mobilenetv2-wasm bench', graph,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 13 })],
  });
  return onnx.ModelProto.encode(model).finish();
}

export async function createOrtPeer(weights) {
  const ort = await import('onnxruntime-web');
  // The package exports no package.json; its CommonJS entry lives in dist/ beside the .wasm.
  const distDir = dirname(require.resolve('onnxruntime-web'));
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = `${distDir}/`;
  const bytes = buildOnnxModel(weights);
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
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
