#!/usr/bin/env node
// mobilenetv2-wasm command line: classify image files, detect objects in them, benchmark the
// engine, teach custom classes (train, classify --head: cli-head.js).
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { load, loadDetector } from './index.js';
import { readImage } from './decode-image.js';
import { profileReport, formatProfile } from './profile-report.js';
import { UsageError, precisionOption, positiveInteger, fraction, cropOption, printClassifications } from './cli-common.js';
import { trainCommand, classifyWithHead } from './cli-head.js';

const USAGE = `usage:
  mobilenetv2-wasm classify [--top K] [--crop F] [--precision float32|int8] [--json] [--weights FILE] IMAGE...
  mobilenetv2-wasm classify --head HEAD.json [--top K] [--crop F] [--precision float32|int8] [--json] [--weights FILE] IMAGE...
  mobilenetv2-wasm train --out HEAD.json [--method softmax|knn] [--epochs N] [--k K] [--augment N] [--crop F] [--precision float32|int8] [--json] [--weights FILE] DIR
  mobilenetv2-wasm detect [--min-score S] [--max N] [--iou T] [--per-class] [--precision float32|int8] [--json] [--weights FILE] IMAGE...
  mobilenetv2-wasm bench [--runs N] [--threads N|auto] [--precision float32|int8] [--json] [--weights FILE] [--execution fused|layer-by-layer] [--profile]
  mobilenetv2-wasm bench --model detect [--runs N] [--threads N|auto] [--precision float32|int8] [--json] [--weights FILE] [--execution fused|layer-by-layer]
  mobilenetv2-wasm summary [--model classify|detect] [--precision float32|int8] [--json] [--weights FILE] [--execution fused|layer-by-layer]`;

// --execution: fused (default) or layer-by-layer.
function executionOption(text) {
  if (text !== 'fused' && text !== 'layer-by-layer') throw new UsageError(`--execution must be fused or layer-by-layer, got ${text}`);
  return text;
}

// --model: classify (default) or detect.
function modelOption(text) {
  if (text !== 'classify' && text !== 'detect') throw new UsageError(`--model must be classify or detect, got ${text}`);
  return text;
}

