#include "model/mobilenet-v2-q8.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>


namespace mnv2 {
namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string dims_text(const std::vector<size_t>& dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i) text += (i ? "," : "") + std::to_string(dims[i]);
  return text + "]";
}

bool fail(std::string* error, const std::string& message) {
  *error = message;
  return false;
}

}  // namespace

namespace q8_load {

bool read_activation(const WeightFileView& file, const std::string& layer, ActivationQuant* out,
                     std::string* error) {
  const std::string name = layer + ".out_q";
  const TensorView* t = file.find(name);
  if (t == nullptr) {
    return fail(error, "weight file has no activation quantization (" + name +
                           "): int8 needs a quantized model converted by this version's "
                           "mnv2-convert; use precision 'float' for this file");
  }
  if ((t->type != TensorType::kU8 && t->type != TensorType::kI8) || t->quant_count != 1) {
    return fail(error, "tensor " + name + " is not a per-tensor U8/I8 activation quantization");
  }
  out->scale = t->scale(0);
  const int64_t zero_point = int64_t{t->zero_point(0)} - (t->type == TensorType::kU8 ? 128 : 0);
  if (!(std::isfinite(out->scale) && out->scale > 0.0f) || zero_point < -128 || zero_point > 127) {
    return fail(error, "tensor " + name + " has an invalid activation quantization (scale " +
                           std::to_string(out->scale) + ", zero point " +
                           std::to_string(t->zero_point(0)) + ")");
  }
  out->zero_point = static_cast<int32_t>(zero_point);
  return true;
}

// TFLite's clamp for a fused ReLU6: [max(qmin, zp), min(qmax, zp + round(6 / scale))].
// A tiny scale puts 6 beyond the int8 range: the clamp is then qmax (checked before the cast,
// which would overflow).
Q8Output relu6_output(const ActivationQuant& q) {
  const float steps = std::round(6.0f / q.scale);
  const int32_t six = steps >= 255.0f ? 127 : q.zero_point + static_cast<int32_t>(steps);
  return {q.zero_point, std::max(-128, q.zero_point), std::min(127, six)};
}

Q8Output linear_output(const ActivationQuant& q) { return {q.zero_point, -128, 127}; }

namespace {

// A convolution's integer weights (minus their zero points), int32 bias and per-channel
// requantization, checked against the shape the architecture implies. channel_axis: the
// output channel's axis (0 for OHWI convolutions, 3 for 1HWC depthwise).
struct IntegerLayer {
  std::vector<int16_t> weights;
  std::vector<int32_t> bias;
  std::vector<q8::Requantization> requant;
  bool single_rounding = false;  // as a convolution (GEMM); depthwise layers ignore it
};

bool read_layer(const WeightFileView& file, const std::string& layer,
                const std::vector<size_t>& dims, size_t channel_axis,
                const ActivationQuant& input, const ActivationQuant& output, IntegerLayer* out,
                std::string* error) {
  const TensorView* w = file.find(layer + ".w");
  const TensorView* b = file.find(layer + ".b");
  if (w == nullptr || b == nullptr) return fail(error, "weight file has no tensor " + layer + (w ? ".b" : ".w"));
  if (w->dims != dims) {
    std::ostringstream message;
    message << "tensor " << layer << ".w has shape " << dims_text(w->dims) << ", alpha "
            << file.header.alpha << " needs " << dims_text(dims);
    return fail(error, message.str());
  }
  if (w->type != TensorType::kU8 && w->type != TensorType::kI8) {
    return fail(error, "tensor " + layer + ".w is not integer (U8/I8): int8 needs a quantized model");
  }
  const size_t channels = dims[channel_axis];
  if (w->quant_count != 1 && (w->quant_axis != channel_axis || w->quant_count != channels)) {
    return fail(error, "tensor " + layer + ".w is not quantized per tensor or per output channel");
  }
  if (b->type != TensorType::kI32 || b->dims != std::vector<size_t>{channels}) {
    return fail(error, "tensor " + layer + ".b is not an int32 bias of " + std::to_string(channels) +
                           " values");
  }
  size_t inner = 1;
  for (size_t d = channel_axis + 1; d < dims.size(); ++d) inner *= dims[d];
  out->weights.resize(w->elements);
  for (size_t i = 0; i < w->elements; ++i) {
    const size_t c = w->quant_count == 1 ? 0 : (i / inner) % channels;
    const int32_t q = w->type == TensorType::kU8 ? int32_t{w->data[i]}
                                                 : int32_t{static_cast<int8_t>(w->data[i])};
    out->weights[i] = static_cast<int16_t>(q - w->zero_point(c));
  }
  out->bias.resize(channels);
  std::memcpy(out->bias.data(), b->data, channels * 4);
  out->requant.resize(channels);
  const bool uint8_weights = w->type == TensorType::kU8;
  for (size_t c = 0; c < channels; ++c) {
    // TFLite: input scale * filter scale / output scale in double, from the float scales; for
    // uint8 layers (its legacy path) the first product is taken in float, then widened. The
    // last bit of the multiplier can decide a tie (seen on a real photo).
    const float filter_scale = w->scale(w->quant_count == 1 ? 0 : c);
    const double product = uint8_weights
                               ? static_cast<double>(input.scale * filter_scale)
                               : static_cast<double>(input.scale) * static_cast<double>(filter_scale);
    out->requant[c] = q8::quantize_multiplier(product / static_cast<double>(output.scale));
  }
  // TFLite runs convolutions with int8 weights on ruy, which rounds once (kernels-q8.h).
  out->single_rounding = !uint8_weights;
  return true;
}

}  // namespace

bool read_pointwise(const WeightFileView& file, const std::string& layer, size_t in_c,
                    size_t out_c, const ActivationQuant& input, const ActivationQuant& output,
                    Q8Pointwise* packed, std::string* error) {
  IntegerLayer l;
  if (!read_layer(file, layer, {out_c, 1, 1, in_c}, 0, input, output, &l, error)) return false;
  packed->pack(in_c, out_c, l.weights.data(), l.bias.data(), input.zero_point, l.requant.data(),
               l.single_rounding);
  return true;
}

bool read_depthwise(const WeightFileView& file, const std::string& layer, size_t channels,
                    const ActivationQuant& input, const ActivationQuant& output,
                    std::vector<int32_t>* packed, std::string* error) {
  IntegerLayer l;
  if (!read_layer(file, layer, {1, 3, 3, channels}, 3, input, output, &l, error)) return false;
  packed->assign(qs8_dwconv3x3_packed_words(channels), 0);
  qs8_dwconv3x3_pack(channels, l.weights.data(), l.bias.data(), input.zero_point,
                     l.requant.data(), packed->data());
  return true;
}

}  // namespace q8_load

