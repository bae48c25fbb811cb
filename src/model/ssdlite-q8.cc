#include "model/ssdlite-q8.h"

#include <algorithm>
#include <cmath>

#include "model/architecture.h"
#include "model/layer-weights.h"
#include "model/ssdlite-load.h"
#include "model/ssdlite.h"

namespace mnv2 {
namespace {

using q8_load::linear_output;
using q8_load::read_activation;
using q8_load::read_depthwise;
using q8_load::read_pointwise;
using q8_load::relu6_output;

bool fail(std::string* error, const std::string& message) {
  *error = message;
  return false;
}

// The output channels of a 1x1 conv "<layer>.w" [out][1][1][in].
bool pointwise_outputs(const WeightFileView& file, const std::string& layer, size_t* out_c,
                       std::string* error) {
  const TensorView* w = find_tensor(file, layer + ".w", error);
  if (w == nullptr) return false;
  if (w->dims.size() != 4 || w->dims[0] < 1) {
    return fail(error, "tensor " + layer + ".w has shape " + dims_text(w->dims) +
                           ", expected a 1x1 conv [N,1,1,C]");
  }
  *out_c = w->dims[0];
  return true;
}

// TFLite's QUANTIZE from one int8 quantization to another (its Requantize): the fixed-point
// multiplier of in_scale / out_scale applied to q - zp_in, plus zp_out, clamped.
int8_t requantize(int32_t q, const ActivationQuant& from, const ActivationQuant& to) {
  if (from.scale == to.scale && from.zero_point == to.zero_point) return static_cast<int8_t>(q);
  const q8::Requantization r =
      q8::quantize_multiplier(static_cast<double>(from.scale) / static_cast<double>(to.scale));
  const int64_t value =
      int64_t{q8::multiply_by_quantized_multiplier(q - from.zero_point, r)} + to.zero_point;
  return static_cast<int8_t>(std::clamp<int64_t>(value, -128, 127));
}

float dequantized(int32_t q, const ActivationQuant& quant) {
  return quant.scale * static_cast<float>(q - quant.zero_point);
}

}  // namespace

SSDLiteQ8::FeatureMap SSDLiteQ8::feature_map(size_t size, size_t channels,
                                             const ActivationQuant& quant) {
  FeatureMap map{};
  map.size = size;
  map.channels = channels;
  map.quant = quant;
  return map;
}

bool SSDLiteQ8::load(const WeightFileView& file, const QuantizedKernelTable& kernels,
                     std::string* error) {
  kernels_ = &kernels;
  if (file.header.model_kind != static_cast<uint32_t>(ModelKind::kDetector)) {
    return fail(error, "weight file holds a classifier, not a detector");
  }
  if (!backbone_.load_backbone(file, kernels, kSsdTapBlock, error)) return false;
  num_classes_ = file.header.num_classes;

  if (!load_ssd_params(file, num_classes_, &anchor_params_, &postprocess_, error)) return false;

  const ArchitectureShape& arch = backbone_.architecture();
  ActivationQuant tap{}, head{};
  if (!read_activation(file, block_layer_name(kSsdTapBlock, "expand"), &tap, error) ||
      !read_activation(file, "head", &head, error) ||
      !read_activation(file, "boxes", &boxes_quant_, error) ||
      !read_activation(file, "logits", &logits_quant_, error) ||
      !read_activation(file, "scores", &scores_quant_, error)) {
    return false;
  }
  maps_.clear();
  maps_.push_back(feature_map(backbone_.block_input_size(kSsdTapBlock),
                              arch.blocks[kSsdTapBlock].expanded_channels, tap));
  maps_.push_back(feature_map(backbone_.head_size(), arch.head_channels, head));
  if (!load_extras(file, error)) return false;
  if (!check_anchor_params(anchor_params_, maps_.size(), error)) return false;

  // 20 bytes per anchor and column: the float engine's 16 plus this engine's int8 buffers.
  const std::vector<size_t> grid_sizes = ssd_grid_sizes(maps_);
  if (!check_ssd_output_budget(grid_sizes, anchor_params_, num_classes_, 20, error)) return false;
  if (!load_predictors(file, error)) return false;
  anchors_ = generate_anchors(anchor_params_, grid_sizes);

  const SsdScratchSizes scratch = ssd_scratch_sizes(extras_, maps_);
  // predicted_ holds one predictor's output at a time: 4 box values or score_stride() class
  // values per anchor, whichever is more (a model with fewer than 3 classes has narrower
  // class rows than box rows).
  const size_t values_per_anchor = std::max<size_t>(4, score_stride());
  size_t max_predicted = 0;
  for (const FeatureMap& map : maps_) {
    max_predicted = std::max(max_predicted, map.size * map.size * map.anchors_per_cell * values_per_anchor);
  }
  expanded_.assign(scratch.expanded, 0);
  depthwise_out_.assign(scratch.depthwise, 0);
  predicted_.assign(max_predicted, 0);
  rows_.assign(scratch.rows, nullptr);
  box_codes_.assign(anchors_.size() * 4, 0);
  score_codes_.assign(anchors_.size() * score_stride(), 0);
  encodings_.assign(anchors_.size() * 4, 0.0f);
  scores_.assign(anchors_.size() * score_stride(), 0.0f);
  return true;
}

bool SSDLiteQ8::load_extras(const WeightFileView& file, std::string* error) {
  extras_.clear();
  size_t size = maps_.back().size, channels = maps_.back().channels;
  ActivationQuant current = maps_.back().quant;
  for (size_t i = 0; file.find(ssd_layer_name("extra", i, "expand") + ".w") != nullptr; ++i) {
    if (i == kSsdMaxExtraLayers) {
      return fail(error, "weight file has more than " + std::to_string(kSsdMaxExtraLayers) +
                             " SSD extra layers");
    }
    Extra extra;
    extra.in_size = size;
    extra.out_size = same_padding(size, 2, 3).output;
    extra.in_channels = channels;
    const std::string expand = ssd_layer_name("extra", i, "expand");
    const std::string dw = ssd_layer_name("extra", i, "dw");
    const std::string project = ssd_layer_name("extra", i, "project");
    ActivationQuant expand_q{}, dw_q{};
    if (!pointwise_outputs(file, expand, &extra.mid_channels, error) ||
        !read_activation(file, expand, &expand_q, error) ||
        !read_pointwise(file, expand, channels, extra.mid_channels, current, expand_q,
                        &extra.expand, error) ||
        !read_activation(file, dw, &dw_q, error) ||
        !read_depthwise(file, dw, extra.mid_channels, expand_q, dw_q, &extra.depthwise, error) ||
        !pointwise_outputs(file, project, &extra.out_channels, error) ||
        !read_activation(file, project, &extra.output_quant, error) ||
        !read_pointwise(file, project, extra.mid_channels, extra.out_channels, dw_q,
                        extra.output_quant, &extra.project, error)) {
      return false;
    }
    extra.expand_out = relu6_output(expand_q);
    extra.depthwise_out = relu6_output(dw_q);
    extra.project_out = relu6_output(extra.output_quant);
    extra.output.assign(extra.out_size * extra.out_size * extra.out_channels, 0);
    size = extra.out_size;
    channels = extra.out_channels;
    current = extra.output_quant;
    maps_.push_back(feature_map(size, channels, current));
    extras_.push_back(std::move(extra));
  }
  return true;
}

bool SSDLiteQ8::load_predictors(const WeightFileView& file, std::string* error) {
  size_t first_anchor = 0;
  for (size_t m = 0; m < maps_.size(); ++m) {
    FeatureMap& map = maps_[m];
    map.anchors_per_cell = mnv2::anchors_per_cell(anchor_params_, m);
    map.first_anchor = first_anchor;
    const size_t a = map.anchors_per_cell;
    const std::string box_dw = ssd_layer_name("box", m, "dw"), box_pw = ssd_layer_name("box", m, "pw");
    const std::string class_dw = ssd_layer_name("class", m, "dw");
    const std::string class_pw = ssd_layer_name("class", m, "pw");
    ActivationQuant box_dw_q{}, box_pw_q{}, class_dw_q{}, class_pw_q{};
    if (!read_activation(file, box_dw, &box_dw_q, error) ||
        !read_depthwise(file, box_dw, map.channels, map.quant, box_dw_q, &map.box_dw, error) ||
        !read_activation(file, box_pw, &box_pw_q, error) ||
        !read_pointwise(file, box_pw, map.channels, a * 4, box_dw_q, box_pw_q, &map.box_pw,
                        error) ||
        !read_activation(file, class_dw, &class_dw_q, error) ||
        !read_depthwise(file, class_dw, map.channels, map.quant, class_dw_q, &map.class_dw,
                        error) ||
        !read_activation(file, class_pw, &class_pw_q, error) ||
        !read_pointwise(file, class_pw, map.channels, a * score_stride(), class_dw_q,
                        class_pw_q, &map.class_pw, error)) {
      return false;
    }
    map.box_dw_out = relu6_output(box_dw_q);
    map.box_pw_out = linear_output(box_pw_q);
    map.class_dw_out = relu6_output(class_dw_q);
    map.class_pw_out = linear_output(class_pw_q);
    build_tables(map, box_pw_q, class_pw_q);
    first_anchor += map.size * map.size * a;
  }
  if (file.find(ssd_layer_name("box", maps_.size(), "dw") + ".w") != nullptr) {
    return fail(error, "weight file has box predictors for more than the " +
                           std::to_string(maps_.size()) + " feature maps its layers produce");
  }
  return true;
}

void SSDLiteQ8::build_tables(FeatureMap& map, const ActivationQuant& box_out,
                             const ActivationQuant& class_out) {
  for (int32_t q = -128; q < 128; ++q) {
    const size_t i = static_cast<size_t>(q + 128);
    map.box_code[i] = requantize(q, box_out, boxes_quant_);
    map.box_value[i] = dequantized(map.box_code[i], boxes_quant_);
    // LOGISTIC: the sigmoid of the dequantized logit, quantized to the output (round half away
    // from zero, clamp), as TFLite's int8 lookup table and the reference runtime compute it.
    const float logit = dequantized(requantize(q, class_out, logits_quant_), logits_quant_);
    const float sigmoid = 1.0f / (1.0f + std::exp(-logit));
    const float code = std::round(sigmoid / scores_quant_.scale) + static_cast<float>(scores_quant_.zero_point);
    map.score_code[i] = static_cast<int8_t>(std::clamp(code, -128.0f, 127.0f));
    map.score_value[i] = dequantized(map.score_code[i], scores_quant_);
  }
}

const int8_t* SSDLiteQ8::map_data(size_t map) {
  if (map == 0) return backbone_.expansion(kSsdTapBlock);
  if (map == 1) return backbone_.head_output();
  return extras_[map - 2].output.data();
}

void SSDLiteQ8::depthwise(const int8_t* input, size_t size, size_t channels, size_t stride,
                          const int32_t* packed, const Q8Output& output_params, int8_t* output) {
  const SamePadding padding = same_padding(size, stride, 3);
  for (size_t y = 0; y < size; ++y) rows_[y] = input + y * size * channels;
  qs8_dwconv3x3_fn* kernel =
      stride == 1 ? kernels_->qs8_dwconv3x3s1_minmax : kernels_->qs8_dwconv3x3s2_minmax;
  kernel(rows_.data(), size, size, channels, padding.before, padding.before, packed, output,
         padding.output, 0, padding.output, output_params);
}

void SSDLiteQ8::run_extra(Extra& extra, const int8_t* input) {
  const size_t in_pixels = extra.in_size * extra.in_size;
  const size_t out_pixels = extra.out_size * extra.out_size;
  extra.expand.run(kernels_->qs8_gemm_minmax, in_pixels, input, extra.in_channels,
                   expanded_.data(), extra.mid_channels, extra.expand_out);
  depthwise(expanded_.data(), extra.in_size, extra.mid_channels, 2, extra.depthwise.data(),
            extra.depthwise_out, depthwise_out_.data());
  extra.project.run(kernels_->qs8_gemm_minmax, out_pixels, depthwise_out_.data(),
                    extra.mid_channels, extra.output.data(), extra.out_channels,
                    extra.project_out);
}

void SSDLiteQ8::run_predictor(const FeatureMap& map, const int8_t* input) {
  // A 1x1 conv's [pixels][A * k] output is already the [pixels * A][k] rows the anchors take
  // (the graph's RESHAPE), so each predictor's values map one to one onto its slice of the
  // concatenated outputs.
  const size_t pixels = map.size * map.size;
  const size_t box_n = map.anchors_per_cell * 4;
  const size_t class_n = map.anchors_per_cell * score_stride();
  depthwise(input, map.size, map.channels, 1, map.box_dw.data(), map.box_dw_out,
            depthwise_out_.data());
  map.box_pw.run(kernels_->qs8_gemm_minmax, pixels, depthwise_out_.data(), map.channels,
                 predicted_.data(), box_n, map.box_pw_out);
  int8_t* box_codes = box_codes_.data() + map.first_anchor * 4;
  float* encodings = encodings_.data() + map.first_anchor * 4;
  for (size_t i = 0; i < pixels * box_n; ++i) {
    const size_t q = static_cast<size_t>(predicted_[i] + 128);
    box_codes[i] = map.box_code[q];
    encodings[i] = map.box_value[q];
  }
  depthwise(input, map.size, map.channels, 1, map.class_dw.data(), map.class_dw_out,
            depthwise_out_.data());
  map.class_pw.run(kernels_->qs8_gemm_minmax, pixels, depthwise_out_.data(), map.channels,
                   predicted_.data(), class_n, map.class_pw_out);
  int8_t* score_codes = score_codes_.data() + map.first_anchor * score_stride();
  float* scores = scores_.data() + map.first_anchor * score_stride();
  for (size_t i = 0; i < pixels * class_n; ++i) {
    const size_t q = static_cast<size_t>(predicted_[i] + 128);
    score_codes[i] = map.score_code[q];
    scores[i] = map.score_value[q];
  }
}

void SSDLiteQ8::run(PixelRows& input) {
  backbone_.run_backbone(input);
  const int8_t* previous = backbone_.head_output();
  for (Extra& extra : extras_) {
    run_extra(extra, previous);
    previous = extra.output.data();
  }
  for (size_t m = 0; m < maps_.size(); ++m) run_predictor(maps_[m], map_data(m));
}

}  // namespace mnv2
