// Fully connected on one row. With a single row a lone 8-channel block has only two
// accumulator chains, so the loop would wait on add latency; four blocks (32 channels, eight
// independent chains) are computed together instead, sharing each broadcast input value.
// Products are added in k order per output, like the reference.
#include <algorithm>

#include "kernels/kernels.h"
#include "kernels/simd-partial.h"
#include "kernels/simd.h"

namespace mnv2 {
namespace {

inline v128_t clamp(v128_t v, v128_t vmin, v128_t vmax) {
  return wasm_f32x4_pmin(wasm_f32x4_pmax(v, vmin), vmax);
}

// Blocks w0..w3 (each bias[8] then k rows of 8) -> output[0, nr), nr in (24, 32].
inline void four_blocks(size_t k, size_t block_floats, const float* input, const float* w0,
                        float* output, size_t nr, v128_t vmin, v128_t vmax) {
  const float* w1 = w0 + block_floats;
  const float* w2 = w1 + block_floats;
  const float* w3 = w2 + block_floats;
  v128_t acc0lo = wasm_v128_load(w0), acc0hi = wasm_v128_load(w0 + 4);
  v128_t acc1lo = wasm_v128_load(w1), acc1hi = wasm_v128_load(w1 + 4);
  v128_t acc2lo = wasm_v128_load(w2), acc2hi = wasm_v128_load(w2 + 4);
  v128_t acc3lo = wasm_v128_load(w3), acc3hi = wasm_v128_load(w3 + 4);
  w0 += kGemmChannelBlock;
  w1 += kGemmChannelBlock;
  w2 += kGemmChannelBlock;
  w3 += kGemmChannelBlock;
  for (size_t kk = k; kk != 0; kk--) {
    const v128_t x = wasm_v128_load32_splat(input++);
    acc0lo = wasm_f32x4_add(acc0lo, wasm_f32x4_mul(x, wasm_v128_load(w0)));
    acc0hi = wasm_f32x4_add(acc0hi, wasm_f32x4_mul(x, wasm_v128_load(w0 + 4)));
    acc1lo = wasm_f32x4_add(acc1lo, wasm_f32x4_mul(x, wasm_v128_load(w1)));
    acc1hi = wasm_f32x4_add(acc1hi, wasm_f32x4_mul(x, wasm_v128_load(w1 + 4)));
    acc2lo = wasm_f32x4_add(acc2lo, wasm_f32x4_mul(x, wasm_v128_load(w2)));
    acc2hi = wasm_f32x4_add(acc2hi, wasm_f32x4_mul(x, wasm_v128_load(w2 + 4)));
    acc3lo = wasm_f32x4_add(acc3lo, wasm_f32x4_mul(x, wasm_v128_load(w3)));
    acc3hi = wasm_f32x4_add(acc3hi, wasm_f32x4_mul(x, wasm_v128_load(w3 + 4)));
    w0 += kGemmChannelBlock;
    w1 += kGemmChannelBlock;
    w2 += kGemmChannelBlock;
    w3 += kGemmChannelBlock;
  }
  wasm_v128_store(output, clamp(acc0lo, vmin, vmax));
  wasm_v128_store(output + 4, clamp(acc0hi, vmin, vmax));
  wasm_v128_store(output + 8, clamp(acc1lo, vmin, vmax));
  wasm_v128_store(output + 12, clamp(acc1hi, vmin, vmax));
  wasm_v128_store(output + 16, clamp(acc2lo, vmin, vmax));
  wasm_v128_store(output + 20, clamp(acc2hi, vmin, vmax));
  store_f32x8_partial(output + 24, clamp(acc3lo, vmin, vmax), clamp(acc3hi, vmin, vmax), nr - 24);
}

// One block -> output[0, nr), nr in [1, 8].
inline void one_block(size_t k, const float* input, const float* w, float* output, size_t nr,
                      v128_t vmin, v128_t vmax) {
  v128_t acclo = wasm_v128_load(w), acchi = wasm_v128_load(w + 4);
  w += kGemmChannelBlock;
  for (size_t kk = k; kk != 0; kk--) {
    const v128_t x = wasm_v128_load32_splat(input++);
    acclo = wasm_f32x4_add(acclo, wasm_f32x4_mul(x, wasm_v128_load(w)));
    acchi = wasm_f32x4_add(acchi, wasm_f32x4_mul(x, wasm_v128_load(w + 4)));
    w += kGemmChannelBlock;
  }
  store_f32x8_partial(output, clamp(acclo, vmin, vmax), clamp(acchi, vmin, vmax), nr);
}

}  // namespace

void f32_fc_minmax__wasmsimd(size_t k, size_t n, const float* input, const float* packed,
                             float* output, float min, float max) {
  const v128_t vmin = wasm_f32x4_splat(min);
  const v128_t vmax = wasm_f32x4_splat(max);
  const size_t block_floats = kGemmChannelBlock * (1 + k);
  size_t j = 0;
  for (; j + 3 * kGemmChannelBlock < n; j += 4 * kGemmChannelBlock) {
    four_blocks(k, block_floats, input, packed, output + j, std::min(4 * kGemmChannelBlock, n - j),
                vmin, vmax);
    packed += 4 * block_floats;
  }
  for (; j < n; j += kGemmChannelBlock) {
    one_block(k, input, packed, output + j, std::min(kGemmChannelBlock, n - j), vmin, vmax);
    packed += block_floats;
  }
}

}  // namespace mnv2