namespace {

// Blocks on large maps run in bands of output rows: the expand rows a band needs go to a
// ring of `ring_rows` rows, the depthwise band to a buffer of `band_rows` rows, and the
// project writes the band of the output - the large expanded tensors (1.2 MB for block 1)
// then never leave the cache. Smaller maps (from 14x14 on) and the block whose expansion
// load_backbone() keeps (SSDLite reads it), materialize every tensor. Integer arithmetic makes
// both schedules give identical bytes.
struct BandPlan {
  bool fused;
  size_t band_rows, ring_rows;
};

BandPlan band_plan(bool keeps_expansion, const BlockShape& shape, size_t in_h, size_t in_w,
                   size_t out_h) {
  constexpr size_t kMinFusedSize = 28;
  constexpr size_t kRingBytes = 64 * 1024;
  if (!shape.has_expand || in_h < kMinFusedSize || keeps_expansion) return {false, 0, 0};
  const size_t row_bytes = in_w * shape.expanded_channels;
  const size_t fit = kRingBytes / row_bytes;  // ring rows that fit the budget
  // ring_rows = (band_rows - 1) * stride + 3 input rows cover a band.
  size_t band = fit > 3 ? (fit - 3) / shape.stride + 1 : 1;
  band = std::min(band, out_h);
  const size_t ring = std::min((band - 1) * shape.stride + 3, in_h);
  return {true, band, ring};
}

}  // namespace