async function classifyCommand(args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      top: { type: 'string' },
      crop: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      weights: { type: 'string' },
      precision: { type: 'string', default: 'float32' },
      head: { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError('classify needs at least one IMAGE');
  if (values.head !== undefined) return classifyWithHead(values, positionals);
  const topK = positiveInteger(values.top ?? '5', 'top');
  const crop = cropOption(values.crop);
  const precision = precisionOption(values.precision);
  const model = await load({ precision, ...(values.weights ? { weights: values.weights } : {}) });
  try {
    await printClassifications(positionals, (image) => model.classify(image, { topK, crop }), values.json);
  } finally {
    model.dispose();
  }
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

async function benchCommand(args) {
  const { values } = parseArgs({
    args,
    options: {
      runs: { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
      weights: { type: 'string' },
      execution: { type: 'string', default: 'fused' },
      model: { type: 'string', default: 'classify' },
      threads: { type: 'string' },
      precision: { type: 'string', default: 'float32' },
      profile: { type: 'boolean', default: false },
    },
  });
  const runs = positiveInteger(values.runs, 'runs');
  const precision = precisionOption(values.precision);
  const threadsText = values.threads ?? 'auto';
  const threads = threadsText === 'auto' ? 'auto' : positiveInteger(threadsText, 'threads');
  if (modelOption(values.model) === 'detect') return benchDetect(values, runs, threads);
  executionOption(values.execution);
  const model = await load({ execution: values.execution, threads, precision, ...(values.weights ? { weights: values.weights } : {}) });
  try {
    const size = model.inputSize;
    const data = new Uint8Array(size * size * 4);
    let seed = 1;
    for (let i = 0; i < data.length; ++i) { seed = (seed * 1103515245 + 12345) >>> 0; data[i] = seed >>> 24; }
    const image = { data, width: size, height: size };
    // Warm up long enough for V8 to tier the kernels up to its optimizing compiler.
    const warmupEnd = performance.now() + 2000;
    let warmups = 0;
    while (performance.now() < warmupEnd || warmups < 5) { await model.classify(image); ++warmups; }
    const times = [];
    for (let i = 0; i < runs; ++i) {
      const start = performance.now();
      await model.classify(image, { topK: 1 });
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const result = {
      model: `mobilenet_v2_${model.alpha}_${size}`,
      runs,
      median_ms: Number(percentile(times, 0.5).toFixed(3)),
      min_ms: Number(times[0].toFixed(3)),
      p90_ms: Number(percentile(times, 0.9).toFixed(3)),
      execution: values.execution,
      precision: model.precision,
      backend: model.backend,
      threads: model.threads,
      memory: model.memoryStats(),
    };
    // --profile: per-layer ms and GMAC/s against the machine's SIMD128 peak at this precision.
    const profile = values.profile ? await profileReport(model, image, { runs: Math.min(runs, 20) }) : null;
    if (profile) result.profile = profile;
    if (values.json) {
      console.log(JSON.stringify(result));
    } else {
      if (profile) for (const line of formatProfile(profile)) console.log(line);
      console.log(`${result.model} (${model.precision}, ${values.execution}): median ${result.median_ms} ms, min ${result.min_ms} ms, p90 ${result.p90_ms} ms over ${runs} runs (${model.backend}, ${model.threads} thread${model.threads > 1 ? 's' : ''})`);
      console.log(memoryLine(result.memory));
    }
  } finally {
    model.dispose();
  }
}

function memoryLine({ weightsBytes, activationPeakBytes, scratchBytes, wasmMemoryBytes }) {
  const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
  return `memory: weights ${kib(weightsBytes)}, activations ${kib(activationPeakBytes)} + scratch ${kib(scratchBytes)}, WASM memory ${kib(wasmMemoryBytes)}`;
}

function formatCount(value) {
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}K`;
  return String(value);
}

function printSummaryTable({ layers, totals }) {
  // 'expanded KiB': what the layer's expanded and depthwise tensors would take materialized
  // whole (layer by layer), next to what is live under the current plan.
  const header = ['layer', 'type', 'input', 'output', 't', 's', 'params', 'MACs', 'live KiB', 'expanded KiB'];
  const rows = layers.map((layer) => [layer.name, layer.type, layer.input.join('x'), layer.output.join('x'),
    layer.expansion || '-', layer.stride, formatCount(layer.params), formatCount(layer.macs),
    (layer.activationBytes / 1024).toFixed(0), layer.expandedBytes ? (layer.expandedBytes / 1024).toFixed(0) : '-']);
  rows.push(['total', '', '', '', '', '', formatCount(totals.params), formatCount(totals.macs),
    `${(totals.peakActivationBytes / 1024).toFixed(0)} (peak)`, '']);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => String(row[i]).length)));
  for (const row of [header, ...rows]) {
    console.log(row.map((cell, i) => (i < 4 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  '));
  }
}

async function summaryCommand(args) {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      weights: { type: 'string' },
      execution: { type: 'string', default: 'fused' },
      model: { type: 'string', default: 'classify' },
      precision: { type: 'string', default: 'float32' },
    },
  });
  executionOption(values.execution);
  const precision = precisionOption(values.precision);
  const detect = modelOption(values.model) === 'detect';
  const options = { execution: values.execution, precision, ...(values.weights ? { weights: values.weights } : {}) };
  const model = detect ? await loadDetector(options) : await load(options);
  try {
    const summary = model.summary();
    const memory = model.memoryStats();
    const name = detect ? `ssdlite_mobilenet_v2_${model.inputSize}` : `mobilenet_v2_${model.alpha}_${model.inputSize}`;
    if (values.json) {
      console.log(JSON.stringify({ model: name, precision: model.precision, execution: values.execution, ...summary, memory }));
    } else {
      console.log(`${name} (${model.precision}, ${values.execution})`);
      printSummaryTable(summary);
      console.log(memoryLine(memory));
    }
  } finally {
    model.dispose();
  }
}

async function detectCommand(args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'min-score': { type: 'string', default: '0.5' },
      max: { type: 'string', default: '20' },
      iou: { type: 'string' },
      'per-class': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      weights: { type: 'string' },
      precision: { type: 'string', default: 'float32' },
    },
  });
  if (positionals.length === 0) throw new UsageError('detect needs at least one IMAGE');
  const precision = precisionOption(values.precision);
  const options = { minScore: fraction(values['min-score'], 'min-score'), maxDetections: positiveInteger(values.max, 'max') };
  if (values.iou !== undefined) options.iouThreshold = fraction(values.iou, 'iou');
  if (values['per-class']) options.classAgnostic = false;
  const detector = await loadDetector({ precision, ...(values.weights ? { weights: values.weights } : {}) });
  try {
    for (const path of positionals) {
      const image = await readImage(path);
      const start = performance.now();
      const detections = await detector.detect(image, options);
      const ms = performance.now() - start;
      if (values.json) {
        console.log(JSON.stringify({ image: path, width: image.width, height: image.height, detections, ms: Number(ms.toFixed(3)) }));
      } else {
        console.log(`${path} ${image.width}x${image.height} (${ms.toFixed(1)} ms): ${detections.length} object${detections.length === 1 ? '' : 's'}`);
        for (const { bbox, class: label, score } of detections) {
          const [x, y, width, height] = bbox.map((value) => value.toFixed(1));
          console.log(`  ${score.toFixed(4)}  ${label.padEnd(12)} x ${x}  y ${y}  width ${width}  height ${height}`);
        }
      }
    }
  } finally {
    detector.dispose();
  }
}

// bench --model detect: one detect() (resize, network, decoding, NMS) of random pixels at the
// model's resolution, timed like the classifier.
async function benchDetect(values, runs, threads) {
  executionOption(values.execution);
  const precision = precisionOption(values.precision);
  const detector = await loadDetector({ precision, execution: values.execution, threads, ...(values.weights ? { weights: values.weights } : {}) });
  try {
    const size = detector.inputSize;
    const data = new Uint8Array(size * size * 4);
    let seed = 1;
    for (let i = 0; i < data.length; ++i) { seed = (seed * 1103515245 + 12345) >>> 0; data[i] = seed >>> 24; }
    const image = { data, width: size, height: size };
    // Warm up long enough for V8 to tier the kernels up to its optimizing compiler.
    const warmupEnd = performance.now() + 2000;
    for (let warmups = 0; performance.now() < warmupEnd || warmups < 5; ++warmups) await detector.detect(image);
    const times = [];
    for (let i = 0; i < runs; ++i) {
      const start = performance.now();
      await detector.detect(image);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const result = {
      model: `ssdlite_mobilenet_v2_${size}`,
      precision: detector.precision,
      runs,
      median_ms: Number(percentile(times, 0.5).toFixed(3)),
      min_ms: Number(times[0].toFixed(3)),
      p90_ms: Number(percentile(times, 0.9).toFixed(3)),
      execution: values.execution,
      backend: detector.backend,
      threads: detector.threads,
      memory: detector.memoryStats(),
    };
    if (values.json) {
      console.log(JSON.stringify(result));
    } else {
      console.log(`${result.model} (${result.precision}, ${values.execution}): median ${result.median_ms} ms, min ${result.min_ms} ms, p90 ${result.p90_ms} ms over ${runs} runs (${detector.backend}, ${detector.threads} thread${detector.threads > 1 ? 's' : ''})`);
      console.log(memoryLine(result.memory));
    }
  } finally {
    detector.dispose();
  }
}

const COMMANDS = { classify: classifyCommand, detect: detectCommand, bench: benchCommand, summary: summaryCommand, train: trainCommand };

async function main(argv) {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  const run = COMMANDS[command];
  if (!run) throw new UsageError(`unknown command '${command}'`);
  await run(rest);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => {
    console.error(`mobilenetv2-wasm: ${error.message}`);
    if (error instanceof UsageError || error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') console.error(USAGE);
    process.exitCode = 1;
  },
);
