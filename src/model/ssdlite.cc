#include "model/ssdlite.h"

#include "model/layer-weights.h"
#include "plan/memory-budget.h"

namespace mnv2 {
namespace {

bool read_params(const WeightFileView& file, const std::string& name, std::vector<float>* values,
                 std::string* error) {
  const TensorView* tensor = find_tensor(file, name, error);
  if (tensor == nullptr) return false;
  if (tensor->type != TensorType::kF32 || tensor->dims.size() != 1) {
    *error = "tensor " + name + " must be a float32 vector";
    return false;
  }
  dequantize(*tensor, values);
  return true;
}

}  // namespace

std::string ssd_layer_name(const char* group, size_t index, const char* layer) {
  return std::string(group) + std::to_string(index) + "." + layer;
}

bool load_ssd_params(const WeightFileView& file, size_t num_classes, AnchorParams* anchors,
                     PostprocessParams* postprocess, std::string* error) {
  std::vector<float> values;
  if (!read_params(file, "anchors.params", &values, error) ||
      !decode_anchor_params(values, anchors, error) ||
      !read_params(file, "postprocess.params", &values, error) ||
      !decode_postprocess_params(values, postprocess, error)) {
    return false;
  }
  if (postprocess->num_classes != num_classes) {
    *error = "postprocess.params declares " + std::to_string(postprocess->num_classes) +
             " classes, the header " + std::to_string(num_classes);
    return false;
  }
  return true;
}

bool check_ssd_output_budget(const std::vector<size_t>& grid_sizes, const AnchorParams& anchors,
                             size_t num_classes, uint64_t bytes_per_value, std::string* error) {
  uint64_t anchor_count = 0;
  for (size_t m = 0; m < grid_sizes.size(); ++m) {
    anchor_count += uint64_t{grid_sizes[m]} * grid_sizes[m] * anchors_per_cell(anchors, m);
  }
  const uint64_t output_bytes = anchor_count * (4 + uint64_t{num_classes} + 1) * bytes_per_value;
  if (output_bytes > kMaxModelBytes) {
    *error = "the detector's " + std::to_string(anchor_count) + " anchors x " +
             std::to_string(num_classes) + " classes would need " +
             std::to_string(output_bytes >> 20) + " MiB, more than the " +
             std::to_string(kMaxModelBytes >> 20) + " MiB this engine allows";
    return false;
  }
  return true;
}

}  // namespace mnv2
