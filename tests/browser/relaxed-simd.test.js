// Relaxed SIMD in Chromium, which has it on by default: load() picks the relaxed-SIMD kernels
// by itself ('relaxed-simd'), and they classify every shared photo like the forced SIMD128
// kernels ('simd'): same top-1, scores within the float tolerance; int8 has no relaxed
// kernels and says 'simd' either way. The pthreads build is covered by threads.test.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { imagesDir, openPage, useBrowserSession } from './support.js';

const session = useBrowserSession();
const FLOAT_TOLERANCE = 1e-4;

// Runs in the page: every photo through each backend option.
async function classifyAll({ photos, configs }) {
  const { load } = await import('/web/index.js');
  const images = await Promise.all(photos.map(async (name) => {
    const image = new Image();
    image.src = `/samples/${name}`;
    await image.decode();
    return { name, image };
  }));
  const results = {};
  for (const [name, options] of Object.entries(configs)) {
    const model = await load({ weights: '/weights/mobilenet_v2_1.0_224.mnv2', ...options });
    const tops = {};
    for (const { name: photo, image } of images) tops[photo] = await model.classify(image, { topK: 5 });
    results[name] = { backend: model.backend, tops };
    model.dispose();
  }
  return results;
}

test("Chromium runs 'relaxed-simd' by default, with the results of forced 'simd'", async () => {
  const { page, errors } = await openPage(session.context);
  await page.goto(`${session.url}/`);
  const photos = readdirSync(imagesDir).filter((name) => /\.(bmp|jpg|png)$/i.test(name));
  assert.ok(photos.length >= 10, `photos: ${photos}`);
  const r = await page.evaluate(classifyAll, { photos, configs: {
    auto: {}, simd: { backend: 'simd' }, relaxed: { backend: 'relaxed-simd' },
    int8: { precision: 'int8' }, int8Simd: { precision: 'int8', backend: 'simd' },
  } });
  assert.equal(r.auto.backend, 'relaxed-simd');
  assert.equal(r.relaxed.backend, 'relaxed-simd');
  assert.equal(r.simd.backend, 'simd');
  assert.deepEqual([r.int8.backend, r.int8Simd.backend], ['simd', 'simd']);
  let differs = 0;
  for (const photo of photos) {
    const [relaxed, plain] = [r.relaxed.tops[photo], r.simd.tops[photo]];
    assert.deepEqual(r.auto.tops[photo], relaxed, photo);
    assert.equal(relaxed[0].index, plain[0].index, `${photo}: ${relaxed[0].label} vs ${plain[0].label}`);
    for (const entry of relaxed) {
      const same = plain.find((other) => other.index === entry.index);
      if (same) assert.ok(Math.abs(entry.score - same.score) <= FLOAT_TOLERANCE, `${photo} ${entry.label}: ${entry.score} vs ${same.score}`);
      if (!same || same.score !== entry.score) ++differs;
    }
    assert.deepEqual(r.int8.tops[photo], r.int8Simd.tops[photo], `${photo}: int8`);
  }
  // Fused multiply-adds round once: some score moves in its last bits (x86 with FMA, Arm).
  assert.ok(differs > 0, 'relaxed-simd gave exactly the scores of simd: did its kernels run?');
  assert.deepEqual(errors, []);
  await page.close();
});
