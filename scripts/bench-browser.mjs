#!/usr/bin/env node
// The browser peer benchmark (npm run bench:browser): MobileNetV2 1.0/224 and SSDLite 300x300
// in Debian's Chromium (headless, playwright-core, as the browser tests drive it), in one
// cross-origin isolated page served on loopback (bench/browser/index.html):
//   - this engine: float32 and int8, 1 thread and N threads; int8 on the TF2 ptq weights too;
//     the detector in float32 and int8;
//   - LiteRT.js (@litertjs/core, 'wasm' accelerator = XNNPACK in WebAssembly) on the .tflite
//     files as they are (uint8 classifier, TF2 ptq classifier, integer SSDLite with its
//     post-process op), and on float32 copies of the uint8 classifier and of the detector that
//     mnv2-convert --float-tflite makes into build/models (never committed); its plain build
//     on 1 thread and its threaded build on N threads where it starts;
//   - tfjs-backend-wasm (the network from tf ops, SIMD, 1 thread), as in the Node benchmark.
// Every engine gets the same pixels (bench/images.mjs: each photo resized once, whole, to 224
// and 300 pixels square); each is checked on every shared photo (bench/browser/report.mjs says
// what agreement means) and timed in interleaved rounds on one photo. Writes
// bench/RESULTS-browser.md (Chromium and package versions, median / min / p90, ratios to
// LiteRT.js, WASM memory, ours' per-layer profile).
//
//   node scripts/bench-browser.mjs [--runs N] [--warmup-ms MS] [--rounds N] [--threads N]
//                                  [--images DIR] [--out FILE | --no-write] [--no-profile]
// Exits 1 when an engine could not be built or disagrees (CI runs it as a smoke: --runs 3
// --no-write --no-profile; no time is asserted anywhere).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadSharedImages } from '../bench/images.mjs';
import { checkResults, consoleReport, markdownReport } from '../bench/browser/report.mjs';
import { machineFacts, packageVersion } from '../bench/report-format.mjs';
import { launchBrowser, listen, openPage } from '../tests/browser/support.js';
import { createStaticServer } from './serve.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.MNV2_SHARED ?? path.resolve(root, '../shared');

const TFLITE = {
  uint8: 'mobilenet_v2_1.0_224_quant.tflite',
  ptq: 'tf2_mobilenet_v2_1.0_224_ptq.tflite',
  ssd: 'ssdlite_mobilenet_v2_voc_300_integer_quant_with_postprocess.tflite',
};
// Copies that mnv2-convert makes into build/models (never committed): [source, file, option].
// The detector's copies give the post-process outputs static shapes, without which LiteRT.js
// cannot allocate them (it fails to run the file as it is); the float32 ones are dequantized.
const COPIES = {
  float32: ['uint8', 'mobilenet_v2_1.0_224_float.tflite', '--float-tflite'],
  ssd: ['ssd', 'ssdlite_mobilenet_v2_voc_300_integer_quant_static_outputs.tflite', '--static-outputs'],
  ssdFloat32: ['ssd', 'ssdlite_mobilenet_v2_voc_300_float.tflite', '--float-tflite'],
};
const WEIGHTS = {
  classifier: 'mobilenet_v2_1.0_224.mnv2',
  ptq: 'tf2_mobilenet_v2_1.0_224_ptq.mnv2',
  detector: 'ssdlite_mobilenet_v2_voc_300.mnv2',
};

