#include "exec/f32-executor.h"

#include <limits>

#include "model/box-decode.h"
#include "model/layer-weights.h"

namespace mnv2 {
namespace {

struct Clamp {
  float min, max;
};

Clamp clamp_of(Activation activation) {
  if (activation == Activation::kRelu6) return {0.0f, 6.0f};
  return {-std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()};
}

}  // namespace

bool F32Executor::load(const WeightFileView& file, const NetworkDescription& network,
                       std::string* error) {
  network_ = &network;
  packed_.assign(network.layers.size(), {});
  for (size_t i = 0; i < network.layers.size(); ++i) {
    const Layer& layer = network.layers[i];
    std::vector<float>& packed = packed_[i];
    switch (layer.kind) {
      case LayerKind::kStemConv3x3s2: {
        std::vector<float> weights, bias;
        const size_t c = layer.out_channels;
        if (!read_tensor(file, layer.name + ".w", {c, 3, 3, 3}, &weights, error) ||
            !read_tensor(file, layer.name + ".b", {c}, &bias, error)) {
          return false;
        }
        packed.assign(conv3x3c3_packed_size(c), 0.0f);
        conv3x3c3_pack(c, weights.data(), bias.data(), packed.data());
        break;
      }
      case LayerKind::kDepthwise3x3:
        if (!read_depthwise(file, layer.name, layer.out_channels, &packed, error)) return false;
        break;
      case LayerKind::kPointwise:
      case LayerKind::kFullyConnected:
        if (!read_pointwise(file, layer.name, layer.in_channels, layer.out_channels, &packed,
                            error)) {
          return false;
        }
        break;
    }
  }
  spec_.output_size = network.input_size;
  spec_.mean = file.header.input_mean;
  spec_.std = file.header.input_std;
  pooled_.assign(network.feature_size(), 0.0f);
  probabilities_.assign(network.logits != kNone ? network.num_classes : 0, 0.0f);
  return true;
}

void F32Executor::prepare(const NetworkPlan& plan) {
  rows_.resize(plan.threads(), plan.max_rows());
  preprocessor_.set_threads(plan.threads());
  classifier_bands_ = &plan.classifier_bands();
}

size_t F32Executor::weight_bytes() const {
  size_t floats = 0;
  for (const std::vector<float>& packed : packed_) floats += packed.size();
  return floats * sizeof(float);
}

void F32Executor::set_image(const uint8_t* rgba, size_t width, size_t height, float crop) {
  spec_.crop_fraction = crop;
  preprocessor_.prepare(rgba, width, height, spec_);
  input_ = &preprocessor_;
}

void F32Executor::read_input(size_t first, size_t count, void* out, size_t thread) {
  input_->read_rows(first, count, static_cast<float*>(out), thread);
}

void F32Executor::stem(const void* window, size_t rows, size_t pad_top, size_t out_begin,
                       size_t out_end, void* output, size_t) {
  const NetworkDescription& n = *network_;
  const Layer& layer = n.layers[n.stem];
  const Clamp clamp = clamp_of(layer.activation);
  kernels_->f32_conv3x3s2c3_minmax(static_cast<const float*>(window), rows, n.input_size,
                                   pad_top, n.stem_pad, packed_[n.stem].data(),
                                   layer.out_channels, static_cast<float*>(output),
                                   n.stem_size(), out_begin, out_end, clamp.min, clamp.max);
}

void F32Executor::pointwise(size_t index, size_t pixels, const void* input, void* output,
                            const void* residual) {
  const Layer& layer = network_->layers[index];
  const Clamp clamp = clamp_of(layer.activation);
  const size_t k = layer.in_channels, n = layer.out_channels;
  kernels_->f32_gemm_minmax(pixels, k, n, static_cast<const float*>(input), k,
                            packed_[index].data(), static_cast<float*>(output), n,
                            static_cast<const float*>(residual), n, clamp.min, clamp.max);
}

void F32Executor::depthwise(const Stage& stage, const RowWindow& window, size_t out_begin,
                            size_t out_end, void* output, size_t thread) {
  const Layer& layer = network_->layers[stage.depthwise];
  const Clamp clamp = clamp_of(layer.activation);
  const ptrdiff_t first = static_cast<ptrdiff_t>(out_begin * stage.stride) -
                          static_cast<ptrdiff_t>(stage.pad);
  const size_t end = std::min(stage.in_size, (out_end - 1) * stage.stride + 3 - stage.pad);
  const float* const* rows =
      rows_.fill(thread, window, static_cast<size_t>(std::max<ptrdiff_t>(first, 0)), end);
  dwconv3x3_fn* kernel =
      stage.stride == 1 ? kernels_->f32_dwconv3x3s1_minmax : kernels_->f32_dwconv3x3s2_minmax;
  kernel(rows, stage.in_size, stage.in_size, layer.out_channels, stage.pad, stage.pad,
         packed_[stage.depthwise].data(), static_cast<float*>(output), stage.out_size,
         out_begin, out_end, clamp.min, clamp.max);
}

void F32Executor::predict(size_t layer, size_t pixels, const void* input, void*,
                          float* decoded) {
  pointwise(layer, pixels, input, decoded, nullptr);
  if (network_->layers[layer].role == LayerRole::kClassLogits) {
    sigmoid(decoded, pixels * network_->layers[layer].out_channels, decoded);
  }
}

const float* F32Executor::pool(const void* head) {
  const size_t size = network_->head_size();
  kernels_->f32_global_avgpool(static_cast<const float*>(head), size * size,
                               network_->feature_size(), pooled_.data());
  return pooled_.data();
}

void F32Executor::fully_connected(size_t band) {
  // Each output is computed alone, so any split of the channels gives the same values; the
  // band starts at a multiple of the packed block, after `begin` channels' packings.
  const auto [begin, end] = classifier_bands_->ranges[band];
  const size_t k = network_->feature_size();
  const Clamp clamp = clamp_of(Activation::kLinear);
  kernels_->f32_fc_minmax(k, end - begin, pooled_.data(),
                          packed_[network_->logits].data() + gemm_packed_size(k, begin),
                          probabilities_.data() + begin, clamp.min, clamp.max);
}

const float* F32Executor::softmax() {
  kernels_->f32_softmax(probabilities_.data(), probabilities_.size(), probabilities_.data());
  return probabilities_.data();
}

}  // namespace mnv2
