// Softmax with a SIMD exp. SIMD128 has no exp, so exp(x) for x <= 0 (softmax only needs that
// range after subtracting the maximum) is computed as 2^n * p(r): n = round(x / ln2),
// r = x - n ln2 with ln2 split in two (Cody-Waite) so that n * ln2_hi is exact, |r| <= ln2/2,
// p the degree-7 Taylor polynomial of exp (truncation error < 5e-9, below float rounding),
// and 2^n built directly in the exponent bits. Inputs below ln(FLT_MIN) give 0 instead of a
// denormal (an absolute error under 1.2e-38); -inf gives 0, NaN stays NaN.
#include <algorithm>
#include <limits>

#include "kernels/kernels.h"
#include "kernels/simd-partial.h"
#include "kernels/simd.h"

namespace mnv2 {
namespace {

inline v128_t exp_nonpositive(v128_t x) {
  // Just above ln(FLT_MIN) = -87.3365: keeps n >= -126 so 2^n stays a normal float.
  const v128_t lowest = wasm_f32x4_splat(-87.33f);
  const v128_t underflow = wasm_f32x4_lt(x, lowest);
  x = wasm_f32x4_pmax(x, lowest);

  const v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269502f)));
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693145751953125f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(1.42860677e-6f)));

  v128_t p = wasm_f32x4_splat(1.98412701e-4f);                                 // 1/7!
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.38888892e-3f));  // 1/6!
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(8.33333377e-3f));  // 1/5!
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(4.16666679e-2f));  // 1/4!
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.66666672e-1f));  // 1/3!
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(0.5f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f));

  const v128_t biased = wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127));
  const v128_t scale = wasm_i32x4_shl(biased, 23);
  return wasm_v128_andnot(wasm_f32x4_mul(p, scale), underflow);
}

inline float horizontal_sum(v128_t v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

}  // namespace

void f32_softmax__wasmsimd(const float* input, size_t n, float* output) {
  const size_t n4 = n / 4 * 4;
  const size_t tail = n - n4;

  // pmax(m, x) = m < x ? x : m, the reference's std::max.
  v128_t vmax = wasm_f32x4_splat(-std::numeric_limits<float>::infinity());
  for (size_t i = 0; i < n4; i += 4) vmax = wasm_f32x4_pmax(vmax, wasm_v128_load(input + i));
  float max_value =
      std::max(std::max(wasm_f32x4_extract_lane(vmax, 0), wasm_f32x4_extract_lane(vmax, 1)),
               std::max(wasm_f32x4_extract_lane(vmax, 2), wasm_f32x4_extract_lane(vmax, 3)));
  for (size_t i = n4; i < n; i++) max_value = std::max(max_value, input[i]);
  vmax = wasm_f32x4_splat(max_value);

  v128_t vsum = wasm_f32x4_splat(0.0f);
  for (size_t i = 0; i < n4; i += 4) {
    const v128_t e = exp_nonpositive(wasm_f32x4_sub(wasm_v128_load(input + i), vmax));
    wasm_v128_store(output + i, e);
    vsum = wasm_f32x4_add(vsum, e);
  }
  if (tail != 0) {
    const v128_t e = exp_nonpositive(wasm_f32x4_sub(load_f32_partial(input + n4, tail), vmax));
    store_f32_partial(output + n4, e, tail);
    // The lanes past the tail hold exp(0 - max); only the valid ones join the sum.
    const v128_t valid =
        wasm_i32x4_lt(wasm_i32x4_make(0, 1, 2, 3), wasm_i32x4_splat(int32_t(tail)));
    vsum = wasm_f32x4_add(vsum, wasm_v128_and(e, valid));
  }

  const v128_t scale = wasm_f32x4_splat(1.0f / horizontal_sum(vsum));
  for (size_t i = 0; i < n4; i += 4) {
    wasm_v128_store(output + i, wasm_f32x4_mul(wasm_v128_load(output + i), scale));
  }
  if (tail != 0) {
    store_f32_partial(output + n4, wasm_f32x4_mul(load_f32_partial(output + n4, tail), scale),
                      tail);
  }
}

}  // namespace mnv2
