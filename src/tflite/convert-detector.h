// TFLite SSDLite MobileNetV2 detector -> .mnv2 weight file (ModelKind::kDetector).
//
// The layers are found by walking the graph back from TFLite_Detection_PostProcess
// (detector-graph.h). Then every layer is checked: the backbone against
// mobilenet_v2_architecture(alpha) with alpha inferred from the channel counts, feature map 0
// must be the expansion of block kSsdTapBlock (ssdlite.h) and map 1 the head conv, the extra
// layers must be 1x1 / depthwise 3x3 stride 2 / 1x1 (ReLU6, SAME), each predictor depthwise
// 3x3 (ReLU6) then a linear 1x1 conv with anchors-per-cell x 4 (boxes) or x (classes + 1)
// outputs. Weights keep their stored integers and quantization (int8 per channel, int32
// biases in the VOC model); the loader dequantizes them per output channel. Quantized graphs
// also get every activation's scale and zero point as "<layer>.out_q" tensors (listed at
// add_activation_quants in convert-detector.cc) for the integer engine.
//
// Postprocess settings (box coder scales, NMS defaults, class count) come from the
// operator's FlexBuffer options. The anchor generator settings are not in a TFLite file, so
// the converter takes them as a parameter (ssdlite_voc_anchor_params() for the shared model),
// writes them into the weight file, and refuses to convert unless the anchors they generate
// equal the file's constant anchor tensor to within kAnchorTolerance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/anchors.h"
#include "model/postprocess-params.h"
#include "tflite/conversion-result.h"
#include "tflite/tflite-reader.h"

namespace mnv2::tflite {

inline constexpr float kAnchorTolerance = 1e-5f;

// The ssd_anchor_generator of the training configuration of
// ssdlite_mobilenet_v2_voc_300_integer_quant_with_postprocess.tflite (see
// shared/models/SOURCES.md), which the TFLite file does not record.
AnchorParams ssdlite_voc_anchor_params();

// per_channel: the weights are quantized per channel (all layers alike in the shared model).
struct DetectorSummary : ModelSummary {
  size_t tap_block = 0;
  std::vector<size_t> map_sizes;  // feature map sides, in anchor order
  size_t anchor_count = 0;
  float max_anchor_error = 0.0f;  // largest |generated - stored| over all anchor values
  PostprocessParams postprocess;
};

using DetectorConvertResult = ConversionResult<DetectorSummary>;

// labels: one per class without a background entry (index i = class i of the scores after
// their background column); their count must equal the model's num_classes.
DetectorConvertResult convert_detector(const Graph& graph, const std::vector<std::string>& labels,
                                       const AnchorParams& anchors = ssdlite_voc_anchor_params());

// read_tflite() followed by convert_detector().
DetectorConvertResult convert_detector(const uint8_t* tflite, size_t size,
                                       const std::vector<std::string>& labels,
                                       const AnchorParams& anchors = ssdlite_voc_anchor_params());

}  // namespace mnv2::tflite
