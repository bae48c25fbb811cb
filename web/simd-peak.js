// The machine's SIMD128 multiply-add peak, measured with the engine's own micro-benchmark
// kernels (src/kernels/peak: the float GEMM's 4x8 register tile, or the int8 GEMM's 2x16
// i32x4.dot_i16x8_s tile, over operands in L1), so per-layer speeds can be read as a fraction
// of what this CPU and this JavaScript engine can do at that precision.
import { singleThreadModule } from './wasm-module.js';

/** What each precision's peak is, for report headers. */
export const PEAK_KERNELS = {
  float32: 'SIMD128 mul+add peak (4x8 f32x4 tile, operands in L1)',
  int8: 'SIMD128 int8 peak (2x16 i32x4.dot_i16x8_s + add tile, operands in L1)',
};

/**
 * {gmacs, runs}: the fastest of `runs` timed calls of `precision`'s kernel ('float32' or
 * 'int8'), after calling it for `warmupMs` so that V8 has tiered it up to its optimizing
 * compiler (before that it runs about half as fast).
 */
export async function measureSimdPeak({ warmupMs = 2500, runs = 30, precision = 'float32' } = {}) {
  if (!(precision in PEAK_KERNELS)) throw new Error(`simd peak: precision must be 'float32' or 'int8', got ${precision}`);
  const module = await singleThreadModule();
  const [kernel, macsPerPass] = precision === 'int8'
    ? [module.simdPeakQ8DotAdd, module.simdPeakQ8MacsPerPass]
    : [module.simdPeakMulAdd, module.simdPeakMacsPerPass];
  const passes = 1000;  // ~4-8M multiply-adds, a fraction of a millisecond per call
  const macs = passes * macsPerPass();
  let sink = 0;
  const end = performance.now() + warmupMs;
  while (performance.now() < end) sink += kernel(passes);
  let best = Infinity;
  for (let i = 0; i < runs; ++i) {
    const start = performance.now();
    sink += kernel(passes);
    best = Math.min(best, performance.now() - start);
  }
  if (!Number.isFinite(sink)) throw new Error('simd peak: non-finite result');
  return { gmacs: macs / best / 1e6, runs };
}
