// Checks and write-up of one browser benchmark run (scripts/bench-browser.mjs): what counts as
// agreement between the engines, the console summary and bench/RESULTS-browser.md.
//
// Agreement, image by image:
//   - float32 classifiers (ours 1 and N threads, tfjs, LiteRT.js on the float32 copy): the same
//     top-1 as ours float32 on 1 thread; LiteRT.js on the float32 copy also the reference
//     top-1 (an independent TFLite runtime on the uint8 model: the check that the copy is
//     the same network);
//   - int8 classifiers on the uint8 file (ours int8, LiteRT.js on the file as it is): that
//     top-1, or its top two classes swapped (integer arithmetic that rounds differently moves
//     nearly tied classes: bench/int8-agreement.mjs);
//   - int8 classifiers on the TF2 ptq file (a different quantization of the network, whose
//     top-1 may differ from the uint8 model's): LiteRT.js the same as ours, or swapped;
//   - detectors: every detection scoring >= 0.75 in one engine has a detection of the same class
//     with IoU >= 0.8 in its twin (float32 with ours float32, int8 with ours int8), both ways.
//     LiteRT.js's post-process op drops what scores below the model's own threshold, 0.7
//     (nms_score_threshold in the op's options), so weaker detections are not compared.
import { compareInt8Top, topK } from '../int8-agreement.mjs';
import { markdownTable, table } from '../report-format.mjs';
import { formatProfile } from '../../web/profile-report.js';

// The model's nms_score_threshold, and a margin above it for scores that round differently.
const MODEL_SCORE_THRESHOLD = 0.7;
const STRONG_DETECTION = 0.75;
const MIN_IOU = 0.8;

// Each row of the timing tables: the engine it is compared with (LiteRT.js on the same file
// with the same thread count; tfjs with LiteRT.js float32).
function liteRtPeer(id) {
  const threads = id.match(/-(\d+t)$/)[1];
  const pairs = {
    'ours-float32': 'litert-float32', 'ours-int8': 'litert-uint8', 'ours-int8-ptq': 'litert-ptq',
    'tfjs-float32': 'litert-float32', 'ours-ssd-float32': 'litert-ssd-float32', 'ours-ssd-int8': 'litert-ssd-int8',
  };
  const peer = pairs[id.slice(0, -threads.length - 1)];
  return peer ? `${peer}-${threads}` : null;
}

