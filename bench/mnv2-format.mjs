// Parses a .mnv2 weight file (src/model/weight-format.h) in JavaScript, so the peer runtimes
// can be built from exactly the weights our engine loads: every tensor is dequantized the way
// the C++ loader does it, real = scale[c] * (q - zero_point[c]) along quant_axis.
//
// Each tensor also keeps what the file stores: its integers (`stored`) and their quantization
// (`quant`), which the integer ONNX peer (bench/peer-ort-q8.mjs) feeds to ORT unchanged.
//
// Also describes the network the file holds (block strides from the paper's Table 2, shapes
// from the tensors themselves), which the peer graph builders walk.
//
// No Node imports: the browser benchmark's page (bench/browser/) parses the file it fetched.
// bench/mnv2-weights.mjs reads the file from a path in Node.

const MAGIC = 'MNV2WGT\0';
const HEADER_BYTES = 80;
const RECORD_BYTES = 80;
const TYPE_BYTES = { 0: 4, 1: 1, 2: 1, 3: 4 };  // f32, u8, i8, i32

// First stride of each row of Table 2 (t, c, n, s) and its repeats: block strides.
const TABLE_ROWS = [[1, 1], [2, 2], [3, 2], [4, 2], [3, 1], [3, 2], [1, 1]];
const BLOCK_STRIDES = TABLE_ROWS.flatMap(([repeats, stride]) =>
  Array.from({ length: repeats }, (_, i) => (i === 0 ? stride : 1)));

function readTensor(view, bytes, offset) {
  const name = new TextDecoder().decode(bytes.subarray(offset, offset + 32)).replace(/\0+$/, '');
  const u32 = (field) => view.getUint32(offset + 32 + 4 * field, true);
  const type = u32(0);
  const rank = u32(1);
  const dims = [u32(2), u32(3), u32(4), u32(5)].slice(0, rank);
  const dataOffset = u32(6);
  const quantOffset = u32(8);
  const quantCount = u32(9);
  const quantAxis = u32(10);
  const count = dims.reduce((a, b) => a * b, 1);
  if (!(type in TYPE_BYTES) || u32(7) !== count * TYPE_BYTES[type]) {
    throw new Error(`tensor ${name}: bad type or size`);
  }
  const values = new Float32Array(count);
  const StoredArray = [Float32Array, Uint8Array, Int8Array, Int32Array][type];
  const stored = new StoredArray(count);
  const raw = (i) => {
    switch (type) {
      case 0: return view.getFloat32(dataOffset + 4 * i, true);
      case 1: return view.getUint8(dataOffset + i);
      case 2: return view.getInt8(dataOffset + i);
      default: return view.getInt32(dataOffset + 4 * i, true);
    }
  };
  for (let i = 0; i < count; ++i) stored[i] = raw(i);
  if (quantCount === 0) {
    values.set(stored);
    return { name, dims, values, stored, quant: null };
  }
  // Elements between two steps of quant_axis: the channel of element i is
  // floor(i / inner) % dims[axis].
  const inner = dims.slice(quantAxis + 1).reduce((a, b) => a * b, 1);
  const scale = (c) => view.getFloat32(quantOffset + 4 * c, true);
  const zero = (c) => view.getInt32(quantOffset + 4 * quantCount + 4 * c, true);
  for (let i = 0; i < count; ++i) {
    const c = quantCount === 1 ? 0 : Math.floor(i / inner) % dims[quantAxis];
    // Float32 arithmetic, as the C++ loader computes it.
    values[i] = Math.fround(scale(c) * Math.fround(stored[i] - zero(c)));
  }
  const quant = {
    axis: quantAxis,
    scales: Float32Array.from({ length: quantCount }, (_, c) => scale(c)),
    zeroPoints: Int32Array.from({ length: quantCount }, (_, c) => zero(c)),
  };
  return { name, dims, values, stored, quant };
}

/**
 * The file's bytes (a Uint8Array; `name` for messages) as {inputSize, alpha, numClasses, mean,
 * std, tensors: Map(name -> {dims, values, stored, quant}), labels}: values dequantized to
 * float, stored as in the file (Float32Array, Uint8Array, Int8Array or Int32Array), quant null
 * for a float tensor, else {axis, scales, zeroPoints}.
 */
export function parseWeights(bytes, name = 'weights') {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw new Error(`${name}: not a .mnv2 file`);
  const u32 = (offset) => view.getUint32(offset, true);
  const tensorCount = u32(32);
  const tableOffset = u32(36);
  const labels = new TextDecoder().decode(bytes.subarray(u32(40), u32(40) + u32(44))).split('\n');
  const tensors = new Map();
  for (let i = 0; i < tensorCount; ++i) {
    const tensor = readTensor(view, bytes, tableOffset + i * RECORD_BYTES);
    tensors.set(tensor.name, tensor);
  }
  return {
    inputSize: u32(20),
    alpha: view.getFloat32(24, true),
    numClasses: u32(28),
    mean: view.getFloat32(HEADER_BYTES - 20, true),
    std: view.getFloat32(HEADER_BYTES - 16, true),
    tensors,
    labels: labels.slice(0, u32(28)),
  };
}

/**
 * The blocks of the network in a weight file: [{index, stride, hasExpand, inChannels,
 * expandedChannels, outChannels, residual}], read from the tensors' shapes.
 */
export function describeBlocks(weights) {
  const blocks = [];
  for (let i = 0; weights.tensors.has(`block${i}.dw.w`); ++i) {
    const expand = weights.tensors.get(`block${i}.expand.w`);
    const project = weights.tensors.get(`block${i}.project.w`);
    const expandedChannels = weights.tensors.get(`block${i}.dw.w`).dims[3];
    const inChannels = expand ? expand.dims[3] : expandedChannels;
    const outChannels = project.dims[0];
    const stride = BLOCK_STRIDES[i];
    blocks.push({
      index: i, stride, hasExpand: !!expand, inChannels, expandedChannels, outChannels,
      residual: stride === 1 && inChannels === outChannels,
    });
  }
  if (blocks.length !== BLOCK_STRIDES.length) throw new Error(`expected ${BLOCK_STRIDES.length} blocks, found ${blocks.length}`);
  return blocks;
}

/**
 * Copies an OHWI 4-D array (of any element type) into another layout of the same dims: the
 * element at (oc, y, x, ic) goes to index at(oc, y, x, ic).
 */
function reorderOhwi(values, [o, h, w, i], at) {
  const out = new values.constructor(values.length);
  for (let oc = 0; oc < o; ++oc) {
    for (let y = 0; y < h; ++y) {
      for (let x = 0; x < w; ++x) {
        for (let ic = 0; ic < i; ++ic) out[at(oc, y, x, ic)] = values[((oc * h + y) * w + x) * i + ic];
      }
    }
  }
  return out;
}

/** Transposes an OHWI 4-D array into HWIO (tf.conv2d's filter layout). */
export function ohwiToHwio(values, [o, h, w, i]) {
  return reorderOhwi(values, [o, h, w, i], (oc, y, x, ic) => ((y * w + x) * i + ic) * o + oc);
}

/** Transposes an OHWI 4-D array (of any element type) into OIHW (ONNX Conv's weight layout). */
export function ohwiToOihw(values, [o, h, w, i]) {
  return reorderOhwi(values, [o, h, w, i], (oc, y, x, ic) => ((oc * i + ic) * h + y) * w + x);
}
