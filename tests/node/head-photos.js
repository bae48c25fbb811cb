// The custom-class tests' data: shared photos of clearly different content as classes, and
// crops of them. Training crops are two large corners of each photo (the head adds augmented
// copies); test crops are other regions at other sizes, some mirrored.
import path from 'node:path';
import { readImage } from '../../web/decode-image.js';
import { cropPixels } from '../../web/head-augment.js';
import { imagesDir } from './shared-data.js';

export const PHOTO_CLASSES = {
  cat: 'cat.bmp',
  dragonfly: 'dragonfly.bmp',
  'hot dog': 'hot_dog.jpg',
  parrot: 'parrot.jpg',
  'grace hopper': 'grace_hopper.bmp',
};

/** {label: RGBA image} of PHOTO_CLASSES. */
export async function readPhotoClasses() {
  const photos = {};
  for (const [label, file] of Object.entries(PHOTO_CLASSES)) photos[label] = await readImage(path.join(imagesDir, file));
  return photos;
}

/** The rectangle of `fraction` of each side at relative position (fx, fy) in [0, 1]. */
function rect(image, fraction, fx, fy) {
  const width = Math.round(image.width * fraction);
  const height = Math.round(image.height * fraction);
  return { x: Math.round((image.width - width) * fx), y: Math.round((image.height - height) * fy), width, height };
}

/** Two crops of 0.75 of each side, top left and bottom right. */
export function trainingCrops(image) {
  return [cropPixels(image, rect(image, 0.75, 0, 0)), cropPixels(image, rect(image, 0.75, 1, 1))];
}

/** Six crops the training never used: 0.55 at the other two corners and the centre, 0.6 mirrored, 0.45 off-centre. */
export function testCrops(image) {
  return [
    cropPixels(image, rect(image, 0.55, 1, 0)),
    cropPixels(image, rect(image, 0.55, 0, 1)),
    cropPixels(image, rect(image, 0.55, 0.5, 0.5)),
    cropPixels(image, rect(image, 0.6, 0.3, 0.6), true),
    cropPixels(image, rect(image, 0.45, 0.7, 0.4)),
    cropPixels(image, rect(image, 0.45, 0.2, 0.3), true),
  ];
}
