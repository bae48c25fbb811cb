#include "exec/q8-executor.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace mnv2 {

using q8_load::linear_output;
using q8_load::read_activation;
using q8_load::relu6_output;

namespace {

// The stem runs a band of output rows at a time through the GEMM: 8 rows of im2col.
constexpr size_t kIm2colRows = 8;

Q8Output output_of(const Layer& layer, const ActivationQuant& q) {
  return layer.activation == Activation::kRelu6 ? relu6_output(q) : linear_output(q);
}

}  // namespace

bool Q8Executor::load(const WeightFileView& file, const NetworkDescription& n,
                      std::string* error) {
  network_ = &n;
  packed_.clear();
  packed_.resize(n.layers.size());
  Quantizations q;
  q.values.assign(n.values.size(), ActivationQuant{});

  // The input: pixel p is the real value (p - mean) / std (the graph input's own
  // quantization, see the converter), quantized to the stem input's scale and zero point like
  // TFLite's QUANTIZE op: round half away from zero, then clamp. For both models the scales
  // agree, so this is p minus a constant, computed in double to stay exact.
  ActivationQuant& input = q.values[n.image];
  if (!read_activation(file, "input", &input, error)) return false;
  input_zero_point_ = input.zero_point;
  for (int p = 0; p < 256; ++p) {
    const double real = (p - static_cast<double>(file.header.input_mean)) / file.header.input_std;
    const double value = std::round(real / input.scale) + input.zero_point;
    input_table_[p] = static_cast<int8_t>(std::clamp(value, -128.0, 127.0));
  }

  const Layer& stem = n.layers[n.stem];
  ActivationQuant& stem_q = q.values[n.stem_output];
  q8_load::IntegerLayer l;
  if (!read_activation(file, stem.name, &stem_q, error) ||
      !q8_load::read_layer(file, stem.name, {stem.out_channels, 3, 3, 3}, 0, input, stem_q, &l,
                           error)) {
    return false;
  }
  packed_[n.stem].pointwise.pack(27, stem.out_channels, l.weights.data(), l.bias.data(),
                                 input.zero_point, l.requant.data(), l.single_rounding);
  packed_[n.stem].output = output_of(stem, stem_q);
  im2col_rows_ = std::min(kIm2colRows, n.stem_size());

  for (const Stage& stage : n.stages) {
    if (!load_stage(file, stage, q, error)) return false;
  }
  if (n.logits != kNone) return load_classifier(file, q.values[n.stages[n.head].output], error);
  return true;
}

// A stage's layers in order, each reading its output quantization first: the input of each is
// the output of the one before (the stage's input value for the first).
bool Q8Executor::load_stage(const WeightFileView& file, const Stage& stage, Quantizations& q,
                            std::string* error) {
  const NetworkDescription& n = *network_;
  ActivationQuant current = q.values[stage.input];
  for (size_t index : {stage.expand, stage.depthwise, stage.project}) {
    if (index == kNone) continue;
    const Layer& layer = n.layers[index];
    PackedLayer& packed = packed_[index];
    ActivationQuant out{};
    if (!read_activation(file, layer.name, &out, error)) return false;
    const bool ok = layer.kind == LayerKind::kDepthwise3x3
                        ? q8_load::read_depthwise(file, layer.name, layer.out_channels, current,
                                                  out, &packed.depthwise, error)
                        : q8_load::read_pointwise(file, layer.name, layer.in_channels,
                                                  layer.out_channels, current, out,
                                                  &packed.pointwise, error);
    if (!ok) return false;
    packed.output = output_of(layer, out);
    if (layer.role != LayerRole::kHidden &&
        !load_predictor_tables(file, packed, layer.role == LayerRole::kBoxEncodings, out, q,
                               error)) {
      return false;
    }
    if (index == stage.expand && stage.expanded != kNone) q.values[stage.expanded] = out;
    current = out;
  }
  if (stage.residual) {
    // TFLite's ADD(project output, stage input), whose output is the stage's.
    ActivationQuant out{};
    if (!read_activation(file, n.values[stage.output].name, &out, error)) return false;
    const ActivationQuant& in = q.values[stage.input];
    packed_[stage.project].add = q8_add_params(current.scale, current.zero_point, in.scale,
                                               in.zero_point, out.scale, linear_output(out));
    current = out;
  }
  if (n.layers[stage.project].role == LayerRole::kHidden) q.values[stage.output] = current;
  return true;
}

void Q8Executor::prepare(const NetworkPlan& plan) {
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
    logits_bands_[band].pack(k, end - begin, l.weights.data() + begin * k, l.bias.data() + begin,
                             pool_quant_.zero_point, l.requant.data() + begin, l.single_rounding);
  }
}

