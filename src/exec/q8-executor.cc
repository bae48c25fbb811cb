// The int8 LayerExecutor: the quantized model run the way TFLite's builtin kernels run it
// (uint8 per-tensor or int8 per-channel weights, int8/uint8 activations, fixed-point
// requantization, ReLU6 as a clamp of the quantized range), on the kernels of kernels-q8.h.
// uint8 tensors are shifted to int8 (q - 128, zero point - 128): the same arithmetic (see
// kernels-q8.h), one set of kernels. All parameters come from the TFLite graph through the
// weight file (convert-classifier.cc, convert-detector.cc), which must record every
// activation's quantization ("<layer>.out_q"); older files are refused with a message.
//
//   pixels (uint8 RGB, PIL's resize: model/pixel-rows.h) -> quantized input (TFLite's uint8
//   input, or its QUANTIZE to int8) -> stem 3x3/2 conv (im2col rows through the integer GEMM)
//   -> stages (1x1 expand, 3x3 depthwise, 1x1 project, residual ADD as TFLite's quantized ADD)
//   -> classifier: global average pool (AVERAGE_POOL_2D or MEAN, each rounded as TFLite
//      rounds it) -> fully connected -> SOFTMAX (q8-heads.h) -> dequantized;
//   -> detector: each predictor's output through its table (q8-heads.h) into the graph's
//      concatenated outputs and their floats.
// tests/node/int8-vs-tflite.test.js checks scores and head tensors against the TFLite runtime
// itself (its builtin kernels; its XNNPACK delegate requantizes through float and differs).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "exec/layer-executor.h"
#include "exec/q8-heads.h"
#include "model/pixel-rows.h"

namespace mnv2 {
namespace {

using q8_load::linear_output;
using q8_load::read_activation;

// The stem runs a band of output rows at a time through the GEMM: 8 rows of im2col.
constexpr size_t kIm2colRows = 8;

Q8Output output_of(const Layer& layer, const ActivationQuant& q) {
  return layer.activation == Activation::kRelu6 ? q8_load::relu6_output(q) : linear_output(q);
}

const int8_t* values(const void* data) { return static_cast<const int8_t*>(data); }
int8_t* values(void* data) { return static_cast<int8_t*>(data); }

class Q8Executor final : public LayerExecutor {
 public:
  explicit Q8Executor(const QuantizedKernelTable& kernels) : kernels_(&kernels) {}

  size_t value_bytes() const override { return 1; }
  size_t stem_scratch_bytes() const override { return im2col_rows_ * network_->stem_size() * 27; }

  bool load(const WeightFileView& file, const NetworkDescription& n,
            std::string* error) override {
    network_ = &n;
    packed_.clear();
    packed_.resize(n.layers.size());
    quant_.assign(n.values.size(), ActivationQuant{});
    ssd_outputs_read_ = false;
    if (!load_input(file, error) || !load_stem(file, error)) return false;
    for (const Stage& stage : n.stages) {
      if (!load_stage(file, stage, error)) return false;
    }
    return n.logits == kNone || load_classifier(file, error);
  }

  void prepare(const NetworkPlan& plan) override {
    rows_.resize(plan.threads(), plan.max_rows());
    im2col_.assign(plan.threads() * stem_scratch_bytes(), 0);
    pixels_.set_threads(plan.threads());
    classifier_bands_ = &plan.classifier_bands();
    if (network_->logits == kNone) return;
    // The classifier's channels packed per band: every channel's packed values come from that
    // channel alone and every packing mode computes the scalar definition, so the bands give
    // what one packing of the layer gives.
    const size_t k = network_->feature_size();
    const q8_load::IntegerLayer& l = logits_layer_;
    logits_bands_.assign(classifier_bands_->size(), Q8Pointwise());
    for (size_t band = 0; band < logits_bands_.size(); ++band) {
      const auto [begin, end] = classifier_bands_->ranges[band];
      logits_bands_[band].pack(k, end - begin, l.weights.data() + begin * k,
                               l.bias.data() + begin, quant_[network_->pooled].zero_point,
                               l.requant.data() + begin, l.single_rounding,
                               kernels_->gemm_layout);
    }
  }

