// The quantized MobileNetV2 as a QDQ ONNX graph (opset 13) for onnxruntime-web: tfjs has no
// integer path, so this is the int8 peer of our precision 'int8' engine.
//
// Everything comes from our .mnv2 file, which keeps the TFLite model's stored integers and
// quantization parameters (bench/mnv2-weights.mjs): weights stay uint8 per-tensor (the QAT
// model) or int8 per-channel (the TF2 PTQ model) behind DequantizeLinear, biases stay int32
// (scale = input scale x weight scale, zero point 0), and every activation the integer engine
// produces is a QuantizeLinear -> DequantizeLinear pair with the model's own scale and zero
// point ("<layer>.out_q"). Written so, the graph holds the integers and parameters TFLite runs
// with (only the rounding of requantization differs: ORT's float against TFLite's fixed
// point), and ORT's QDQ transformers turn each DQ -> op -> Q group into its integer kernel
// (QLinearConv, QLinearAdd, QLinearGlobalAveragePool, ...). ReLU6 is a Clip(0, 6) before the Q; where the
// Q's own range already lies inside [0, 6] (every ReLU6 output of both models) ORT drops the
// Clip, which is TFLite's fused-activation clamp.
//
// The head: the integer logits are dequantized, softmax runs on them and its output is
// quantized like the model's output tensor (multiples of 1/256 for the QAT model) and
// dequantized again: the scores TFLite returns, and what our int8 engine computes.
import {
  DataType, convLayer, createOrtSession, encodeModel, initializer, int, node, startOrt, valueInfo, walkBackbone,
} from './onnx-graph.mjs';

// The quantization of one stored tensor as DequantizeLinear inputs: a scalar scale and zero
// point per tensor, or 1-D ones along axis 0 per channel (OIHW weights, biases).
function quantInitializers(name, quant, ZeroArray) {
  const perChannel = quant.scales.length > 1;
  const dims = perChannel ? [quant.scales.length] : [];
  return [initializer(`${name}.scale`, dims, quant.scales), initializer(`${name}.zero`, dims, ZeroArray.from(quant.zeroPoints))];
}

