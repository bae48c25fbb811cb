// The demo page renders text, never markup: labels come from weight files (which come from the
// network) and file names from the user. Here both weight files' labels and the image's file
// name are HTML payloads, and the page is served WITHOUT its Content-Security-Policy, so that
// escaping alone has to stop them (the CSP would otherwise hide a missing escape by refusing
// the inline handlers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { demoFiles, imagesDir, listen, openPage, repoRoot, useBrowserSession } from './support.js';
import { HEADER, crc32 } from '../node/test-support.js';

const LOAD_TIMEOUT = 120_000;

/** A copy of a weight file whose labels (the file's last section) are replaced. */
function withLabels(bytes, makeLabel) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offset = view.getUint32(HEADER.labelsOffset, true);
  const count = view.getUint32(HEADER.numClasses, true);
  assert.equal(offset + view.getUint32(HEADER.labelsBytes, true), bytes.length, 'labels must be the last section');
  const text = new TextEncoder().encode(Array.from({ length: count }, (_, i) => `${makeLabel(i)}\n`).join(''));
  const out = new Uint8Array(offset + text.length);
  out.set(bytes.subarray(0, offset));
  out.set(text, offset);
  const header = new DataView(out.buffer);
  header.setUint32(HEADER.labelsBytes, text.length, true);
  header.setBigUint64(HEADER.fileBytes, BigInt(out.length), true);
  header.setUint32(HEADER.checksum, crc32(out.subarray(HEADER.size)), true);
  return out;
}

const classifierLabel = (i) => `<img src=x onerror="window.pwned='class ${i}'"><b>class ${i}</b>`;
const detectorLabel = (i) => `<svg onload="window.pwned='object ${i}'"></svg><script>window.pwned='script ${i}'</script>`;
const FILE_NAME = '<img src=y onerror="window.pwned=\'file\'">.bmp';

const session = useBrowserSession(async () => {
  const weights = (name) => new Uint8Array(readFileSync(path.join(repoRoot, 'weights', name)));
  const forged = {
    '/weights/mobilenet_v2_1.0_224.mnv2': withLabels(weights('mobilenet_v2_1.0_224.mnv2'), classifierLabel),
  };
  try {
    forged['/weights/ssdlite_mobilenet_v2_voc_300.mnv2'] = withLabels(weights('ssdlite_mobilenet_v2_voc_300.mnv2'), detectorLabel);
  } catch {
    // No detector weights in this build: the demo then only classifies.
  }
  const demoPage = readFileSync(path.join(repoRoot, 'web/demo/index.html'));
  const files = demoFiles();
  return listen(http.createServer((request, response) => {
    const { pathname } = new URL(request.url, 'http://localhost');
    if (Object.hasOwn(forged, pathname)) {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': forged[pathname].length });
      response.end(forged[pathname]);
    } else if (pathname === '/web/demo/' || pathname === '/web/demo/index.html') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });  // no CSP on purpose
      response.end(demoPage);
    } else {
      files(request, response);
    }
  }));
});

test('labels and file names that are HTML are shown as text, never run', async () => {
  const { page, errors } = await openPage(session.context);
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss();
  });
  await page.goto(`http://127.0.0.1:${session.port}/web/demo/`);
  await page.locator('#status', { hasText: 'Ready' }).waitFor({ timeout: LOAD_TIMEOUT });
  await page.setInputFiles('#file-input', {
    name: FILE_NAME, mimeType: 'image/bmp', buffer: readFileSync(path.join(imagesDir, 'cat.bmp')),
  });
  await page.locator('#classes li').nth(4).waitFor({ timeout: LOAD_TIMEOUT });
  // Give any injected handler (image error, svg load) time to fire.
  await page.waitForTimeout(500);

  const state = await page.evaluate(() => ({
    pwned: window.pwned,
    injected: document.querySelectorAll('img[src="x"], img[src="y"], svg[onload], script:not([src]), b').length,
    firstLabel: document.querySelector('#classes .class-label')?.textContent,
    caption: document.getElementById('caption')?.textContent,
    detections: document.getElementById('detections')?.textContent ?? '',
  }));
  assert.equal(state.pwned, undefined, `a payload ran: ${state.pwned}`);
  assert.equal(state.injected, 0, 'an element was created from a label or file name');
  assert.match(state.firstLabel, /^<img src=x onerror="window\.pwned='class \d+'"><b>class \d+<\/b>$/);
  assert.ok(state.caption.startsWith(FILE_NAME), state.caption);
  if (/svg/.test(state.detections)) assert.match(state.detections, /<svg onload=/);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors.filter((error) => !/Failed to load resource/.test(error)), []);
  await page.close();
});
