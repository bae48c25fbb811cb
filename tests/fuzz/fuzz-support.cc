#include "fuzz-support.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace mnv2::fuzzing {
namespace {

bool inside(const uint8_t* p, size_t bytes, const uint8_t* data, size_t size) {
  return p >= data && bytes <= size && static_cast<size_t>(p - data) <= size - bytes;
}

// Tensors up to this size are also dequantized here (ASan then checks every element and
// quant param read); larger ones are read by the loaders, whose cost already dominates.
constexpr size_t kDequantizeElements = 4096;

}  // namespace

const uint8_t kImage[kImageWidth * kImageHeight * 4] = {
    0,   50,  100, 255, 255, 0,   9,   1,   7,   7,   7,   7,   200, 100, 50,
    0,   1,   2,   3,   4,   128, 128, 128, 128, 33,  66,  99,  255, 250, 5,
    5,   5,   0,   0,   0,   0,   255, 255, 255, 255, 90,  180, 20,  40,  64,
    64,  64,  64,  12,  34,  56,  78,  200, 201, 202, 203, 17,  0,   170, 255};

void broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz target: %s: %s\n", what, detail.c_str());
  __builtin_trap();
}

bool parse_and_check(const uint8_t* data, size_t size, WeightFileView* view) {
  std::string error;
  if (!parse_weight_file(data, size, view, &error)) {
    if (error.empty()) broken("rejected without a message", "");
    return false;
  }
  for (const TensorView& t : view->tensors) {
    const size_t element = t.type == TensorType::kF32 || t.type == TensorType::kI32 ? 4 : 1;
    if (!inside(t.data, t.elements * element, data, size)) broken("tensor data outside", t.name);
    if (t.type != TensorType::kF32 &&
        !inside(reinterpret_cast<const uint8_t*>(t.scales), t.quant_count * 8, data, size)) {
      broken("quant params outside", t.name);
    }
    if (t.elements <= kDequantizeElements) {
      std::vector<float> values;
      dequantize(t, &values);
      if (values.size() != t.elements) broken("dequantize size", t.name);
    }
  }
  if (view->labels.size() != view->header.num_classes) broken("label count", "");
  return true;
}

float any_float(FuzzedDataProvider& input) {
  const uint32_t bits = input.ConsumeIntegral<uint32_t>();
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

std::vector<uint8_t> repeated_bytes(FuzzedDataProvider& input, size_t bytes) {
  const std::vector<uint8_t> pattern = input.ConsumeRemainingBytes<uint8_t>();
  std::vector<uint8_t> out(bytes, 0x5a);
  if (pattern.empty() || bytes == 0) return out;
  // Doubling copies: a byte loop here would be instrumented and dominate the run time.
  size_t filled = std::min(pattern.size(), bytes);
  std::memcpy(out.data(), pattern.data(), filled);
  while (filled < bytes) {
    const size_t chunk = std::min(filled, bytes - filled);
    std::memcpy(out.data() + filled, out.data(), chunk);
    filled += chunk;
  }
  return out;
}

}  // namespace mnv2::fuzzing
