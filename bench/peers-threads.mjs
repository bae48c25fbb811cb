#!/usr/bin/env node
// The multi-threaded half of the peer benchmark, in its own Node process (scripts/bench-peers.mjs
// runs it as a child): each WebAssembly library fixes its thread count when it starts, once
// per process, so the one-thread engines of the main table cannot be reused here.
//
// Each library runs in a child process of its own (--library), its 1- and N-thread runs
// interleaved there: ours float32 and int8 on 1 and on N threads (the single-threaded and the
// pthreads build);
// onnxruntime-web started with N threads, one session limited to 1 intra-op thread and one
// allowed N; and tfjs-backend-wasm's threaded build where it can start. Separate processes,
// because onnxruntime-web's pool keeps spinning between its runs (CPU/wall near 2 even for its
// 1-thread session) and would take the second core from whatever is timed next to it. Whether an engine really runs threads is checked, not assumed: the OS threads its
// start-up added (/proc/self/task) and the CPU time per wall time of its timed runs.
//
//   node bench/peers-threads.mjs [--threads N] [--runs N] [--warmup-ms MS] [--weights FILE] [--json]
//                                [--library ours|ort|tfjs]
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readWeights } from './mnv2-weights.mjs';
import { createOrtSession, startOrt } from './onnx-graph.mjs';
import { buildOnnxModel } from './peer-ort.mjs';
import { noiseRgba } from './images.mjs';
import { timeEngines, withCpu } from './stats.mjs';
import { load } from '../web/index.js';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const osThreads = () => readdirSync('/proc/self/task').length;

// A deterministic image, as RGBA (ours) and normalized NCHW / NHWC floats (the peers).
function inputs(size, mean, std) {
  const rgba = noiseRgba(size, 7);
  const nchw = new Float32Array(3 * size * size);
  const nhwc = new Float32Array(3 * size * size);
  for (let p = 0; p < size * size; ++p) {
    for (let c = 0; c < 3; ++c) {
      const value = (rgba[4 * p + c] - mean) / std;
      nchw[c * size * size + p] = value;
      nhwc[3 * p + c] = value;
    }
  }
  return { rgba, nchw, nhwc };
}

async function oursEngine(weightsPath, threads, size, rgba, precision = 'float32') {
  const before = osThreads();
  const model = await load({ weights: weightsPath, threads, precision });
  const image = { data: rgba, width: size, height: size };
  await model.classify(image, { topK: 1 });
  const engine = precision === 'int8' ? 'mobilenetv2-wasm int8' : 'mobilenetv2-wasm';
  return {
    name: `${engine} ${threads}T`, engine, threads: model.threads, backend: model.backend,
    startedThreads: osThreads() - before,
    once: () => model.classify(image, { topK: 1 }),
    dispose: () => model.dispose(),
  };
}

// ORT's WebAssembly build starts its pthread pool once (env.wasm.numThreads); each session
// then uses up to intraOpNumThreads of it.
async function ortEngines(weights, threads, size, nchw) {
  const before = osThreads();
  const ort = await startOrt({ threads });
  const bytes = buildOnnxModel(weights);
  const engines = [];
  for (const intraOp of [1, threads]) {
    const session = await createOrtSession(ort, bytes, { intraOp });
    const input = new ort.Tensor('float32', nchw, [1, 3, size, size]);
    await session.run({ input });
    engines.push({ name: `onnxruntime-web ${intraOp}T`, engine: 'onnxruntime-web', threads: intraOp, once: () => session.run({ input }) });
  }
  const started = osThreads() - before;
  for (const engine of engines) engine.startedThreads = started;
  return engines;
}

