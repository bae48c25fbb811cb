#include "model/ssdlite.h"

#include <algorithm>
#include <limits>

#include "model/box-decode.h"
#include "model/layer-weights.h"
#include "model/ssdlite-load.h"

namespace mnv2 {
namespace {

constexpr float kRelu6Min = 0.0f;
constexpr float kRelu6Max = 6.0f;
constexpr float kLinearMin = -std::numeric_limits<float>::infinity();
constexpr float kLinearMax = std::numeric_limits<float>::infinity();

// The output channels of a 1x1 conv "<layer>.w" [out][1][1][in], checking its input side.
bool pointwise_outputs(const WeightFileView& file, const std::string& layer, size_t in_c,
                       size_t* out_c, std::string* error) {
  const TensorView* w = find_tensor(file, layer + ".w", error);
  if (w == nullptr) return false;
  if (w->dims.size() != 4 || w->dims[0] < 1 || w->dims[1] != 1 || w->dims[2] != 1 ||
      w->dims[3] != in_c) {
    *error = "tensor " + layer + ".w has shape " + dims_text(w->dims) + ", expected [N,1,1," +
             std::to_string(in_c) + "] (a 1x1 conv over " + std::to_string(in_c) + " channels)";
    return false;
  }
  *out_c = w->dims[0];
  return true;
}

}  // namespace

std::string ssd_layer_name(const char* group, size_t index, const char* layer) {
  return std::string(group) + std::to_string(index) + "." + layer;
}

bool SSDLite::load(const WeightFileView& file, const KernelTable& kernels, std::string* error,
                   Execution execution) {
  kernels_ = &kernels;
  if (file.header.model_kind != static_cast<uint32_t>(ModelKind::kDetector)) {
    *error = "weight file holds a classifier, not a detector";
    return false;
  }
  if (!backbone_.load(file, kernels, error, execution)) return false;
  if (backbone_.block_count() <= kSsdTapBlock ||
      !backbone_.block_shape(kSsdTapBlock).has_expand) {
    *error = "the backbone has no expansion in block " + std::to_string(kSsdTapBlock) +
             " for SSDLite's first feature map";
    return false;
  }
  backbone_.keep_expansion(kSsdTapBlock);
  num_classes_ = file.header.num_classes;

  if (!load_ssd_params(file, num_classes_, &anchor_params_, &postprocess_, error)) return false;

  maps_.clear();
  maps_.push_back({backbone_.block_input_size(kSsdTapBlock),
                   backbone_.block_shape(kSsdTapBlock).expanded_channels, 0, 0, {}, {}, {}, {}});
  maps_.push_back({backbone_.head_size(), backbone_.feature_size(), 0, 0, {}, {}, {}, {}});
  if (!load_extras(file, error)) return false;
  if (!check_anchor_params(anchor_params_, maps_.size(), error)) return false;
  if (!load_predictors(file, error)) return false;

  // 4 bytes of score and 12 of NMS candidate per anchor and column.
  const std::vector<size_t> grid_sizes = ssd_grid_sizes(maps_);
  if (!check_ssd_output_budget(grid_sizes, anchor_params_, num_classes_, 16, error)) return false;
  anchors_ = generate_anchors(anchor_params_, grid_sizes);

  const SsdScratchSizes scratch = ssd_scratch_sizes(extras_, maps_);
  expanded_.assign(scratch.expanded, 0.0f);
  depthwise_out_.assign(scratch.depthwise, 0.0f);
  rows_.assign(scratch.rows, nullptr);
  encodings_.assign(anchors_.size() * 4, 0.0f);
  scores_.assign(anchors_.size() * score_stride(), 0.0f);
  return true;
}

bool SSDLite::load_extras(const WeightFileView& file, std::string* error) {
  extras_.clear();
  size_t size = maps_.back().size, channels = maps_.back().channels;
  for (size_t i = 0; file.find(ssd_layer_name("extra", i, "expand") + ".w") != nullptr; ++i) {
    if (i == kSsdMaxExtraLayers) {
      *error = "weight file has more than " + std::to_string(kSsdMaxExtraLayers) +
               " SSD extra layers";
      return false;
    }
    Extra extra;
    extra.in_size = size;
    extra.out_size = same_padding(size, 2, 3).output;
    extra.in_channels = channels;
    const std::string expand = ssd_layer_name("extra", i, "expand");
    const std::string dw = ssd_layer_name("extra", i, "dw");
    const std::string project = ssd_layer_name("extra", i, "project");
    if (!pointwise_outputs(file, expand, channels, &extra.mid_channels, error) ||
        !read_pointwise(file, expand, channels, extra.mid_channels, &extra.expand, error) ||
        !read_depthwise(file, dw, extra.mid_channels, &extra.depthwise, error) ||
        !pointwise_outputs(file, project, extra.mid_channels, &extra.out_channels, error) ||
        !read_pointwise(file, project, extra.mid_channels, extra.out_channels, &extra.project,
                        error)) {
      return false;
    }
    extra.output.assign(extra.out_size * extra.out_size * extra.out_channels, 0.0f);
    size = extra.out_size;
    channels = extra.out_channels;
    extras_.push_back(std::move(extra));
    maps_.push_back({size, channels, 0, 0, {}, {}, {}, {}});
  }
  return true;
}

bool SSDLite::load_predictors(const WeightFileView& file, std::string* error) {
  size_t first_anchor = 0;
  for (size_t m = 0; m < maps_.size(); ++m) {
    FeatureMap& map = maps_[m];
    map.anchors_per_cell = mnv2::anchors_per_cell(anchor_params_, m);
    map.first_anchor = first_anchor;
    const size_t a = map.anchors_per_cell;
    if (!read_depthwise(file, ssd_layer_name("box", m, "dw"), map.channels, &map.box_dw,
                        error) ||
        !read_pointwise(file, ssd_layer_name("box", m, "pw"), map.channels, a * 4, &map.box_pw,
                        error) ||
        !read_depthwise(file, ssd_layer_name("class", m, "dw"), map.channels, &map.class_dw,
                        error) ||
        !read_pointwise(file, ssd_layer_name("class", m, "pw"), map.channels,
                        a * score_stride(), &map.class_pw, error)) {
      return false;
    }
    first_anchor += map.size * map.size * a;
  }
  if (file.find(ssd_layer_name("box", maps_.size(), "dw") + ".w") != nullptr) {
    *error = "weight file has box predictors for more than the " +
             std::to_string(maps_.size()) + " feature maps its layers produce";
    return false;
  }
  return true;
}

const float* SSDLite::map_data(size_t map) const {
  if (map == 0) return backbone_.expansion(kSsdTapBlock);
  if (map == 1) return backbone_.head_output();
  return extras_[map - 2].output.data();
}

void SSDLite::depthwise(const float* input, size_t size, size_t channels, size_t stride,
                        const float* packed, float* output) {
  const SamePadding padding = same_padding(size, stride, 3);
  for (size_t y = 0; y < size; ++y) rows_[y] = input + y * size * channels;
  dwconv3x3_fn* kernel =
      stride == 1 ? kernels_->f32_dwconv3x3s1_minmax : kernels_->f32_dwconv3x3s2_minmax;
  kernel(rows_.data(), size, size, channels, padding.before, padding.before, packed, output,
         padding.output, 0, padding.output, kRelu6Min, kRelu6Max);
}

void SSDLite::run_extra(Extra& extra, const float* input) {
  const size_t in_pixels = extra.in_size * extra.in_size;
  const size_t out_pixels = extra.out_size * extra.out_size;
  kernels_->f32_gemm_minmax(in_pixels, extra.in_channels, extra.mid_channels, input,
                            extra.in_channels, extra.expand.data(), expanded_.data(),
                            extra.mid_channels, nullptr, 0, kRelu6Min, kRelu6Max);
  depthwise(expanded_.data(), extra.in_size, extra.mid_channels, 2, extra.depthwise.data(),
            depthwise_out_.data());
  kernels_->f32_gemm_minmax(out_pixels, extra.mid_channels, extra.out_channels,
                            depthwise_out_.data(), extra.mid_channels, extra.project.data(),
                            extra.output.data(), extra.out_channels, nullptr, 0, kRelu6Min,
                            kRelu6Max);
}

void SSDLite::run_predictor(const FeatureMap& map, const float* input) {
  // A 1x1 conv's [pixels][A * k] output is already the [pixels * A][k] rows the anchors
  // take, so each predictor writes straight into its slice of the concatenated outputs.
  const size_t pixels = map.size * map.size;
  const size_t box_n = map.anchors_per_cell * 4;
  const size_t class_n = map.anchors_per_cell * score_stride();
  depthwise(input, map.size, map.channels, 1, map.box_dw.data(), depthwise_out_.data());
  kernels_->f32_gemm_minmax(pixels, map.channels, box_n, depthwise_out_.data(), map.channels,
                            map.box_pw.data(), encodings_.data() + map.first_anchor * 4, box_n,
                            nullptr, 0, kLinearMin, kLinearMax);
  depthwise(input, map.size, map.channels, 1, map.class_dw.data(), depthwise_out_.data());
  kernels_->f32_gemm_minmax(pixels, map.channels, class_n, depthwise_out_.data(), map.channels,
                            map.class_pw.data(),
                            scores_.data() + map.first_anchor * score_stride(), class_n,
                            nullptr, 0, kLinearMin, kLinearMax);
}

void SSDLite::run(const float* input) {
  InputTensorRows rows(input, input_size() * 3);
  run(rows);
}

void SSDLite::run(InputRows& input) {
  backbone_.run_backbone(input);
  const float* previous = backbone_.head_output();
  for (Extra& extra : extras_) {
    run_extra(extra, previous);
    previous = extra.output.data();
  }
  for (size_t m = 0; m < maps_.size(); ++m) run_predictor(maps_[m], map_data(m));
  sigmoid(scores_.data(), scores_.size(), scores_.data());
}

}  // namespace mnv2
