// Types of mobilenetv2-wasm/decode-image: decoding image files in Node (JPEG, PNG, BMP).
import type { RgbaImage } from './index.js';

/** RGBA pixels of a JPEG, PNG or BMP file's bytes; throws an Error naming `name` otherwise. */
export function decodeImage(bytes: Uint8Array, name?: string): RgbaImage & { data: Uint8Array };

/** Reads and decodes an image file (Node only). */
export function readImage(path: string): Promise<RgbaImage & { data: Uint8Array }>;