using namespace q8_load;

// Everything from the input quantization to the head conv (the classifier and SSDLite share).
bool MobileNetV2Q8::load_layers(const WeightFileView& file, const QuantizedKernelTable& kernels,
                                std::string* error) {
  kernels_ = &kernels;
  arch_ = mobilenet_v2_architecture(file.header.alpha);
  input_size_ = file.header.input_size;
  num_classes_ = file.header.num_classes;

  // The input: pixel p is the real value (p - mean) / std (the graph input's own
  // quantization, see the converter), quantized to the stem input's scale and zero point like
  // TFLite's QUANTIZE op: round half away from zero, then clamp. For both models the scales
  // agree, so this is p minus a constant, computed in double to stay exact.
  ActivationQuant input{};
  if (!read_activation(file, "input", &input, error)) return false;
  input_zero_point_ = input.zero_point;
  for (int p = 0; p < 256; ++p) {
    const double real = (p - static_cast<double>(file.header.input_mean)) / file.header.input_std;
    const double q = std::round(real / input.scale) + input.zero_point;
    input_table_[p] = static_cast<int8_t>(std::clamp(q, -128.0, 127.0));
  }

  ActivationQuant current{}, out{};
  if (!read_activation(file, "stem", &out, error)) return false;
  const SamePadding stem = same_padding(input_size_, 2, 3);
  stem_size_ = stem.output;
  stem_pad_ = stem.before;
  {
    IntegerLayer l;
    if (!read_layer(file, "stem", {arch_.stem_channels, 3, 3, 3}, 0, input, out, &l, error)) {
      return false;
    }
    stem_.pack(27, arch_.stem_channels, l.weights.data(), l.bias.data(), input.zero_point,
               l.requant.data(), l.single_rounding);
    stem_out_ = relu6_output(out);
  }
  current = out;

  size_t size = stem_size_;
  blocks_.assign(arch_.blocks.size(), Block{});
  for (size_t i = 0; i < arch_.blocks.size(); ++i) {
    Block& block = blocks_[i];
    block.shape = arch_.blocks[i];
    const BlockShape& shape = block.shape;
    const SamePadding padding = same_padding(size, shape.stride, 3);
    block.in_h = block.in_w = size;
    block.out_h = block.out_w = padding.output;
    block.pad_top = block.pad_left = padding.before;
    const ActivationQuant block_input = current;
    if (shape.has_expand) {
      const std::string layer = block_layer_name(i, "expand");
      if (!read_activation(file, layer, &out, error) ||
          !read_pointwise(file, layer, shape.in_channels, shape.expanded_channels, current, out,
                          &block.expand, error)) {
        return false;
      }
      block.expand_out = relu6_output(out);
      current = out;
    }
    {
      const std::string layer = block_layer_name(i, "dw");
      IntegerLayer l;
      if (!read_activation(file, layer, &out, error) ||
          !read_layer(file, layer, {1, 3, 3, shape.expanded_channels}, 3, current, out, &l,
                      error)) {
        return false;
      }
      block.depthwise.assign(qs8_dwconv3x3_packed_words(shape.expanded_channels), 0);
      qs8_dwconv3x3_pack(shape.expanded_channels, l.weights.data(), l.bias.data(),
                         current.zero_point, l.requant.data(), block.depthwise.data());
      block.depthwise_out = relu6_output(out);
      current = out;
    }
    {
      const std::string layer = block_layer_name(i, "project");
      if (!read_activation(file, layer, &out, error) ||
          !read_pointwise(file, layer, shape.expanded_channels, shape.out_channels, current, out,
                          &block.project, error)) {
        return false;
      }
      block.project_out = linear_output(out);
      current = out;
    }
    if (shape.residual) {
      if (!read_activation(file, block_layer_name(i, "add"), &out, error)) return false;
      block.add = q8_add_params(current.scale, current.zero_point, block_input.scale,
                                block_input.zero_point, out.scale, linear_output(out));
      current = out;
    }
    size = padding.output;
  }
  final_size_ = size;

  const size_t last_channels = arch_.blocks.back().out_channels;
  if (!read_activation(file, "head", &out, error) ||
      !read_pointwise(file, "head", last_channels, arch_.head_channels, current, out, &head_,
                      error)) {
    return false;
  }
  head_out_ = relu6_output(out);
  head_quant_ = out;
  return true;
}

