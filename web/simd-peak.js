// The machine's SIMD128 multiply+add peak, measured with the engine's own micro-benchmark
// kernel (src/kernels/peak: the GEMM's 4x8 register tile over operands in L1), so per-layer
// speeds can be read as a fraction of what this CPU and this JavaScript engine can do.
import { singleThreadModule } from './wasm-module.js';

/**
 * {gmacs, runs}: the fastest of `runs` timed calls, after calling the kernel for `warmupMs`
 * so that V8 has tiered it up to its optimizing compiler (before that it runs about half as
 * fast).
 */
export async function measureSimdPeak({ warmupMs = 2500, runs = 30 } = {}) {
  const module = await singleThreadModule();
  const passes = 1000;  // ~4M multiply-adds, a fraction of a millisecond per call
  const macs = passes * module.simdPeakMacsPerPass();
  let sink = 0;
  const end = performance.now() + warmupMs;
  while (performance.now() < end) sink += module.simdPeakMulAdd(passes);
  let best = Infinity;
  for (let i = 0; i < runs; ++i) {
    const start = performance.now();
    sink += module.simdPeakMulAdd(passes);
    best = Math.min(best, performance.now() - start);
  }
  if (!Number.isFinite(sink)) throw new Error('simd peak: non-finite result');
  return { gmacs: macs / best / 1e6, runs };
}
