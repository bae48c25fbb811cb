// Augmented copies of an example image for a head taught from few examples: each copy is a
// random crop keeping at least (1 - jitter) of each side, mirrored left-right half of the time
// when flip is on. The random numbers come from a seeded generator, so the same image, options
// and seed always give the same copies (tests and saved sessions are reproducible).

/**
 * Marsaglia's xorshift32 ("Xorshift RNGs", Journal of Statistical Software 8(14), 2003; shifts
 * 13, 17, 5): uniform numbers in [0, 1). A zero state would stay zero, so the seed is mixed
 * with a constant first.
 */
function randomNumbers(seed) {
  let state = (seed ^ 0x9e3779b9) >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

/** The rectangle {x, y, width, height} of the central `fraction` of each side (at least 1 pixel). */
export function centralRect(width, height, fraction) {
  const w = Math.max(1, Math.round(width * fraction));
  const h = Math.max(1, Math.round(height * fraction));
  return { x: (width - w) >> 1, y: (height - h) >> 1, width: w, height: h };
}

/** RGBA pixels of `rect` of an image, mirrored left-right when `mirror`. */
export function cropPixels({ data, width }, rect, mirror = false) {
  const out = new Uint8ClampedArray(rect.width * rect.height * 4);
  for (let row = 0; row < rect.height; row++) {
    const source = ((rect.y + row) * width + rect.x) * 4;
    const target = row * rect.width * 4;
    if (!mirror) {
      out.set(data.subarray(source, source + rect.width * 4), target);
      continue;
    }
    for (let column = 0; column < rect.width; column++) {
      const from = source + (rect.width - 1 - column) * 4;
      out.set(data.subarray(from, from + 4), target + column * 4);
    }
  }
  return { data: out, width: rect.width, height: rect.height };
}

/**
 * `copies` augmented images of the central `crop` fraction of `image` (RGBA pixels).
 * jitter in [0, 1): how much of each side a copy may lose; flip: mirror about half of them.
 */
export function augmentedCopies(image, { crop = 1, copies, jitter, flip, seed }) {
  const area = centralRect(image.width, image.height, crop);
  const random = randomNumbers(seed);
  const result = [];
  for (let i = 0; i < copies; i++) {
    const keep = 1 - jitter * random();
    const width = Math.max(1, Math.round(area.width * keep));
    const height = Math.max(1, Math.round(area.height * keep));
    const rect = {
      x: area.x + Math.floor(random() * (area.width - width + 1)),
      y: area.y + Math.floor(random() * (area.height - height + 1)),
      width,
      height,
    };
    result.push(cropPixels(image, rect, flip && random() < 0.5));
  }
  return result;
}
