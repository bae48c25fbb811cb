#!/usr/bin/env node
// Relaxed-SIMD experiment (issue part 4): loads build/relaxed/gemm-relaxed.wasm (see
// bench/relaxed/build.sh) into the engine's own WebAssembly memory and
//  1. compares, in that module and on the same packed data, the engine's 4x8 GEMM tile with
//     SIMD128 mul + add against the same tile with f32x4.relaxed_madd, on MobileNetV2's
//     pointwise shapes, plus the peak loops of both (4x8 and 6x8 tiles), after checking the
//     fused results against a double-precision product;
//  2. runs the whole engine with its full 4x8 GEMM tile replaced by the relaxed one (the
//     engine calls that tile through a function-table slot, see
//     src/kernels/gemm/gemm-full-tile.h; this puts the relaxed function into the slot), on
//     the shared photos and timed, against the engine as shipped.
//
// Feature detection: WebAssembly.validate() on the module. Without relaxed SIMD (Node 20
// without --experimental-wasm-relaxed-simd, Safari, older browsers) it reports that and
// exits 0: the engine itself never depends on it.
//
//   node --experimental-wasm-relaxed-simd bench/relaxed-simd.mjs [--json]
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { singleThreadModule } from '../web/wasm-module.js';
import { loadSharedImages } from './images.mjs';
import { createOursPeer } from './peer-ours.mjs';
import { readWeights } from './mnv2-weights.mjs';
import { timeEngines } from './stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MODULE_PATH = join(root, 'build', 'relaxed', 'gemm-relaxed.wasm');
const json = process.argv.includes('--json');

// Pointwise GEMMs as the fused engine runs them: [m, k, n] (m = pixels of a row tile).
const SHAPES = [[224, 16, 96], [112, 144, 24], [56, 144, 32], [28, 192, 32], [56, 64, 384],
  [28, 384, 64], [28, 96, 576], [28, 576, 96], [14, 160, 960], [14, 960, 160], [49, 320, 1280]];

function report(result) {
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  if (!result.available) {
    console.log(`relaxed SIMD: ${result.reason}`);
    return;
  }
  console.log(`relaxed SIMD peak (operands in L1): 4x8 mul+add ${result.peak.muladd4x8.toFixed(2)}, 4x8 madd ${result.peak.madd4x8.toFixed(2)}, 6x8 mul+add ${result.peak.muladd6x8.toFixed(2)}, 6x8 madd ${result.peak.madd6x8.toFixed(2)} GMAC/s`);
  console.log('shape m x k x n        mul+add GMAC/s  relaxed_madd GMAC/s  gain  max rel. error (madd)');
  for (const s of result.shapes) {
    console.log(`${`${s.m} x ${s.k} x ${s.n}`.padEnd(20)}  ${s.muladd.toFixed(2).padStart(14)}  ${s.madd.toFixed(2).padStart(19)}  ${`${((s.madd / s.muladd - 1) * 100).toFixed(0)}%`.padStart(4)}  ${s.error.toExponential(1)}`);
  }
  console.log(`all shapes: mul+add ${result.total.muladd.toFixed(2)} GMAC/s, relaxed_madd ${result.total.madd.toFixed(2)} GMAC/s (${((result.total.madd / result.total.muladd - 1) * 100).toFixed(0)}%)`);
  const e = result.engine;
  console.log(`whole engine, SIMD128 tile -> relaxed tile: median ${e.simd.median.toFixed(2)} -> ${e.relaxed.median.toFixed(2)} ms, min ${e.simd.min.toFixed(2)} -> ${e.relaxed.min.toFixed(2)} ms; same top-1 on ${e.sameTop1}/${e.images} images, max softmax difference ${e.maxDiff.toExponential(1)}`);
}

// Part 2: the engine with and without the relaxed tile in its function-table slot.
async function engineComparison(engine, relaxedTile, runs) {
  const weightsPath = join(root, 'weights', 'mobilenet_v2_1.0_224.mnv2');
  const weights = readWeights(weightsPath);
  const images = await loadSharedImages(process.env.MNV2_IMAGES ?? join(root, '..', 'shared', 'images'), weights.inputSize, weights.mean, weights.std);
  const ours = await createOursPeer(weightsPath);
  const table = Object.values(engine.asm).find((value) => value instanceof WebAssembly.Table);
  const slot = engine.gemmFullTileSlot();
  const simdTile = table.get(slot);
  const use = (tile) => table.set(slot, tile);
  try {
    const probabilities = { simd: [], relaxed: [] };
    for (const [name, tile] of [['simd', simdTile], ['relaxed', relaxedTile]]) {
      use(tile);
      for (const image of images) probabilities[name].push(await ours.run(image.rgba));
    }
    const argmax = (p) => p.reduce((best, v, i) => (v > p[best] ? i : best), 0);
    let sameTop1 = 0, maxDiff = 0;
    probabilities.simd.forEach((p, i) => {
      const q = probabilities.relaxed[i];
      if (argmax(p) === argmax(q)) ++sameTop1;
      for (let c = 0; c < p.length; ++c) maxDiff = Math.max(maxDiff, Math.abs(p[c] - q[c]));
    });
    const first = images[0].rgba;
    // Both variants timed in interleaved rounds, the slot switched before each engine's turn.
    const stats = await timeEngines([
      { name: 'simd', once: () => { use(simdTile); return ours.classify(first); } },
      { name: 'relaxed', once: () => { use(relaxedTile); return ours.classify(first); } },
    ], { runs, warmupMs: 2000 });
    return { simd: stats.get('simd'), relaxed: stats.get('relaxed'), sameTop1, images: images.length, maxDiff };
  } finally {
    use(simdTile);
    ours.dispose();
  }
}

