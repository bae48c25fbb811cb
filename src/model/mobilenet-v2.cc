#include "model/mobilenet-v2.h"

#include <algorithm>
#include <limits>
#include <sstream>

namespace mnv2 {
namespace {

constexpr float kRelu6Min = 0.0f;
constexpr float kRelu6Max = 6.0f;
constexpr float kLinearMin = -std::numeric_limits<float>::infinity();
constexpr float kLinearMax = std::numeric_limits<float>::infinity();

std::string dims_text(const std::vector<size_t>& dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i) text += (i ? "," : "") + std::to_string(dims[i]);
  return text + "]";
}

// Finds a tensor, checks its shape and dequantizes it.
bool read_tensor(const WeightFileView& file, const std::string& name,
                 const std::vector<size_t>& dims, std::vector<float>* values,
                 std::string* error) {
  const TensorView* tensor = file.find(name);
  if (tensor == nullptr) {
    *error = "weight file has no tensor " + name;
    return false;
  }
  if (tensor->dims != dims) {
    std::ostringstream message;
    message << "tensor " << name << " has shape " << dims_text(tensor->dims) << ", alpha "
            << file.header.alpha << " needs " << dims_text(dims);
    *error = message.str();
    return false;
  }
  dequantize(*tensor, values);
  return true;
}

// Reads a 1x1 conv's "<layer>.w" [out][1][1][in] and "<layer>.b" and packs them for the GEMM.
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

}  // namespace

SamePadding same_padding(size_t input, size_t stride, size_t kernel) {
  SamePadding padding;
  padding.output = (input + stride - 1) / stride;
  const size_t needed = (padding.output - 1) * stride + kernel;
  padding.before = needed > input ? (needed - input) / 2 : 0;
  return padding;
}

bool MobileNetV2::load(const WeightFileView& file, const KernelTable& kernels,
                       std::string* error) {
  kernels_ = &kernels;
  arch_ = mobilenet_v2_architecture(file.header.alpha);
  input_size_ = file.header.input_size;
  num_classes_ = file.header.num_classes;

  const SamePadding stem = same_padding(input_size_, 2, 3);
  stem_size_ = stem.output;
  stem_pad_ = stem.before;
  {
    std::vector<float> weights, bias;
    if (!read_tensor(file, "stem.w", {arch_.stem_channels, 3, 3, 3}, &weights, error) ||
        !read_tensor(file, "stem.b", {arch_.stem_channels}, &bias, error)) {
      return false;
    }
    stem_.assign(conv3x3c3_packed_size(arch_.stem_channels), 0.0f);
    conv3x3c3_pack(arch_.stem_channels, weights.data(), bias.data(), stem_.data());
  }

  size_t size = stem_size_;
  size_t max_bottleneck = size * size * arch_.stem_channels;
  size_t max_expanded = 0, max_depthwise_out = 0, max_rows = size;
  blocks_.assign(arch_.blocks.size(), Block{});
  for (size_t i = 0; i < arch_.blocks.size(); ++i) {
    Block& block = blocks_[i];
    block.shape = arch_.blocks[i];
    const BlockShape& shape = block.shape;
    const SamePadding padding = same_padding(size, shape.stride, 3);
    block.in_h = block.in_w = size;
    block.out_h = block.out_w = padding.output;
    block.pad_top = block.pad_left = padding.before;
    if (shape.has_expand &&
        !read_pointwise(file, block_layer_name(i, "expand"), shape.in_channels,
                        shape.expanded_channels, &block.expand, error)) {
      return false;
    }
    if (!read_depthwise(file, block_layer_name(i, "dw"), shape.expanded_channels,
                        &block.depthwise, error) ||
        !read_pointwise(file, block_layer_name(i, "project"), shape.expanded_channels,
                        shape.out_channels, &block.project, error)) {
      return false;
    }
    max_expanded = std::max(max_expanded, size * size * shape.expanded_channels);
    max_depthwise_out =
        std::max(max_depthwise_out, block.out_h * block.out_w * shape.expanded_channels);
    max_bottleneck = std::max(max_bottleneck, block.out_h * block.out_w * shape.out_channels);
    max_rows = std::max(max_rows, size);
    size = padding.output;
  }
  const size_t last_channels = arch_.blocks.back().out_channels;
  if (!read_pointwise(file, "head", last_channels, arch_.head_channels, &head_, error)) {
    return false;
  }
  if (file.header.model_kind == static_cast<uint32_t>(ModelKind::kClassifier) &&
      !read_pointwise(file, "logits", arch_.head_channels, num_classes_, &logits_, error)) {
    return false;
  }

  bottleneck_[0].assign(max_bottleneck, 0.0f);
  bottleneck_[1].assign(max_bottleneck, 0.0f);
  expanded_.assign(max_expanded, 0.0f);
  depthwise_out_.assign(max_depthwise_out, 0.0f);
  head_out_.assign(size * size * arch_.head_channels, 0.0f);
  pooled_.assign(arch_.head_channels, 0.0f);
  probabilities_.assign(num_classes_, 0.0f);
  rows_.assign(max_rows, nullptr);
  final_size_ = size;
  return true;
}

