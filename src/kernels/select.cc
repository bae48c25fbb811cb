// The one place that chooses between the twins. The tables are filled by expanding
// kernels.def, so a kernel added to the list cannot be forgotten here.
#include "kernels/kernels.h"

namespace mnv2 {

const KernelTable& reference_kernels() {
  static const KernelTable table = {
#define MNV2_KERNEL(name, type) name##__ref,
#include "kernels/kernels.def"
#undef MNV2_KERNEL
  };
  return table;
}

const KernelTable& simd_kernels() {
  static const KernelTable table = {
#define MNV2_KERNEL(name, type) name##__wasmsimd,
#include "kernels/kernels.def"
#undef MNV2_KERNEL
  };
  return table;
}

const KernelTable& relaxed_simd_kernels() {
  static const KernelTable table = [] {
    KernelTable relaxed = simd_kernels();
#define MNV2_RELAXED_KERNEL(name, type) relaxed.name = name##__wasmrelaxedsimd;
#include "kernels/kernels-relaxed.def"
#undef MNV2_RELAXED_KERNEL
    return relaxed;
  }();
  return table;
}

}  // namespace mnv2
