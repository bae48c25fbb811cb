// PIL's 8-bit Image.resize(..., Image.BILINEAR) of an RGBA image's central crop to RGB bytes,
// written again in JavaScript from the same facts as src/model/resize-u8.* (triangle taps
// normalized in double, rounded to 22-bit fixed point half up, horizontal pass first with the
// intermediate rounded and clipped to uint8, a pass of unchanged size skipped). Tests use it to
// give another runtime the very bytes the int8 engine feeds its network; they check it against
// the engine (a 224x224 result classified with crop 1 must score like the photo with the crop).
const BITS = 22;

// Python's round(): half to even, as the reference crop and centre_crop() use.
function roundHalfEven(x) {
  const floor = Math.floor(x);
  const rest = x - floor;
  if (rest > 0.5) return floor + 1;
  if (rest < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The central window of round(fraction * side) pixels per side, offset floor((side - kept) / 2). */
export function centreCrop(width, height, fraction) {
  const kept = (side) => Math.min(side, Math.max(1, roundHalfEven(fraction * side)));
  const cropWidth = kept(width);
  const cropHeight = kept(height);
  return { x: Math.floor((width - cropWidth) / 2), y: Math.floor((height - cropHeight) / 2),
    width: cropWidth, height: cropHeight };
}

// Per output index: first source index, and fixed-point weights.
function fixedTaps(sourceSize, outputSize) {
  const scale = sourceSize / outputSize;
  const support = Math.max(scale, 1);
  const inverse = 1 / support;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const taps = [];
  for (let out = 0; out < outputSize; out++) {
    const centre = (out + 0.5) * scale;
    const first = Math.max(0, Math.trunc(centre - support + 0.5));
    const end = Math.min(sourceSize, Math.max(0, Math.trunc(centre + support + 0.5)));
    const count = Math.min(Math.max(end - first, 0), maxTaps);
    const weights = [];
    let total = 0;
    for (let i = 0; i < count; i++) {
      const w = Math.max(0, 1 - Math.abs((first + i - centre + 0.5) * inverse));
      weights.push(w);
      total += w;
    }
    taps.push({ first, weights: weights.map((w) => Math.trunc((total !== 0 ? w / total : w) * (1 << BITS) + 0.5)) });
  }
  return taps;
}

function clip8(sum) {
  if (sum <= 0) return 0;
  if (sum >= 255 * (1 << BITS)) return 255;
  return Math.floor(sum / (1 << BITS));
}

/**
 * RGB bytes (size * size * 3) of {data, width, height} (RGBA) cropped to the central `crop`
 * fraction and resized to size x size as PIL's 8-bit bilinear resize does.
 */
export function pilResizeU8({ data, width, height }, size, crop) {
  const window = centreCrop(width, height, crop);
  // Horizontal pass: window.height rows of size pixels (or the window's pixels if unchanged).
  const horizontalWidth = window.width === size ? window.width : size;
  const horizontal = new Uint8Array(window.height * horizontalWidth * 3);
  const hTaps = window.width === size ? null : fixedTaps(window.width, size);
  for (let y = 0; y < window.height; y++) {
    const row = ((window.y + y) * width + window.x) * 4;
    for (let x = 0; x < horizontalWidth; x++) {
      for (let c = 0; c < 3; c++) {
        let value;
        if (hTaps === null) {
          value = data[row + 4 * x + c];
        } else {
          const { first, weights } = hTaps[x];
          let sum = 1 << (BITS - 1);
          for (let t = 0; t < weights.length; t++) sum += data[row + 4 * (first + t) + c] * weights[t];
          value = clip8(sum);
        }
        horizontal[(y * horizontalWidth + x) * 3 + c] = value;
      }
    }
  }
  if (window.height === size) return horizontal;
  const vTaps = fixedTaps(window.height, size);
  const out = new Uint8Array(size * size * 3);
  const stride = size * 3;
  for (let y = 0; y < size; y++) {
    const { first, weights } = vTaps[y];
    for (let i = 0; i < stride; i++) {
      let sum = 1 << (BITS - 1);
      for (let t = 0; t < weights.length; t++) sum += horizontal[(first + t) * stride + i] * weights[t];
      out[y * stride + i] = clip8(sum);
    }
  }
  return out;
}

/** RGB bytes as an RGBA image {data, width, height} (alpha 255). */
export function rgbToRgba(rgb, width, height) {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[4 * i] = rgb[3 * i];
    data[4 * i + 1] = rgb[3 * i + 1];
    data[4 * i + 2] = rgb[3 * i + 2];
    data[4 * i + 3] = 255;
  }
  return { data, width, height };
}