void MobileNetV2::run_block(Block& block, const float* input, float* output) {
  const BlockShape& shape = block.shape;
  const size_t in_pixels = block.in_h * block.in_w;
  const size_t out_pixels = block.out_h * block.out_w;
  const size_t expanded_c = shape.expanded_channels;

  const float* expanded = input;
  if (shape.has_expand) {
    float* target = block.kept_expansion.empty() ? expanded_.data() : block.kept_expansion.data();
    kernels_->f32_gemm_minmax(in_pixels, shape.in_channels, expanded_c, input,
                              shape.in_channels, block.expand.data(), target, expanded_c,
                              nullptr, 0, kRelu6Min, kRelu6Max);
    expanded = target;
  }
  for (size_t y = 0; y < block.in_h; ++y) rows_[y] = expanded + y * block.in_w * expanded_c;
  dwconv3x3_fn* depthwise =
      shape.stride == 1 ? kernels_->f32_dwconv3x3s1_minmax : kernels_->f32_dwconv3x3s2_minmax;
  depthwise(rows_.data(), block.in_h, block.in_w, expanded_c, block.pad_top, block.pad_left,
            block.depthwise.data(), depthwise_out_.data(), block.out_w, 0, block.out_h,
            kRelu6Min, kRelu6Max);
  kernels_->f32_gemm_minmax(out_pixels, expanded_c, shape.out_channels, depthwise_out_.data(),
                            expanded_c, block.project.data(), output, shape.out_channels,
                            shape.residual ? input : nullptr, shape.out_channels, kLinearMin,
                            kLinearMax);
}

void MobileNetV2::keep_expansion(size_t block) {
  Block& kept = blocks_.at(block);
  kept.kept_expansion.assign(kept.in_h * kept.in_w * kept.shape.expanded_channels, 0.0f);
}

const float* MobileNetV2::expansion(size_t block) const {
  const Block& kept = blocks_.at(block);
  return kept.kept_expansion.empty() ? nullptr : kept.kept_expansion.data();
}

const float* MobileNetV2::features(const float* input) {
  run_backbone(input);
  kernels_->f32_global_avgpool(head_out_.data(), final_size_ * final_size_, arch_.head_channels,
                               pooled_.data());
  return pooled_.data();
}

void MobileNetV2::run_backbone(const float* input) {
  float* current = bottleneck_[0].data();
  float* next = bottleneck_[1].data();
  kernels_->f32_conv3x3s2c3_minmax(input, input_size_, input_size_, stem_pad_, stem_pad_,
                                   stem_.data(), arch_.stem_channels, current, stem_size_, 0,
                                   stem_size_, kRelu6Min, kRelu6Max);
  for (Block& block : blocks_) {
    run_block(block, current, next);
    std::swap(current, next);
  }
  const size_t pixels = final_size_ * final_size_;
  kernels_->f32_gemm_minmax(pixels, arch_.blocks.back().out_channels, arch_.head_channels,
                            current, arch_.blocks.back().out_channels, head_.data(),
                            head_out_.data(), arch_.head_channels, nullptr, 0, kRelu6Min,
                            kRelu6Max);
}

const float* MobileNetV2::classify(const float* features) {
  kernels_->f32_fc_minmax(arch_.head_channels, num_classes_, features, logits_.data(),
                          probabilities_.data(), kLinearMin, kLinearMax);
  kernels_->f32_softmax(probabilities_.data(), num_classes_, probabilities_.data());
  return probabilities_.data();
}

}  // namespace mnv2