function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '50' },
      'warmup-ms': { type: 'string', default: '3000' },
      rounds: { type: 'string', default: '10' },
      threads: { type: 'string', default: '2' },
      images: { type: 'string', default: process.env.MNV2_IMAGES ?? path.join(shared, 'images') },
      out: { type: 'string', default: path.join(root, 'bench', 'RESULTS-browser.md') },
      'no-write': { type: 'boolean', default: false },
      'no-profile': { type: 'boolean', default: false },
    },
  });
  const integer = (name, min) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got ${values[name]}`);
    return value;
  };
  return { ...values, runs: integer('runs', 1), warmupMs: integer('warmup-ms', 0), rounds: integer('rounds', 1), threads: integer('threads', 2) };
}

// The .tflite files where scripts/fetch-weights.sh looks for them: $MNV2_MODELS, ../shared/models, build/models.
function findModel(file) {
  for (const dir of [process.env.MNV2_MODELS, path.join(shared, 'models'), path.join(root, 'build', 'models')]) {
    if (dir && existsSync(path.join(dir, file))) return path.join(dir, file);
  }
  throw new Error(`${file} not found in $MNV2_MODELS, ${path.join(shared, 'models')} or build/models (run bash scripts/build.sh)`);
}

// The native converter, rebuilt if its sources changed (incremental; the build made it once).
function converter() {
  const buildDir = path.join(root, 'build', 'native');
  if (!existsSync(path.join(buildDir, 'CMakeCache.txt'))) {
    execFileSync('cmake', ['-S', root, '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  execFileSync('cmake', ['--build', buildDir, '--target', 'mnv2-convert', '-j2'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return path.join(buildDir, 'mnv2-convert');
}

// build/models/<file>: a copy of `source` made by mnv2-convert <option>, remade when older than
// its inputs.
function modelCopy(tool, source, file, option) {
  const output = path.join(root, 'build', 'models', file);
  const newer = (a, b) => statSync(a).mtimeMs > statSync(b).mtimeMs;
  if (!existsSync(output) || !newer(output, source) || !newer(output, tool)) {
    mkdirSync(path.dirname(output), { recursive: true });
    console.log(execFileSync(tool, [option, source, output], { encoding: 'utf8' }).trim());
  }
  return output;
}

const readLines = (file) => readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0);

// The reference top-1 of every shared photo (an independent TFLite runtime on the uint8 model),
// by image name; {} where ../shared/reference is not there (outside this project's machines),
// and the report then says the float32 copy was checked against ours only.
function referenceTop1() {
  const file = path.join(shared, 'reference', 'mobilenet_v2_1.0_224_quant.jsonl');
  if (!existsSync(file)) {
    console.log(`(no reference results at ${file}: the float32 copy is checked against ours float32 only)`);
    return {};
  }
  return Object.fromEntries(readLines(file).map((line) => JSON.parse(line)).map(({ image, top5 }) => [image, top5[0]]));
}

function requireFiles() {
  const needed = [path.join(root, 'dist', 'mobilenetv2.mjs'), ...Object.values(WEIGHTS).map((f) => path.join(root, 'weights', f))];
  const missing = needed.filter((file) => !existsSync(file));
  if (missing.length) throw new Error(`missing ${missing.map((f) => path.relative(root, f)).join(', ')}: run bash scripts/build.sh first`);
  for (const pkg of ['@litertjs/core', '@litertjs/wasm-utils', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm']) {
    if (!existsSync(path.join(root, 'node_modules', pkg, 'package.json'))) throw new Error(`${pkg} is not installed: run npm ci`);
  }
}

// What the page may load: ours (web/, dist/, weights/), the bench's page modules, the peers'
// files from node_modules, each .tflite file under /tflite/<key>/, and the pixels.
function mounts(models, dataDir) {
  const modules = (name) => path.join(root, 'node_modules', name);
  const exactly = (file) => new RegExp(`^${path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return [
    { prefix: '/bench/', dir: path.join(root, 'bench'), only: /\.(mjs|html)$/ },
    { prefix: '/web/', dir: path.join(root, 'web') },
    { prefix: '/dist/', dir: path.join(root, 'dist') },
    { prefix: '/weights/', dir: path.join(root, 'weights'), only: /\.mnv2$/ },
    { prefix: '/litert/', dir: modules('@litertjs/core') },
    { prefix: '/litert-wasm-utils/', dir: path.join(modules('@litertjs/wasm-utils'), 'dist') },
    { prefix: '/tfjs-core/', dir: path.join(modules('@tensorflow/tfjs-core'), 'dist'), only: /^tf-core\.min\.js$/ },
    { prefix: '/tfjs-backend-wasm/', dir: path.join(modules('@tensorflow/tfjs-backend-wasm'), 'dist'), only: /^(tf-backend-wasm\.min\.js|tfjs-backend-wasm[-\w]*\.wasm)$/ },
    ...Object.entries(models).map(([key, file]) => ({ prefix: `/tflite/${key}/`, dir: path.dirname(file), only: exactly(file) })),
    { prefix: '/bench-data/', dir: dataDir },
  ];
}

