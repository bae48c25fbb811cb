// Where the shared test data lives: ../shared beside the repository (or $MNV2_SHARED).
// The reference files there were computed by an independent TFLite runtime (Arm NN 22,
// CpuRef, integer arithmetic); see shared/reference/SOURCES.md and shared/models/SOURCES.md.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = process.env.MNV2_SHARED ?? path.resolve(repoRoot, '../shared');
export const imagesDir = path.join(sharedDir, 'images');

export function imagePaths() {
  return readdirSync(imagesDir).filter((name) => /\.(bmp|jpe?g|png)$/i.test(name)).sort()
    .map((name) => path.join(imagesDir, name));
}

export function readReference(name) {
  const text = readFileSync(path.join(sharedDir, 'reference', name), 'utf8');
  return new Map(text.trim().split('\n').map((line) => {
    const entry = JSON.parse(line);
    return [entry.image, entry];
  }));
}
