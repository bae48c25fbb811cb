// The one place that chooses between the integer twins, filled by expanding kernels-q8.def.
#include "kernels/kernels-q8.h"

namespace mnv2 {

const QuantizedKernelTable& reference_q8_kernels() {
  static const QuantizedKernelTable table = {
#define MNV2_Q8_KERNEL(name, type) name##__ref,
#include "kernels/kernels-q8.def"
#undef MNV2_Q8_KERNEL
  };
  return table;
}

const QuantizedKernelTable& simd_q8_kernels() {
  static const QuantizedKernelTable table = {
#define MNV2_Q8_KERNEL(name, type) name##__wasmsimd,
#include "kernels/kernels-q8.def"
#undef MNV2_Q8_KERNEL
  };
  return table;
}

}  // namespace mnv2
