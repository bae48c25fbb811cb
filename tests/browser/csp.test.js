// Web safety: the package runs under the strictest Content-Security-Policy that still allows
// WebAssembly,
//     default-src 'self'; script-src 'self' 'wasm-unsafe-eval'
// (no eval, no new Function, no inline script, nothing from another origin), and it requests
// nothing but its own modules, its .wasm and the weights it was told to load. The shipped
// JavaScript is also checked for eval-like constructs, so a future Emscripten flag or helper
// that needs them fails here rather than on a user's page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { demoFiles, listen, openPage, repoRoot, useBrowserSession } from './support.js';

const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

// The page under test: no inline script (the CSP would refuse it), a module script that loads
// the package, classifies pixels and a canvas, detects when the build has a detector, and
// records every securitypolicyviolation. ?weights= names the weight file to load.
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CSP</title><link rel="icon" href="data:,">
<script type="module" src="/csp/page.js"></script></head><body><output id="state">running</output></body></html>`;

const PAGE_SCRIPT = `
const report = { violations: [], results: {}, error: null };
document.addEventListener('securitypolicyviolation', (event) => {
  report.violations.push(event.violatedDirective + ' ' + event.blockedURI);
});
try {
  const api = await import('/web/index.js');
  const weights = new URL(location.href).searchParams.get('weights') ?? undefined;
  const model = await api.load(weights ? { weights } : {});
  const width = 64, height = 48;
  // Opaque: a canvas stores premultiplied alpha, which would change translucent pixels.
  const data = new Uint8ClampedArray(width * height * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37) & 255));
  report.results.pixels = await model.classify({ data, width, height }, { topK: 3 });
  const canvas = Object.assign(document.createElement('canvas'), { width, height });
  canvas.getContext('2d').putImageData(new ImageData(data, width, height), 0, 0);
  report.results.canvas = await model.classify(canvas, { topK: 3 });
  model.dispose();
  if (!weights && typeof api.loadDetector === 'function') {
    const detector = await api.loadDetector();
    report.results.detect = await detector.detect(canvas, { minScore: 0 });
    detector.dispose();
  }
} catch (error) {
  report.error = String(error && error.stack || error);
}
// Proof the policy is in force: eval is refused here. Provoked last, after the package's
// violations (there should be none) were taken: its own violation report comes later.
report.packageViolations = [...report.violations];
try {
  report.evalRefused = (0, eval)('false');
} catch {
  report.evalRefused = true;
}
window.cspReport = report;
document.getElementById('state').textContent = 'done';
`;

const session = useBrowserSession(async () => {
  // The repository's static server for /web, /dist, /weights; this page with the strict CSP.
  const files = demoFiles();
  return listen(http.createServer((request, response) => {
    const { pathname } = new URL(request.url, 'http://localhost');
    if (pathname === '/csp/page.html' || pathname === '/csp/page.js') {
      const html = pathname.endsWith('.html');
      response.writeHead(200, {
        'Content-Type': html ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8',
        'Content-Security-Policy': STRICT_CSP,
        'Cache-Control': 'no-store',
      });
      response.end(html ? PAGE : PAGE_SCRIPT);
      return;
    }
    // The same weights under another name, to see that a given URL replaces the default.
    if (pathname === '/csp/other.mnv2') request.url = '/weights/mobilenet_v2_1.0_224.mnv2';
    files(request, response);
  }));
});

/** Opens the page, waits for its report; returns it with the requests and console errors. */
async function run(query = '') {
  const { page, errors } = await openPage(session.context);
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  const origin = `http://127.0.0.1:${session.port}`;
  await page.goto(`${origin}/csp/page.html${query}`);
  await page.locator('#state', { hasText: 'done' }).waitFor({ timeout: 120_000 });
  const report = await page.evaluate(() => window.cspReport);
  await page.close();
  const paths = requests.map((url) => {
    const parsed = new URL(url);
    return parsed.origin === origin ? parsed.pathname : url;
  });
  return { report, errors, paths };
}

test('under default-src \'self\'; script-src \'self\' \'wasm-unsafe-eval\' the package classifies without a violation', async () => {
  const { report, errors, paths } = await run();
  assert.equal(report.error, null, report.error);
  assert.deepEqual(report.packageViolations, []);
  assert.equal(report.evalRefused, true, 'the CSP must be in force (eval refused)');
  assert.equal(report.results.pixels.length, 3);
  assert.deepEqual(report.results.canvas, report.results.pixels);
  // Console errors: only the refused eval of the check above.
  assert.ok(errors.every((error) => /unsafe-eval|Content Security Policy/.test(error)), errors.join('\n'));

  // Requests: the page, the package's own modules, one .wasm and the default weights.
  const unexpected = paths.filter((p) => !(
    p === '/csp/page.html' || p === '/csp/page.js' ||
    /^\/web\/[\w-]+\.js$/.test(p) ||
    p === '/dist/mobilenetv2.mjs' || p === '/dist/mobilenetv2.wasm' ||
    p === '/weights/mobilenet_v2_1.0_224.mnv2' ||
    (report.results.detect && p === '/weights/ssdlite_mobilenet_v2_voc_300.mnv2')));
  assert.deepEqual(unexpected, [], `unexpected requests: ${unexpected.join(', ')}`);
  assert.equal(paths.filter((p) => p.endsWith('.wasm')).length, 1, 'one .wasm download');
  assert.equal(paths.filter((p) => p === '/weights/mobilenet_v2_1.0_224.mnv2').length, 1);
});

test('given a weights URL, that is the only weight file requested', async () => {
  const { report, paths } = await run('?weights=/csp/other.mnv2');
  assert.equal(report.error, null, report.error);
  assert.deepEqual(report.packageViolations, []);
  assert.equal(report.results.pixels.length, 3);
  assert.deepEqual(paths.filter((p) => p.endsWith('.mnv2')), ['/csp/other.mnv2']);
});

test('the shipped JavaScript contains no eval, new Function or string timers', () => {
  const files = [path.join(repoRoot, 'dist/mobilenetv2.mjs')];
  for (const name of readdirSync(path.join(repoRoot, 'web'))) {
    if (name.endsWith('.js')) files.push(path.join(repoRoot, 'web', name));
  }
  const threads = path.join(repoRoot, 'dist/mobilenetv2-threads.mjs');
  if (existsSync(threads)) files.push(threads);
  const forbidden = [
    [/\beval\s*\(/, 'eval('],
    [/\bnew\s+Function\s*\(/, 'new Function('],
    [/(^|[^\w.$])Function\s*\(/, 'Function('],
    [/\bset(Timeout|Interval)\s*\(\s*['"`]/, 'a string timer'],
  ];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const [pattern, what] of forbidden) {
      const match = pattern.exec(text);
      assert.equal(match, null, `${path.relative(repoRoot, file)} contains ${what}: ...${match && text.slice(Math.max(0, match.index - 60), match.index + 60)}...`);
    }
  }
});
