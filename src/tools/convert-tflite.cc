// mnv2-convert: TFLite MobileNetV2 classifier or SSDLite detector -> .mnv2 weight file.
//   mnv2-convert [--detector] --labels LABELS.txt IN.tflite OUT.mnv2
// or, for the browser benchmark, copies of a .tflite that LiteRT.js can run: the detection
// post-process outputs given static shapes (tflite/detection-output-shapes.h), and with
// --float-tflite the whole graph in float32 (tflite/float-graph.h):
//   mnv2-convert --static-outputs IN.tflite OUT.tflite
//   mnv2-convert --float-tflite IN.tflite OUT.tflite
// Prints a one-line summary on success; on any error prints it to stderr and exits 1, leaving
// no partial output file behind.
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "tflite/convert-classifier.h"
#include "tflite/convert-detector.h"
#include "tflite/detection-output-shapes.h"
#include "tflite/float-graph.h"
#include "tflite/tflite-writer.h"

namespace {

const char kUsage[] =
    "usage: mnv2-convert [--detector] --labels LABELS.txt IN.tflite OUT.mnv2\n"
    "       mnv2-convert --static-outputs | --float-tflite IN.tflite OUT.tflite\n";

int error(const std::string& message) {
  std::fprintf(stderr, "mnv2-convert: %s\n", message.c_str());
  return 1;
}

const char* type_name(mnv2::TensorType type) {
  switch (type) {
    case mnv2::TensorType::kF32: return "float32";
    case mnv2::TensorType::kU8: return "uint8";
    case mnv2::TensorType::kI8: return "int8";
    case mnv2::TensorType::kI32: return "int32";
  }
  return "?";
}

// Writes to a temporary name first so an interrupted run never leaves a truncated file that
// a later build step would take as up to date.
bool write_file(const std::string& path, const std::vector<uint8_t>& bytes, std::string* err) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) {
      *err = "cannot create " + temp;
      return false;
    }
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::remove(temp.c_str());
      *err = "error writing " + temp;
      return false;
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    *err = "cannot rename " + temp + " to " + path;
    return false;
  }
  return true;
}

int convert_detector(const std::string& in_path, const std::string& out_path,
                     const std::vector<uint8_t>& model, const std::vector<std::string>& labels) {
  const mnv2::tflite::DetectorConvertResult result =
      mnv2::tflite::convert_detector(model.data(), model.size(), labels);
  if (!result.ok) return error(in_path + ": " + result.error);
  std::string err;
  if (!write_file(out_path, result.file, &err)) return error(err);
  const mnv2::tflite::DetectorSummary& s = result.summary;
  std::string maps;
  for (size_t size : s.map_sizes) maps += (maps.empty() ? "" : ",") + std::to_string(size);
  std::printf("%s: SSDLite MobileNetV2 alpha %g, input %ux%u (mean %g, std %g), %u classes, "
              "feature maps %s (map 0 = block %zu expansion), %zu anchors (generated, max "
              "difference from the model's %.2g), %zu tensors (%s weights, %s%s), %zu bytes\n",
              out_path.c_str(), s.alpha, s.input_size, s.input_size, s.input_mean, s.input_std,
              s.num_classes, maps.c_str(), s.tap_block, s.anchor_count, s.max_anchor_error,
              s.tensor_count, type_name(s.weight_type),
              s.per_channel ? "per-channel" : "per-tensor",
              s.activation_quantization ? ", activation quantization" : "", result.file.size());
  return 0;
}

std::string shape_text(const std::vector<int32_t>& shape) {
  std::string text;
  for (int32_t d : shape) text += (text.empty() ? "" : "x") + std::to_string(d);
  return text;
}

