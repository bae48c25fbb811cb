#include "model/random-q8.h"


namespace mnv2::testing {

void add_random_uint8(WeightFileBuilder& builder, std::mt19937& rng, const std::string& name,
                      const std::vector<uint32_t>& dims, float range) {
  size_t count = 1;
  for (uint32_t d : dims) count *= d;
  std::vector<uint8_t> data(count);
  std::uniform_int_distribution<int> q(0, 255);
  for (auto& value : data) value = static_cast<uint8_t>(q(rng));
  builder.add_tensor(name, TensorType::kU8, dims, data.data(), data.size(), {range / 127.5f},
                     {128}, 0);
}

void Q8Records::record(WeightFileBuilder& builder, const std::string& layer, float scale,
                       int32_t uint8_zero_point) const {
  const int32_t zero_point = int8_ ? uint8_zero_point - 128 : uint8_zero_point;
  const uint8_t element = static_cast<uint8_t>(zero_point);  // two's complement for int8
  builder.add_tensor(layer + ".out_q", int8_ ? TensorType::kI8 : TensorType::kU8, {1}, &element,
                     1, {scale}, {zero_point}, 0);
}

void Q8Records::activation(WeightFileBuilder& builder, const std::string& layer,
                           Q8Range range) const {
  // ReLU6: 0..6 over the 256 steps; linear: -6.4..6.35 around the middle step.
  if (range == Q8Range::kRelu6) {
    record(builder, layer, 6.0f / 255.0f, 0);
  } else {
    record(builder, layer, 0.05f, 128);
  }
}

void Q8Records::input(WeightFileBuilder& builder) const { record(builder, "input", 1.0f / 128, 128); }

void Q8Records::bias(WeightFileBuilder& builder, std::mt19937& rng, const std::string& name,
                     uint32_t count) {
  std::vector<int32_t> values(count);
  std::uniform_int_distribution<int32_t> value(-256, 256);
  for (int32_t& v : values) v = value(rng);
  builder.add_tensor(name, TensorType::kI32, {count}, values.data(), values.size() * 4,
                     {1e-4f}, {0}, 0);
}

}  // namespace mnv2::testing
