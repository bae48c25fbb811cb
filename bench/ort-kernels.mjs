#!/usr/bin/env node
// Which kernels onnxruntime-web really ran for one of the peers' ONNX graphs, from ORT's own
// profiler: after its graph optimizations (QDQ fusion, layout changes), one event per executed
// node with the kernel's op name, its execution provider and its input types.
//
// The wasm build writes the profile (a JSON array) straight to file descriptor 1 when the
// session's profiling ends, past console and process.stdout, so it cannot be caught in the
// process that runs the session: ortKernels() runs this file as a child Node process, which
// prints the profile, and parses that output.
//
//   node bench/ort-kernels.mjs [--peer int8|float] [--weights FILE] [--runs N]
// prints the summary; --raw prints the profiler's own output instead (what ortKernels reads).
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readWeights } from './mnv2-weights.mjs';

const self = fileURLToPath(import.meta.url);
const root = resolve(dirname(self), '..');
const PEERS = ['int8', 'float'];

// Runs 1 + `runs` inferences of a fixed image with profiling on, then ends profiling (the
// profile goes to fd 1).
async function profileInThisProcess(peer, weightsPath, runs) {
  const { startOrt, createOrtSession } = await import('./onnx-graph.mjs');
  const q8 = await import('./peer-ort-q8.mjs');
  const [build, options] = peer === 'int8' ? [q8.buildQdqOnnxModel, q8.ORT_Q8_SESSION_OPTIONS]
    : [(await import('./peer-ort.mjs')).buildOnnxModel, {}];
  const weights = readWeights(weightsPath);
  const ort = await startOrt({ threads: 1 });
  const session = await createOrtSession(ort, build(weights), { ...options, enableProfiling: true });
  const size = weights.inputSize;
  const data = Float32Array.from({ length: 3 * size * size }, (_, i) => ((i * 37) % 255 - 128) / 128);
  const input = new ort.Tensor('float32', data, [1, 3, size, size]);
  for (let i = 0; i <= runs; ++i) await session.run({ input });
  session.endProfiling();
}

/**
 * The kernels ORT ran per inference for the `peer` ('int8': bench/peer-ort-q8.mjs, 'float':
 * bench/peer-ort.mjs) graph of `weightsPath`, from `runs` profiled runs after a first one
 * (which pays one-time costs and is left out): [{op, provider, inputType, count, ms}] by time,
 * count and ms per inference (means); inputType is the element type of the kernel's first input.
 */
export function ortKernels(peer, weightsPath, { runs = 3 } = {}) {
  if (!PEERS.includes(peer)) throw new Error(`peer must be one of ${PEERS.join(', ')}, got ${peer}`);
  const out = execFileSync(process.execPath, [self, '--raw', '--peer', peer, '--weights', weightsPath, '--runs', String(runs)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  const start = out.indexOf('[\n{');
  const end = out.lastIndexOf(']');
  if (start < 0 || end < start) throw new Error('ORT printed no profile');
  const events = JSON.parse(out.slice(start, end + 1));
  const firstRun = events.find((event) => event.cat === 'Session' && event.name === 'model_run');
  if (!firstRun) throw new Error('ORT\'s profile has no model_run event');
  const kernels = new Map();
  for (const event of events) {
    if (event.cat !== 'Node' || event.ts < firstRun.ts + firstRun.dur) continue;
    const { op_name: op, provider, input_type_shape: inputs } = event.args;
    const inputType = Object.keys(inputs?.[0] ?? {})[0] ?? '?';
    const key = `${op}|${provider}|${inputType}`;
    const entry = kernels.get(key) ?? { op, provider, inputType, count: 0, ms: 0 };
    entry.count += 1 / runs;
    entry.ms += event.dur / 1000 / runs;
    kernels.set(key, entry);
  }
  return [...kernels.values()].map((k) => ({ ...k, count: Math.round(k.count) })).sort((a, b) => b.ms - a.ms);
}

/**
 * One line: "QLinearConv x53 (uint8), ..." by time spent (the provider when it is not the CPU
 * one). No times: profiled runs this early still run V8's baseline code.
 */
export function formatKernels(kernels) {
  return kernels.map((k) => `${k.op} x${k.count} (${k.inputType}${k.provider === 'CPUExecutionProvider' ? '' : `, ${k.provider}`})`).join(', ');
}

async function main() {
  const { values } = parseArgs({
    options: {
      peer: { type: 'string', default: 'int8' },
      weights: { type: 'string', default: join(root, 'weights', 'mobilenet_v2_1.0_224.mnv2') },
      runs: { type: 'string', default: '3' },
      raw: { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  if (values.raw) {
    await profileInThisProcess(values.peer, values.weights, runs);
  } else {
    const kernels = ortKernels(values.peer, values.weights, { runs });
    for (const k of kernels) console.log(`${k.op.padEnd(26)} ${k.provider.padEnd(22)} ${k.inputType.padEnd(6)} x${String(k.count).padEnd(4)} ${k.ms.toFixed(2)} ms`);
  }
  process.exit(0);
}

if (process.argv[1] && resolve(process.argv[1]) === self) {
  main().catch((error) => {
    console.error(`ort-kernels: ${error.stack ?? error.message}`);
    process.exit(1);
  });
}
