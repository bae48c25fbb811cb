#!/usr/bin/env node
// A/B timing of engine configurations in one process, interleaved: on a shared machine load
// from other processes then lands on every configuration alike, which separate CLI runs
// cannot promise.
//
//   node [--experimental-wasm-relaxed-simd] bench/compare.mjs [--model classify|detect] [--runs N]
//        [--rounds R] [--warmup-ms MS] [--json] CONFIG...
// CONFIG: execution:threads[:precision[:backend]][@package-root], e.g. fused:1 layer-by-layer:1
// fused:2 fused:1:int8 (precision float32 by default; int8 runs its own schedule, so give it
// fused), fused:1:float32:simd vs fused:1:float32:relaxed-simd (load's backend option, 'auto'
// by default; Node 20 has relaxed SIMD only with the flag above), fused:1@/path/to/other/checkout
// (that checkout's web/index.js and dist/, for before/after).
// Prints median, min and p90 wall time per configuration and each relative to the first, and
// the process CPU time per run (all threads; on an oversubscribed machine a one-thread
// engine's CPU time is the steadier measure, since time spent preempted is not counted).
// --json prints one JSON line instead: [{config, backend, threads, median, min, p90}] (ms).
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { resolve, join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { noiseRgba } from './images.mjs';
import { summarize, timeEngines, withCpu } from './stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '12' },
    'warmup-ms': { type: 'string', default: '2000' },
    model: { type: 'string', default: 'classify' },
    weights: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
if (values.model !== 'classify' && values.model !== 'detect') throw new Error(`--model must be classify or detect, got ${values.model}`);
const detect = values.model === 'detect';
const weights = values.weights
  ?? join(root, 'weights', detect ? 'ssdlite_mobilenet_v2_voc_300.mnv2' : 'mobilenet_v2_1.0_224.mnv2');
const runs = Number(values.runs);
const rounds = Number(values.rounds);
if (positionals.length === 0) throw new Error('give at least one CONFIG (execution:threads[:precision][@root])');

// A fixed pseudo-random image at the model's size (the resize is then the identity).
const image = (size) => ({ data: noiseRgba(size, 1), width: size, height: size });

const configs = [];
for (const text of positionals) {
  const [spec, other] = text.split('@');
  const [execution, threadsText, precision = 'float32', backend = 'auto'] = spec.split(':');
  const threads = threadsText === 'auto' ? 'auto' : Number(threadsText ?? 1);
  const packageRoot = other ? resolve(other) : root;
  const engine = await import(pathToFileURL(join(packageRoot, 'web', 'index.js')).href);
  const options = { weights: new Uint8Array(readFileSync(weights)), execution, threads, precision, ...(backend === 'auto' ? {} : { backend }) };
  const model = detect ? await engine.loadDetector(options) : await engine.load(options);
  const input = image(model.inputSize);
  const infer = detect ? () => model.detect(input) : () => model.classify(input, { topK: 1 });
  // timeEngines keys its results by name: the index keeps a config given twice (an A/A
  // check of the noise) apart.
  configs.push(withCpu({ name: `${configs.length}:${text}`, label: text, model, once: infer }));
}

const samples = new Map();
await timeEngines(configs, { runs, rounds, warmupMs: Number(values['warmup-ms']), samples });
for (const config of configs) Object.assign(config, samples.get(config.name));
const base = summarize(configs[0].times);
if (values.json) {
  console.log(JSON.stringify(configs.map((config) => {
    const { median, min, p90 } = summarize(config.times);
    return { config: config.label, backend: config.model.backend, threads: config.model.threads, median, min, p90 };
  })));
}
for (const config of configs) {
  if (values.json) {
    config.model.dispose();
    continue;
  }
  const s = summarize(config.times);
  const c = summarize(config.cpu);
  // The 10th percentile: the runs that got their cores, less biased than the minimum.
  const p10 = (list) => [...list].sort((a, b) => a - b)[Math.floor(0.1 * list.length)];
  const memory = config.model.memoryStats();
  console.log(`${config.label.padEnd(28)} median ${s.median.toFixed(2)} ms  min ${s.min.toFixed(2)}  p10 ${p10(config.times).toFixed(2)} `
    + `(/first ${(p10(config.times) / p10(configs[0].times)).toFixed(3)})  p90 ${s.p90.toFixed(2)}  `
    + `median/first ${(s.median / base.median).toFixed(3)}  min/first ${(s.min / base.min).toFixed(3)}  `
    + `cpu median ${c.median.toFixed(2)} min ${c.min.toFixed(2)} (/first ${(c.median / summarize(configs[0].cpu).median).toFixed(3)})  `
    + `(${[config.model.backend, config.model.threads && `${config.model.threads} thr`].filter(Boolean).join(', ')}`
    + `${config.model.backend ? ', ' : ''}act+scratch ${((memory.activationPeakBytes + memory.scratchBytes) / 1024).toFixed(0)} KiB)`);
  config.model.dispose();
}
