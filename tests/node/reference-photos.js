// The frame of the tests that hold an engine against the independent runtime's results on the
// shared photos (shared/reference/*.jsonl): the reference must cover every photo, then one test
// per photo compares.
import path from 'node:path';
import { test } from 'node:test';
import { assertReferenceCoversImages, imagePaths } from './shared-data.js';

/**
 * Registers a test that `reference` (a readReference() map) has an entry for every shared photo,
 * then one test per photo, titled title(file name), that runs
 * check(imagePath, the photo's reference entry, the test context).
 */
export function testEveryPhoto(reference, title, check) {
  test('every shared image has a reference entry', () => assertReferenceCoversImages(reference));
  for (const imagePath of imagePaths()) {
    const name = path.basename(imagePath);
    test(title(name), (t) => check(imagePath, reference.get(name), t));
  }
}
