// The MobileNetV2 network (paper section 4, Table 2) for any width multiplier and input
// resolution a weight file declares: stem 3x3/2 conv, 17 inverted residual bottleneck blocks,
// 1x1 conv to 1280, global average pool, classifier, softmax.
//
// Weights are dequantized, checked against the shapes the architecture implies, and packed
// for the kernels once at load time; activation buffers are sized once too, so inference
// allocates nothing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "model/architecture.h"
#include "model/weight-file.h"

namespace mnv2 {

// TensorFlow "SAME" padding: output = ceil(input / stride), the odd pixel of padding after.
struct SamePadding {
  size_t output;
  size_t before;
};
SamePadding same_padding(size_t input, size_t stride, size_t kernel);

class MobileNetV2 {
 public:
  // Returns false and sets *error when the file's tensors do not form this network.
  bool load(const WeightFileView& file, const KernelTable& kernels, std::string* error);

  size_t input_size() const { return input_size_; }
  size_t feature_size() const { return arch_.head_channels; }
  size_t num_classes() const { return num_classes_; }

  // input: [input_size][input_size][3] normalized floats. Returns the pooled 1280-d (for
  // alpha <= 1) feature vector, valid until the next call.
  const float* features(const float* input);

  // The backbone alone (stem, blocks, head conv), for heads other than the classifier.
  // Afterwards head_output() holds [head_size()][head_size()][feature_size()] and, for a block
  // registered with keep_expansion(), expansion(block) its expanded tensor after ReLU6
  // ([in_h][in_w][expanded channels] of that block: SSDLite taps block 13's).
  void run_backbone(const float* input);
  size_t head_size() const { return final_size_; }
  const float* head_output() const { return head_out_.data(); }
  void keep_expansion(size_t block);
  const float* expansion(size_t block) const;
  size_t block_count() const { return blocks_.size(); }
  const BlockShape& block_shape(size_t block) const { return blocks_[block].shape; }
  size_t block_input_size(size_t block) const { return blocks_[block].in_h; }
  // Class probabilities (softmax) from features(); valid until the next call.
  const float* classify(const float* features);

 private:
  struct Block {
    BlockShape shape;
    size_t in_h, in_w, out_h, out_w, pad_top, pad_left;
    std::vector<float> expand, depthwise, project;  // packed weights
    std::vector<float> kept_expansion;  // filled only when a head taps this block
  };

  void run_block(Block& block, const float* input, float* output);

  const KernelTable* kernels_ = nullptr;
  ArchitectureShape arch_;
  size_t input_size_ = 0;
  size_t num_classes_ = 0;
  size_t stem_size_ = 0, stem_pad_ = 0, final_size_ = 0;
  std::vector<float> stem_, head_, logits_;  // packed weights
  std::vector<Block> blocks_;

  // Activations: two bottleneck-sized ping-pong buffers, the expanded tensor and its
  // depthwise output, the head output, then the vectors.
  std::vector<float> bottleneck_[2], expanded_, depthwise_out_, head_out_;
  std::vector<float> pooled_, probabilities_;
  std::vector<const float*> rows_;
};

}  // namespace mnv2
