// Turning the image sources users have into RGBA pixels {data, width, height}.
// Node callers pass {data, width, height}; in browsers any drawable source is drawn to a
// canvas once and read back.

import { describe } from './options.js';

function hasImageShape(input) {
  return input !== null && typeof input === 'object' && 'data' in input && 'width' in input && 'height' in input;
}

// Typed arrays from another realm (an iframe, a vm context) count too: instanceof would not.
function isByteArray(data) {
  const tag = ArrayBuffer.isView(data) ? Object.prototype.toString.call(data) : '';
  return tag === '[object Uint8Array]' || tag === '[object Uint8ClampedArray]';
}

function isPlainImage(input) {
  return hasImageShape(input) && isByteArray(input.data);
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
  if (hasImageShape(input)) {
    throw new TypeError(`input must be {data, width, height} RGBA pixels with data a Uint8Array or Uint8ClampedArray; its data is ${describe(input.data)}`);
  }
  const drawable = ['HTMLImageElement', 'HTMLCanvasElement', 'HTMLVideoElement', 'ImageBitmap',
    'OffscreenCanvas'].some((name) => typeof globalThis[name] === 'function' && input instanceof globalThis[name]);
  if (!drawable) {
    throw new TypeError(`input must be {data, width, height} RGBA pixels, ImageData, or an image, canvas, video or ImageBitmap, got ${describe(input)}`);
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
