// The demo's engine switches (web/demo/engine-options.js): the backend that runs is shown,
// precision and threads reload the models and stay in the address, and threads are offered
// only on a cross-origin isolated page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { imagesDir, INT8_BACKEND, openPage, screenshotPath, useBrowserSession } from './support.js';

const LOAD_TIMEOUT = 60_000;
const session = useBrowserSession();

async function expectCat(page) {
  await page.setInputFiles('#file-input', path.join(imagesDir, 'cat.bmp'));
  await page.locator('#classes li').first().locator('.class-label', { hasText: 'Egyptian cat' }).waitFor({ timeout: LOAD_TIMEOUT });
}

test('precision and threads switch the backend shown, and the page keeps classifying', async () => {
  const { page, errors } = await openPage(session.context);
  await page.goto(`${session.url}/`);
  const backend = page.locator('#backend');
  await backend.filter({ hasText: /^relaxed-simd$/ }).waitFor({ timeout: LOAD_TIMEOUT });
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  assert.equal(await page.locator('#threads-select').isDisabled(), false);
  await expectCat(page);

  await page.selectOption('#threads-select', '2');
  await backend.filter({ hasText: /^relaxed-simd-threads$/ }).waitFor({ timeout: LOAD_TIMEOUT });
  assert.match(page.url(), /[?&]threads=2\b/);
  await expectCat(page);

  await page.selectOption('#threads-select', '1');
  await page.selectOption('#precision-select', 'int8');
  // int8 runs relaxed SIMD only where its integer dot product is exact: the model says which.
  const int8Shown = new RegExp(`^${INT8_BACKEND}$`);
  await backend.filter({ hasText: int8Shown }).waitFor({ timeout: LOAD_TIMEOUT });
  assert.match(page.url(), /[?&]precision=int8\b/);
  assert.doesNotMatch(page.url(), /threads=/);
  await expectCat(page);
  assert.match(await page.locator('#model-info').textContent(), new RegExp(`int8, 1 thread, backend ${INT8_BACKEND}\\b`));
  await page.screenshot({ path: screenshotPath('demo-engine-int8.png'), fullPage: true });

  // A reload keeps the switches.
  await page.reload();
  await backend.filter({ hasText: int8Shown }).waitFor({ timeout: LOAD_TIMEOUT });
  assert.equal(await page.locator('#precision-select').inputValue(), 'int8');
  assert.deepEqual(errors, []);
  await page.close();
});

test('without cross-origin isolation the threads switch is disabled and says why', async () => {
  const { page, errors } = await openPage(session.context);
  // The page as a non-isolated one sees it (the fallback of load() itself, without the
  // COOP/COEP headers, is threads.test.js's).
  await page.addInitScript(() => Object.defineProperty(globalThis, 'crossOriginIsolated', { value: false }));
  await page.goto(`${session.url}/?threads=2`);
  await page.locator('#backend').filter({ hasText: /^relaxed-simd$/ }).waitFor({ timeout: LOAD_TIMEOUT });
  assert.equal(await page.locator('#threads-select').isDisabled(), true);
  assert.equal(await page.locator('#threads-select').inputValue(), '1');
  assert.equal(await page.locator('#threads-hint').isVisible(), true);
  assert.deepEqual(errors, []);
  await page.close();
});
