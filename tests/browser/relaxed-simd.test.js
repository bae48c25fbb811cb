// Relaxed SIMD in Chromium, which has it on by default: load() picks the relaxed-SIMD kernels
// by itself ('relaxed-simd'), and they classify every shared photo like the forced SIMD128
// kernels ('simd'): same top-1, scores within the float tolerance. int8 runs its relaxed
// GEMM where the engine's relaxed integer dot product is exact (the engine checks at load;
// V8 lowers it to AVX-VNNI's vpdpbusd, so on x86 with AVX-VNNI it must be 'relaxed-simd'),
// and then every score of both quantized classifiers and every detection of the int8 SSDLite
// must equal the forced SIMD128 kernels' (which the Node tests prove bit for bit TFLite's).
// The pthreads build is covered by threads.test.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { CPU_HAS_AVX_VNNI, imagesDir, openPage, useBrowserSession } from './support.js';

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
    // int8: every class, so that every uint8 score is compared.
    const topK = options.precision === 'int8' ? model.numClasses : 5;
    for (const { name: photo, image } of images) tops[photo] = await model.classify(image, { topK });
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
    ptq: { precision: 'int8', weights: '/weights/tf2_mobilenet_v2_1.0_224_ptq.mnv2' },
    ptqSimd: { precision: 'int8', backend: 'simd', weights: '/weights/tf2_mobilenet_v2_1.0_224_ptq.mnv2' },
  } });
  assert.equal(r.auto.backend, 'relaxed-simd');
  assert.equal(r.relaxed.backend, 'relaxed-simd');
  assert.equal(r.simd.backend, 'simd');
  const int8Backend = CPU_HAS_AVX_VNNI ? 'relaxed-simd' : 'simd';
  console.log(`# int8 ran ${r.int8.backend} (CPU ${CPU_HAS_AVX_VNNI ? 'with' : 'without'} AVX-VNNI)`);
  assert.deepEqual([r.int8.backend, r.ptq.backend, r.int8Simd.backend, r.ptqSimd.backend],
    [int8Backend, int8Backend, 'simd', 'simd']);
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
    assert.deepEqual(r.ptq.tops[photo], r.ptqSimd.tops[photo], `${photo}: int8 ptq`);
  }
  // Fused multiply-adds round once: some score moves in its last bits (x86 with FMA, Arm).
  assert.ok(differs > 0, 'relaxed-simd gave exactly the scores of simd: did its kernels run?');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the int8 SSDLite detects on every photo exactly like forced SIMD128', async () => {
  const { page, errors } = await openPage(session.context);
  await page.goto(`${session.url}/`);
  const photos = readdirSync(imagesDir).filter((name) => /\.(bmp|jpg|png)$/i.test(name));
  const r = await page.evaluate(async ({ photos }) => {
    const { loadDetector } = await import('/web/index.js');
    const results = {};
    for (const backend of ['auto', 'simd']) {
      const detector = await loadDetector({ precision: 'int8', backend });
      const found = {};
      for (const name of photos) {
        const image = new Image();
        image.src = `/samples/${name}`;
        await image.decode();
        found[name] = await detector.detect(image, { minScore: 0.05, maxDetections: 100 });
      }
      results[backend] = { backend: detector.backend, found };
      detector.dispose();
    }
    return results;
  }, { photos });
  assert.equal(r.auto.backend, CPU_HAS_AVX_VNNI ? 'relaxed-simd' : 'simd');
  assert.equal(r.simd.backend, 'simd');
  let detections = 0;
  for (const photo of photos) {
    assert.deepEqual(r.auto.found[photo], r.simd.found[photo], photo);
    detections += r.simd.found[photo].length;
  }
  assert.ok(detections > photos.length, `only ${detections} detections on ${photos.length} photos`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the relaxed peaks run in Chromium; the int8 one well above its SIMD128 counterpart', async () => {
  const { page, errors } = await openPage(session.context);
  await page.goto(`${session.url}/`);
  const peaks = await page.evaluate(async ({ int8Relaxed }) => {
    const { measureSimdPeak } = await import('/web/simd-peak.js');
    const result = {};
    for (const [name, options] of Object.entries({
      float32: { precision: 'float32' }, float32Relaxed: { precision: 'float32', relaxed: true },
      int8: { precision: 'int8' }, int8Relaxed: { precision: 'int8', relaxed: true },
    })) {
      if (name === 'int8Relaxed' && !int8Relaxed) {
        result[name] = await measureSimdPeak({ warmupMs: 10, runs: 1, ...options }).then(() => 'ran', (e) => e.message);
      } else {
        result[name] = (await measureSimdPeak({ warmupMs: 500, runs: 10, ...options })).gmacs;
      }
    }
    return result;
  }, { int8Relaxed: CPU_HAS_AVX_VNNI });
  console.log(`# peaks GMAC/s: ${JSON.stringify(peaks)}`);
  // The float tiles run about alike (measured on Zen 5: FMA and mul + add issue at the same
  // rate); the int8 one does 16 byte products per instruction where SIMD128's does 8.
  for (const gmacs of Object.values(peaks).filter((value) => typeof value === 'number')) {
    assert.ok(Number.isFinite(gmacs) && gmacs > 1, JSON.stringify(peaks));
  }
  if (CPU_HAS_AVX_VNNI) assert.ok(peaks.int8Relaxed > 1.3 * peaks.int8, JSON.stringify(peaks));
  else assert.match(peaks.int8Relaxed, /int8 relaxed needs an exact relaxed integer dot product/);
  assert.deepEqual(errors, []);
  await page.close();
});
