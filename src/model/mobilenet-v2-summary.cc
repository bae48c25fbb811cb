// MobileNetV2::summary(): the numbers the paper argues with (parameters and multiply-adds per
// layer, Table 2's t and stride, and the activation memory that must exist while each layer
// runs), computed from the loaded shapes and the engine's real memory plan.
#include <algorithm>

#include "model/mobilenet-v2.h"

namespace mnv2 {
namespace {

size_t conv_params(size_t in_c, size_t out_c, size_t taps) { return in_c * out_c * taps + out_c; }

}  // namespace

std::vector<LayerSummary> MobileNetV2::summary() const {
  const auto live = [this](size_t first, size_t last) {
    size_t bytes = 0;
    for (size_t step = first; step <= last; ++step) bytes = std::max(bytes, plan_.live_bytes(step));
    return bytes;
  };
  std::vector<LayerSummary> rows;
  const size_t stem_c = arch_.stem_channels;
  const size_t S = input_size_;
  // Fused, the stem streams into block 0 and lives in its step; layer by layer it has its own.
  const size_t stem_scratch = image_window_.size() * sizeof(float);
  rows.push_back({"stem", "conv3x3", {S, S, 3}, {stem_size_, stem_size_, stem_c}, 0, 2,
                  conv_params(3, stem_c, 9), stem_size_ * stem_size_ * stem_c * 27,
                  live(stem_step_, stem_step_) + stem_scratch});
  for (size_t i = 0; i < blocks_.size(); ++i) {
    const Block& block = blocks_[i];
    const BlockShape& shape = block.shape;
    const size_t e = shape.expanded_channels;
    size_t params = conv_params(1, e, 9) + conv_params(e, shape.out_channels, 1);
    size_t macs = block.out_h * block.out_w * e * (9 + shape.out_channels);
    if (shape.has_expand) {
      params += conv_params(shape.in_channels, e, 1);
      macs += block.in_h * block.in_w * shape.in_channels * e;
    }
    rows.push_back({"block" + std::to_string(i), "bottleneck",
                    {block.in_h, block.in_w, shape.in_channels},
                    {block.out_h, block.out_w, shape.out_channels}, shape.expansion, shape.stride,
                    params, macs,
                    live(block.first_step, block.last_step) + block.scratch_bytes +
                        (i == 0 && execution_ == Execution::kFused ? stem_scratch : 0)});
    rows.back().expanded_bytes =
        (block.in_h * block.in_w + block.out_h * block.out_w) * e * sizeof(float);
  }
  const size_t last_c = arch_.blocks.back().out_channels;
  const size_t head_c = arch_.head_channels;
  const size_t F = final_size_;
  rows.push_back({"head", "conv1x1", {F, F, last_c}, {F, F, head_c}, 0, 1,
                  conv_params(last_c, head_c, 1), F * F * last_c * head_c,
                  live(head_step_, head_step_)});
  if (!logits_.empty()) {
    const size_t head_bytes = plan_.bytes(head_tensor_);
    const size_t pooled_bytes = pooled_.size() * sizeof(float);
    rows.push_back({"pool", "avgpool", {F, F, head_c}, {1, 1, head_c}, 0, 1, 0, 0,
                    head_bytes + pooled_bytes});
    rows.push_back({"logits", "fc", {1, 1, head_c}, {1, 1, num_classes_}, 0, 1,
                    conv_params(head_c, num_classes_, 1), head_c * num_classes_,
                    pooled_bytes + probabilities_.size() * sizeof(float)});
  }
  return rows;
}

}  // namespace mnv2