function iou([ax0, ay0, ax1, ay1], [bx0, by0, bx1, by1]) {
  const w = Math.max(0, Math.min(ax1, bx1) - Math.max(ax0, bx0));
  const h = Math.max(0, Math.min(ay1, by1) - Math.max(ay0, by0));
  const inter = w * h;
  return inter / ((ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter);
}

// Strong detections of `a` that `b` has no match for.
const unmatched = (a, b) => a.filter((d) => d.score >= STRONG_DETECTION &&
  !b.some((e) => e.classIndex === d.classIndex && iou(d.box, e.box) >= MIN_IOU));

/** {problems: [text], classify: [{image, ...}], detect: [...]} of a run. */
export function checkResults({ result, reference, opts, pageErrors }) {
  // LiteRT.js logs its INFO lines as console errors, so only uncaught exceptions count here.
  const problems = pageErrors.filter((text) => text.startsWith('exception:'));
  for (const { id, reason } of result.failures) problems.push(`${id}: ${reason}`);
  for (const [build, info] of Object.entries(result.liteRt)) {
    if (info.failed && build === 'plain') problems.push(`LiteRT.js did not start: ${info.failed}`);
  }
  const engines = new Map(result.engines.map((engine) => [engine.id, engine]));
  const classify = result.results.map(({ image, scores }) => {
    const anchor = scores['ours-float32-1t'];
    const anchorTop = anchor ? topK(anchor, 1)[0] : undefined;
    const row = { image, reference: reference[image], anchorTop, tops: {}, notes: [] };
    for (const [id, values] of Object.entries(scores)) {
      const engine = engines.get(id);
      const [top] = topK(values, 1);
      row.tops[id] = top;
      let verdict = 'same';
      if (engine.model === 'ptq') {
        if (id !== 'ours-int8-ptq-1t' && scores['ours-int8-ptq-1t']) {
          const c = compareInt8Top(scores['ours-int8-ptq-1t'], values);
          verdict = c.same ? 'same' : c.swapped ? 'swapped' : 'differs';
        }
      } else if (engine.precision === 'int8') {
        const c = compareInt8Top(anchor, values);
        verdict = c.same ? 'same' : c.swapped ? 'swapped' : 'differs';
      } else if (top !== anchorTop) {
        verdict = 'differs';
      }
      if (verdict === 'swapped') row.notes.push(`${id} top-2 swapped`);
      if (verdict === 'differs') problems.push(`${image}: ${id} top-1 ${top}, expected ${anchorTop} (ours float32)`);
      if (engine.library === 'litert' && engine.model === 'float32' && image in reference && top !== reference[image]) {
        problems.push(`${image}: ${id} (the float32 copy) top-1 ${top}, reference ${reference[image]}`);
      }
    }
    return row;
  });
  const detect = result.results.map(({ image, detections }) => {
    const row = { image, detections, notes: [] };
    for (const [id, found] of Object.entries(detections)) {
      const twin = detections[engines.get(id).precision === 'int8' ? 'ours-ssd-int8-1t' : 'ours-ssd-float32-1t'];
      if (!twin || found === twin) continue;
      const missing = [...unmatched(twin, found), ...unmatched(found, twin)];
      if (missing.length) problems.push(`${image}: ${id} and its twin disagree on ${missing.length} detection(s) scoring >= ${STRONG_DETECTION}`);
    }
    return row;
  });
  if (opts.runs > 0) {
    for (const engine of result.engines) {
      const stats = result.timing[engine.task][engine.id];
      if (!stats || !(stats.runs > 0)) problems.push(`${engine.id}: not timed`);
    }
  }
  return { problems, classify, detect };
}

// ---- descriptions ---------------------------------------------------------------------------

function describe(engine, run) {
  const file = (key) => run.models[key].split('/').pop();
  const litert = `LiteRT.js ${run.versions['@litertjs/core']} ('wasm' accelerator: XNNPACK)`;
  switch (engine.id.replace(/-\d+t$/, '')) {
    case 'ours-float32': return 'mobilenetv2-wasm, precision float32 (the uint8 model dequantized at load)';
    case 'ours-int8': return "mobilenetv2-wasm, precision 'int8' (TFLite's integer arithmetic), the uint8 model";
    case 'ours-int8-ptq': return "mobilenetv2-wasm, precision 'int8', the TF2 ptq model (int8 per-channel weights)";
    case 'tfjs-float32': return `@tensorflow/tfjs-backend-wasm ${run.versions['@tensorflow/tfjs-backend-wasm']}, the network from tf ops on the dequantized weights (SIMD build)`;
    case 'litert-uint8': return `${litert} on ${file('uint8')} as it is (uint8 in and out)`;
    case 'litert-ptq': return `${litert} on ${file('ptq')} as it is (uint8 in and out, int8 inside)`;
    case 'litert-float32': return `${litert} on ${file('float32')}: the uint8 file's float32 copy (mnv2-convert --float-tflite)`;
    case 'ours-ssd-float32': return 'mobilenetv2-wasm loadDetector(), precision float32';
    case 'ours-ssd-int8': return "mobilenetv2-wasm loadDetector(), precision 'int8'";
    case 'litert-ssd-int8': return `${litert} on ${file('ssd')}: the integer SSDLite with static post-process output shapes (mnv2-convert --static-outputs)`;
    case 'litert-ssd-float32': return `${litert} on ${file('ssdFloat32')}: its float32 copy (mnv2-convert --float-tflite)`;
    default: return engine.id;
  }
}

const ran = (engine) => (engine.library === 'litert'
  ? `${engine.backend}, numThreads ${engine.threadsRequested} (runtime: ${engine.threads} threads)`
  : engine.library === 'ours' ? `backend '${engine.backend}', threads ${engine.threads} (asked ${engine.threadsRequested})`
    : engine.backend);

const ms = (value) => value.toFixed(2);
const mib = (bytes) => (bytes === undefined ? 'n/a' : (bytes / 1048576).toFixed(1));

function timingRows(run, task) {
  const { timing, engines } = run.result;
  return engines.filter((e) => e.task === task && timing[task][e.id]).map((engine) => {
    const s = timing[task][engine.id];
    const peer = liteRtPeer(engine.id);
    const p = peer && timing[task][peer];
    const vs = (key) => (p ? `${(s[key] / p[key]).toFixed(2)}x` : '-');
    return [engine.id, ran(engine), ms(s.median), ms(s.min), ms(s.p90), vs('median'), vs('min')];
  });
}
const timingHeader = ['engine', 'what ran', 'median ms', 'min ms', 'p90 ms', 'median vs LiteRT.js', 'min vs LiteRT.js'];

function ratio(run, task, a, b) {
  const x = run.result.timing[task][a];
  const y = run.result.timing[task][b];
  return x && y ? x.median / y.median : undefined;
}

// The issue's targets, each met or missed and by how much.
function targetLines(run) {
  const { threads } = run.opts;
  const lines = [];
  const verdict = (value, limit, what, a, b) => {
    if (value === undefined) return `- ${what}: not measured (${a} or ${b} missing)`;
    const met = value <= limit;
    const times = run.result.timing;
    const [ta, tb] = [a, b].map((id) => (times.classify[id] ?? times.detect[id]).median);
    return `- ${what}: **${value.toFixed(2)}x** (${ms(ta)} / ${ms(tb)} ms, target <= ${limit.toFixed(2)}x): ${met ? 'met' : `**missed**: ${a} would need ${ms(limit * tb)} ms, ${((1 - (limit * tb) / ta) * 100).toFixed(0)}% less than now`}`;
  };
  lines.push(verdict(ratio(run, 'classify', 'ours-float32-1t', 'litert-float32-1t'), 0.8, 'ours float32, 1 thread vs LiteRT.js float32, 1 thread', 'ours-float32-1t', 'litert-float32-1t'));
  lines.push(verdict(ratio(run, 'classify', 'ours-int8-1t', 'litert-uint8-1t'), 0.8, 'ours int8, 1 thread vs LiteRT.js on the same uint8 file, 1 thread', 'ours-int8-1t', 'litert-uint8-1t'));
  lines.push(verdict(ratio(run, 'classify', 'ours-int8-ptq-1t', 'litert-ptq-1t'), 0.8, 'ours int8, 1 thread vs LiteRT.js on the same ptq file, 1 thread', 'ours-int8-ptq-1t', 'litert-ptq-1t'));
  lines.push(verdict(ratio(run, 'classify', 'ours-int8-1t', 'ours-float32-1t'), 0.55, 'ours int8 vs ours float32, 1 thread', 'ours-int8-1t', 'ours-float32-1t'));
  lines.push(verdict(ratio(run, 'classify', `ours-float32-${threads}t`, 'ours-float32-1t'), 0.6, `ours float32, ${threads} threads vs 1 thread`, `ours-float32-${threads}t`, 'ours-float32-1t'));
  const int8Threads = run.result.engines.find((e) => e.id === `ours-int8-${threads}t`);
  lines.push(verdict(ratio(run, 'classify', `ours-int8-${threads}t`, 'ours-int8-1t'), 0.6, `ours int8, ${threads} threads vs 1 thread${int8Threads && int8Threads.threads === 1 ? ` (load() gave backend '${int8Threads.backend}' but 1 thread: int8 has no threaded path yet)` : ''}`, `ours-int8-${threads}t`, 'ours-int8-1t'));
  for (const [ours, peer, what] of [['ours-ssd-int8-1t', 'litert-ssd-int8-1t', 'detector int8'], ['ours-ssd-float32-1t', 'litert-ssd-float32-1t', 'detector float32']]) {
    const value = ratio(run, 'detect', ours, peer);
    lines.push(value === undefined ? `- ${what}: not measured` : `- ${what}, 1 thread vs LiteRT.js, 1 thread (whole graph with its post-process op on both sides; no number set, the classifier's 0.80x shown for scale): **${value.toFixed(2)}x**${value <= 0.8 ? '' : ' (above 0.80x)'}`);
  }
  return lines;
}

function agreementRows(run, check) {
  const label = (index) => (run.labels.imagenet[index] ?? String(index)).split(',')[0];
  const groups = [
    ['float32', (e) => e.task === 'classify' && e.precision === 'float32'],
    ['int8, uint8 file', (e) => e.task === 'classify' && e.precision === 'int8' && e.model === 'uint8'],
    ['int8, ptq file', (e) => e.model === 'ptq'],
  ];
  return check.classify.map((row) => [row.image, row.reference === undefined ? 'n/a' : `${row.reference} ${label(row.reference)}`,
    ...groups.map(([, pick]) => {
      const ids = run.result.engines.filter(pick).map((e) => e.id).filter((id) => id in row.tops);
      const distinct = [...new Set(ids.map((id) => row.tops[id]))];
      return distinct.length === 1 ? `${distinct[0]} (all ${ids.length})` : ids.map((id) => `${id}: ${row.tops[id]}`).join(', ');
    }), row.notes.join('; ') || '-']);
}

function detectionRows(run, check) {
  const name = (i) => run.labels.voc[Math.round(i)] ?? String(i);
  const strong = (list) => (list ?? []).filter((d) => d.score >= MODEL_SCORE_THRESHOLD).map((d) => `${name(d.classIndex)} ${d.score.toFixed(2)}`).join(', ') || 'none';
  const ids = run.result.engines.filter((e) => e.task === 'detect' && e.threadsRequested === 1).map((e) => e.id);
  return { header: ['image', ...ids], rows: check.detect.map((row) => [row.image, ...ids.map((id) => strong(row.detections[id]))]) };
}

function memoryRows(run) {
  const m = run.result.memory;
  const ids = (pick) => run.result.engines.filter(pick).map((e) => e.id).join(', ') || '-';
  return [
    ['mobilenetv2-wasm, single-threaded module', ids((e) => e.library === 'ours' && e.backend === 'simd'), mib(m.oursSingleThread)],
    ['mobilenetv2-wasm, pthreads module', ids((e) => e.library === 'ours' && e.backend === 'simd-threads'), mib(m.oursThreads)],
    ['tfjs-backend-wasm (SIMD build)', ids((e) => e.library === 'tfjs'), mib(m.tfjs)],
    ...Object.entries(m.litert).map(([build, bytes]) => [`LiteRT.js, ${run.result.liteRt[build].wasmFile}`,
      ids((e) => e.library === 'litert' && e.backend === run.result.liteRt[build].wasmFile), mib(bytes)]),
  ];
}

function oursModelRows(run) {
  const m = run.result.memory;
  return Object.entries({ ...m.oursModels, ...m.oursDetectors }).map(([id, s]) =>
    [id, mib(s.weightsBytes), mib(s.activationPeakBytes + s.scratchBytes)]);
}

/** The compact table README's "Speed in the browser" shows: median / min ms, 1 and N threads. */
export function summaryTable(run) {
  const { timing } = run.result;
  const n = run.opts.threads;
  const cell = (task, id) => {
    const s = timing[task][id];
    return s ? `${ms(s.median)} / ${ms(s.min)}` : '-';
  };
  const backend = (id) => run.result.engines.find((e) => e.id === id);
  const int8Threads = backend(`ours-int8-${n}t`);
  const rows = [
    ['ours float32', 'classify', 'ours-float32'],
    ['LiteRT.js, float32 copy', 'classify', 'litert-float32'],
    [`ours int8${int8Threads && int8Threads.threads === 1 ? ` (${n} threads asked: runs on 1)` : ''}`, 'classify', 'ours-int8'],
    ['LiteRT.js, uint8 file', 'classify', 'litert-uint8'],
    ['ours int8, ptq weights', 'classify', 'ours-int8-ptq'],
    ['LiteRT.js, ptq file', 'classify', 'litert-ptq'],
    ['tfjs-backend-wasm, float32', 'classify', 'tfjs-float32'],
    ['SSDLite: ours float32', 'detect', 'ours-ssd-float32'],
    ['SSDLite: LiteRT.js, float32 copy', 'detect', 'litert-ssd-float32'],
    ['SSDLite: ours int8', 'detect', 'ours-ssd-int8'],
    ['SSDLite: LiteRT.js, integer file', 'detect', 'litert-ssd-int8'],
  ];
  return markdownTable([`Chromium ${run.chromium.split('.')[0]}, ms median / min`, '1 thread', `${n} threads`],
    rows.map(([name, task, id]) => [name, cell(task, `${id}-1t`), cell(task, `${id}-${n}t`)]));
}

// ---- output ---------------------------------------------------------------------------------

/** Console lines: timing tables, targets, agreement summary. */
export function consoleReport(run, check) {
  const lines = [`Chromium ${run.chromium}, ${run.result.hardwareConcurrency} hardware threads, cross-origin isolated: ${run.result.crossOriginIsolated}`];
  for (const [build, info] of Object.entries(run.result.liteRt)) {
    lines.push(`LiteRT.js ${build} build: ${info.failed ? `did not start: ${info.failed}` : `${info.wasmFile}, relaxed SIMD ${info.relaxedSimd}, ${info.threadCount} thread(s)`}`);
  }
  if (run.opts.runs > 0) {
    lines.push('', `classifier, ${run.result.timedImage}, ${run.opts.runs} runs after ${run.opts.warmupMs} ms warm-up each:`, ...table(timingHeader, timingRows(run, 'classify')));
    lines.push('', 'detector (300x300):', ...table(timingHeader, timingRows(run, 'detect')));
    lines.push('', 'targets:', ...targetLines(run));
  }
  lines.push('', ...table(['image', 'reference top-1', 'float32 engines', 'int8, uint8 file', 'int8, ptq file', 'notes'], agreementRows(run, check)));
  const det = detectionRows(run, check);
  lines.push('', ...table(det.header, det.rows));
  for (const [id, profile] of Object.entries(run.result.profiles)) lines.push('', `${id}:`, ...formatProfile(profile));
  lines.push('', check.problems.length ? `${check.problems.length} problem(s)` : 'every engine ran and agreed');
  return lines;
}

// A timing table with its title and a line on what each row is.
const timingSection = (run, task, title) => [`## ${title} (single image, median / min / p90)`, '',
  ...markdownTable(timingHeader, timingRows(run, task)), '',
  ...run.result.engines.filter((e) => e.task === task).map((e) => `- ${e.id}: ${describe(e, run)}`), ''];

/** bench/RESULTS-browser.md as lines. */
export function markdownReport(run, check) {
  const { opts, result } = run;
  const md = [
    '# Browser peer benchmark: MobileNetV2 1.0/224 and SSDLite 300x300 in Chromium',
    '',
    `Generated by \`npm run bench:browser\` (scripts/bench-browser.mjs) on ${run.date}. Do not edit by hand.`,
    '',
    '## Machine and software',
    '',
    `- CPU: ${run.machine.cpu}, ${run.machine.cores} logical cores, cache ${run.machine.cache}, flags: ${run.machine.simdFlags}`,
    `- Browser: Chromium ${run.chromium} (Debian), headless, driven by playwright-core ${run.versions['playwright-core']}; one page, cross-origin isolated (COOP/COEP): ${result.crossOriginIsolated}; navigator.hardwareConcurrency ${result.hardwareConcurrency}`,
    `- Load average (1 min) before / after: ${run.load.map((x) => x.toFixed(2)).join(' / ')}: other processes shared the machine; the engines were timed in interleaved rounds so they shared it alike`,
    ...(Math.max(...run.load) > run.machine.cores
      ? [`- **The machine was oversubscribed during this run (load ${Math.max(...run.load).toFixed(1)} on ${run.machine.cores} cores): every time here includes waits for a core, the 2-thread rows most of all (a thread that loses its core stalls the inference at the next barrier). Read the minimums, and rerun on an idle machine for numbers to quote.**`]
      : []),
    `- Packages: mobilenetv2-wasm ${run.versions.self}, @litertjs/core ${run.versions['@litertjs/core']}, @tensorflow/tfjs-core ${run.versions['@tensorflow/tfjs-core']}, @tensorflow/tfjs-backend-wasm ${run.versions['@tensorflow/tfjs-backend-wasm']}`,
    ...Object.entries(result.liteRt).map(([build, info]) => `- LiteRT.js ${build === 'plain' ? 'plain' : 'threaded'} build: ${info.failed ? `**did not start**: ${info.failed}` : `\`${info.wasmFile}\` (loadLiteRt picked it: relaxed SIMD ${info.relaxedSimd ? 'available' : 'not available'}), runtime thread count ${info.threadCount}`}`),
    '',
    '**Pixels.** Every engine gets the same pixels: each shared photo is decoded and resized once, whole (no crop), in',
    'JavaScript (bench/images.mjs: an area filter) to 224x224 for the classifiers and 300x300 for the detectors. Ours',
    'takes those RGBA pixels (its resize is then the identity); LiteRT.js on the uint8 and ptq files takes them as uint8',
    'RGB, as the files\' inputs are; the float32 models (LiteRT.js\'s float32 copy, tfjs) take (p - 128) / 128, the',
    'detectors\' float inputs (p - 127.5) / 127.5.',
    '',
    '**Times** include what a caller pays for one image: ours from RGBA pixels to the top-1 (classify, topK 1) or to',
    'the boxes (detect: decoding and NMS included); LiteRT.js from a typed array in the model\'s input type through a',
    'new Tensor, run, the outputs copied back to JavaScript and every tensor deleted (the detector\'s post-process op,',
    'decoding and NMS, runs inside); tfjs from a Float32Array to the probabilities read back (dataSync).',
    `${opts.runs} timed runs per engine after ${opts.warmupMs} ms of warm-up each (V8 tier-up), in ${Math.min(opts.rounds, opts.runs)} interleaved rounds; the timed photo is ${result.timedImage}.`,
    '',
    '## Summary (the table in README)',
    '',
    ...summaryTable(run),
    '',
    ...timingSection(run, 'classify', 'Classifier: MobileNetV2 1.0/224'),
    '"vs LiteRT.js": against LiteRT.js on the same file with the same thread count (ours float32 and tfjs against',
    'the float32 copy, ours int8 against the uint8 file, ours int8 ptq against the ptq file). LiteRT.js\'s plain build',
    'runs on one thread; its threaded build (SharedArrayBuffer, relaxed SIMD) is compiled with cpuOptions.numThreads.',
    'On a loaded machine the minimum is the steadier figure (a run that was not preempted); the targets use medians.',
    '',
    ...timingSection(run, 'detect', 'Detector: SSDLite MobileNetV2, 300x300'),
    'LiteRT.js runs the post-process op (TFLite_Detection_PostProcess is in its WebAssembly), but not the file as it',
    'is: the converter left the op\'s four outputs without shapes (TFLite sizes them when it prepares the graph) and',
    'LiteRT.js\'s compiled model fails to run such a file. The copy only writes in the shapes that op gives its outputs',
    '(boxes [1,10,4], classes [1,10], scores [1,10], count [1]); the graph is the same, so the whole network, post-process',
    'included, is timed on both sides.',
    '',
    '## Targets (issue 14)',
    '',
    ...targetLines(run),
    '',
    '## Agreement on the shared photos',
    '',
    ...markdownTable(['image', 'reference top-1', 'float32 engines', 'int8, uint8 file', 'int8, ptq file', 'notes'], agreementRows(run, check)),
    '',
    'Reference: the top-1 of an independent TFLite runtime (Arm NN, integer arithmetic) on the uint8 model, with its own',
    'crop and resize. Float32 engines must give ours float32\'s top-1, and LiteRT.js on the float32 copy the reference',
    'top-1; int8 engines on the uint8 file ours float32\'s top-1 or its top two classes swapped (integer arithmetic that',
    'rounds differently moves nearly tied classes); LiteRT.js on the ptq file the top-1 of ours int8 on the same file, or',
    'the two swapped (the ptq model is another quantization of the network and may rank differently from the uint8 one).',
    '',
    `Detections scoring >= ${MODEL_SCORE_THRESHOLD} (the model's own score threshold, which LiteRT.js's post-process op applies), 1-thread engines (the threaded ones are checked alike):`,
    '',
    ...(() => { const d = detectionRows(run, check); return markdownTable(d.header, d.rows); })(),
    '',
    `Every detection scoring >= ${STRONG_DETECTION} in a detector has one of the same class with IoU >= ${MIN_IOU} in its twin (float32 with ours`,
    'float32, int8 with ours int8), and the other way round.',
    '',
    check.problems.length ? `**Problems:** ${check.problems.join('; ')}.` : 'Every engine ran and agreed on every photo.',
    '',
    '## WebAssembly memory',
    '',
    ...markdownTable(['module', 'engines loaded in it', 'WASM memory MiB'], memoryRows(run)),
    '',
    'Each library\'s WebAssembly.Memory after the timed runs (a high-water mark: it never shrinks), with every model of',
    'the run loaded in it: one module of ours serves all its 1-thread models, one LiteRT.js runtime all its models.',
    'Ours per model (memoryStats(): packed weights, planned activations + scratch):',
    '',
    ...markdownTable(['engine', 'weights MiB', 'activations MiB'], oursModelRows(run)),
    '',
  ];
  const profiles = Object.entries(result.profiles);
  if (profiles.length) {
    md.push('## Where our time goes in Chromium (per-layer profile, 1 thread)', '',
      'model.profile() through web/profile-report.js, as `bench --profile` prints it in Node: median per-layer times over',
      '20 profiled runs on the timed photo; % of the peak of the kernels the model runs, measured in this page by',
      'src/kernels/peak after V8 tier-up, operands in L1: on relaxed SIMD (backend \'relaxed-simd\') the relaxed kernel',
      'module\'s own GEMM micro-kernels (float32: the 4x8 tile on f32x4.relaxed_madd; int8: the 2x16 tile on',
      'i32x4.relaxed_dot_i8x16_i7x16_add_s), on SIMD128 the float GEMM\'s 4x8 f32x4 mul+add tile or the int8 GEMM\'s 2x16',
      'i32x4.dot_i16x8_s + add tile.', '');
    for (const [id, profile] of profiles) md.push(`### ${id}`, '', '```', ...formatProfile(profile), '```', '');
  }
  return md;
}