// tfjs-backend-wasm decides by its flag WASM_HAS_MULTITHREAD_SUPPORT, which it sets to false
// in Node (tfjs issue #3830). Forcing it on is the only way to try the threaded build here.
async function tfjsEngine(weights, threads, size, nhwc) {
  const before = osThreads();
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  // The failure is reported through console.warn/error by tfjs: keep it off the output.
  const messages = [];
  const { warn, error } = console;
  console.warn = console.error = (...args) => messages.push(args.map(String).join(' '));
  let ok = false;
  try {
    ok = await tf.setBackend('wasm');
  } catch (caught) {
    messages.push(String(caught?.message ?? caught));
  } finally {
    console.warn = warn;
    console.error = error;
  }
  if (!ok) {
    const reason = messages.find((text) => /ERR_/.test(text)) ?? messages.find((text) => /Error|failed/i.test(text))
      ?? 'the wasm backend did not initialize';
    return { available: false, reason: `its threaded build does not start in Node ${process.version}: ${reason.split('\n')[0]}` };
  }
  const { createTfjsForward } = await import('./tfjs-forward.mjs');
  const run = createTfjsForward(tf, weights);
  run(nhwc);
  return {
    available: true, name: `tfjs-backend-wasm ${threads}T`, engine: 'tfjs-backend-wasm', threads: wasm.getThreadsCount(),
    startedThreads: osThreads() - before, once: async () => run(nhwc),
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      threads: { type: 'string', default: '2' },
      runs: { type: 'string', default: '50' },
      'warmup-ms': { type: 'string', default: '3000' },
      weights: { type: 'string', default: join(root, 'weights', 'mobilenet_v2_1.0_224.mnv2') },
      json: { type: 'boolean', default: false },
      library: { type: 'string' },
    },
  });
  const threads = Number(values.threads);
  const runs = Number(values.runs);
  const warmupMs = Number(values['warmup-ms']);
  if (!Number.isInteger(threads) || threads < 2) throw new Error(`--threads must be an integer >= 2, got ${values.threads}`);
  const result = values.library ? await timeLibrary(values.library, values.weights, threads, runs, warmupMs)
    : eachLibraryInItsOwnProcess(values, threads, runs, warmupMs);
  if (values.json) {
    console.log(JSON.stringify(result));
  } else {
    for (const row of result.rows) {
      console.log(`${row.name.padEnd(22)} median ${row.median.toFixed(2)} ms  min ${row.min.toFixed(2)}  p90 ${row.p90.toFixed(2)}  cpu/wall ${row.cpuPerWall.toFixed(2)}  OS threads started ${row.startedThreads}`);
    }
    if (result.tfjs && !result.tfjs.available) console.log(`tfjs-backend-wasm: ${result.tfjs.reason}`);
  }
  // ORT's and our pthread workers would keep the process alive.
  process.exit(0);
}

const LIBRARIES = ['ours', 'ort', 'tfjs'];

// One library's engines, interleaved in this process: {load, rows, tfjs?}.
async function timeLibrary(library, weightsPath, threads, runs, warmupMs) {
  if (!LIBRARIES.includes(library)) throw new Error(`--library must be one of ${LIBRARIES.join(', ')}, got ${library}`);
  const weights = readWeights(weightsPath);
  const size = weights.inputSize;
  const { rgba, nchw, nhwc } = inputs(size, weights.mean, weights.std);
  let engines = [];
  let tfjs;
  if (library === 'ours') {
    for (const precision of ['float32', 'int8']) {
      engines.push(await oursEngine(weightsPath, 1, size, rgba, precision), await oursEngine(weightsPath, threads, size, rgba, precision));
    }
  } else if (library === 'ort') {
    engines = await ortEngines(weights, threads, size, nchw);
  } else {
    tfjs = await tfjsEngine(weights, threads, size, nhwc);
    if (tfjs.available) engines = [tfjs];
  }
  for (const engine of engines) withCpu(engine);
  const loadBefore = loadavg()[0];
  const stats = engines.length ? await timeEngines(engines, { runs, warmupMs }) : new Map();
  const rows = engines.map((engine) => ({
    name: engine.name, engine: engine.engine, threads: engine.threads, backend: engine.backend,
    startedThreads: engine.startedThreads, ...stats.get(engine.name),
    // Over warm-up and timed runs alike: a ratio, so the mix does not matter.
    cpuPerWall: engine.cpuMs / engine.wallMs,
  }));
  for (const engine of engines) engine.dispose?.();
  const result = { threads, runs, warmupMs, load: [loadBefore, loadavg()[0]], rows };
  if (tfjs) result.tfjs = tfjs.available ? { available: true } : { available: false, reason: tfjs.reason };
  return result;
}

// Runs this script once per library (--library) and joins the results.
function eachLibraryInItsOwnProcess(values, threads, runs, warmupMs) {
  const self = fileURLToPath(import.meta.url);
  const parts = LIBRARIES.map((library) => JSON.parse(execFileSync(process.execPath, [self, '--json',
    '--library', library, '--threads', String(threads), '--runs', String(runs), '--warmup-ms', String(warmupMs),
    '--weights', values.weights], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()));
  return {
    threads, runs, warmupMs,
    load: [parts[0].load[0], parts[parts.length - 1].load[1]],
    rows: parts.flatMap((part) => part.rows),
    tfjs: parts.find((part) => part.tfjs).tfjs,
  };
}

main().catch((error) => {
  console.error(`peers-threads: ${error.stack ?? error.message}`);
  process.exit(1);
});
