// scripts/serve.js as `npm start` runs it: prints its URL, serves the demo's files with the
// right types and the isolation headers, lists the sample photos, and reaches nothing else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, imagesDir } from './support.js';

const script = path.join(repoRoot, 'scripts/serve.js');
let child;
let base;

before(async () => {
  child = spawn(process.execPath, [script], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  while (!/http:\/\/\S+\//.test(output)) {
    const [chunk] = await once(child.stdout, 'data');
    output += chunk;
  }
  base = output.match(/(http:\/\/\S+)\//)[1];
});
after(() => child?.kill());

async function get(pathname, init) {
  return fetch(base + pathname, { redirect: 'manual', ...init });
}

test('it prints a localhost URL', () => {
  assert.match(base, /^http:\/\/localhost:\d+$/);
});

test('/ leads to the demo, keeping the query', async () => {
  const response = await get('/?worker=1');
  assert.equal(response.status, 302);
  assert.equal(response.headers.get('location'), '/web/demo/?worker=1');
  const page = await get('/web/demo/');
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(page.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(page.headers.get('content-security-policy'), /'unsafe-eval'|'unsafe-inline'/);
  assert.match(await page.text(), /<title>MobileNetV2 in WebAssembly/);
});

test('files have the right MIME types and the COOP/COEP headers', async () => {
  const expected = {
    '/dist/mobilenetv2.wasm': 'application/wasm',
    '/dist/mobilenetv2.mjs': 'text/javascript; charset=utf-8',
    '/web/index.js': 'text/javascript; charset=utf-8',
    '/web/demo/demo.css': 'text/css; charset=utf-8',
    '/weights/mobilenet_v2_1.0_224.mnv2': 'application/octet-stream',
  };
  for (const [pathname, type] of Object.entries(expected)) {
    const response = await get(pathname);
    assert.equal(response.status, 200, pathname);
    assert.equal(response.headers.get('content-type'), type, pathname);
    assert.equal(response.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(response.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    const body = new Uint8Array(await response.arrayBuffer());
    assert.equal(Number(response.headers.get('content-length')), body.length, pathname);
  }
  const wasm = await get('/dist/mobilenetv2.wasm');
  const bytes = new Uint8Array(await wasm.arrayBuffer());
  assert.deepEqual(bytes, new Uint8Array(readFileSync(path.join(repoRoot, 'dist/mobilenetv2.wasm'))));
});

test('HEAD and conditional requests work; other methods do not', async () => {
  const head = await get('/web/demo/demo.css', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.ok(Number(head.headers.get('content-length')) > 0);
  assert.equal(await head.text(), '');
  const again = await get('/web/demo/demo.css', { headers: { 'If-None-Match': head.headers.get('etag') } });
  assert.equal(again.status, 304);
  const post = await get('/web/index.js', { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
});

test('the sample photos are listed and served read-only', async () => {
  const list = await (await get('/samples/index.json')).json();
  const names = list.map((sample) => sample.name);
  assert.ok(names.includes('cat.bmp'), names.join());
  assert.deepEqual(list.find((sample) => sample.name === 'cat.bmp'), { name: 'cat.bmp', url: '/samples/cat.bmp' });
  const cat = await get('/samples/cat.bmp');
  assert.equal(cat.headers.get('content-type'), 'image/bmp');
  assert.deepEqual(new Uint8Array(await cat.arrayBuffer()), new Uint8Array(readFileSync(path.join(imagesDir, 'cat.bmp'))));
});

test('nothing outside the mounts is reachable', async () => {
  const forbidden = [
    '/package.json', '/scripts/serve.js', '/src/bindings/embind.cc', '/node_modules/vite/package.json',
    '/web/%2e%2e/package.json', '/web/..%2fpackage.json', '/web/demo/%2e%2e%2f%2e%2e%2fpackage.json',
    '/weights/../package.json', '/weights/README.md', '/samples/..%2f..%2fmain%2fpackage.json',
    '/web/.hidden', '/dist/%00', '/web/%E0%A4%A', '/web/demo/../../package.json', '/samples/../../shared/DESIGN.md',
  ];
  for (const pathname of forbidden) {
    // fetch() would normalize dot segments away; a raw request sends the path exactly.
    const status = await rawStatus(pathname);
    assert.ok([400, 404].includes(status), `${pathname}: ${status}`);
  }
});

function rawStatus(rawPath) {
  return new Promise((resolve, reject) => {
    http.get(base + '/', { path: rawPath }, (response) => {
      response.resume();
      resolve(response.statusCode);
    }).on('error', reject);
  });
}

test('a bad PORT fails with a message', () => {
  const result = spawnSync(process.execPath, [script], { env: { ...process.env, PORT: 'eighty' }, encoding: 'utf8' });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /PORT must be a port number, got eighty/);
});
