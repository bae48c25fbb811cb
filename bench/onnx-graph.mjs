// What the two onnxruntime-web peers share: the onnx-proto building blocks, the walk over
// MobileNetV2's layers (stem, 17 bottleneck blocks, head) that both graphs follow, and
// starting an onnxruntime-web session on one WebAssembly thread.
//
// Convolutions are NCHW with OIHW weights. TF's SAME padding puts the odd pixel after (for
// stride 2 on an even size nothing goes before), so every Conv gets explicit pads computed
// the TF way rather than an auto_pad mode.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describeBlocks, ohwiToOihw } from './mnv2-weights.mjs';

const require = createRequire(import.meta.url);
export const { onnx } = require('onnx-proto');

export const DataType = onnx.TensorProto.DataType;
const ATTR = onnx.AttributeProto.AttributeType;

// The ONNX element type of a typed array.
function dataTypeOf(values) {
  if (values instanceof Float32Array) return DataType.FLOAT;
  if (values instanceof Uint8Array) return DataType.UINT8;
  if (values instanceof Int8Array) return DataType.INT8;
  if (values instanceof Int32Array) return DataType.INT32;
  throw new Error(`no ONNX type for ${values.constructor.name}`);
}

/** An initializer holding `values` (a typed array; its type gives the ONNX type). */
export function initializer(name, dims, values) {
  return onnx.TensorProto.create({
    name, dims, dataType: dataTypeOf(values),
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  });
}

export const ints = (name, values) => onnx.AttributeProto.create({ name, type: ATTR.INTS, ints: values });
export const int = (name, value) => onnx.AttributeProto.create({ name, type: ATTR.INT, i: value });

export const node = (opType, input, output, attribute = []) => onnx.NodeProto.create({ opType, input, output, attribute });

/** A graph input or output: float32 unless `elemType` says otherwise. */
export function valueInfo(name, dims, elemType = DataType.FLOAT) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({ dim: dims.map((d) => onnx.TensorShapeProto.Dimension.create({ dimValue: d })) }),
      }),
    }),
  });
}

/** The serialized model (IR 8, default domain at opset 13) of one graph. */
export function encodeModel({ nodes, initializers, input, output }) {
  const graph = onnx.GraphProto.create({ name: 'mobilenet_v2', node: nodes, initializer: initializers, input, output });
  const model = onnx.ModelProto.create({
    irVersion: 8, producerName: 'mobilenetv2-wasm bench', graph,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 13 })],
  });
  return onnx.ModelProto.encode(model).finish();
}

// TF SAME padding of one spatial dimension: [before, after].
function samePads(size, stride, kernel) {
  const out = Math.ceil(size / stride);
  const total = Math.max(0, (out - 1) * stride + kernel - size);
  return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
}

/**
 * One conv layer of the weight file in ONNX's terms: {dims (OIHW), values (OIHW, of
 * `w.values` or `w.stored` per `field`), attributes, outSize}. Depthwise weights are stored
 * [1][3][3][C]; as OIHW they are [C][1][3][3], so a per-channel axis becomes 0 either way.
 */
export function convLayer(w, size, { stride = 1, depthwise = false, field = 'values' }) {
  const data = w[field];
  const dims = depthwise ? [w.dims[3], 1, w.dims[1], w.dims[2]] : [w.dims[0], w.dims[3], w.dims[1], w.dims[2]];
  const values = depthwise ? ohwiToOihw(data, [1, w.dims[1], w.dims[2], w.dims[3]]) : ohwiToOihw(data, w.dims);
  const kernel = dims[2];
  const pads = samePads(size, stride, kernel);
  return {
    dims, values, outSize: pads.out,
    attributes: [
      ints('kernel_shape', [kernel, kernel]), ints('strides', [stride, stride]),
      ints('pads', [pads.before, pads.before, pads.after, pads.after]),
      int('group', depthwise ? dims[0] : 1),
    ],
  };
}

/**
 * Walks the network of `weights` from `x` (the stem's input) to the head conv's output,
 * calling conv(x, size, layer, {stride, depthwise, relu6}) -> {y, size} for every conv and
 * add(block, input, projected) -> y for every residual; returns {y, size} of the head.
 */
export function walkBackbone(weights, x, { conv, add }) {
  let { y, size } = conv(x, weights.inputSize, 'stem', { stride: 2 });
  for (const block of describeBlocks(weights)) {
    const name = `block${block.index}`;
    let h = y;
    if (block.hasExpand) h = conv(h, size, `${name}.expand`, {}).y;
    const dw = conv(h, size, `${name}.dw`, { stride: block.stride, depthwise: true });
    const project = conv(dw.y, dw.size, `${name}.project`, { relu6: false });
    y = block.residual ? add(name, y, project.y) : project.y;
    size = project.size;
  }
  return conv(y, size, 'head', {});
}

/**
 * onnxruntime-web's WebAssembly backend, started once per process with `threads` threads
 * (SIMD, no proxy worker), its .wasm files read from the package's dist/.
 */
export async function startOrt({ threads = 1 } = {}) {
  const ort = await import('onnxruntime-web');
  // The package exports no package.json; its CommonJS entry lives in dist/ beside the .wasm.
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.simd = true;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = `${dirname(require.resolve('onnxruntime-web'))}/`;
  return ort;
}

/** A session on the wasm backend with every graph optimization, on `intraOp` threads. */
export function createOrtSession(ort, bytes, { intraOp = 1, ...options } = {}) {
  return ort.InferenceSession.create(bytes, {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all', intraOpNumThreads: intraOp, interOpNumThreads: 1,
    ...options,
  });
}
