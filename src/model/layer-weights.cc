#include "model/layer-weights.h"

#include <sstream>

#include "kernels/kernels.h"

namespace mnv2 {

std::string dims_text(const std::vector<size_t>& dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i) text += (i ? "," : "") + std::to_string(dims[i]);
  return text + "]";
}

const TensorView* find_tensor(const WeightFileView& file, const std::string& name,
                              std::string* error) {
  const TensorView* tensor = file.find(name);
  if (tensor == nullptr) *error = "weight file has no tensor " + name;
  return tensor;
}

bool check_dims(const WeightFileView& file, const TensorView& tensor,
                const std::vector<size_t>& dims, std::string* error) {
  if (tensor.dims == dims) return true;
  std::ostringstream message;
  message << "tensor " << tensor.name << " has shape " << dims_text(tensor.dims) << ", alpha "
          << file.header.alpha << " needs " << dims_text(dims);
  *error = message.str();
  return false;
}

bool read_tensor(const WeightFileView& file, const std::string& name,
                 const std::vector<size_t>& dims, std::vector<float>* values,
                 std::string* error) {
  const TensorView* tensor = find_tensor(file, name, error);
  if (tensor == nullptr || !check_dims(file, *tensor, dims, error)) return false;
  dequantize(*tensor, values);
  return true;
}

bool read_pointwise(const WeightFileView& file, const std::string& layer, size_t in_c,
                    size_t out_c, std::vector<float>* packed, std::string* error) {
  std::vector<float> weights, bias;
  if (!read_tensor(file, layer + ".w", {out_c, 1, 1, in_c}, &weights, error) ||
      !read_tensor(file, layer + ".b", {out_c}, &bias, error)) {
    return false;
  }
  packed->assign(gemm_packed_size(in_c, out_c), 0.0f);
  gemm_pack(in_c, out_c, weights.data(), bias.data(), packed->data());
  return true;
}

bool read_depthwise(const WeightFileView& file, const std::string& layer, size_t channels,
                    std::vector<float>* packed, std::string* error) {
  std::vector<float> weights, bias;
  if (!read_tensor(file, layer + ".w", {1, 3, 3, channels}, &weights, error) ||
      !read_tensor(file, layer + ".b", {channels}, &bias, error)) {
    return false;
  }
  packed->assign(dwconv3x3_packed_size(channels), 0.0f);
  dwconv3x3_pack(channels, weights.data(), bias.data(), packed->data());
  return true;
}

}  // namespace mnv2
