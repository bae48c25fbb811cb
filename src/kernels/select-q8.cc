// The one place that chooses between the integer twins, filled by expanding kernels-q8.def.
#include "kernels/kernels-q8.h"
#include "kernels/kernels.h"

namespace mnv2 {

const QuantizedKernelTable& reference_q8_kernels() {
  static const QuantizedKernelTable table = {
#define MNV2_Q8_KERNEL(name, type) name##__ref,
#include "kernels/kernels-q8.def"
#undef MNV2_Q8_KERNEL
      Q8GemmLayout::kI16Pairs,
  };
  return table;
}

const QuantizedKernelTable& simd_q8_kernels() {
  static const QuantizedKernelTable table = {
#define MNV2_Q8_KERNEL(name, type) name##__wasmsimd,
#include "kernels/kernels-q8.def"
#undef MNV2_Q8_KERNEL
      Q8GemmLayout::kI16Pairs,
  };
  return table;
}

const QuantizedKernelTable& relaxed_simd_q8_kernels() {
  static const QuantizedKernelTable table = [] {
    QuantizedKernelTable relaxed = simd_q8_kernels();
    relaxed.qs8_gemm_minmax = qs8_gemm_minmax__wasmrelaxedsimd;
    relaxed.gemm_layout = Q8GemmLayout::kU8Quads;
    return relaxed;
  }();
  return table;
}

const QuantizedKernelTable& q8_kernels_for(const KernelTable& float_kernels) {
  return &float_kernels == &relaxed_simd_kernels() && q8_usdot_exact() ? relaxed_simd_q8_kernels()
                                                                       : simd_q8_kernels();
}

}  // namespace mnv2