function bestGmacs(fn, macs, warmupMs) {
  const end = performance.now() + warmupMs;
  while (performance.now() < end) fn();
  let best = Infinity;
  for (let i = 0; i < 30; ++i) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return macs / best / 1e6;
}

async function main() {
  if (!existsSync(MODULE_PATH)) {
    report({ available: false, reason: `${MODULE_PATH} not built (bash bench/relaxed/build.sh; needs clang-19 and lld-19)` });
    return;
  }
  const bytes = readFileSync(MODULE_PATH);
  if (!WebAssembly.validate(bytes)) {
    report({ available: false, reason: 'not supported by this JavaScript engine (Node 20: run with --experimental-wasm-relaxed-simd); the engine keeps its SIMD128 kernels' });
    return;
  }
  const engine = await singleThreadModule();
  const memory = Object.values(engine.asm).find((value) => value instanceof WebAssembly.Memory);
  const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
  const k = instance.exports;

  // Buffers in the engine's heap. Re-read HEAPF32 after every malloc: memory may grow.
  const alloc = (floats) => engine._malloc(floats * 4);
  const heap = () => new Float32Array(memory.buffer);
  let seed = 7;
  const random = () => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) / 8388608 - 1; };

  const depth = 128;
  const ops = alloc(14 * depth);
  for (let i = 0; i < 14 * depth; ++i) heap()[ops / 4 + i] = 0.001 * random();
  const passes = 1000;
  const peakMacs = (rows) => rows * 8 * depth * passes;
  const peak = {
    muladd4x8: bestGmacs(() => k.peak_muladd_4x8(ops, depth, passes), peakMacs(4), 1500),
    madd4x8: bestGmacs(() => k.peak_madd_4x8(ops, depth, passes), peakMacs(4), 1500),
    muladd6x8: bestGmacs(() => k.peak_muladd_6x8(ops, depth, passes), peakMacs(6), 1500),
    madd6x8: bestGmacs(() => k.peak_madd_6x8(ops, depth, passes), peakMacs(6), 1500),
  };

  const shapes = [];
  let macsAll = 0, timeMuladd = 0, timeMadd = 0;
  for (const [m, kk, n] of SHAPES) {
    const a = Float32Array.from({ length: m * kk }, random);
    const w = Float32Array.from({ length: n * kk }, random);
    const bias = Float32Array.from({ length: n }, random);
    const panels = alloc(m * kk), packed = alloc(n * (kk + 1)), c = alloc(m * n);
    const h = heap();
    // Rows in 4-row panels [k][rows]; weights in blocks of 8: bias[8] then k rows of w[8].
    for (let i = 0; i < m; i += 4) {
      const rows = Math.min(4, m - i);
      for (let kx = 0; kx < kk; ++kx) for (let r = 0; r < rows; ++r) h[panels / 4 + i * kk + kx * rows + r] = a[(i + r) * kk + kx];
    }
    for (let j = 0; j < n; j += 8) {
      const base = packed / 4 + j * (kk + 1);
      for (let l = 0; l < 8; ++l) h[base + l] = bias[j + l];
      for (let kx = 0; kx < kk; ++kx) for (let l = 0; l < 8; ++l) h[base + 8 + kx * 8 + l] = w[(j + l) * kk + kx];
    }
    // Correctness of the fused version against a double-precision product.
    k.gemm_madd(m, kk, n, panels, packed, c, n, -Infinity, Infinity);
    let error = 0;
    const out = heap();
    for (let i = 0; i < m; ++i) {
      for (let j = 0; j < n; ++j) {
        let sum = bias[j], magnitude = Math.abs(bias[j]);
        for (let kx = 0; kx < kk; ++kx) { sum += a[i * kk + kx] * w[j * kk + kx]; magnitude += Math.abs(a[i * kk + kx] * w[j * kk + kx]); }
        error = Math.max(error, Math.abs(out[c / 4 + i * n + j] - sum) / (1 + magnitude));
      }
    }
    if (!(error < 1e-5)) throw new Error(`relaxed_madd GEMM ${m}x${kk}x${n}: error ${error}`);
    const macs = m * kk * n;
    const muladd = bestGmacs(() => k.gemm_muladd(m, kk, n, panels, packed, c, n, 0, 6), macs, 400);
    const madd = bestGmacs(() => k.gemm_madd(m, kk, n, panels, packed, c, n, 0, 6), macs, 400);
    shapes.push({ m, k: kk, n, muladd, madd, error });
    macsAll += macs;
    timeMuladd += macs / muladd;
    timeMadd += macs / madd;
    for (const pointer of [panels, packed, c]) engine._free(pointer);
  }
  engine._free(ops);
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30;
  const engineResult = await engineComparison(engine, k.full_tile_4x8, runs);
  report({ available: true, peak, shapes, total: { muladd: macsAll / timeMuladd, madd: macsAll / timeMadd }, engine: engineResult });
}

main().catch((error) => {
  console.error(`relaxed-simd: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
