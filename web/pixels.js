// Turning the image sources users have into RGBA pixels {data, width, height}.
// Node callers pass {data, width, height}; in browsers any drawable source is drawn to a
// canvas once and read back.

function isPlainImage(input) {
  return input && typeof input === 'object' && 'data' in input && 'width' in input &&
    'height' in input && (input.data instanceof Uint8Array || input.data instanceof Uint8ClampedArray);
}

function drawableSize(input) {
  if (typeof HTMLVideoElement !== 'undefined' && input instanceof HTMLVideoElement) {
    return [input.videoWidth, input.videoHeight];
  }
  if (typeof HTMLImageElement !== 'undefined' && input instanceof HTMLImageElement) {
    return [input.naturalWidth, input.naturalHeight];
  }
  return [input.width, input.height];
}

/** RGBA pixels of an image source; throws a TypeError for anything else. */
export function toRgba(input) {
  if (isPlainImage(input)) return input;  // ImageData matches this shape too.
  const drawable = ['HTMLImageElement', 'HTMLCanvasElement', 'HTMLVideoElement', 'ImageBitmap',
    'OffscreenCanvas'].some((name) => typeof globalThis[name] === 'function' && input instanceof globalThis[name]);
  if (!drawable) {
    throw new TypeError('input must be {data, width, height} RGBA pixels, ImageData, or an image, canvas, video or ImageBitmap');
  }
  const [width, height] = drawableSize(input);
  if (!width || !height) throw new Error('input image has no pixels yet (not loaded?)');
  const canvas = typeof OffscreenCanvas === 'function'
    ? new OffscreenCanvas(width, height)
    : Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(input, 0, 0, width, height);
  return context.getImageData(0, 0, width, height);
}