  size_t weight_bytes() const override {
    size_t words = 0, tables = 0;
    for (const PackedLayer& layer : packed_) {
      words += layer.pointwise.words() + layer.depthwise.size();
      if (layer.table) tables += sizeof(Q8OutputTable);
    }
    for (const Q8Pointwise& band : logits_bands_) words += band.words();
    return words * sizeof(int32_t) + tables;
  }

  void set_image(const uint8_t* rgba, size_t width, size_t height, float crop) override {
    pixels_.prepare(rgba, width, height, network_->input_size, crop);
  }

  void read_input(size_t first, size_t count, void* out, size_t thread) override {
    uint8_t* pixels = static_cast<uint8_t*>(out);
    pixels_.read_pixel_rows(first, count, pixels, thread);
    for (size_t i = 0; i < count * network_->input_size * 3; ++i) {
      values(out)[i] = input_table_[pixels[i]];
    }
  }

  // The stem as a GEMM over im2col rows: each output pixel's 3x3x3 window, in the weights'
  // (ky, kx, channel) order, with the input zero point (real 0) where the window leaves the
  // image. The GEMM folds that zero point out again, so padding contributes nothing.
  void stem(const void* window, size_t rows, size_t pad_top, size_t out_begin, size_t out_end,
            void* output, size_t thread) override {
    const NetworkDescription& n = *network_;
    const size_t O = n.stem_size(), C = n.layers[n.stem].out_channels;
    int8_t* im2col = im2col_.data() + thread * stem_scratch_bytes();
    for (size_t y0 = out_begin; y0 < out_end; y0 += im2col_rows_) {
      const size_t count = std::min(im2col_rows_, out_end - y0);
      for (size_t y = y0; y < y0 + count; ++y) {
        for (size_t x = 0; x < O; ++x) {
          im2col_window(values(window), rows, pad_top, y, x, im2col + ((y - y0) * O + x) * 27);
        }
      }
      const PackedLayer& layer = packed_[n.stem];
      layer.pointwise.run(kernels_->qs8_gemm_minmax, count * O, im2col, 27,
                          values(output) + (y0 - out_begin) * O * C, C, layer.output);
    }
  }

  void pointwise(size_t index, size_t pixels, const void* input, void* output,
                 const void* residual) override {
    const Layer& info = network_->layers[index];
    const PackedLayer& layer = packed_[index];
    layer.pointwise.run(kernels_->qs8_gemm_minmax, pixels, values(input), info.in_channels,
                        values(output), info.out_channels, layer.output);
    if (residual != nullptr) {
      // TFLite's ADD(project output, stage input), in place.
      kernels_->qs8_vadd_minmax(pixels * info.out_channels, values(output), values(residual),
                                values(output), layer.add);
    }
  }

  void depthwise(const Stage& stage, const RowWindow& window, size_t out_begin, size_t out_end,
                 void* output, size_t thread) override {
    qs8_dwconv3x3_fn* kernel = stage.stride == 1 ? kernels_->qs8_dwconv3x3s1_minmax
                                                 : kernels_->qs8_dwconv3x3s2_minmax;
    const PackedLayer& layer = packed_[stage.depthwise];
    kernel(rows_.fill(thread, window, stage, out_begin, out_end), stage.in_size, stage.in_size,
           stage.mid_channels, stage.pad, stage.pad, layer.depthwise.data(), values(output),
           stage.out_size, out_begin, out_end, layer.output);
  }

  void predict(size_t index, size_t pixels, const void* input, void* raw,
               float* decoded) override {
    pointwise(index, pixels, input, raw, nullptr);
    const Q8OutputTable& table = *packed_[index].table;
    int8_t* codes = values(raw);
    for (size_t i = 0; i < pixels * network_->layers[index].out_channels; ++i) {
      const size_t q = static_cast<size_t>(codes[i] + 128);
      codes[i] = table.code[q];
      decoded[i] = table.value[q];
    }
  }

  void pool(const void* head, void* pooled, float* features) override {
    const NetworkDescription& n = *network_;
    kernels_->qs8_global_avgpool(values(head), n.head_size() * n.head_size(), n.feature_size(),
                                 values(pooled), pool_);
    for (size_t c = 0; c < n.feature_size(); ++c) {
      features[c] = dequantized(values(pooled)[c], quant_[n.pooled]);
    }
  }

