#!/usr/bin/env node
// Side-by-side benchmark of MobileNetV2 1.0/224 on one thread with WebAssembly SIMD128:
//   - this engine (mobilenetv2-wasm),
//   - @tensorflow/tfjs-backend-wasm (XNNPACK), the network built from tf ops,
//   - onnxruntime-web (wasm), the network built here as an ONNX graph,
// all three from the same weights (our .mnv2 file, converted from the TFLite model), checked
// to agree on the shared photos (same top-1, softmax differences printed); and the int8 pair:
//   - this engine with precision 'int8' (TFLite's integer arithmetic),
//   - onnxruntime-web on a QDQ ONNX graph of the same quantized model (bench/peer-ort-q8.mjs),
//     checked to agree with ours (top-1, score differences in 1/256 steps) and, from ORT's
//     profiler, to run integer kernels (bench/ort-kernels.mjs);
// all five then timed in the same process, in interleaved rounds. Prints the tables and writes
// them to bench/RESULTS.md with the date, the machine and the package versions, plus this
// engine's per-layer profile against the machine's SIMD128 multiply+add peak.
//
// Then the same with threads (bench/peers-threads.mjs, in a child process because each
// library fixes its thread count once per process): ours on 1 and N threads, onnxruntime-web
// on 1 and N intra-op threads, tfjs-backend-wasm's threaded build if it starts in Node (it
// does not in Node 20: the table says so instead of showing a number).
//
//   node scripts/bench-peers.mjs [--runs N] [--warmup-ms MS] [--images DIR] [--weights FILE]
//                                [--out FILE | --no-write] [--no-profile] [--no-relaxed]
//                                [--threads N | --no-threads]
// (npm run bench). Exits 1 if the float engines disagree on a top-1, if the two int8 engines
// disagree beyond a swap of their top two classes, or if ORT ran a float conv for the int8 model.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { attributeMemory, wasmMemoryBytes } from '../bench/wasm-memory.mjs';
import { loadSharedImages } from '../bench/images.mjs';
import { readWeights } from '../bench/mnv2-weights.mjs';
import { createOursPeer } from '../bench/peer-ours.mjs';
import { createTfjsPeer } from '../bench/peer-tfjs.mjs';
import { createOrtPeer } from '../bench/peer-ort.mjs';
import { createOrtQ8Peer } from '../bench/peer-ort-q8.mjs';
import { compareInt8Top } from '../bench/int8-agreement.mjs';
import { formatKernels, ortKernels } from '../bench/ort-kernels.mjs';
import { machineFacts, markdownTable, packageVersion, table } from '../bench/report-format.mjs';
import { timeEngines } from '../bench/stats.mjs';
import { profileReport, formatProfile } from '../web/profile-report.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '50' },
      'warmup-ms': { type: 'string', default: '3000' },
      images: { type: 'string', default: process.env.MNV2_IMAGES ?? join(root, '..', 'shared', 'images') },
      weights: { type: 'string', default: join(root, 'weights', 'mobilenet_v2_1.0_224.mnv2') },
      out: { type: 'string', default: join(root, 'bench', 'RESULTS.md') },
      'no-write': { type: 'boolean', default: false },
      'no-profile': { type: 'boolean', default: false },
      'no-relaxed': { type: 'boolean', default: false },
      threads: { type: 'string', default: '2' },
      'no-threads': { type: 'boolean', default: false },
    },
  });
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 2) throw new Error(`--threads must be an integer >= 2, got ${values.threads}`);
  const runs = Number(values.runs);
  const warmupMs = Number(values['warmup-ms']);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  if (!(warmupMs >= 0)) throw new Error(`--warmup-ms must be >= 0, got ${values['warmup-ms']}`);
  for (const path of [values.images, values.weights]) if (!existsSync(path)) throw new Error(`${path} does not exist (run bash scripts/build.sh first)`);
  return { ...values, runs, warmupMs, threads };
}

function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; ++i) if (values[i] > values[best]) best = i;
  return best;
}

