#include "tflite/detection-output-shapes.h"

#include <cstdint>
#include <vector>

#include "tflite/postprocess-options.h"

namespace mnv2::tflite {

int set_detection_output_shapes(Graph& graph, std::string* error) {
  int changed = 0;
  for (const Operator& op : graph.operators) {
    if (op.code != op::kCustom || op.custom_code != "TFLite_Detection_PostProcess") continue;
    PostprocessParams params;
    std::string options_error;
    if (!read_postprocess_options(op.custom_options, &params, &options_error)) {
      *error = "operator #" + std::to_string(op.index) + ": " + options_error;
      return -1;
    }
    if (op.outputs.size() != 4) {
      *error = "operator #" + std::to_string(op.index) + " has " + std::to_string(op.outputs.size()) +
               " outputs, not 4 (boxes, classes, scores, count)";
      return -1;
    }
    const auto n = static_cast<int32_t>(params.max_detections * params.max_classes_per_detection);
    const std::vector<std::vector<int32_t>> shapes = {{1, n, 4}, {1, n}, {1, n}, {1}};
    for (size_t i = 0; i < 4; ++i) {
      Tensor& tensor = graph.tensors.at(static_cast<size_t>(op.outputs[i]));
      tensor.shape = shapes[i];
      tensor.element_count = 1;
      for (int32_t d : tensor.shape) tensor.element_count *= static_cast<size_t>(d);
    }
    ++changed;
  }
  return changed;
}

}  // namespace mnv2::tflite
