// The integer GEMM twins' shared epilogue: requantizing a row of 16 (or 8) int32 accumulators
// of one packed block into int8 outputs, and the choice of the compiled instance for a layer's
// requantization mode and common shift. Shared by the SIMD128 GEMM and its relaxed-SIMD twin,
// which differ only in how they compute the accumulators.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "kernels/kernels-q8.h"
#include "kernels/q8/simd-requantize.h"
#include "kernels/simd.h"

namespace mnv2::q8 {

struct GemmEpilogue : OutputRequantizer {
  bool single_rounding;  // kGeneric only: the other modes have it in their packed arrays

  GemmEpilogue(const int32_t* packed, const Q8Output& out)
      : OutputRequantizer(packed, out), single_rounding(packed[kQ8RoundingWord] != 0) {}
};

// Requantizes and stores one row of kVectors * 4 accumulators of the block whose arrays start
// at `arrays` (nr of them are real). The mode is a template argument so that each tile's
// epilogue compiles without branches; so is the common shift when the layer's is one of the
// compiled shifts below (else kRuntimeShift).
template <size_t kVectors, Q8RequantMode kMode, int kShift>
inline void store_gemm_row(const v128_t* acc, const int32_t* arrays, int8_t* c, size_t nr,
                           const GemmEpilogue& e) {
  constexpr size_t kBlock = kQ8GemmBlock;
  if constexpr (kMode == Q8RequantMode::kGeneric) {
    int8_t out[kVectors * 4];
    for (size_t v = 0; v < kVectors; v++) {
      requantize_scalar(acc[v], arrays, kBlock, 4 * v, *e.output, out + 4 * v, e.single_rounding);
    }
    for (size_t j = 0; j < nr; j++) c[j] = out[j];
    return;
  }
  const v128_t r0 = requantize_lanes<kMode, kShift>(acc[0], arrays, kBlock, 0, e.requant);
  const v128_t r1 = requantize_lanes<kMode, kShift>(acc[1], arrays, kBlock, 4, e.requant);
  const v128_t lo = narrow_add_zero_point(r0, r1, e.zero_point);
  if constexpr (kVectors == 4) {
    const v128_t r2 = requantize_lanes<kMode, kShift>(acc[2], arrays, kBlock, 8, e.requant);
    const v128_t r3 = requantize_lanes<kMode, kShift>(acc[3], arrays, kBlock, 12, e.requant);
    const v128_t hi = narrow_add_zero_point(r2, r3, e.zero_point);
    const v128_t bytes =
        wasm_i8x16_min(wasm_i8x16_max(wasm_i8x16_narrow_i16x8(lo, hi), e.min), e.max);
    store_i8_partial(c, bytes, nr);
  } else {
    const v128_t bytes =
        wasm_i8x16_min(wasm_i8x16_max(wasm_i8x16_narrow_i16x8(lo, lo), e.min), e.max);
    if (nr == 8) {
      wasm_v128_store64_lane(c, bytes, 0);
    } else {
      store_i8_partial(c, bytes, nr);
    }
  }
}

// The common shifts E compiled as constants, per mode: those of the two shipped classifiers'
// pointwise layers (mobilenet_v2_1.0_224: kUniform 2 and 4-9; tf2_mobilenet_v2_1.0_224_ptq:
// kPerChannelBounded 6, 8-12, 16, 17 and the stem's kPerChannel 21). Other shifts take the
// run-time-shift instance, which computes the same.
using UniformShifts = std::integer_sequence<int, 2, 4, 5, 6, 7, 8, 9>;
using PerChannelShifts = std::integer_sequence<int, 21>;
using PerChannelBoundedShifts = std::integer_sequence<int, 6, 8, 9, 10, 11, 12, 16, 17>;

template <template <Q8RequantMode, int> class Instance, Q8RequantMode kMode, int... kShifts>
auto* select_shift(int32_t shift, std::integer_sequence<int, kShifts...>) {
  auto* fn = &Instance<kMode, kRuntimeShift>::run;
  ((fn = shift == kShifts ? &Instance<kMode, kShifts>::run : fn), ...);
  return fn;
}

// Instance<mode, shift>::run for a packed layer's mode and common shift. Each kernel's
// Instance must have a name of its own, even inside an anonymous namespace: GCC emits this
// function for it as a weak symbol, so two files' `Gemm` merged at link time and one kernel
// ran the other's instances (seen natively). Each instance stays
// a function of its own (noinline, called through a pointer chosen once per call): a dozen
// instances inlined into one dispatcher measured every GEMM ~2x slower under V8.
template <template <Q8RequantMode, int> class Instance>
auto* select_gemm_instance(Q8RequantMode mode, int32_t shift) {
  switch (mode) {
    case Q8RequantMode::kUniform:
      return select_shift<Instance, Q8RequantMode::kUniform>(shift, UniformShifts());
    case Q8RequantMode::kPerChannel:
      return select_shift<Instance, Q8RequantMode::kPerChannel>(shift, PerChannelShifts());
    case Q8RequantMode::kPerChannelBounded:
      return select_shift<Instance, Q8RequantMode::kPerChannelBounded>(shift,
                                                                       PerChannelBoundedShifts());
    case Q8RequantMode::kGeneric:
      break;
  }
  return &Instance<Q8RequantMode::kGeneric, 0>::run;
}

}  // namespace mnv2::q8
