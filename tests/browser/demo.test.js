// The demo page as a person uses it, in Debian's Chromium: upload cat.bmp through the file
// input and read the results off the page, on the main thread and in worker mode; pick a
// sample photo; drop and paste images; run the webcam (Chromium's fake camera); use it by
// keyboard and on a phone-sized screen; and open it without WebAssembly SIMD.
// Screenshots go to test-artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openPage, openDemo as openDemoIn, screenshotPath, imagesDir, useBrowserSession } from './support.js';

const LOAD_TIMEOUT = 60_000;

const session = useBrowserSession();
const openDemo = (query) => openDemoIn(session, query, LOAD_TIMEOUT);

/** Whether this build's demo shows detections (it does once the package exports a detector). */
async function demoDetects(page) {
  return page.evaluate(async () => typeof (await import('/web/index.js')).loadDetector === 'function');
}

async function classifyCatThroughFileInput(query, screenshot) {
  const { page, errors } = await openDemo(query);
  await page.setInputFiles('#file-input', path.join(imagesDir, 'cat.bmp'));
  const first = page.locator('#classes li').first();
  await first.locator('.class-label', { hasText: 'Egyptian cat' }).waitFor({ timeout: LOAD_TIMEOUT });
  assert.equal(await page.locator('#classes li').count(), 5);
  assert.match(await first.locator('.class-score').textContent(), /^\d+\.\d%$/);
  // The bar is as long as the score says.
  const [barWidth, fillWidth] = await first.locator('.bar, .bar-fill').evaluateAll((nodes) => nodes.map((node) => node.getBoundingClientRect().width));
  const score = parseFloat(await first.locator('.class-score').textContent()) / 100;
  assert.ok(Math.abs(fillWidth / barWidth - score) < 0.02, `bar ${fillWidth}/${barWidth} for score ${score}`);
  assert.match(await page.locator('#latency').textContent(), /^\d+(\.\d)? ms$/);
  assert.match(await page.locator('#caption').textContent(), /cat\.bmp, 512×341 pixels/);

  if (await demoDetects(page)) {
    await page.locator('#boxes .box-label', { hasText: /^cat\b/ }).first().waitFor({ timeout: LOAD_TIMEOUT });
    assert.match(await page.locator('#detections').textContent(), /\bcat\b/);
    assert.match(await page.locator('#detect-latency').textContent(), /^\d+(\.\d)? ms$/);
  }

  await page.screenshot({ path: screenshotPath(screenshot), fullPage: true });
  assert.deepEqual(errors, []);
  return page;
}

test('uploading cat.bmp shows "Egyptian cat" first, with bars and latency', async () => {
  const page = await classifyCatThroughFileInput('', 'demo-cat.png');
  assert.match(await page.locator('#status').textContent(), /main thread/);
  assert.equal(await page.locator('#ran-in').textContent(), 'on the main thread');
  assert.equal(await page.locator('#worker-toggle').isChecked(), false);
  await page.close();
});

test('worker mode (?worker=1) gives the same results, computed in a Web Worker', async () => {
  const page = await classifyCatThroughFileInput('?worker=1', 'demo-cat-worker.png');
  assert.match(await page.locator('#status').textContent(), /Web Worker/);
  assert.equal(await page.locator('#ran-in').textContent(), 'in a Web Worker');
  assert.equal(await page.locator('#worker-toggle').isChecked(), true);
  assert.ok(page.workers().some((worker) => worker.url().endsWith('/web/worker.js')), 'a worker runs web/worker.js');
  await page.close();
});