bool MobileNetV2Q8::load_backbone(const WeightFileView& file, const QuantizedKernelTable& kernels,
                                  size_t keep_block, std::string* error) {
  if (!load_layers(file, kernels, error)) return false;
  if (keep_block >= blocks_.size() || !blocks_[keep_block].shape.has_expand) {
    return fail(error, "the backbone has no expansion in block " + std::to_string(keep_block));
  }
  keep_block_ = keep_block;
  plan();
  return true;
}

bool MobileNetV2Q8::load(const WeightFileView& file, const QuantizedKernelTable& kernels,
                         std::string* error) {
  if (file.header.model_kind != static_cast<uint32_t>(ModelKind::kClassifier)) {
    return fail(error, "int8 runs classifiers only; this weight file holds a detector");
  }
  keep_block_ = kNone;
  if (!load_layers(file, kernels, error)) return false;
  const ActivationQuant current = head_quant_;
  if (!read_activation(file, "pool", &pool_quant_, error)) return false;
  // The activations' stored type: uint8 models keep q + 128 (TFLite's MEAN and SOFTMAX round
  // in the stored type).
  const TensorView* logits_stored = file.find("logits.out_q");
  const bool uint8_model = logits_stored != nullptr && logits_stored->type == TensorType::kU8;
  pool_ = file.find("pool.mean") != nullptr
              ? q8_mean_params(current.scale, current.zero_point, pool_quant_.scale,
                               final_size_ * final_size_, uint8_model, linear_output(pool_quant_))
              : q8_pool_params(current.scale, current.zero_point, pool_quant_.scale,
                               linear_output(pool_quant_));
  if (!read_activation(file, "logits", &logits_quant_, error) ||
      !read_pointwise(file, "logits", arch_.head_channels, num_classes_, pool_quant_,
                      logits_quant_, &logits_packed_, error)) {
    return false;
  }
  logits_out_ = linear_output(logits_quant_);

  // The model's output tensor (after SOFTMAX and any QUANTIZE), in its own type's range.
  const TensorView* output = file.find("output.out_q");
  has_output_quant_ = output != nullptr;
  if (output != nullptr) {
    ActivationQuant q{};
    if (!read_activation(file, "output", &q, error)) return false;
    const bool u8 = output->type == TensorType::kU8;
    output_scale_ = q.scale;
    output_zero_point_ = q.zero_point + (u8 ? 128 : 0);
    output_min_ = u8 ? 0 : -128;
    output_max_ = u8 ? 255 : 127;
  }
  // TFLite's SOFTMAX table: exp(-scale * beta * d) for each distance d below the maximum logit
  // (beta is 1, the converter checks). Index 255 - d, as TFLite lays it out.
  const float table_scale = -logits_quant_.scale;
  for (int32_t d = 0; d <= 255; ++d) softmax_table_[255 - d] = std::exp(table_scale * static_cast<float>(d));
  softmax_uint8_ = uint8_model;

  pooled_.assign(arch_.head_channels, 0);
  logits_.assign(num_classes_, 0);
  features_.assign(arch_.head_channels, 0.0f);
  probabilities_.assign(num_classes_, 0.0f);
  plan();
  return true;
}

