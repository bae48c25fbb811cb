#!/usr/bin/env node
// mobilenetv2-wasm command line: classify image files, benchmark the engine.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { load } from './index.js';
import { readImage } from './decode-image.js';

const USAGE = `usage:
  mobilenetv2-wasm classify [--top K] [--crop F] [--json] [--weights FILE] IMAGE...
  mobilenetv2-wasm bench [--runs N] [--json] [--weights FILE]`;

class UsageError extends Error {}

function positiveInteger(text, name) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive integer, got ${text}`);
  return value;
}

async function classifyCommand(args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '5' },
      crop: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      weights: { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError('classify needs at least one IMAGE');
  const topK = positiveInteger(values.top, 'top');
  const crop = Number(values.crop);
  if (!(crop > 0 && crop <= 1)) throw new UsageError(`--crop must be in (0, 1], got ${values.crop}`);
  const model = await load(values.weights ? { weights: values.weights } : {});
  try {
    for (const path of positionals) {
      const image = await readImage(path);
      const start = performance.now();
      const top = await model.classify(image, { topK, crop });
      const ms = performance.now() - start;
      if (values.json) {
        console.log(JSON.stringify({ image: path, top, ms: Number(ms.toFixed(3)) }));
      } else {
        console.log(`${path} (${ms.toFixed(1)} ms)`);
        for (const { index, label, score } of top) {
          console.log(`  ${score.toFixed(4)}  ${String(index).padStart(4)}  ${label}`);
        }
      }
    }
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
    },
  });
  const runs = positiveInteger(values.runs, 'runs');
  const model = await load(values.weights ? { weights: values.weights } : {});
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
    };
    if (values.json) console.log(JSON.stringify(result));
    else console.log(`${result.model}: median ${result.median_ms} ms, min ${result.min_ms} ms, p90 ${result.p90_ms} ms over ${runs} runs (1 thread, SIMD128)`);
  } finally {
    model.dispose();
  }
}

const COMMANDS = { classify: classifyCommand, bench: benchCommand };

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