  void fully_connected(size_t band, const void* pooled, void* logits) override {
    const size_t begin = classifier_bands_->ranges[band].first;
    logits_bands_[band].run(kernels_->qs8_gemm_minmax, 1, values(pooled),
                            network_->feature_size(), values(logits) + begin,
                            network_->num_classes, packed_[network_->logits].output);
  }

  void softmax(const void* logits, float* probabilities) override {
    softmax_.run(values(logits), network_->num_classes, probabilities);
  }

 private:
  struct PackedLayer {
    Q8Pointwise pointwise;           // stem (an im2col GEMM), 1x1 convs
    std::vector<int32_t> depthwise;  // packed depthwise weights
    Q8Output output{};               // the output's zero point and activation clamp
    Q8AddParams add{};               // a residual stage's ADD, on its project layer
    std::unique_ptr<Q8OutputTable> table;  // a detector predictor's
  };

  // The input: pixel p is the real value (p - mean) / std (the graph input's own
  // quantization, see the converter), quantized to the stem input's scale and zero point like
  // TFLite's QUANTIZE op: round half away from zero, then clamp. For both models the scales
  // agree, so this is p minus a constant, computed in double to stay exact.
  bool load_input(const WeightFileView& file, std::string* error) {
    ActivationQuant& input = quant_[network_->image];
    if (!read_activation(file, "input", &input, error)) return false;
    for (int p = 0; p < 256; ++p) {
      const double real = (p - static_cast<double>(file.header.input_mean)) / file.header.input_std;
      const double q = std::round(real / input.scale) + input.zero_point;
      input_table_[p] = static_cast<int8_t>(std::clamp(q, -128.0, 127.0));
    }
    return true;
  }

  bool load_stem(const WeightFileView& file, std::string* error) {
    const NetworkDescription& n = *network_;
    const Layer& stem = n.layers[n.stem];
    const ActivationQuant& input = quant_[n.image];
    ActivationQuant& output = quant_[n.stem_output];
    q8_load::IntegerLayer l;
    if (!read_activation(file, stem.name, &output, error) ||
        !q8_load::read_layer(file, stem.name, {stem.out_channels, 3, 3, 3}, 0, input, output, &l,
                             error)) {
      return false;
    }
    packed_[n.stem].pointwise.pack(27, stem.out_channels, l.weights.data(), l.bias.data(),
                                   input.zero_point, l.requant.data(), l.single_rounding,
                                   kernels_->gemm_layout);
    packed_[n.stem].output = output_of(stem, output);
    im2col_rows_ = std::min(kIm2colRows, n.stem_size());
    return true;
  }

  // A stage's layers in order, each reading its output quantization first: the input of each
  // is the output of the one before (the stage's input value for the first).
  bool load_stage(const WeightFileView& file, const Stage& stage, std::string* error) {
    const NetworkDescription& n = *network_;
    ActivationQuant current = quant_[stage.input];
    for (size_t index : {stage.expand, stage.depthwise, stage.project}) {
      if (index == kNone) continue;
      const Layer& layer = n.layers[index];
      PackedLayer& packed = packed_[index];
      ActivationQuant out{};
      if (!read_activation(file, layer.name, &out, error)) return false;
      const bool ok = layer.kind == LayerKind::kDepthwise3x3
                          ? q8_load::read_depthwise(file, layer.name, layer.out_channels,
                                                    current, out, &packed.depthwise, error)
                          : q8_load::read_pointwise(file, layer.name, layer.in_channels,
                                                    layer.out_channels, current, out,
                                                    kernels_->gemm_layout, &packed.pointwise,
                                                    error);
      if (!ok) return false;
      packed.output = output_of(layer, out);
      if (layer.role != LayerRole::kHidden) {
        if (!ssd_outputs_read_ && !read_ssd_output_quant(file, &ssd_outputs_, error)) return false;
        ssd_outputs_read_ = true;
        packed.table = std::make_unique<Q8OutputTable>();
        build_output_table(layer.role == LayerRole::kBoxEncodings, out, ssd_outputs_,
                           packed.table.get());
      }
      if (index == stage.expand && stage.expanded != kNone) quant_[stage.expanded] = out;
      current = out;
    }
    if (stage.residual) {
      // TFLite's ADD(project output, stage input), whose output is the stage's.
      ActivationQuant out{};
      if (!read_activation(file, n.values[stage.output].name, &out, error)) return false;
      const ActivationQuant& in = quant_[stage.input];
      packed_[stage.project].add = q8_add_params(current.scale, current.zero_point, in.scale,
                                                 in.zero_point, out.scale, linear_output(out));
      current = out;
    }
    if (n.layers[stage.project].role == LayerRole::kHidden) quant_[stage.output] = current;
    return true;
  }

