// The package API inside Chromium, on the main thread and with {worker: true}: every input type
// a browser user has gives the same answer for cat.bmp, the detector finds the cat, the weight
// download reports progress,
// wrong arguments reject with clear Errors, dispose() ends the model, and the page served by
// scripts/serve.js is cross-origin isolated under a CSP that forbids eval, which the package
// does not need.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fixturesMount, openPage, useBrowserSession } from './support.js';

const session = useBrowserSession(() => startServer([fixturesMount]));

// Runs in the page: loads the model, builds each kind of input from cat.bmp, classifies.
async function exerciseApi(worker) {
  const { load, loadDetector } = await import('/web/index.js');
  const progress = [];
  // A relative URL: resolved against the page, also when the model lives in a worker.
  const model = await load({ worker, weights: '../weights/mobilenet_v2_1.0_224.mnv2', onProgress: (p) => progress.push(p) });

  const image = new Image();
  image.src = '/samples/cat.bmp';
  await image.decode();
  const { naturalWidth: width, naturalHeight: height } = image;
  const canvas = Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const offscreen = new OffscreenCanvas(width, height);
  offscreen.getContext('2d').drawImage(image, 0, 0);
  const bitmap = await createImageBitmap(image);
  const imageData = context.getImageData(0, 0, width, height);
  const rgba = { data: new Uint8Array(imageData.data), width, height };
  // A video element playing the canvas as a live stream, redrawn so that frames keep coming.
  const video = Object.assign(document.createElement('video'), { muted: true, srcObject: canvas.captureStream(30) });
  const redraw = setInterval(() => context.drawImage(image, 0, 0), 30);
  await video.play();
  while (!video.videoWidth) await new Promise((resolve) => requestAnimationFrame(resolve));

  const inputs = {
    HTMLImageElement: image,
    HTMLCanvasElement: canvas,
    OffscreenCanvas: offscreen,
    ImageBitmap: bitmap,
    ImageData: imageData,
    'RGBA object': rgba,
    HTMLVideoElement: video,
  };
  const top = {};
  for (const [name, input] of Object.entries(inputs)) top[name] = (await model.classify(input, { topK: 1 }))[0];
  clearInterval(redraw);

  const features = await model.embed(image);
  const detector = await loadDetector({ worker, weights: '../weights/ssdlite_mobilenet_v2_voc_300.mnv2' });
  const objects = { image: await detector.detect(image), ImageData: await detector.detect(imageData, { minScore: 0.3, maxDetections: 3 }) };
  detector.dispose();
  const errors = [];
  const badCalls = [[null], ['cat.jpg'], [rgba, { topK: 0 }], [{ data: new Uint8Array(4), width: 2, height: 2 }]];
  for (const args of badCalls) {
    try {
      await model.classify(...args);
      errors.push('no error');
    } catch (error) {
      errors.push(`${error.name}: ${error.message}`);
    }
  }
  const info = { inputSize: model.inputSize, numClasses: model.numClasses, featureSize: model.featureSize, labels: model.labels.length };
  model.dispose();
  let afterDispose = 'no error';
  try {
    await model.classify(image);
  } catch (error) {
    afterDispose = error.message;
  }
  return {
    top,
    progress: { count: progress.length, last: progress.at(-1) },
    features: { type: features.constructor.name, length: features.length },
    objects,
    errors,
    info,
    afterDispose,
    // The caller's pixels must survive being sent to a worker (it gets a copy).
    callerPixelsIntact: rgba.data.length === width * height * 4 && imageData.data.length === width * height * 4,
  };
}

for (const worker of [false, true]) {
  test(`every browser input type classifies cat.bmp (${worker ? 'worker' : 'main thread'})`, async () => {
    const { page, errors: consoleErrors } = await openPage(session.context);
    await page.goto(`${session.url}/fixtures/blank.html`);
    const result = await page.evaluate(exerciseApi, worker);

    for (const [input, top] of Object.entries(result.top)) {
      if (input === 'HTMLVideoElement') {
        // Video frames pass through a YUV conversion: a cat class, not necessarily the same one.
        assert.match(top.label, /cat/, `${input}: ${JSON.stringify(top)}`);
      } else {
        assert.equal(top.label, 'Egyptian cat', `${input}: ${JSON.stringify(top)}`);
        assert.ok(Math.abs(top.score - result.top.HTMLImageElement.score) < 1e-6, `${input} scores like the image`);
      }
    }
    assert.deepEqual(result.info, { inputSize: 224, numClasses: 1001, featureSize: 1280, labels: 1001 });
    assert.deepEqual(result.features, { type: 'Float32Array', length: 1280 });
    for (const [input, objects] of Object.entries(result.objects)) {
      assert.equal(objects[0]?.class, 'cat', `${input}: ${JSON.stringify(objects)}`);
      assert.equal(objects[0].bbox.length, 4);
    }
    assert.deepEqual(result.objects.ImageData[0], result.objects.image[0]);
    assert.ok(result.progress.count >= 1);
    assert.ok(result.progress.last.total > 3_000_000, 'the server sends Content-Length');
    assert.equal(result.progress.last.loaded, result.progress.last.total);
    assert.match(result.errors[0], /^TypeError: input must be/);
    assert.match(result.errors[1], /^TypeError: input must be/);
    assert.match(result.errors[2], /^RangeError: topK must be an integer from 1 to 1001, got 0/);
    assert.match(result.errors[3], /^RangeError: pixels has 4 bytes, a 2x2 RGBA image needs 16/);
    assert.equal(result.afterDispose, 'this model was disposed');
    assert.equal(result.callerPixelsIntact, true);
    assert.deepEqual(consoleErrors, []);
    await page.close();
  });
}

test('the served page is cross-origin isolated, forbids eval, and the package loads under that CSP', async () => {
  const { page, errors } = await openPage(session.context);
  await page.goto(`${session.url}/fixtures/csp-probe.html`);
  await page.locator('#model', { hasText: /loaded|failed/ }).waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('#model').textContent(), 'loaded 224');
  assert.equal(await page.locator('#eval').textContent(), 'blocked');
  assert.deepEqual(await page.evaluate(() => [self.crossOriginIsolated, typeof SharedArrayBuffer]), [true, 'function']);
  // The refused Function() is the one expected console error.
  assert.ok(errors.every((error) => /unsafe-eval|Content Security Policy/.test(error)), errors.join('\n'));
  await page.close();
});
