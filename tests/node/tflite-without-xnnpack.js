// A .tflite model changed so that the TFLite runtime runs it with its builtin kernels instead
// of the XNNPACK delegate, which tfjs-tflite's runner applies by default with no option to turn
// it off. XNNPACK computes the same quantized operators with its own requantization (through
// float), so it is not TFLite's integer arithmetic; the builtin kernels are.
//
// How: the shape operand of one RESHAPE becomes a graph input instead of a constant. TFLite
// then cannot size that RESHAPE's output before it runs (a "dynamic" tensor), and a delegate
// that only supports static shapes (XNNPACK, as built there) is not applied to such a graph:
// the interpreter keeps its original execution plan. The caller feeds the shape's original
// values into the new input before every run, so the model computes exactly what it did.
// Optionally, inner tensors become extra graph outputs, so that they can be read after a run.
//
// The flatbuffer is edited in place where a field only changes value (the tensor's buffer
// index), and by appending where something grows (the subgraph's input and output lists, whose
// offsets are pointed at the new lists; flatbuffer offsets point forward, so an appended vector
// is reachable from any earlier field).

const BUILTIN_RESHAPE = 22;

// Schema facts (tensorflow/lite/schema/schema.fbs), as field ids: Model.operator_codes = 1,
// subgraphs = 2, buffers = 4; OperatorCode.deprecated_builtin_code = 0 (int8), builtin_code = 3
// (int32), custom_code = 1; SubGraph.tensors = 0, inputs = 1, outputs = 2, operators = 3;
// Operator.opcode_index = 0, inputs = 1, outputs = 2; Tensor.buffer = 2, name = 3,
// quantization = 4; QuantizationParameters.scale = 2 ([float]), zero_point = 3 ([long]);
// Buffer.data = 0.
function parse(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at) => view.getUint32(at, true);
  const table = (at) => at + u32(at);  // follow an offset field to what it points at
  const field = (at, id) => {           // position of field `id` of the table at `at`, or 0
    const vtable = at - view.getInt32(at, true);
    if (4 + 2 * id >= view.getUint16(vtable, true)) return 0;
    const offset = view.getUint16(vtable + 4 + 2 * id, true);
    return offset === 0 ? 0 : at + offset;
  };
  const vector = (at) => ({ start: table(at) + 4, length: u32(table(at)) });
  const ints = (at) => {
    if (!at) return [];
    const { start, length } = vector(at);
    return Array.from({ length }, (_, k) => view.getInt32(start + 4 * k, true));
  };
  const string = (at) => {
    if (!at) return '';
    const { start, length } = vector(at);
    return new TextDecoder().decode(bytes.subarray(start, start + length));
  };
  const model = table(0);
  const codes = vector(field(model, 1));
  const opcodes = Array.from({ length: codes.length }, (_, k) => {
    const code = table(codes.start + 4 * k);
    const deprecated = field(code, 0) ? view.getInt8(field(code, 0)) : 0;
    const current = field(code, 3) ? view.getInt32(field(code, 3), true) : 0;
    return { builtin: Math.max(deprecated, current), custom: string(field(code, 1)) };
  });
  const buffers = vector(field(model, 4));
  const subgraph = table(vector(field(model, 2)).start);
  const tensorList = vector(field(subgraph, 0));
  const tensors = Array.from({ length: tensorList.length }, (_, k) => {
    const tensor = table(tensorList.start + 4 * k);
    const bufferField = field(tensor, 2);
    const buffer = bufferField ? u32(bufferField) : 0;
    let data = null;
    if (buffer !== 0) {
      const dataField = field(table(buffers.start + 4 * buffer), 0);
      if (dataField) data = { start: vector(dataField).start, length: vector(dataField).length };
    }
    const quantization = field(tensor, 4) ? table(field(tensor, 4)) : 0;
    const floats = (at) => (at ? Array.from({ length: vector(at).length }, (_, i) => view.getFloat32(vector(at).start + 4 * i, true)) : []);
    const longs = (at) => (at ? Array.from({ length: vector(at).length }, (_, i) => Number(view.getBigInt64(vector(at).start + 8 * i, true))) : []);
    return { index: k, name: string(field(tensor, 3)), bufferField, data,
      scale: quantization ? floats(field(quantization, 2)) : [],
      zeroPoint: quantization ? longs(field(quantization, 3)) : [] };
  });
  const operatorList = vector(field(subgraph, 3));
  const operators = Array.from({ length: operatorList.length }, (_, k) => {
    const operator = table(operatorList.start + 4 * k);
    const opcode = opcodes[field(operator, 0) ? u32(field(operator, 0)) : 0];
    return { ...opcode, inputs: ints(field(operator, 1)), outputs: ints(field(operator, 2)) };
  });
  return { view, subgraph, field, ints, tensors, operators,
    inputsField: field(subgraph, 1), outputsField: field(subgraph, 2) };
}

/**
 * The model's operators ({builtin, custom, inputs, outputs}, in graph order) and tensors
 * ({index, name, scale: [], zeroPoint: [], data: constant bytes or null}, quantization per tensor
 * or per channel).
 */
export function describeModel(modelBytes) {
  const { tensors, operators } = parse(modelBytes);
  return { operators, tensors: tensors.map(({ index, name, scale, zeroPoint, data }) => ({ index, name, scale, zeroPoint,
    data: data === null ? null : modelBytes.subarray(data.start, data.start + data.length) })) };
}

/**
 * The model's bytes changed as described above, with the tensors `extraOutputs` (indices) made
 * graph outputs after the model's own, and `feed(inputs)`, which writes the moved shape into
 * the runner's inputs (TFLiteWebModelRunner tensor infos, in the model's input order) and must
 * be called before each inference. Throws if the model has no RESHAPE with a constant shape.
 */
export function withoutXnnpack(modelBytes, { extraOutputs = [] } = {}) {
  const model = parse(modelBytes);
  const reshape = model.operators.find((op) => op.builtin === BUILTIN_RESHAPE && op.inputs.length === 2 &&
    model.tensors[op.inputs[1]].data !== null && model.tensors[op.inputs[1]].bufferField !== 0);
  if (!reshape) throw new Error('the model has no RESHAPE with a constant shape operand');
  const shapeTensor = model.tensors[reshape.inputs[1]];
  const shape = Int32Array.from({ length: shapeTensor.data.length / 4 },
    (_, k) => model.view.getInt32(shapeTensor.data.start + 4 * k, true));

  const inputs = [...model.ints(model.inputsField), shapeTensor.index];
  const outputs = [...model.ints(model.outputsField), ...extraOutputs];
  const start = Math.ceil(modelBytes.length / 4) * 4;
  const bytes = new Uint8Array(start + 8 + 4 * (inputs.length + outputs.length));
  bytes.set(modelBytes);
  const out = new DataView(bytes.buffer);
  let at = start;
  for (const [list, listField] of [[inputs, model.inputsField], [outputs, model.outputsField]]) {
    out.setUint32(listField, at - listField, true);
    out.setUint32(at, list.length, true);
    list.forEach((value, k) => out.setInt32(at + 4 + 4 * k, value, true));
    at += 4 + 4 * list.length;
  }
  out.setUint32(shapeTensor.bufferField, 0, true);  // buffer 0 is the schema's empty buffer
  const position = inputs.length - 1;
  const feed = (runnerInputs) => {
    const target = runnerInputs[position].data();
    if (target.length !== shape.length) {
      throw new Error(`moved RESHAPE shape input has ${target.length} elements, expected ${shape.length}`);
    }
    target.set(shape);
  };
  return { bytes, feed };
}