void MobileNetV2Q8::plan() {
  plan_ = MemoryPlan();
  const size_t S = input_size_;
  size_t step = 0;
  size_t max_rows = stem_size_;
  image_tensor_ = plan_.add(S * S * 3, step);
  stem_tensor_ = plan_.add(stem_size_ * stem_size_ * arch_.stem_channels, ++step);
  plan_.use(image_tensor_, step);
  stem_step_ = step;
  size_t previous = stem_tensor_;
  for (Block& block : blocks_) {
    const BlockShape& shape = block.shape;
    block.first_step = step + 1;
    const BandPlan band =
        band_plan(size_t(&block - blocks_.data()) == keep_block_, shape, block.in_h, block.in_w,
                  block.out_h);
    block.band_rows = band.fused ? band.band_rows : 0;
    block.ring_rows = band.fused ? band.ring_rows : 0;
    if (band.fused) {
      // One step: the input, the expand ring, the depthwise band and the output are all live
      // while the bands run.
      ++step;
      block.expanded_tensor = plan_.add(band.ring_rows * block.in_w * shape.expanded_channels, step);
      block.depthwise_tensor = plan_.add(band.band_rows * block.out_w * shape.expanded_channels, step);
      block.output_tensor = plan_.add(block.out_h * block.out_w * shape.out_channels, step);
      plan_.use(previous, step);
      block.last_step = step;
      previous = block.output_tensor;
      max_rows = std::max(max_rows, block.in_h);
      continue;
    }
    size_t expanded = previous;
    if (shape.has_expand) {
      block.expanded_tensor = plan_.add(block.in_h * block.in_w * shape.expanded_channels, ++step);
      plan_.use(previous, step);
      expanded = block.expanded_tensor;
    }
    block.depthwise_tensor = plan_.add(block.out_h * block.out_w * shape.expanded_channels, ++step);
    plan_.use(expanded, step);
    block.output_tensor = plan_.add(block.out_h * block.out_w * shape.out_channels, ++step);
    plan_.use(block.depthwise_tensor, step);
    if (shape.residual) plan_.use(previous, step);
    block.last_step = step;
    previous = block.output_tensor;
    max_rows = std::max(max_rows, block.in_h);
  }
  head_tensor_ = plan_.add(final_size_ * final_size_ * arch_.head_channels, ++step);
  plan_.use(previous, step);
  plan_.keep_until_end(head_tensor_);
  if (keep_block_ != kNone) plan_.keep_until_end(blocks_[keep_block_].expanded_tensor);
  head_step_ = step;
  plan_.solve();
  arena_.assign(plan_.arena_bytes(), 0);
  pixels_.assign(S * 3, 0);
  // The stem runs a band of output rows at a time through the GEMM: 8 rows of im2col.
  im2col_.assign(std::min<size_t>(8, stem_size_) * stem_size_ * 27, 0);
  rows_.assign(max_rows, nullptr);
}

MemoryStats MobileNetV2Q8::memory_stats() const {
  size_t words = stem_.words() + head_.words() + logits_packed_.words();
  for (const Block& block : blocks_) {
    words += block.expand.words() + block.depthwise.size() + block.project.words();
  }
  return {words * sizeof(int32_t), plan_.arena_bytes(), pixels_.size() + im2col_.size()};
}

