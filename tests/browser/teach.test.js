// The demo's Teach panel as a person uses it, in Debian's Chromium: name two classes, give
// each a photo through the panel's file inputs, train, then choose photos the head never saw
// through the demo's file input and read the head's prediction off the page; worker mode gives
// the same; hold-to-record on the (fake) webcam with live predictions; export the head and
// import it into a fresh page. Screenshots go to test-artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openDemo as openDemoIn, screenshotPath, imagesDir, useBrowserSession } from './support.js';

const TIMEOUT = 60_000;

const session = useBrowserSession();
const openDemo = (query) => openDemoIn(session, query, TIMEOUT);

async function addClass(page, label) {
  await page.locator('#teach-class-name').fill(label);
  await page.getByRole('button', { name: 'Add class' }).click();
  return page.locator('.teach-class', { has: page.locator('.teach-class-name', { hasText: label }) });
}

/** Adds a photo to a class through its row's file input; 1 + 4 augmented copies. */
async function teachPhoto(page, label, file) {
  const row = await addClass(page, label);
  await row.getByLabel(`Add images of ${label}`).setInputFiles(path.join(imagesDir, file));
  await row.locator('.teach-count', { hasText: '5 examples' }).waitFor({ timeout: TIMEOUT });
}

/** The head's predictions as [[label, score text]]. */
async function predictions(page) {
  return page.locator('#teach-predictions li').evaluateAll((rows) => rows.map((row) =>
    [row.querySelector('.class-label').textContent, row.querySelector('.class-score').textContent]));
}

/** Shows a photo through the demo's file input; resolves to the head's predictions for it. */
async function predictionsFor(page, file) {
  await page.setInputFiles('#file-input', path.join(imagesDir, file));
  await page.locator('#teach-source', { hasText: file }).waitFor({ timeout: TIMEOUT });
  return predictions(page);
}

/** Teaches cat (cat.bmp) and bird (parrot.jpg), trains, and reads the predictions for owl.jpg and pets.jpg. */
async function teachAndPredict(query, screenshot) {
  const { page, errors } = await openDemo(query);
  await teachPhoto(page, 'cat', 'cat.bmp');
  await teachPhoto(page, 'bird', 'parrot.jpg');
  await page.locator('#teach-train').click();
  await page.locator('#teach-status', { hasText: /^Trained a softmax regression on 10 examples of 2 classes in \d+ ms, 100% of them right after training\.$/ }).waitFor({ timeout: TIMEOUT });
  const owl = await predictionsFor(page, 'owl.jpg');
  const pets = await predictionsFor(page, 'pets.jpg');
  await page.locator('#teach').screenshot({ path: screenshotPath(screenshot) });
  assert.deepEqual(errors, []);
  return { page, owl, pets };
}

let mainThread;

test('teaching cat and bird from one photo each: owl.jpg is a bird, pets.jpg a cat', async () => {
  const { page, owl, pets } = await teachAndPredict('', 'demo-teach.png');
  mainThread = { owl, pets };
  assert.deepEqual(owl.map(([label]) => label), ['bird', 'cat']);
  assert.deepEqual(pets.map(([label]) => label), ['cat', 'bird']);
  for (const list of [owl, pets]) {
    assert.match(list[0][1], /^\d+\.\d%$/);
    assert.ok(parseFloat(list[0][1]) > 60, `top score ${list[0][1]}`);
  }
  // The image's ImageNet classes are still shown beside the head's.
  assert.equal(await page.locator('#classes li').count(), 5);
  await page.close();
});

test('worker mode teaches the same head and shows the same predictions', async () => {
  const { page, owl, pets } = await teachAndPredict('?worker=1', 'demo-teach-worker.png');
  assert.equal(await page.locator('#ran-in').textContent(), 'in a Web Worker');
  assert.deepEqual({ owl, pets }, mainThread);
  await page.close();
});

test('hold to record takes webcam frames; live predictions follow the webcam', async () => {
  const { page, errors } = await openDemo();
  const row = await addClass(page, 'camera');
  // Without the webcam the panel says what to do.
  await row.getByRole('button', { name: 'Hold to record webcam frames of camera' }).dispatchEvent('pointerdown');
  await page.locator('#teach-error', { hasText: 'Start the webcam first' }).waitFor();
  await page.locator('#webcam-button').click();
  await page.locator('#fps', { hasText: /fps/ }).waitFor({ timeout: TIMEOUT });
  const record = row.getByRole('button', { name: 'Hold to record webcam frames of camera' });
  await record.hover();
  await page.mouse.down();
  await row.locator('.teach-count', { hasText: /^([3-9]|\d\d+) examples$/ }).waitFor({ timeout: TIMEOUT });
  await page.mouse.up();
  await page.locator('#teach-status', { hasText: /^Recorded \d+ frames of "camera"\.$/ }).waitFor({ timeout: TIMEOUT });
  const recorded = Number.parseInt(await row.locator('.teach-count').textContent(), 10);
  await page.waitForTimeout(300);
  assert.equal(Number.parseInt(await row.locator('.teach-count').textContent(), 10), recorded, 'recording stopped on release');
  await teachPhoto(page, 'cat', 'cat.bmp');
  await page.locator('#teach-method').selectOption('knn');
  await page.locator('#teach-train').click();
  await page.locator('#teach-source', { hasText: 'Live' }).waitFor({ timeout: TIMEOUT });
  await page.locator('#teach-predictions li .class-label').first().waitFor();
  assert.equal(await page.locator('#teach-predictions li .class-label').first().textContent(), 'camera');
  await page.screenshot({ path: screenshotPath('demo-teach-webcam.png'), fullPage: true });
  await page.locator('#webcam-button').click();
  assert.deepEqual(errors.filter((e) => !e.includes('Start the webcam first')), []);
  await page.close();
});

test('an exported head imports into a fresh page and predicts the same', async () => {
  const { page } = await teachAndPredict('', 'demo-teach-export.png');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#teach-export').click()]);
  const file = screenshotPath('teach-head.json');
  await download.saveAs(file);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).format, 'mobilenetv2-wasm-head');
  await page.close();

  const { page: fresh, errors } = await openDemo();
  await fresh.setInputFiles('#teach-import', file);
  await fresh.locator('#teach-status', { hasText: 'Imported teach-head.json: a softmax regression over 2 classes.' }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await fresh.locator('.teach-class-name').allTextContents(), ['cat', 'bird']);
  assert.deepEqual(await predictionsFor(fresh, 'owl.jpg'), mainThread.owl);
  // A file that is not a head is refused with the reason.
  await fresh.setInputFiles('#teach-import', path.join(imagesDir, 'owl.jpg'));
  await fresh.locator('#teach-error', { hasText: 'owl.jpg: head JSON: not valid JSON' }).waitFor();
  assert.deepEqual(errors, []);
  await fresh.close();
});