function maxAbsDiff(a, b) {
  let max = 0;
  for (let i = 0; i < a.length; ++i) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

const mib = (bytes) => (bytes / 1048576).toFixed(1);

// Our float engine on its two backends, SIMD128 and relaxed SIMD, interleaved by
// bench/compare.mjs in a child Node with relaxed SIMD switched on (Node 20 ships it behind a
// flag). Returns {simd, relaxed} ({median, min, p90} ms each), or {available: false, reason}.
function relaxedSimd(runs) {
  try {
    const out = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', join(root, 'bench', 'compare.mjs'), '--json',
      '--runs', String(runs), '--rounds', String(Math.min(runs, 10)), 'fused:1:float32:simd', 'fused:1:float32:relaxed-simd'], { encoding: 'utf8' });
    const [simd, relaxed] = JSON.parse(out.trim().split('\n').pop());
    return { available: true, simd, relaxed };
  } catch (error) {
    return { available: false, reason: String(error.stderr || error.message).trim().split('\n').pop() };
  }
}

// The threaded engines (bench/peers-threads.mjs) in a child Node: {rows, tfjs} or
// {failed: reason}.
function threadedPeers(opts) {
  try {
    const out = execFileSync(process.execPath, [join(root, 'bench', 'peers-threads.mjs'), '--json',
      '--threads', String(opts.threads), '--runs', String(opts.runs), '--warmup-ms', String(opts.warmupMs),
      '--weights', opts.weights], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (error) {
    return { failed: String(error.stderr || error.message).trim().split('\n')[0] };
  }
}

// Rows of the threads table: each engine's N-thread time against its own 1-thread time.
function threadRows(threaded) {
  const one = new Map(threaded.rows.filter((row) => row.threads === 1).map((row) => [row.engine, row]));
  const rows = threaded.rows.map((row) => {
    const base = one.get(row.engine);
    return [row.name, String(row.threads), row.median.toFixed(2), row.min.toFixed(2), row.p90.toFixed(2),
      base && row !== base ? `${(row.median / base.median).toFixed(2)}x` : '-', row.cpuPerWall.toFixed(2), String(row.startedThreads)];
  });
  if (!threaded.tfjs.available) rows.push([`tfjs-backend-wasm ${threaded.threads}T`, '-', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']);
  return rows;
}
const threadHeader = ['engine', 'threads', 'median ms', 'min ms', 'p90 ms', 'median vs 1 thread', 'CPU/wall', 'OS threads started'];

async function main() {
  const opts = options();
  const loadBefore = loadavg();
  const weights = readWeights(opts.weights);
  const size = weights.inputSize;
  const images = await loadSharedImages(opts.images, size, weights.mean, weights.std);
  if (images.length === 0) throw new Error(`no images in ${opts.images}`);

  const ours = await attributeMemory('ours', () => createOursPeer(opts.weights));
  // The same engine on the quantized model's integer arithmetic (shares ours' WASM module).
  const oursInt8 = await createOursPeer(opts.weights, { precision: 'int8' });
  const tfjs = await attributeMemory('tfjs', () => createTfjsPeer(weights));
  const ort = await attributeMemory('ort', () => createOrtPeer(weights));
  // The quantized model's QDQ graph on the same ORT instance (ORT starts its wasm once).
  const ortInt8 = await createOrtQ8Peer(weights);

  // Agreement on every shared image.
  const agreement = [];
  for (const image of images) {
    const p = { ours: await ours.run(image.rgba), tfjs: tfjs.run(image.nhwc), ort: await ort.run(image.nchw) };
    const top = { ours: argmax(p.ours), tfjs: argmax(p.tfjs), ort: argmax(p.ort) };
    const q8 = { ours: await oursInt8.run(image.rgba), ort: await ortInt8.run(image.nchw) };
    const int8 = compareInt8Top(q8.ours, q8.ort);
    const int8Top = int8.oursTop;
    agreement.push({
      int8Same: int8Top === top.ours,
      int8: {
        top: { ours: int8Top, ort: int8.ortTop }, score: { ours: q8.ours[int8Top], ort: q8.ort[int8.ortTop] },
        // Same, or two nearly tied classes swapped by differently rounding integer arithmetic.
        same: int8.same, swapped: int8.swapped,
        diffSteps: Math.round(maxAbsDiff(q8.ours, q8.ort) * 256),
      },
      image: image.name, top, label: weights.labels[top.ours], score: p.ours[top.ours],
      same: top.ours === top.tfjs && top.ours === top.ort,
      diffTfjs: maxAbsDiff(p.ours, p.tfjs), diffOrt: maxAbsDiff(p.ours, p.ort), diffPeers: maxAbsDiff(p.tfjs, p.ort),
    });
  }

  // Timing: one inference of one image, as each library is normally called.
  const first = images[0];
  const engines = [
    { name: 'mobilenetv2-wasm', label: 'this engine (SIMD128, 1 thread)', once: () => ours.classify(first.rgba) },
    { name: 'mobilenetv2-wasm-int8', label: 'this engine, precision int8 (TFLite integer arithmetic, SIMD128, 1 thread)', once: () => oursInt8.classify(first.rgba) },
    { name: 'tfjs-backend-wasm', label: `@tensorflow/tfjs-backend-wasm ${packageVersion('@tensorflow/tfjs-backend-wasm')} (XNNPACK, SIMD, 1 thread)`, once: async () => tfjs.run(first.nhwc) },
    { name: 'onnxruntime-web', label: `onnxruntime-web ${packageVersion('onnxruntime-web')} (wasm, SIMD, 1 thread)`, once: () => ort.run(first.nchw) },
    { name: 'onnxruntime-web-int8', label: `onnxruntime-web ${packageVersion('onnxruntime-web')}, QDQ model of the quantized weights (integer kernels, wasm, SIMD, 1 thread)`, once: () => ortInt8.run(first.nchw) },
  ];
  const stats = await timeEngines(engines, { runs: opts.runs, warmupMs: opts.warmupMs });
  const oursStats = stats.get('mobilenetv2-wasm');
  const int8Stats = stats.get('mobilenetv2-wasm-int8');
  const int8Memory = oursInt8.memoryStats();
  const tfjsStats = stats.get('tfjs-backend-wasm');
  const ortStats = stats.get('onnxruntime-web');
  const ortInt8Stats = stats.get('onnxruntime-web-int8');

  const memory = ours.memoryStats();
  const memoryRows = [
    ['mobilenetv2-wasm', mib(memory.weightsBytes), mib(memory.activationPeakBytes + memory.scratchBytes), mib(wasmMemoryBytes('ours'))],
    ['mobilenetv2-wasm-int8', mib(int8Memory.weightsBytes), mib(int8Memory.activationPeakBytes + int8Memory.scratchBytes), 'shared with ours'],
    ['tfjs-backend-wasm', mib(tfjs.weightBytes), 'n/a', mib(wasmMemoryBytes('tfjs'))],
    ['onnxruntime-web', mib(ort.weightBytes), 'n/a', mib(wasmMemoryBytes('ort'))],
    ['onnxruntime-web-int8', mib(ortInt8.weightBytes), 'n/a', 'shared with onnxruntime-web'],
  ];
  // What ORT ran for each graph (its profiler, in a child process): the int8 peer must be
  // integer convolutions only.
  const kernels = { int8: ortKernels('int8', opts.weights), float: ortKernels('float', opts.weights) };
  const floatConvsInInt8 = kernels.int8.filter((k) => /Conv/.test(k.op) && k.op !== 'QLinearConv');

  const profile = opts['no-profile'] ? null
    : await profileReport(ours.model, { data: first.rgba, width: size, height: size }, { runs: Math.min(opts.runs, 20) });
  const relaxed = opts['no-relaxed'] ? null : relaxedSimd(opts.runs);
  const threaded = opts['no-threads'] ? null : threadedPeers(opts);
  const loadAfter = loadavg();

  // ---- console --------------------------------------------------------------------------
  const ms = (value) => value.toFixed(2);
  const timingHeader = ['engine', 'median ms', 'min ms', 'p90 ms', 'vs tfjs median'];
  const timingRows = engines.map(({ name }) => {
    const s = stats.get(name);
    return [name, ms(s.median), ms(s.min), ms(s.p90), `${(s.median / tfjsStats.median).toFixed(2)}x`];
  });
  const agreementHeader = ['image', 'top-1 ours / tfjs / ORT', 'label', 'p', 'max abs dp ours-tfjs', 'ours-ORT', 'tfjs-ORT'];
  const agreementRows = agreement.map((a) => [a.image, `${a.top.ours} / ${a.top.tfjs} / ${a.top.ort}${a.same ? '' : ' MISMATCH'}`,
    a.label.split(',')[0], a.score.toFixed(4), a.diffTfjs.toExponential(1), a.diffOrt.toExponential(1), a.diffPeers.toExponential(1)]);
  const allSame = agreement.every((a) => a.same);
  const maxDiff = Math.max(...agreement.map((a) => Math.max(a.diffTfjs, a.diffOrt)));
  const int8Header = ['image', 'top-1 ours int8 / ORT int8', 'label', 'p ours int8', 'p ORT int8', 'max abs dp (1/256 steps)', 'top-1 ours float'];
  const int8Rows = agreement.map(({ image, int8: q, top }) => [image, `${q.top.ours} / ${q.top.ort}${q.same ? '' : q.swapped ? ' (top-2 swapped)' : ' MISMATCH'}`,
    weights.labels[q.top.ours].split(',')[0], q.score.ours.toFixed(4), q.score.ort.toFixed(4), String(q.diffSteps), String(top.ours)]);
  const int8SameCount = agreement.filter((a) => a.int8.same).length;
  const int8Consistent = agreement.every((a) => a.int8.same || a.int8.swapped);
  const int8MaxSteps = Math.max(...agreement.map((a) => a.int8.diffSteps));
  const int8Summary = `int8 top-1 ours = ORT on ${int8SameCount}/${agreement.length} images${int8Consistent ? (int8SameCount < agreement.length ? ' (elsewhere the top two classes swapped)' : '') : ' (**and a MISMATCH beyond a top-2 swap**)'}; largest score difference ${int8MaxSteps}/256`;
  const kernelsLine = `onnxruntime-web int8 ran: ${formatKernels(kernels.int8)}`;
  const memoryHeader = ['engine', 'weights MiB', 'activations MiB', 'WASM memory MiB'];

  console.log(`MobileNetV2 1.0/${size}, ${weights.tensors.size} tensors from ${relative(root, opts.weights)}; ${images.length} images from ${opts.images}`);
  for (const line of table(agreementHeader, agreementRows)) console.log(line);
  console.log(`top-1: ${allSame ? 'all three agree on every image' : 'DISAGREEMENT'}; max softmax |difference| vs ours ${maxDiff.toExponential(2)}`);
  const int8Agree = agreement.filter((a) => a.int8Same).length;
  console.log(`int8: top-1 equals ours (float32) on ${int8Agree}/${agreement.length} images; int8 / float32 median ${(int8Stats.median / oursStats.median).toFixed(2)}x`);
  console.log('');
  for (const line of table(int8Header, int8Rows)) console.log(line);
  console.log(`${int8Summary}; ours int8 / ORT int8 median ${(int8Stats.median / ortInt8Stats.median).toFixed(2)}x`);
  console.log(`${kernelsLine}${floatConvsInInt8.length ? ' -- FLOAT CONVS IN THE INT8 MODEL' : ''}`);
  console.log(`onnxruntime-web float ran: ${formatKernels(kernels.float)}`);
  console.log('');
  console.log(`single-image inference, ${opts.runs} timed runs each after ${opts.warmupMs} ms of warm-up (load average ${loadBefore[0].toFixed(1)} -> ${loadAfter[0].toFixed(1)}):`);
  for (const line of table(timingHeader, timingRows)) console.log(line);
  console.log('');
  for (const line of table(memoryHeader, memoryRows)) console.log(line);
  if (profile) {
    console.log('');
    for (const line of formatProfile(profile)) console.log(line);
  }
  const relaxedLines = relaxed === null ? [] : relaxed.available ? [
    `float32, 1 thread, backend 'simd' -> 'relaxed-simd' (bench/compare.mjs, child Node with relaxed SIMD): median ${ms(relaxed.simd.median)} -> ${ms(relaxed.relaxed.median)} ms, min ${ms(relaxed.simd.min)} -> ${ms(relaxed.relaxed.min)} ms`,
  ] : [`relaxed SIMD: not measured: ${relaxed.reason}`];
  if (relaxedLines.length) console.log(['', ...relaxedLines].join('\n'));
  if (threaded?.failed) {
    console.log(`\n${opts.threads} threads: not measured: ${threaded.failed}`);
  } else if (threaded) {
    console.log(`\n${opts.threads} threads (bench/peers-threads.mjs, one child process per library, its 1- and N-thread runs interleaved there; load average ${threaded.load[0].toFixed(1)} -> ${threaded.load[1].toFixed(1)}):`);
    for (const line of table(threadHeader, threadRows(threaded))) console.log(line);
    if (!threaded.tfjs.available) console.log(`tfjs-backend-wasm ${opts.threads} threads: ${threaded.tfjs.reason}`);
    if (threaded.rows.some((row) => row.threads > 1 && row.cpuPerWall < 1.3)) {
      console.log('note: CPU/wall near 1 on a multi-threaded row: this process had about one core then (other load); no speedup can show');
    }
  }

  // ---- bench/RESULTS.md -------------------------------------------------------------------
  if (!opts['no-write']) {
    const facts = machineFacts();
    const hot = profile ? [...profile.layers].sort((a, b) => b.ms - a.ms).slice(0, 5) : [];
    const md = [
      `# Peer benchmark: MobileNetV2 1.0/224, WebAssembly SIMD128, one thread${threaded && !threaded.failed ? ` and ${opts.threads} threads` : ''}`,
      '',
      `Generated by \`npm run bench\` (scripts/bench-peers.mjs) on ${new Date().toISOString()}. Do not edit by hand.`,
      '',
      '## Machine and software',
      '',
      `- CPU: ${facts.cpu}, ${facts.cores} logical cores, cache ${facts.cache}, flags: ${facts.simdFlags}`,
      `- Node ${facts.node} (V8 ${facts.v8})`,
      `- Load average (1 min) before / after: ${loadBefore[0].toFixed(2)} / ${loadAfter[0].toFixed(2)}: other processes shared the machine; the engines were timed in interleaved rounds so they shared it alike`,
      `- Packages: mobilenetv2-wasm ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}, @tensorflow/tfjs-core ${packageVersion('@tensorflow/tfjs-core')}, @tensorflow/tfjs-backend-wasm ${packageVersion('@tensorflow/tfjs-backend-wasm')}, onnxruntime-web ${packageVersion('onnxruntime-web')}, onnx-proto ${packageVersion('onnx-proto')}`,
      '',
      'All engines run the same weights: the uint8 TFLite model converted to our .mnv2 file, read in JavaScript for',
      'the peers (bench/mnv2-weights.mjs). The float engines dequantize it (real = scale * (q - zero_point)): ours,',
      'tfjs (the network from tf ops, bench/peer-tfjs.mjs) and ORT (a float ONNX graph, bench/peer-ort.mjs). The int8',
      "engines keep its integers: ours with precision 'int8' (TFLite's integer arithmetic) and ORT on a QDQ ONNX graph",
      '(bench/peer-ort-q8.mjs: uint8 weights, int32 biases, every activation a QuantizeLinear/DequantizeLinear pair with',
      "the model's own scale and zero point, which ORT fuses into QLinearConv / QLinearAdd / QLinearGlobalAveragePool).",
      'tfjs has no int8 path. Every engine gets the same pixels: each photo is resized once in JavaScript to 224x224;',
      'ours takes the RGBA pixels, the peers the same values normalized to (p - 128) / 128 (the int8 ORT graph quantizes',
      'them back to the pixels exactly: its input scale is 1/128, zero point 128).',
      '',
      '## Speed (single image, median / min / p90)',
      '',
      `${opts.runs} timed runs per engine after ${opts.warmupMs} ms of warm-up each (V8 tier-up), in up to 10 interleaved rounds.`,
      'Times include what a caller pays: ours from RGBA pixels (preprocessing included) to the top-1;',
      'tfjs from a Float32Array to the probabilities read back (dataSync); ORT (both graphs) from a Float32Array to the',
      'output tensor.',
      '',
      ...markdownTable(['engine', 'median ms', 'min ms', 'p90 ms', 'median vs tfjs'], timingRows),
      '',
      ...engines.map((e) => `- ${e.name}: ${e.label}`),
      '',
      `Ours / tfjs-backend-wasm median: **${(oursStats.median / tfjsStats.median).toFixed(2)}x**; ours / onnxruntime-web: **${(oursStats.median / ortStats.median).toFixed(2)}x**.`,
      `Ours int8 / ours float32 median: **${(int8Stats.median / oursStats.median).toFixed(2)}x**; int8 top-1 equals float32's on ${agreement.filter((a) => a.int8Same).length}/${agreement.length} images.`,
      `Ours int8 / onnxruntime-web int8 median: **${(int8Stats.median / ortInt8Stats.median).toFixed(2)}x**; onnxruntime-web int8 / float: **${(ortInt8Stats.median / ortStats.median).toFixed(2)}x**.`,
      '',
      '## Agreement on the shared images',
      '',
      ...markdownTable(agreementHeader, agreementRows),
      '',
      `Top-1: ${allSame ? 'identical for all three engines on every image' : '**engines disagree**'}. Largest softmax difference from ours: ${maxDiff.toExponential(2)}.`,
      '',
      '### int8: ours vs onnxruntime-web on the QDQ graph',
      '',
      ...markdownTable(int8Header, int8Rows),
      '',
      `${int8Summary}. Scores of both are the model's uint8 outputs (multiples of 1/256). The two integer engines round`,
      "differently: ours follows TFLite (fixed-point requantization, gemmlowp's rounding), ORT requantizes in float and",
      'rounds to nearest even, so single activations differ by one step and a nearly tied pair of classes can swap (the',
      'float engines then side with one of them).',
      '',
      'What onnxruntime-web ran per inference after its graph optimizations (its profiler, bench/ort-kernels.mjs: kernel',
      'and the element type of its first input, most time first):',
      '',
      `- int8 QDQ graph: ${formatKernels(kernels.int8)}`,
      `- float graph: ${formatKernels(kernels.float)}`,
      '',
      '## Memory',
      '',
      ...markdownTable(memoryHeader, memoryRows),
      '',
      'Weights: ours = packed float weights (memoryStats().weightsBytes); tfjs = tf.memory().numBytes after the weights were',
      'uploaded; ORT = size of the ONNX model bytes (float initializers). Activations: ours = the planned arena + scratch',
      "(fused blocks); the peers do not report theirs. WASM memory: each engine's WebAssembly.Memory after the timed runs",
      '(a high-water mark: it never shrinks), found by watching what each engine instantiates (bench/wasm-memory.mjs).',
      '',
    ];
    if (profile) {
      md.push('## Where our time goes (per-layer profile)', '',
        `Median per-layer times over ${Math.min(opts.runs, 20)} profiled runs; % of the SIMD128 mul+add peak measured on this machine`,
        'by src/kernels/peak (the GEMM\'s 4x8 f32x4 register tile over operands in L1, after V8 tier-up).', '',
        '```', ...formatProfile(profile), '```', '',
        `Hot spots: ${hot.map((l) => `${l.name} ${l.ms.toFixed(2)} ms (${l.gmacs.toFixed(1)} GMAC/s, ${l.percentOfPeak.toFixed(0)}% of peak)`).join('; ')}.`, '');
    }
    if (threaded?.failed) {
      md.push(`## ${opts.threads} threads`, '', `Not measured: ${threaded.failed}.`, '');
    } else if (threaded) {
      md.push(`## ${opts.threads} threads`, '',
        `bench/peers-threads.mjs, run by this script: one child Node process per library (each library fixes its thread count`,
        'once per process, and onnxruntime-web\'s pool keeps spinning between its runs, which would take a core from an engine',
        'timed beside it); in each, the library\'s 1- and N-thread engines are timed in interleaved rounds like above, on a',
        `random 224x224 image. Each engine is compared with its own 1-thread run: ours (float32 and int8) = the single-threaded build vs the pthreads build on ${opts.threads}`,
        `threads; onnxruntime-web = one wasm instance started with env.wasm.numThreads = ${opts.threads}, one session with`,
        `intraOpNumThreads 1 and one with ${opts.threads}. "CPU/wall" = the process CPU time per wall time over the engine's runs`,
        '(about 1 for one thread; up to the thread count when all of them compute or spin, less when other processes take',
        'the cores); "OS threads started" = threads the engine\'s start-up added to the process (/proc/self/task).', '',
        `Load average (1 min) before / after these runs: ${threaded.load[0].toFixed(2)} / ${threaded.load[1].toFixed(2)}.`, '',
        ...markdownTable(threadHeader, threadRows(threaded)), '');
      if (!threaded.tfjs.available) {
        md.push(`- tfjs-backend-wasm on ${opts.threads} threads: not measured: ${threaded.tfjs.reason}. Without forcing, tfjs sets`,
          '  WASM_HAS_MULTITHREAD_SUPPORT to false in Node (tfjs issue #3830) and setThreadsCount() has no effect: it runs its',
          '  single-threaded SIMD build, the one in the table above.', '');
      }
      md.push(`The machine has ${machineFacts().cores} cores shared with other processes (load average above): the threaded times`,
        'are the most load-sensitive numbers here, since a thread that loses its core stalls the whole inference at the next barrier.', '');
      const starved = threaded.rows.filter((row) => row.threads > 1 && row.cpuPerWall < 1.3).map((row) => row.name);
      if (starved.length) {
        md.push(`**In this run ${starved.join(' and ')} had a CPU/wall ratio near 1: the process got about one core while they ran,`,
          'so these rows cannot show a multi-threading speedup (nor its absence). Rerun on an idle machine to measure one.**', '');
      }
    }
    if (relaxed?.available) {
      md.push('## Relaxed SIMD', '',
        "Our float engine with load's backend 'simd' (SIMD128) and 'relaxed-simd' (the GEMM's tiles with `f32x4.relaxed_madd`,",
        'from the relaxed kernel module, src/kernels/relaxed/), interleaved by bench/compare.mjs in a child',
        '`node --experimental-wasm-relaxed-simd`, 1 thread:', '',
        ...markdownTable(['backend', 'median ms', 'min ms', 'p90 ms'], [
          ['simd', ms(relaxed.simd.median), ms(relaxed.simd.min), ms(relaxed.simd.p90)],
          ['relaxed-simd', ms(relaxed.relaxed.median), ms(relaxed.relaxed.min), ms(relaxed.relaxed.p90)]]), '');
    } else if (relaxed) {
      md.push('## Relaxed SIMD', '', `Not measured: ${relaxed.reason}.`, '');
    }
    writeFileSync(opts.out, `${md.join('\n')}\n`);
    console.log(`\nwrote ${relative(process.cwd(), opts.out)}`);
  }

  ours.dispose();
  oursInt8.dispose();
  if (!allSame || !int8Consistent || floatConvsInInt8.length) process.exitCode = 1;
}

main().catch((error) => {
  console.error(`bench-peers: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