/** The serialized QDQ ONNX model of the quantized network in `weights`. */
export function buildQdqOnnxModel(weights) {
  const tensor = (name) => {
    const t = weights.tensors.get(name);
    if (!t) throw new Error(`weights have no tensor ${name}`);
    return t;
  };
  if (!weights.tensors.has('input.out_q')) {
    throw new Error('the weight file records no activation quantization: a QDQ model needs a quantized model file');
  }
  const nodes = [];
  const initializers = [];
  let counter = 0;
  const fresh = (prefix) => `${prefix}_${counter++}`;
  initializers.push(initializer('relu6_min', [], new Float32Array([0])));
  initializers.push(initializer('relu6_max', [], new Float32Array([6])));

  // An activation's quantization, "<layer>.out_q": its initializers once, then {layer, scale}.
  const activations = new Map();
  function activation(layer) {
    if (!activations.has(layer)) {
      const q = tensor(`${layer}.out_q`);
      initializers.push(...quantInitializers(`${layer}.q`, q.quant, q.stored.constructor));
      activations.set(layer, { layer, scale: q.quant.scales[0] });
    }
    return activations.get(layer);
  }
  // Quantizes float `x` with `layer`'s parameters: a quantized value {name, q}.
  function quantize(x, layer) {
    const q = activation(layer);
    const name = fresh(`${layer}_q`);
    nodes.push(node('QuantizeLinear', [x, `${layer}.q.scale`, `${layer}.q.zero`], [name]));
    return { name, q };
  }
  // A DequantizeLinear of its own for every consumer: ORT groups each DQ -> op -> Q as a unit.
  function dequantize(x) {
    const name = fresh(`${x.q.layer}_dq`);
    nodes.push(node('DequantizeLinear', [x.name, `${x.q.layer}.q.scale`, `${x.q.layer}.q.zero`], [name]));
    return name;
  }

  function conv(x, size, layer, { stride = 1, depthwise = false, relu6 = true }) {
    const w = tensor(`${layer}.w`);
    const b = tensor(`${layer}.b`);
    const { dims, values, attributes, outSize } = convLayer(w, size, { stride, depthwise, field: 'stored' });
    // QLinearConv takes the int32 bias as it is, on the scale input x weight: check the file agrees.
    for (let c = 0; c < b.quant.scales.length; ++c) {
      const expected = x.q.scale * w.quant.scales[w.quant.scales.length > 1 ? c : 0];
      if (Math.abs(b.quant.scales[c] - expected) > 1e-6 * expected) {
        throw new Error(`${layer}.b: scale ${b.quant.scales[c]} is not input scale x weight scale (${expected})`);
      }
    }
    initializers.push(initializer(`${layer}.w.int`, dims, values), ...quantInitializers(`${layer}.w`, w.quant, w.stored.constructor));
    initializers.push(initializer(`${layer}.b.int`, [dims[0]], b.stored), ...quantInitializers(`${layer}.b`, b.quant, Int32Array));
    const axis = [int('axis', 0)];
    nodes.push(node('DequantizeLinear', [`${layer}.w.int`, `${layer}.w.scale`, `${layer}.w.zero`], [`${layer}.w`], axis));
    nodes.push(node('DequantizeLinear', [`${layer}.b.int`, `${layer}.b.scale`, `${layer}.b.zero`], [`${layer}.b`], axis));
    let y = fresh(layer);
    nodes.push(node('Conv', [dequantize(x), `${layer}.w`, `${layer}.b`], [y], attributes));
    if (relu6) {
      const clipped = fresh(`${layer}_relu6`);
      nodes.push(node('Clip', [y, 'relu6_min', 'relu6_max'], [clipped]));
      y = clipped;
    }
    return { y: quantize(y, layer), size: outSize };
  }
  function add(name, a, b) {
    const sum = fresh(`${name}_add`);
    nodes.push(node('Add', [dequantize(a), dequantize(b)], [sum]));
    return quantize(sum, `${name}.add`);
  }

  const size = weights.inputSize;
  const head = walkBackbone(weights, quantize('input', 'input'), { conv, add });
  nodes.push(node('GlobalAveragePool', [dequantize(head.y)], ['pooled']));
  // The classifier is a 1x1 conv in the TFLite graph, and stays one here.
  const logits = conv(quantize('pooled', 'pool'), 1, 'logits', { relu6: false }).y;
  nodes.push(node('Flatten', [dequantize(logits)], ['logits'], [int('axis', 1)]));
  nodes.push(node('Softmax', ['logits'], ['softmax'], [int('axis', 1)]));
  const scores = quantize('softmax', 'output');
  nodes.push(node('DequantizeLinear', [scores.name, 'output.q.scale', 'output.q.zero'], ['probabilities']));

  return encodeModel({
    nodes, initializers,
    input: [valueInfo('input', [1, 3, size, size])],
    output: [valueInfo('probabilities', [1, tensor('logits.w').dims[0]], DataType.FLOAT)],
  });
}

// ORT on x86 rewrites int8 QDQ pairs to uint8 unless told int8 is fine, and that rewrite
// leaves a Conv whose quantized output feeds two consumers (a block output read by the next
// expand and by the residual Add) in float: for the PTQ model 15 of 53 convs. With this
// option all 53 run as int8 QLinearConv; the uint8 model is unaffected.
export const ORT_Q8_SESSION_OPTIONS = { extra: { session: { qdqisint8allowed: '1' } } };

/**
 * The QDQ model on onnxruntime-web's wasm backend, one thread. `sessionOptions` go to
 * InferenceSession.create (e.g. enableProfiling, to see which kernels ran).
 */
export async function createOrtQ8Peer(weights, sessionOptions = {}) {
  const ort = await startOrt({ threads: 1 });
  const bytes = buildQdqOnnxModel(weights);
  const session = await createOrtSession(ort, bytes, { ...ORT_Q8_SESSION_OPTIONS, ...sessionOptions });
  const size = weights.inputSize;
  return {
    name: 'onnxruntime-web-int8',
    weightBytes: bytes.length,
    session,
    /** Probabilities (Float32Array) of one NCHW float image, quantized by the graph's input Q. */
    async run(nchw) {
      const input = new ort.Tensor('float32', nchw, [1, 3, size, size]);
      const { probabilities } = await session.run({ input });
      return probabilities.data;
    },
  };
}
