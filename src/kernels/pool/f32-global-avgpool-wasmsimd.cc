// Global average pool with channels in SIMD lanes: 16 channels (four independent sums) per
// sweep over the pixels, then 4, then the 1..3 leftover channels with partial loads so the
// last pixel's row is never read past its end. Each channel is summed in pixel order and
// divided like the reference.
#include <algorithm>

#include "kernels/kernels.h"
#include "kernels/simd-partial.h"
#include "kernels/simd.h"

namespace mnv2 {

void f32_global_avgpool__wasmsimd(const float* input, size_t pixels, size_t channels,
                                  float* output) {
  const v128_t count = wasm_f32x4_splat(float(pixels));
  size_t c = 0;
  for (; c + 16 <= channels; c += 16) {
    v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0, s2 = s0, s3 = s0;
    const float* in = input + c;
    for (size_t p = 0; p < pixels; p++, in += channels) {
      s0 = wasm_f32x4_add(s0, wasm_v128_load(in));
      s1 = wasm_f32x4_add(s1, wasm_v128_load(in + 4));
      s2 = wasm_f32x4_add(s2, wasm_v128_load(in + 8));
      s3 = wasm_f32x4_add(s3, wasm_v128_load(in + 12));
    }
    wasm_v128_store(output + c, wasm_f32x4_div(s0, count));
    wasm_v128_store(output + c + 4, wasm_f32x4_div(s1, count));
    wasm_v128_store(output + c + 8, wasm_f32x4_div(s2, count));
    wasm_v128_store(output + c + 12, wasm_f32x4_div(s3, count));
  }
  for (; c < channels; c += 4) {
    const size_t cr = std::min<size_t>(4, channels - c);
    v128_t s = wasm_f32x4_splat(0.0f);
    const float* in = input + c;
    for (size_t p = 0; p < pixels; p++, in += channels) {
      s = wasm_f32x4_add(s, load_f32_partial(in, cr));
    }
    store_f32_partial(output + c, wasm_f32x4_div(s, count), cr);
  }
}

}  // namespace mnv2