  bool load_classifier(const WeightFileView& file, std::string* error) {
    const NetworkDescription& n = *network_;
    const ActivationQuant& head = quant_[n.stages[n.head].output];
    ActivationQuant& pooled = quant_[n.pooled];
    if (!read_activation(file, n.values[n.pooled].name, &pooled, error)) return false;
    // The activations' stored type: uint8 models keep q + 128 (TFLite's MEAN and SOFTMAX
    // round in the stored type).
    const TensorView* logits_stored = file.find("logits.out_q");
    const bool uint8_model = logits_stored != nullptr && logits_stored->type == TensorType::kU8;
    const size_t pixels = n.head_size() * n.head_size();
    pool_ = file.find("pool.mean") != nullptr
                ? q8_mean_params(head.scale, head.zero_point, pooled.scale, pixels, uint8_model,
                                 linear_output(pooled))
                : q8_pool_params(head.scale, head.zero_point, pooled.scale, linear_output(pooled));
    const Layer& logits = n.layers[n.logits];
    ActivationQuant& out = quant_[n.class_logits];
    if (!read_activation(file, logits.name, &out, error) ||
        !q8_load::read_layer(file, logits.name, {logits.out_channels, 1, 1, logits.in_channels},
                             0, pooled, out, &logits_layer_, error)) {
      return false;
    }
    packed_[n.logits].output = linear_output(out);
    return softmax_.load(file, out, uint8_model, error);
  }

  // One output pixel's 3x3x3 window of the stem input into 27 im2col values.
  void im2col_window(const int8_t* image, size_t rows, size_t pad_top, size_t y, size_t x,
                     int8_t* col) const {
    const NetworkDescription& n = *network_;
    const size_t S = n.input_size;
    const int8_t pad = static_cast<int8_t>(quant_[n.image].zero_point);
    const ptrdiff_t ix0 = ptrdiff_t(2 * x) - ptrdiff_t(n.stem_pad);
    const bool columns_inside = ix0 >= 0 && ix0 + 3 <= ptrdiff_t(S);
    for (size_t ky = 0; ky < 3; ++ky, col += 9) {
      const ptrdiff_t iy = ptrdiff_t(2 * y + ky) - ptrdiff_t(pad_top);
      if (iy < 0 || iy >= ptrdiff_t(rows)) {
        std::memset(col, pad, 9);
      } else if (columns_inside) {
        // The window's row: 3 pixels of 3 channels, contiguous in the image.
        std::memcpy(col, image + (size_t(iy) * S + size_t(ix0)) * 3, 9);
      } else {
        for (size_t kx = 0; kx < 3; ++kx) {
          const ptrdiff_t ix = ix0 + ptrdiff_t(kx);
          if (ix < 0 || ix >= ptrdiff_t(S)) {
            std::memset(col + 3 * kx, pad, 3);
          } else {
            std::memcpy(col + 3 * kx, image + (size_t(iy) * S + size_t(ix)) * 3, 3);
          }
        }
      }
    }
  }

  const QuantizedKernelTable* kernels_;
  const NetworkDescription* network_ = nullptr;
  const WorkSplit* classifier_bands_ = nullptr;
  std::vector<PackedLayer> packed_;   // per layer
  std::vector<ActivationQuant> quant_;  // per value
  SsdOutputQuant ssd_outputs_{};
  bool ssd_outputs_read_ = false;
  int8_t input_table_[256] = {};  // uint8 pixel -> int8 input value
  ResizedPixels pixels_;
  size_t im2col_rows_ = 0;
  std::vector<int8_t> im2col_;  // per thread: stem rows as [pixels][27]
  RowTables<int8_t> rows_;
  Q8PoolParams pool_{};
  q8_load::IntegerLayer logits_layer_;     // packed per band in prepare()
  std::vector<Q8Pointwise> logits_bands_;
  Q8Softmax softmax_;
};

}  // namespace

std::unique_ptr<LayerExecutor> make_q8_executor(const QuantizedKernelTable& kernels) {
  return std::make_unique<Q8Executor>(kernels);
}

}  // namespace mnv2
