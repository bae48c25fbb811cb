// The published package is complete: `npm pack` it, install the tarball into a new project,
// and use it as users do: import it in Node (in-thread and worker mode), run its command line,
// and build a small Vite app with it that classifies and detects objects in cat.bmp in
// Chromium (in-thread and in Web Workers). Nothing here reads the repository's own web/ or
// dist/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStaticServer } from '../../scripts/serve.js';
import { launchBrowser, openPage, imagesDir, screenshotPath } from '../browser/support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const cat = path.join(imagesDir, 'cat.bmp');

let workDir;
let project;
let packed;

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

before(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'mnv2-package-'));
  // scripts/test.sh has just built everything: skip prepack's build.
  const [info] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', workDir], { cwd: repoRoot }));
  packed = info;
  project = path.join(workDir, 'app');
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // The dependencies come from npm's cache when they are there (they are after setup).
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(workDir, info.filename)], { cwd: project });
});
after(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('the tarball holds the runtime files and nothing else', () => {
  const files = packed.files.map((file) => file.path).sort();
  // dist/ holds only what the build writes: modules, their .wasm, pthread workers, and the
  // relaxed-SIMD kernel modules (also embedded in the modules' JavaScript).
  const allowed = /^(README\.md|LICENSE[^/]*|package\.json|dist\/([\w-]+\/)?[\w.-]+\.(mjs|js|wasm|json)|web\/[\w-]+\.(js|d\.ts)|weights\/[\w.-]+\.mnv2)$/;
  for (const file of files) assert.match(file, allowed, `${file} should not be published`);
  const required = ['package.json', 'dist/mobilenetv2.mjs', 'dist/mobilenetv2.wasm', 'dist/relaxed-kernels.wasm',
    'dist/relaxed-kernels-shared.wasm', 'web/index.js', 'web/index.d.ts',
    'web/worker.js', 'web/cli.js', ...readdirSync(path.join(repoRoot, 'weights')).filter((name) => name.endsWith('.mnv2')).map((name) => `weights/${name}`)];
  for (const file of required) assert.ok(files.includes(file), `${file} is missing from the tarball`);
});

test('every file the packed code refers to is in the package', () => {
  const installed = path.join(project, 'node_modules/mobilenetv2-wasm');
  const references = /(?:from\s+|import\(\s*(?:\/\*[^*]*\*\/\s*)?|new URL\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const file of readdirSync(path.join(installed, 'web')).filter((name) => name.endsWith('.js'))) {
    const source = readFileSync(path.join(installed, 'web', file), 'utf8');
    for (const [, relative] of source.matchAll(references)) {
      assert.ok(existsSync(path.resolve(installed, 'web', relative)), `web/${file} refers to ${relative}, which is not in the package`);
    }
  }
});

test('Node: import the package and classify cat.bmp, in-thread and in a worker thread', () => {
  writeFileSync(path.join(project, 'classify.js'), `
    import { load } from 'mobilenetv2-wasm';
    import { readImage } from 'mobilenetv2-wasm/decode-image';
    const image = await readImage(process.argv[2]);
    const results = {};
    for (const worker of [false, true]) {
      const model = await load({ worker });
      results[worker ? 'worker' : 'thread'] = (await model.classify(image, { topK: 1 }))[0];
      model.dispose();
    }
    console.log(JSON.stringify(results));
  `);
  const results = JSON.parse(run(process.execPath, ['classify.js', cat], { cwd: project }));
  assert.equal(results.thread.label, 'Egyptian cat');
  assert.deepEqual(results.worker, results.thread);
});

test('the installed command line classifies cat.bmp', () => {
  const output = run(path.join(project, 'node_modules/.bin/mobilenetv2-wasm'), ['classify', '--json', '--top', '1', cat], { cwd: project });
  assert.equal(JSON.parse(output).top[0].label, 'Egyptian cat');
});

test('a Vite app built with the package classifies and detects in Chromium, also in workers', async () => {
  cpSync(path.join(here, 'vite-app'), project, { recursive: true });
  run(process.execPath, [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: project });
  const assets = readdirSync(path.join(project, 'dist/assets'));
  assert.ok(assets.some((name) => name.endsWith('.wasm')), `no .wasm asset in ${assets}`);
  assert.equal(assets.filter((name) => name.endsWith('.mnv2')).length, 2, `two weight files (classifier, detector) in ${assets}`);
  assert.ok(assets.some((name) => /^worker-.*\.js$/.test(name)), `no worker chunk in ${assets}`);

  const server = createStaticServer({
    mounts: [{ prefix: '/samples/', dir: imagesDir }, { prefix: '/', dir: path.join(project, 'dist') }],
    redirects: {},
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchBrowser();
  try {
    for (const worker of [false, true]) {
      const { page, errors } = await openPage(browser.context);
      let workers = 0;
      page.on('worker', () => { workers += 1; });
      await page.goto(`http://localhost:${server.address().port}/?image=/samples/cat.bmp${worker ? '&worker=1' : ''}`);
      const result = page.locator('#result');
      await result.filter({ hasNotText: 'pending' }).waitFor({ timeout: 60_000 });
      assert.equal(await result.textContent(), 'Egyptian cat / cat');
      assert.equal(workers, worker ? 2 : 0);
      if (!worker) await page.screenshot({ path: screenshotPath('vite-app.png') });
      assert.deepEqual(errors, []);
      await page.close();
    }
  } finally {
    await browser.close();
    server.closeAllConnections();
    server.close();
  }
});