// A copy of the model for another runtime: static detection output shapes, and all in
// float32 when `dequantize`.
int copy_tflite(const std::string& in_path, const std::string& out_path,
                const std::vector<uint8_t>& model, bool dequantize) {
  const mnv2::tflite::ReadResult read = mnv2::tflite::read_tflite(model.data(), model.size());
  if (!read.ok) return error(in_path + ": " + read.error);
  mnv2::tflite::Graph graph = read.graph;
  size_t dropped = 0;
  size_t dequantized = 0;
  if (dequantize) {
    mnv2::tflite::FloatGraphResult converted = mnv2::tflite::float_graph(read.graph);
    if (!converted.ok) return error(in_path + ": " + converted.error);
    graph = std::move(converted.graph);
    dropped = converted.dropped_operators;
    dequantized = converted.dequantized_constants;
  }
  std::string err;
  const int shaped = mnv2::tflite::set_detection_output_shapes(graph, &err);
  if (shaped < 0) return error(in_path + ": " + err);
  const mnv2::tflite::WriteResult written = mnv2::tflite::write_tflite(graph);
  if (!written.ok) return error(in_path + ": " + written.error);
  if (!write_file(out_path, written.bytes, &err)) return error(err);
  std::string outputs;
  for (int32_t t : graph.outputs) outputs += (outputs.empty() ? "" : ", ") + shape_text(graph.tensors[t].shape);
  std::printf("%s: %s of %s: %zu operators (%zu QUANTIZE/DEQUANTIZE dropped), %zu constants "
              "dequantized, %d detection post-process op(s) given static output shapes, input %s, "
              "outputs %s, %zu bytes\n",
              out_path.c_str(), dequantize ? "float32 copy" : "copy", in_path.c_str(),
              graph.operators.size(), dropped, dequantized, shaped,
              shape_text(graph.tensors[graph.inputs.at(0)].shape).c_str(), outputs.c_str(),
              written.bytes.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string labels_path;
  bool detector = false;
  bool float_tflite = false;
  bool static_outputs = false;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--labels") {
      if (i + 1 >= argc) return error("--labels needs a file\n" + std::string(kUsage));
      labels_path = argv[++i];
    } else if (arg == "--detector") {
      detector = true;
    } else if (arg == "--float-tflite") {
      float_tflite = true;
    } else if (arg == "--static-outputs") {
      static_outputs = true;
    } else if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return error("unknown option " + arg + "\n" + kUsage);
    } else {
      positional.push_back(arg);
    }
  }
  const bool copy = float_tflite || static_outputs;
  if (copy && !detector && labels_path.empty() && positional.size() == 2) {
    std::vector<uint8_t> model;
    std::string err;
    if (!mnv2::tflite::read_binary_file(positional[0], &model, &err)) return error(err);
    return copy_tflite(positional[0], positional[1], model, float_tflite);
  }
  if (copy || labels_path.empty() || positional.size() != 2) {
    std::fputs(kUsage, stderr);
    return 1;
  }
  const std::string& in_path = positional[0];
  const std::string& out_path = positional[1];

  std::string err;
  std::vector<std::string> labels;
  if (!mnv2::tflite::read_label_file(labels_path, &labels, &err)) return error(err);
  std::vector<uint8_t> model;
  if (!mnv2::tflite::read_binary_file(in_path, &model, &err)) return error(err);
  if (detector) return convert_detector(in_path, out_path, model, labels);

  const mnv2::tflite::ConvertResult result =
      mnv2::tflite::convert_classifier(model.data(), model.size(), labels);
  if (!result.ok) return error(in_path + ": " + result.error);
  if (!write_file(out_path, result.file, &err)) return error(err);

  const mnv2::tflite::ClassifierSummary& s = result.summary;
  std::printf("%s: MobileNetV2 alpha %g, input %ux%u (mean %g, std %g), %u classes, "
              "%zu blocks, %zu tensors (%s weights, %s%s), %zu bytes\n",
              out_path.c_str(), s.alpha, s.input_size, s.input_size, s.input_mean, s.input_std,
              s.num_classes, s.block_count, s.tensor_count, type_name(s.weight_type),
              s.per_channel ? "per-channel" : "per-tensor",
              s.activation_quantization ? ", activation quantization" : "", result.file.size());
  return 0;
}
