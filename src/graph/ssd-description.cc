#include "graph/ssd-description.h"

#include "model/layer-weights.h"
#include "model/ssdlite.h"

namespace mnv2 {
namespace {

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

// Extra layer i on the last map: 1x1 expand, depthwise 3x3 stride 2, 1x1 project, all ReLU6.
bool add_extra(const WeightFileView& file, size_t i, NetworkDescription* n, std::string* error) {
  const Value in = n->values[n->ssd.maps.back()];
  const std::string expand = ssd_layer_name("extra", i, "expand");
  const std::string dw = ssd_layer_name("extra", i, "dw");
  const std::string project = ssd_layer_name("extra", i, "project");
  size_t mid = 0, out = 0;
  if (!pointwise_outputs(file, expand, in.channels, &mid, error) ||
      !pointwise_outputs(file, project, mid, &out, error)) {
    return false;
  }
  Stage stage = make_stage("extra" + std::to_string(i), "ssd-extra", n->ssd.maps.back(),
                           in.height, 2, in.channels, mid, out);
  stage.expand = n->add_layer(expand, LayerKind::kPointwise, stage.in_channels,
                              stage.mid_channels, 1, Activation::kRelu6);
  stage.depthwise = n->add_layer(dw, LayerKind::kDepthwise3x3, stage.mid_channels,
                                 stage.mid_channels, 2, Activation::kRelu6);
  stage.project = n->add_layer(project, LayerKind::kPointwise, stage.mid_channels,
                               stage.out_channels, 1, Activation::kRelu6);
  stage.output = n->add_value(project, stage.out_size, stage.out_size, stage.out_channels);
  n->values[stage.output].kept = true;
  n->stages.push_back(stage);
  n->ssd.maps.push_back(stage.output);
  return true;
}

// The box or class predictor of map m: depthwise 3x3 (ReLU6), then a linear 1x1 conv whose
// [pixels][A * k] output is already the [pixels * A][k] rows of its anchors, so it writes
// straight into its slice of the concatenated output.
void add_predictor(size_t m, bool box, size_t first_anchor, NetworkDescription* n) {
  const Value map = n->values[n->ssd.maps[m]];
  const char* group = box ? "box" : "class";
  const size_t per_anchor = box ? 4 : n->num_classes + 1;
  Stage stage = make_stage(group + std::to_string(m), std::string("ssd-") + group, n->ssd.maps[m],
                           map.height, 1, map.channels, map.channels,
                           n->ssd.anchors_per_cell[m] * per_anchor);
  stage.depthwise = n->add_layer(ssd_layer_name(group, m, "dw"), LayerKind::kDepthwise3x3,
                                 map.channels, map.channels, 1, Activation::kRelu6);
  stage.project = n->add_layer(ssd_layer_name(group, m, "pw"), LayerKind::kPointwise,
                               map.channels, stage.out_channels, 1, Activation::kLinear);
  n->layers[stage.project].role = box ? LayerRole::kBoxEncodings : LayerRole::kClassLogits;
  stage.output = box ? n->ssd.boxes : n->ssd.scores;
  stage.output_offset = first_anchor * per_anchor;
  n->stages.push_back(stage);
}

}  // namespace

bool describe_ssd_head(const WeightFileView& file, NetworkDescription* n, std::string* error) {
  if (n->blocks <= kSsdTapBlock || n->stages[kSsdTapBlock].expand == kNone) {
    *error = "the backbone has no expansion in block " + std::to_string(kSsdTapBlock) +
             " for SSDLite's first feature map";
    return false;
  }
  SsdHead& ssd = n->ssd;
  if (!load_ssd_params(file, n->num_classes, &ssd.anchor_params, &ssd.postprocess, error)) {
    return false;
  }
  Stage& tap = n->stages[kSsdTapBlock];
  tap.expanded = n->add_value(n->layers[tap.expand].name, tap.in_size, tap.in_size,
                              tap.mid_channels);
  n->values[tap.expanded].kept = true;
  ssd.maps = {tap.expanded, n->stages[n->head].output};
  n->values[ssd.maps[1]].kept = true;
  for (size_t i = 0; file.find(ssd_layer_name("extra", i, "expand") + ".w") != nullptr; ++i) {
    if (i == kSsdMaxExtraLayers) {
      *error = "weight file has more than " + std::to_string(kSsdMaxExtraLayers) +
               " SSD extra layers";
      return false;
    }
    if (!add_extra(file, i, n, error)) return false;
  }
  if (!check_anchor_params(ssd.anchor_params, ssd.maps.size(), error)) return false;
  if (file.find(ssd_layer_name("box", ssd.maps.size(), "dw") + ".w") != nullptr) {
    *error = "weight file has box predictors for more than the " +
             std::to_string(ssd.maps.size()) + " feature maps its layers produce";
    return false;
  }
  std::vector<size_t> grid_sizes;
  for (size_t m = 0; m < ssd.maps.size(); ++m) {
    const size_t size = n->values[ssd.maps[m]].height;
    grid_sizes.push_back(size);
    ssd.anchors_per_cell.push_back(anchors_per_cell(ssd.anchor_params, m));
    ssd.anchors += size * size * ssd.anchors_per_cell.back();
  }
  // Per anchor and output column: 4 bytes of float output and 12 of NMS candidate, and for
  // int8 the output's codes and the raw predictor values as well.
  if (!check_ssd_output_budget(grid_sizes, ssd.anchor_params, n->num_classes, 20, error)) {
    return false;
  }
  ssd.boxes = n->add_value("boxes", ssd.anchors, 1, 4);
  ssd.scores = n->add_value("scores", ssd.anchors, 1, n->num_classes + 1);
  for (size_t value : {ssd.boxes, ssd.scores}) {
    n->values[value].kept = true;
    n->values[value].decoded = true;
  }
  size_t first_anchor = 0;
  for (size_t m = 0; m < ssd.maps.size(); ++m) {
    add_predictor(m, true, first_anchor, n);
    add_predictor(m, false, first_anchor, n);
    first_anchor += grid_sizes[m] * grid_sizes[m] * ssd.anchors_per_cell[m];
  }
  return true;
}

}  // namespace mnv2