size_t Q8Executor::weight_bytes() const {
  size_t words = 0, tables = 0;
  for (const PackedLayer& layer : packed_) {
    words += layer.pointwise.words() + layer.depthwise.size();
    if (layer.code) tables += 256 * (sizeof(int8_t) + sizeof(float));
  }
  for (const Q8Pointwise& band : logits_bands_) words += band.words();
  return words * sizeof(int32_t) + tables;
}

size_t Q8Executor::stem_row_bytes() const { return network_->stem_size() * 27; }

void Q8Executor::set_image(const uint8_t* rgba, size_t width, size_t height, float crop) {
  pixels_.prepare(rgba, width, height, network_->input_size, crop);
  input_ = &pixels_;
}

void Q8Executor::read_input(size_t first, size_t count, void* out, size_t thread) {
  uint8_t* pixels = static_cast<uint8_t*>(out);
  input_->read_pixel_rows(first, count, pixels, thread);
  int8_t* values = static_cast<int8_t*>(out);
  for (size_t i = 0; i < count * network_->input_size * 3; ++i) values[i] = input_table_[pixels[i]];
}

// The stem as a GEMM over im2col rows: each output pixel's 3x3x3 window, in the weights'
// (ky, kx, channel) order, with the input zero point (real 0) where the window leaves the
// image. The GEMM folds that zero point out again, so padding contributes nothing.
void Q8Executor::stem(const void* window, size_t rows, size_t pad_top, size_t out_begin,
                      size_t out_end, void* output, size_t thread) {
  const NetworkDescription& n = *network_;
  const int8_t* image = static_cast<const int8_t*>(window);
  const size_t S = n.input_size, O = n.stem_size(), C = n.layers[n.stem].out_channels;
  const ptrdiff_t pad_left = static_cast<ptrdiff_t>(n.stem_pad);
  const int8_t pad = static_cast<int8_t>(input_zero_point_);
  int8_t* im2col = im2col_.data() + thread * stem_scratch_bytes();
  for (size_t y0 = out_begin; y0 < out_end; y0 += im2col_rows_) {
    const size_t count = std::min(im2col_rows_, out_end - y0);
    int8_t* col = im2col;
    for (size_t y = y0; y < y0 + count; ++y) {
      for (size_t x = 0; x < O; ++x) {
        const ptrdiff_t ix0 = ptrdiff_t(2 * x) - pad_left;
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
    }
    const PackedLayer& layer = packed_[n.stem];
    layer.pointwise.run(kernels_->qs8_gemm_minmax, count * O, im2col, 27,
                        static_cast<int8_t*>(output) + (y0 - out_begin) * O * C, C,
                        layer.output);
  }
}

void Q8Executor::pointwise(size_t index, size_t pixels, const void* input, void* output,
                           const void* residual) {
  const Layer& info = network_->layers[index];
  const PackedLayer& layer = packed_[index];
  int8_t* out = static_cast<int8_t*>(output);
  layer.pointwise.run(kernels_->qs8_gemm_minmax, pixels, static_cast<const int8_t*>(input),
                      info.in_channels, out, info.out_channels, layer.output);
  if (residual != nullptr) {
    // TFLite's ADD(project output, stage input), in place.
    kernels_->qs8_vadd_minmax(pixels * info.out_channels, out,
                              static_cast<const int8_t*>(residual), out, layer.add);
  }
}

void Q8Executor::depthwise(const Stage& stage, const RowWindow& window, size_t out_begin,
                           size_t out_end, void* output, size_t thread) {
  const ptrdiff_t first = static_cast<ptrdiff_t>(out_begin * stage.stride) -
                          static_cast<ptrdiff_t>(stage.pad);
  const size_t end = std::min(stage.in_size, (out_end - 1) * stage.stride + 3 - stage.pad);
  const int8_t* const* rows =
      rows_.fill(thread, window, static_cast<size_t>(std::max<ptrdiff_t>(first, 0)), end);
  qs8_dwconv3x3_fn* kernel = stage.stride == 1 ? kernels_->qs8_dwconv3x3s1_minmax
                                               : kernels_->qs8_dwconv3x3s2_minmax;
  const PackedLayer& layer = packed_[stage.depthwise];
  kernel(rows, stage.in_size, stage.in_size, stage.mid_channels, stage.pad, stage.pad,
         layer.depthwise.data(), static_cast<int8_t*>(output), stage.out_size, out_begin,
         out_end, layer.output);
}

void Q8Executor::predict(size_t index, size_t pixels, const void* input, void* raw,
                         float* decoded) {
  pointwise(index, pixels, input, raw, nullptr);
  const PackedLayer& layer = packed_[index];
  int8_t* codes = static_cast<int8_t*>(raw);
  for (size_t i = 0; i < pixels * network_->layers[index].out_channels; ++i) {
    const size_t q = static_cast<size_t>(codes[i] + 128);
    codes[i] = layer.code[q];
    decoded[i] = layer.value[q];
  }
}

}  // namespace mnv2
