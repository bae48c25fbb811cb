// The float32 LayerExecutor: weights dequantized, checked and packed once at load
// (model/layer-weights.h), float arithmetic on the kernels of kernels.h. Its input is the
// antialiased, normalized image of model/preprocess.h, pulled row by row. Values are floats,
// so a decoded value is the value itself.
#include <limits>

#include "exec/layer-executor.h"
#include "model/box-decode.h"
#include "model/layer-weights.h"
#include "model/preprocess.h"

namespace mnv2 {
namespace {

struct Clamp {
  float min, max;
};

Clamp clamp_of(Activation activation) {
  if (activation == Activation::kRelu6) return {0.0f, 6.0f};
  return {-std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()};
}

const float* floats(const void* values) { return static_cast<const float*>(values); }
float* floats(void* values) { return static_cast<float*>(values); }

// One layer's weights, read by its kind and packed for its kernel.
bool read_layer(const WeightFileView& file, const Layer& layer, std::vector<float>* packed,
                std::string* error) {
  if (layer.kind == LayerKind::kDepthwise3x3) {
    return read_depthwise(file, layer.name, layer.out_channels, packed, error);
  }
  if (layer.kind != LayerKind::kStemConv3x3s2) {
    return read_pointwise(file, layer.name, layer.in_channels, layer.out_channels, packed, error);
  }
  std::vector<float> weights, bias;
  const size_t c = layer.out_channels;
  if (!read_tensor(file, layer.name + ".w", {c, 3, 3, 3}, &weights, error) ||
      !read_tensor(file, layer.name + ".b", {c}, &bias, error)) {
    return false;
  }
  packed->assign(conv3x3c3_packed_size(c), 0.0f);
  conv3x3c3_pack(c, weights.data(), bias.data(), packed->data());
  return true;
}

class F32Executor final : public LayerExecutor {
 public:
  explicit F32Executor(const KernelTable& kernels) : kernels_(&kernels) {}

  bool load(const WeightFileView& file, const NetworkDescription& network,
            std::string* error) override {
    network_ = &network;
    packed_.assign(network.layers.size(), {});
    for (size_t i = 0; i < network.layers.size(); ++i) {
      if (!read_layer(file, network.layers[i], &packed_[i], error)) return false;
    }
    spec_.output_size = network.input_size;
    spec_.mean = file.header.input_mean;
    spec_.std = file.header.input_std;
    return true;
  }

  void prepare(const NetworkPlan& plan) override {
    rows_.resize(plan.threads(), plan.max_rows());
    preprocessor_.set_threads(plan.threads());
    classifier_bands_ = &plan.classifier_bands();
  }

  size_t value_bytes() const override { return sizeof(float); }

  size_t weight_bytes() const override {
    size_t count = 0;
    for (const std::vector<float>& packed : packed_) count += packed.size();
    return count * sizeof(float);
  }

  void set_image(const uint8_t* rgba, size_t width, size_t height, float crop) override {
    spec_.crop_fraction = crop;
    preprocessor_.prepare(rgba, width, height, spec_);
  }

  void read_input(size_t first, size_t count, void* out, size_t thread) override {
    preprocessor_.read_rows(first, count, floats(out), thread);
  }

  void stem(const void* window, size_t rows, size_t pad_top, size_t out_begin, size_t out_end,
            void* output, size_t) override {
    const NetworkDescription& n = *network_;
    const Layer& layer = n.layers[n.stem];
    const Clamp clamp = clamp_of(layer.activation);
    kernels_->f32_conv3x3s2c3_minmax(floats(window), rows, n.input_size, pad_top, n.stem_pad,
                                     packed_[n.stem].data(), layer.out_channels, floats(output),
                                     n.stem_size(), out_begin, out_end, clamp.min, clamp.max);
  }

  void pointwise(size_t index, size_t pixels, const void* input, void* output,
                 const void* residual) override {
    const Layer& layer = network_->layers[index];
    const Clamp clamp = clamp_of(layer.activation);
    const size_t k = layer.in_channels, n = layer.out_channels;
    kernels_->f32_gemm_minmax(pixels, k, n, floats(input), k, packed_[index].data(),
                              floats(output), n, floats(residual), n, clamp.min, clamp.max);
  }

  void depthwise(const Stage& stage, const RowWindow& window, size_t out_begin, size_t out_end,
                 void* output, size_t thread) override {
    const Layer& layer = network_->layers[stage.depthwise];
    const Clamp clamp = clamp_of(layer.activation);
    dwconv3x3_fn* kernel =
        stage.stride == 1 ? kernels_->f32_dwconv3x3s1_minmax : kernels_->f32_dwconv3x3s2_minmax;
    kernel(rows_.fill(thread, window, stage, out_begin, out_end), stage.in_size, stage.in_size,
           layer.out_channels, stage.pad, stage.pad, packed_[stage.depthwise].data(),
           floats(output), stage.out_size, out_begin, out_end, clamp.min, clamp.max);
  }

  void predict(size_t layer, size_t pixels, const void* input, void*, float* decoded) override {
    pointwise(layer, pixels, input, decoded, nullptr);
    if (network_->layers[layer].role == LayerRole::kClassLogits) {
      sigmoid(decoded, pixels * network_->layers[layer].out_channels, decoded);
    }
  }

  void pool(const void* head, void* pooled, float*) override {
    const size_t size = network_->head_size();
    kernels_->f32_global_avgpool(floats(head), size * size, network_->feature_size(),
                                 floats(pooled));
  }

  void fully_connected(size_t band, const void* pooled, void* logits) override {
    // Each output is computed alone, so any split of the channels gives the same values; the
    // band starts at a multiple of the packed block, after `begin` channels' packings.
    const auto [begin, end] = classifier_bands_->ranges[band];
    const size_t k = network_->feature_size();
    const Clamp clamp = clamp_of(Activation::kLinear);
    kernels_->f32_fc_minmax(k, end - begin, floats(pooled),
                            packed_[network_->logits].data() + gemm_packed_size(k, begin),
                            floats(logits) + begin, clamp.min, clamp.max);
  }

  void softmax(const void* logits, float* probabilities) override {
    kernels_->f32_softmax(floats(logits), network_->num_classes, probabilities);
  }

 private:
  const KernelTable* kernels_;
  const NetworkDescription* network_ = nullptr;
  const WorkSplit* classifier_bands_ = nullptr;
  std::vector<std::vector<float>> packed_;  // per layer
  Preprocessor preprocessor_;
  PreprocessSpec spec_{};
  RowTables<float> rows_;
};

}  // namespace

std::unique_ptr<LayerExecutor> make_f32_executor(const KernelTable& kernels) {
  return std::make_unique<F32Executor>(kernels);
}

}  // namespace mnv2