async function main() {
  const opts = options();
  requireFiles();
  const tool = converter();
  const models = Object.fromEntries(Object.entries(TFLITE).map(([key, file]) => [key, findModel(file)]));
  const originals = { ...models };
  for (const [key, [source, file, option]] of Object.entries(COPIES)) models[key] = modelCopy(tool, originals[source], file, option);

  // The pixels, once for every engine: each photo resized whole to 224 and 300 pixels square.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mnv2-bench-browser-'));
  const images224 = await loadSharedImages(opts.images, 224, 128, 128);
  const images300 = await loadSharedImages(opts.images, 300, 127.5, 127.5);
  if (images224.length === 0) throw new Error(`no images in ${opts.images}`);
  images224.forEach((image, i) => {
    writeFileSync(path.join(dataDir, `${image.name}.224.rgba`), image.rgba);
    writeFileSync(path.join(dataDir, `${image.name}.300.rgba`), images300[i].rgba);
  });

  const server = await listen(createStaticServer({ mounts: mounts(models, dataDir), redirects: {}, contentSecurityPolicy: null }));
  const browser = await launchBrowser();
  const loadBefore = loadavg();
  let result;
  let pageErrors;
  try {
    const { page, errors } = await openPage(browser.context);
    pageErrors = errors;
    page.on('console', (message) => { if (process.env.MNV2_BENCH_VERBOSE) console.log(`page: ${message.text()}`); });
    await page.goto(`${server.url}/bench/browser/index.html`);
    await page.waitForFunction(() => window.benchPageReady === true);
    const config = {
      runs: opts.runs, warmupMs: opts.warmupMs, rounds: Math.min(opts.rounds, opts.runs), threads: opts.threads,
      profileRuns: opts['no-profile'] ? 0 : 20,
      dataUrl: '/bench-data/', images: images224.map((image) => image.name), timedImage: 'cat.bmp',
      weights: Object.fromEntries(Object.entries(WEIGHTS).map(([key, file]) => [key, `/weights/${file}`])),
      tflite: Object.fromEntries(Object.entries(models).map(([key, file]) => [key, `/tflite/${key}/${path.basename(file)}`])),
    };
    result = await page.evaluate((c) => window.runBrowserBench(c), config);
  } finally {
    await browser.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const run = {
    opts, result, models, originals, pageErrors, load: [loadBefore[0], loadavg()[0]], reference: referenceTop1(),
    date: new Date().toISOString(), machine: machineFacts(),
    chromium: result.browserVersions.find(({ brand }) => /Chrom/.test(brand))?.version ?? result.userAgent.match(/Chrome\/([\d.]+)/)?.[1],
    versions: Object.fromEntries(['@litertjs/core', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', 'playwright-core']
      .map((name) => [name, packageVersion(name)]).concat([['self', JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version]])),
    labels: { imagenet: readLines(findModel('imagenet_labels.txt')), voc: readLines(findModel('voc_labels_20.txt')) },
  };
  const check = checkResults(run);
  for (const line of consoleReport(run, check)) console.log(line);
  if (!opts['no-write']) {
    writeFileSync(opts.out, `${markdownReport(run, check).join('\n')}\n`);
    console.log(`wrote ${path.relative(process.cwd(), opts.out)}`);
  }
  if (check.problems.length) {
    console.error(`bench-browser: ${check.problems.length} problem(s):\n  ${check.problems.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`bench-browser: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
