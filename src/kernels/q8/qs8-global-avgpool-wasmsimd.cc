// Integer global average pool, SIMD128: the per-channel sums (the bulk of the work) 16
// channels at a time in int32; the per-channel requantization, done once per channel, is the
// scalar definition (q8_pool_output). Channels past the last multiple of 16 are summed
// scalar.
#include "kernels/kernels-q8.h"
#include "kernels/simd.h"

namespace mnv2 {

void qs8_global_avgpool__wasmsimd(const int8_t* input, size_t pixels, size_t channels,
                                  int8_t* output, const Q8PoolParams& p) {
  const int32_t count = static_cast<int32_t>(pixels);
  size_t c = 0;
  for (; c + 16 <= channels; c += 16) {
    v128_t s0 = wasm_i32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
    const int8_t* in = input + c;
    for (size_t i = 0; i < pixels; i++, in += channels) {
      const v128_t v = wasm_v128_load(in);
      const v128_t lo = wasm_i16x8_extend_low_i8x16(v);
      const v128_t hi = wasm_i16x8_extend_high_i8x16(v);
      s0 = wasm_i32x4_add(s0, wasm_i32x4_extend_low_i16x8(lo));
      s1 = wasm_i32x4_add(s1, wasm_i32x4_extend_high_i16x8(lo));
      s2 = wasm_i32x4_add(s2, wasm_i32x4_extend_low_i16x8(hi));
      s3 = wasm_i32x4_add(s3, wasm_i32x4_extend_high_i16x8(hi));
    }
    int32_t sums[16];
    wasm_v128_store(sums, s0);
    wasm_v128_store(sums + 4, s1);
    wasm_v128_store(sums + 8, s2);
    wasm_v128_store(sums + 12, s3);
    for (size_t j = 0; j < 16; j++) output[c + j] = q8_pool_output(sums[j], count, p);
  }
  for (; c < channels; c++) {
    int32_t sum = 0;
    for (size_t i = 0; i < pixels; i++) sum += input[i * channels + c];
    output[c] = q8_pool_output(sum, count, p);
  }
}

}  // namespace mnv2