// The stem as a GEMM over im2col rows: each output pixel's 3x3x3 window, in the weights'
// (ky, kx, channel) order, with the input zero point (real 0) where the window leaves the
// image. The GEMM folds that zero point out again, so padding contributes nothing.
void MobileNetV2Q8::run_stem(const int8_t* image, int8_t* output) {
  const size_t S = input_size_, O = stem_size_;
  const size_t band = im2col_.size() / (O * 27);
  const int8_t pad = static_cast<int8_t>(input_zero_point_);
  for (size_t y0 = 0; y0 < O; y0 += band) {
    const size_t rows = std::min(band, O - y0);
    int8_t* col = im2col_.data();
    for (size_t y = y0; y < y0 + rows; ++y) {
      for (size_t x = 0; x < O; ++x) {
        const ptrdiff_t ix0 = ptrdiff_t(2 * x) - ptrdiff_t(stem_pad_);
        const bool columns_inside = ix0 >= 0 && ix0 + 3 <= ptrdiff_t(S);
        for (size_t ky = 0; ky < 3; ++ky, col += 9) {
          const ptrdiff_t iy = ptrdiff_t(2 * y + ky) - ptrdiff_t(stem_pad_);
          if (iy < 0 || iy >= ptrdiff_t(S)) {
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
    stem_.run(kernels_->qs8_gemm_minmax, rows * O, im2col_.data(), 27,
              output + y0 * O * arch_.stem_channels, arch_.stem_channels, stem_out_);
  }
}

void MobileNetV2Q8::run_block(Block& block, const int8_t* input, int8_t* output) {
  const BlockShape& shape = block.shape;
  const size_t channels = shape.expanded_channels;
  if (block.band_rows != 0) {
    run_block_in_bands(block, input, output);
    return;
  }
  const int8_t* expanded = input;
  if (shape.has_expand) {
    int8_t* target = tensor(block.expanded_tensor);
    block.expand.run(kernels_->qs8_gemm_minmax, block.in_h * block.in_w, input,
                     shape.in_channels, target, channels, block.expand_out);
    expanded = target;
  }
  for (size_t y = 0; y < block.in_h; ++y) rows_[y] = expanded + y * block.in_w * channels;
  qs8_dwconv3x3_fn* depthwise = shape.stride == 1 ? kernels_->qs8_dwconv3x3s1_minmax
                                                  : kernels_->qs8_dwconv3x3s2_minmax;
  int8_t* depthwise_out = tensor(block.depthwise_tensor);
  depthwise(rows_.data(), block.in_h, block.in_w, channels, block.pad_top, block.pad_left,
            block.depthwise.data(), depthwise_out, block.out_w, 0, block.out_h,
            block.depthwise_out);
  const size_t pixels = block.out_h * block.out_w;
  block.project.run(kernels_->qs8_gemm_minmax, pixels, depthwise_out, channels, output,
                    shape.out_channels, block.project_out);
  if (shape.residual) {
    // TFLite's ADD(project output, block input), in place.
    kernels_->qs8_vadd_minmax(pixels * shape.out_channels, output, input, output, block.add);
  }
}

// The block band by band (see BandPlan): input row iy's expansion lives in ring slot
// iy % ring_rows, computed once, when the first band needing it comes.
void MobileNetV2Q8::run_block_in_bands(Block& block, const int8_t* input, int8_t* output) {
  const BlockShape& shape = block.shape;
  const size_t band_rows = block.band_rows, ring_rows = block.ring_rows;
  const size_t channels = shape.expanded_channels;
  const size_t in_row = block.in_w * shape.in_channels, ring_row = block.in_w * channels;
  const size_t out_row = block.out_w * shape.out_channels;
  int8_t* ring = tensor(block.expanded_tensor);
  int8_t* depthwise_band = tensor(block.depthwise_tensor);
  qs8_dwconv3x3_fn* depthwise = shape.stride == 1 ? kernels_->qs8_dwconv3x3s1_minmax
                                                  : kernels_->qs8_dwconv3x3s2_minmax;
  size_t expanded_rows = 0;  // input rows [0, expanded_rows) have been expanded
  for (size_t oy0 = 0; oy0 < block.out_h; oy0 += band_rows) {
    const size_t oy1 = std::min(block.out_h, oy0 + band_rows);
    const ptrdiff_t first = ptrdiff_t(oy0 * shape.stride) - ptrdiff_t(block.pad_top);
    const size_t last = std::min<size_t>(block.in_h, size_t(ptrdiff_t((oy1 - 1) * shape.stride) -
                                                         ptrdiff_t(block.pad_top) + 3));
    for (; expanded_rows < last; ++expanded_rows) {
      int8_t* slot = ring + (expanded_rows % ring_rows) * ring_row;
      block.expand.run(kernels_->qs8_gemm_minmax, block.in_w, input + expanded_rows * in_row,
                       shape.in_channels, slot, channels, block.expand_out);
    }
    for (size_t iy = size_t(std::max<ptrdiff_t>(first, 0)); iy < last; ++iy) {
      rows_[iy] = ring + (iy % ring_rows) * ring_row;
    }
    depthwise(rows_.data(), block.in_h, block.in_w, channels, block.pad_top, block.pad_left,
              block.depthwise.data(), depthwise_band, block.out_w, oy0, oy1, block.depthwise_out);
    const size_t pixels = (oy1 - oy0) * block.out_w;
    int8_t* out = output + oy0 * out_row;
    block.project.run(kernels_->qs8_gemm_minmax, pixels, depthwise_band, channels, out,
                      shape.out_channels, block.project_out);
    if (shape.residual) {
      kernels_->qs8_vadd_minmax(pixels * shape.out_channels, out, input + oy0 * out_row, out,
                                block.add);
    }
  }
}

const float* MobileNetV2Q8::features(PixelRows& input) {
  run_backbone(input);
  const double mark = profiling_ ? now_ms() : 0.0;
  kernels_->qs8_global_avgpool(tensor(head_tensor_), final_size_ * final_size_,
                               arch_.head_channels, pooled_.data(), pool_);
  for (size_t c = 0; c < pooled_.size(); ++c) {
    features_[c] = pool_quant_.scale * static_cast<float>(pooled_[c] - pool_quant_.zero_point);
  }
  if (profiling_) layer_ms_[blocks_.size() + 2] = now_ms() - mark;
  return features_.data();
}

void MobileNetV2Q8::run_backbone(PixelRows& input) {
  double mark = profiling_ ? now_ms() : 0.0;
  const auto lap = [&](size_t row) {
    if (!profiling_) return;
    const double now = now_ms();
    layer_ms_[row] = now - mark;
    mark = now;
  };
  if (profiling_) layer_ms_.assign(blocks_.size() + 4, 0.0);

  const size_t S = input_size_;
  int8_t* image = tensor(image_tensor_);
  for (size_t y = 0; y < S; ++y) {
    input.read_pixel_rows(y, 1, pixels_.data());
    for (size_t i = 0; i < S * 3; ++i) image[y * S * 3 + i] = input_table_[pixels_[i]];
  }
  run_stem(image, tensor(stem_tensor_));
  lap(0);
  const int8_t* previous = tensor(stem_tensor_);
  for (size_t i = 0; i < blocks_.size(); ++i) {
    run_block(blocks_[i], previous, tensor(blocks_[i].output_tensor));
    previous = tensor(blocks_[i].output_tensor);
    lap(i + 1);
  }
  const size_t last_channels = arch_.blocks.back().out_channels;
  head_.run(kernels_->qs8_gemm_minmax, final_size_ * final_size_, previous, last_channels,
            tensor(head_tensor_), arch_.head_channels, head_out_);
  lap(blocks_.size() + 1);
}

const float* MobileNetV2Q8::classify() {
  const double start = profiling_ ? now_ms() : 0.0;
  logits_packed_.run(kernels_->qs8_gemm_minmax, 1, pooled_.data(), arch_.head_channels,
                     logits_.data(), num_classes_, logits_out_);
  float* p = probabilities_.data();
  if (has_output_quant_) {
    // TFLite's builtin SOFTMAX for int8/uint8 (its optimized kernel; the reference kernel's
    // fixed-point exp differs): the table of exp values at the distances below the maximum,
    // their float sum in index order, each entry times 1 / (sum * 1/256), rounded as that
    // kernel rounds for the stored type ((int)(x + 0.5f) for uint8, std::round for int8), so
    // the model's 8-bit softmax output holds round(256 p) in steps of 1/256 above its zero point.
    // That output, or the graph output a QUANTIZE makes of it (same scale: the same steps), is
    // then read back like the model's output tensor.
    int32_t max = logits_[0];
    for (size_t i = 1; i < num_classes_; ++i) max = std::max(max, int32_t{logits_[i]});
    const float* table = softmax_table_ + 255 - max;
    float sum = 0.0f;
    for (size_t i = 0; i < num_classes_; ++i) sum += table[logits_[i]];
    const float inverse = 1.0f / (sum * (1.0f / 256.0f));
    for (size_t i = 0; i < num_classes_; ++i) {
      const float rescaled = table[logits_[i]] * inverse;
      const int32_t steps = softmax_uint8_ ? static_cast<int32_t>(rescaled + 0.5f)
                                           : static_cast<int32_t>(std::round(rescaled));
      const float real = static_cast<float>(std::min(steps, 255)) / 256.0f;
      const float q = std::clamp(std::round(real / output_scale_) + output_zero_point_,
                                 float(output_min_), float(output_max_));
      p[i] = output_scale_ * (q - static_cast<float>(output_zero_point_));
    }
  } else {
    // No SOFTMAX in the model: the softmax of the dequantized logits in float (the maximum
    // first, so exp never overflows; the sum in index order).
    float max = -std::numeric_limits<float>::infinity();
    for (size_t i = 0; i < num_classes_; ++i) {
      p[i] = logits_quant_.scale * static_cast<float>(logits_[i] - logits_quant_.zero_point);
      max = std::max(max, p[i]);
    }
    float sum = 0.0f;
    for (size_t i = 0; i < num_classes_; ++i) {
      p[i] = std::exp(p[i] - max);
      sum += p[i];
    }
    for (size_t i = 0; i < num_classes_; ++i) p[i] /= sum;
  }
  if (profiling_) layer_ms_[blocks_.size() + 3] = now_ms() - start;
  return p;
}

std::vector<LayerSummary> MobileNetV2Q8::summary() const {
  const auto live = [this](size_t first, size_t last) {
    size_t bytes = 0;
    for (size_t step = first; step <= last; ++step) bytes = std::max(bytes, plan_.live_bytes(step));
    return bytes;
  };
  const auto params = [](size_t in_c, size_t out_c, size_t taps) { return in_c * out_c * taps + out_c; };
  std::vector<LayerSummary> rows;
  const size_t stem_c = arch_.stem_channels, S = input_size_;
  rows.push_back({"stem", "conv3x3", {S, S, 3}, {stem_size_, stem_size_, stem_c}, 0, 2,
                  params(3, stem_c, 9), stem_size_ * stem_size_ * stem_c * 27,
                  live(stem_step_, stem_step_) + im2col_.size() + pixels_.size()});
  for (size_t i = 0; i < blocks_.size(); ++i) {
    const Block& block = blocks_[i];
    const BlockShape& shape = block.shape;
    const size_t e = shape.expanded_channels;
    size_t p = params(1, e, 9) + params(e, shape.out_channels, 1);
    size_t macs = block.out_h * block.out_w * e * (9 + shape.out_channels);
    if (shape.has_expand) {
      p += params(shape.in_channels, e, 1);
      macs += block.in_h * block.in_w * shape.in_channels * e;
    }
    rows.push_back({"block" + std::to_string(i), "bottleneck",
                    {block.in_h, block.in_w, shape.in_channels},
                    {block.out_h, block.out_w, shape.out_channels}, shape.expansion, shape.stride,
                    p, macs, live(block.first_step, block.last_step)});
    // Int8 tensors: one byte per value.
    rows.back().expanded_bytes = (block.in_h * block.in_w + block.out_h * block.out_w) * e;
  }
  const size_t last_c = arch_.blocks.back().out_channels, head_c = arch_.head_channels;
  const size_t F = final_size_;
  rows.push_back({"head", "conv1x1", {F, F, last_c}, {F, F, head_c}, 0, 1, params(last_c, head_c, 1),
                  F * F * last_c * head_c, live(head_step_, head_step_)});
  if (keep_block_ != kNone) return rows;  // load_backbone(): no pool or logits were loaded
  rows.push_back({"pool", "avgpool", {F, F, head_c}, {1, 1, head_c}, 0, 1, 0, 0,
                  plan_.bytes(head_tensor_) + pooled_.size()});
  rows.push_back({"logits", "fc", {1, 1, head_c}, {1, 1, num_classes_}, 0, 1,
                  params(head_c, num_classes_, 1), head_c * num_classes_,
                  pooled_.size() + logits_.size()});
  return rows;
}

}  // namespace mnv2