test('the worker checkbox switches modes and re-analyzes the image', async () => {
  const { page, errors } = await openDemo();
  await page.setInputFiles('#file-input', path.join(imagesDir, 'cat.bmp'));
  await page.locator('#classes .class-label', { hasText: 'Egyptian cat' }).waitFor({ timeout: LOAD_TIMEOUT });
  await page.locator('#worker-toggle').check();
  await page.locator('#status', { hasText: 'Web Worker' }).waitFor({ timeout: LOAD_TIMEOUT });
  await page.locator('#ran-in', { hasText: 'in a Web Worker' }).waitFor({ timeout: LOAD_TIMEOUT });
  await page.locator('#classes .class-label', { hasText: 'Egyptian cat' }).waitFor({ timeout: LOAD_TIMEOUT });
  assert.match(page.url(), /\?worker=1$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the sample photos are listed and classify when chosen by keyboard', async () => {
  const { page, errors } = await openDemo();
  const owl = page.locator('#sample-list button', { hasText: 'owl.jpg' });
  await owl.waitFor();
  assert.ok(await page.locator('#sample-list button').count() >= 10);
  await owl.focus();
  await page.keyboard.press('Enter');
  await page.locator('#caption', { hasText: 'owl.jpg' }).waitFor({ timeout: LOAD_TIMEOUT });
  // The reference top-1 for owl.jpg without a crop is a grouse; any bird class will do here.
  await page.locator('#classes li').first().waitFor({ timeout: LOAD_TIMEOUT });
  assert.ok((await page.locator('#classes li').count()) === 5);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an image dropped onto the preview or pasted is analyzed', async () => {
  const { page, errors } = await openDemo();
  for (const [how, name] of [['drop', 'pets.jpg'], ['paste', 'cat.bmp']]) {
    await page.evaluate(async ({ how, name }) => {
      const blob = await (await fetch(`/samples/${name}`)).blob();
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], name, { type: blob.type }));
      if (how === 'drop') {
        document.getElementById('dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      } else {
        document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true }));
      }
    }, { how, name });
    await page.locator('#caption', { hasText: name }).waitFor({ timeout: LOAD_TIMEOUT });
    await page.locator('#latency', { hasText: 'ms' }).waitFor({ timeout: LOAD_TIMEOUT });
  }
  await page.locator('#classes .class-label', { hasText: 'Egyptian cat' }).waitFor({ timeout: LOAD_TIMEOUT });
  assert.deepEqual(errors, []);
  await page.close();
});

test('webcam mode runs continuously and shows frames per second', async () => {
  const { page, errors } = await openDemo();
  await page.locator('#webcam-button').click();
  await page.locator('#webcam-button[aria-pressed="true"]').waitFor();
  await page.locator('#fps', { hasText: /\d+(\.\d)? fps/ }).waitFor({ timeout: LOAD_TIMEOUT });
  const before = await page.locator('#latency').textContent();
  await page.waitForTimeout(1200);
  assert.match(await page.locator('#fps').textContent(), /^\d+\.\d fps$/);
  assert.equal(await page.locator('#classes li').count(), 5);
  assert.match(before, /ms$/);
  assert.equal(await page.locator('#video').isVisible(), true);
  await page.screenshot({ path: screenshotPath('demo-webcam.png') });
  // Switching to worker mode mid-stream keeps the webcam running, now through the workers.
  await page.locator('#worker-toggle').check();
  await page.locator('#ran-in', { hasText: 'in a Web Worker' }).waitFor({ timeout: LOAD_TIMEOUT });
  assert.equal(await page.locator('#webcam-button').getAttribute('aria-pressed'), 'true');
  assert.equal(await page.locator('#error').isVisible(), false);
  await page.locator('#webcam-button').click();
  await page.locator('#webcam-button[aria-pressed="false"]').waitFor();
  assert.equal(await page.locator('#fps').textContent(), '–');
  assert.deepEqual(errors, []);
  await page.close();
});

test('every control has an accessible name and the page fits a phone screen', async () => {
  const { page, errors } = await openDemo();
  await page.setViewportSize({ width: 360, height: 740 });
  await page.getByLabel('Image file').setInputFiles(path.join(imagesDir, 'pets.jpg'));
  await page.locator('#latency', { hasText: 'ms' }).waitFor({ timeout: LOAD_TIMEOUT });
  assert.equal(await page.getByRole('button', { name: 'Start webcam' }).count(), 1);
  assert.equal(await page.getByRole('checkbox', { name: 'Run in a Web Worker' }).count(), 1);
  assert.equal(await page.getByRole('status').count(), 1);
  assert.match(await page.locator('#preview').getAttribute('alt'), /pets\.jpg/);
  // The first Tab stop skips to the results; the next ones reach the controls.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to the results');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'file-input');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await page.screenshot({ path: screenshotPath('demo-phone.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('without WebAssembly SIMD the page says so plainly', async () => {
  const { page } = await openPage(session.context);
  // Pretend to be an engine without SIMD128: every validation of a module fails.
  await page.addInitScript(() => { WebAssembly.validate = () => false; });
  await page.goto(`${session.url}/`);
  const alert = page.locator('#error[role="alert"]');
  await alert.waitFor({ timeout: LOAD_TIMEOUT });
  assert.match(await alert.textContent(), /lacks WebAssembly SIMD128/);
  assert.match(await page.locator('#status').textContent(), /could not be loaded/);
  await page.close();
});
