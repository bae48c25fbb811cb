// The machine's multiply-add peak, measured with the engine's own micro-benchmark kernels
// (src/kernels/peak: the float GEMM's 4x8 register tile, or the int8 GEMM's 2x16
// i32x4.dot_i16x8_s tile, over operands in L1; with relaxed, the relaxed kernel module's
// GEMM micro-kernels: the 4x8 tile on f32x4.relaxed_madd, the int8 2x16 tile on
// i32x4.relaxed_dot_i8x16_i7x16_add_s), so per-layer speeds can be read as a fraction of
// what this CPU and this JavaScript engine can do with the kernels a model runs.
import { singleThreadModule } from './wasm-module.js';

/** What each peak is, for report headers, by peakKind(). */
export const PEAK_KERNELS = {
  float32: 'SIMD128 mul+add peak (4x8 f32x4 tile, operands in L1)',
  int8: 'SIMD128 int8 peak (2x16 i32x4.dot_i16x8_s + add tile, operands in L1)',
  'float32-relaxed': 'relaxed-SIMD peak (4x8 f32x4.relaxed_madd tile, operands in L1)',
  'int8-relaxed': 'relaxed-SIMD int8 peak (2x16 i32x4.relaxed_dot_i8x16_i7x16_add_s tile, operands in L1)',
};

/** The PEAK_KERNELS key for a precision ('float32' or 'int8') on relaxed SIMD or not. */
export function peakKind(precision, relaxed = false) {
  return `${precision}${relaxed ? '-relaxed' : ''}`;
}

// [kernel, macsPerPass] of a peak, or an Error saying why it cannot run here.
async function peakKernel(module, precision, relaxed) {
  if (!relaxed) {
    return precision === 'int8'
      ? [module.simdPeakQ8DotAdd, module.simdPeakQ8MacsPerPass]
      : [module.simdPeakMulAdd, module.simdPeakMacsPerPass];
  }
  if (!(await module.installRelaxedKernels())) {
    throw new Error('simd peak: relaxed needs WebAssembly relaxed SIMD, which this JavaScript engine lacks');
  }
  if (precision === 'int8' && !module.relaxedInt8Exact()) {
    throw new Error("simd peak: int8 relaxed needs an exact relaxed integer dot product, which this engine and CPU lack (int8 models run 'simd' here)");
  }
  return precision === 'int8'
    ? [module.relaxedPeakQ8Usdot, module.relaxedPeakQ8UsdotMacsPerPass]
    : [module.relaxedPeakMadd, module.relaxedPeakMaddMacsPerPass];
}

/**
 * {gmacs, runs}: the fastest of `runs` timed calls of the peak kernel for `precision`
 * ('float32' or 'int8') and `relaxed` (the relaxed-SIMD kernels' peak), after calling it for
 * `warmupMs` so that V8 has tiered it up to its optimizing compiler (before that it runs
 * about half as fast).
 */
export async function measureSimdPeak({ warmupMs = 2500, runs = 30, precision = 'float32', relaxed = false } = {}) {
  if (!['float32', 'int8'].includes(precision)) throw new Error(`simd peak: precision must be 'float32' or 'int8', got ${precision}`);
  const module = await singleThreadModule();
  const [kernel, macsPerPass] = await peakKernel(module, precision, relaxed);
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
