// The TFLite reader and the MobileNetV2 classifier converter, on the real models in
// ../shared/models (always present here and in CI: a missing model fails, it does not skip)
// and on malformed input: empty, random, truncated and corrupted files must give an error
// message, never a crash (the ASan build turns any stray read into a failure).
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "model/architecture.h"
#include "model/weight-format.h"
#include "model/weight-writer.h"
#include "native/graph-edits.h"
#include "native/shared-models.h"
#include "tflite-subset_generated.h"
#include "tflite/convert-classifier.h"
#include "tflite/tflite-reader.h"

namespace mnv2::tflite {
namespace {

struct Models {
  std::vector<uint8_t> tf1_uint8, tf2_int8;
  std::vector<std::string> labels;
};

// Reads the real files once.
const Models& models() {
  static const Models m{test::read_model_file("mobilenet_v2_1.0_224_quant.tflite"),
                        test::read_model_file("tf2_mobilenet_v2_1.0_224_ptq.tflite"),
                        test::read_model_labels("imagenet_labels.txt")};
  return m;
}

// A minimal independent reading of the .mnv2 layout, so these tests check the bytes the
// converter writes rather than trusting the engine's loader.
struct Parsed {
  FileHeader header;
  std::vector<TensorRecord> records;
  std::vector<std::string> labels;

  const TensorRecord* find(const std::string& name) const {
    for (const TensorRecord& r : records) {
      if (name == r.name) return &r;
    }
    return nullptr;
  }
};

Parsed parse(const std::vector<uint8_t>& file) {
  Parsed p;
  REQUIRE(file.size() >= sizeof(FileHeader));
  std::memcpy(&p.header, file.data(), sizeof p.header);
  REQUIRE(std::memcmp(p.header.magic, kWeightMagic, sizeof kWeightMagic) == 0);
  REQUIRE(p.header.file_bytes == file.size());
  CHECK(p.header.checksum == crc32(file.data() + p.header.header_bytes,
                                   file.size() - p.header.header_bytes));
  REQUIRE(p.header.tensor_table_offset + uint64_t{p.header.tensor_count} * sizeof(TensorRecord) <=
          file.size());
  p.records.resize(p.header.tensor_count);
  std::memcpy(p.records.data(), file.data() + p.header.tensor_table_offset,
              p.records.size() * sizeof(TensorRecord));
  REQUIRE(uint64_t{p.header.labels_offset} + p.header.labels_bytes <= file.size());
  std::string text(file.begin() + p.header.labels_offset,
                   file.begin() + p.header.labels_offset + p.header.labels_bytes);
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    p.labels.push_back(text.substr(start, end - start));
  }
  return p;
}

std::vector<uint32_t> dims_of(const TensorRecord& r) {
  return std::vector<uint32_t>(r.dims, r.dims + r.rank);
}

using Dims = std::vector<uint32_t>;

// Every tensor a MobileNetV2 classifier file must hold, with its shape for this alpha.
std::vector<std::pair<std::string, Dims>> expected_tensors(float alpha, uint32_t classes) {
  const ArchitectureShape arch = mobilenet_v2_architecture(alpha);
  std::vector<std::pair<std::string, Dims>> out;
  auto u = [](size_t v) { return static_cast<uint32_t>(v); };
  auto layer = [&](const std::string& name, Dims w) {
    out.push_back({name + ".w", w});
    out.push_back({name + ".b", {w[0] == 1 ? w[3] : w[0]}});
  };
  layer("stem", {u(arch.stem_channels), 3, 3, 3});
  for (size_t i = 0; i < arch.blocks.size(); ++i) {
    const BlockShape& b = arch.blocks[i];
    if (b.has_expand) {
      layer(block_layer_name(i, "expand"), {u(b.expanded_channels), 1, 1, u(b.in_channels)});
    }
    layer(block_layer_name(i, "dw"), {1, 3, 3, u(b.expanded_channels)});
    layer(block_layer_name(i, "project"), {u(b.out_channels), 1, 1, u(b.expanded_channels)});
  }
  layer("head", {u(arch.head_channels), 1, 1, u(arch.blocks.back().out_channels)});
  layer("logits", {classes, 1, 1, u(arch.head_channels)});
  return out;
}

// The activation quantization a quantized classifier file carries for the integer engine.
std::vector<std::string> expected_activation_quants(float alpha) {
  const ArchitectureShape arch = mobilenet_v2_architecture(alpha);
  std::vector<std::string> out = {"input.out_q", "stem.out_q"};
  for (size_t i = 0; i < arch.blocks.size(); ++i) {
    const BlockShape& b = arch.blocks[i];
    if (b.has_expand) out.push_back(block_layer_name(i, "expand") + ".out_q");
    out.push_back(block_layer_name(i, "dw") + ".out_q");
    out.push_back(block_layer_name(i, "project") + ".out_q");
    if (b.residual) out.push_back(block_layer_name(i, "add") + ".out_q");
  }
  for (const char* name : {"head.out_q", "pool.out_q", "logits.out_q", "output.out_q"}) {
    out.push_back(name);
  }
  return out;
}

// A conversion of one of the two real models (MobileNetV2 1.0/224, 1001 classes), its summary
// and its file. activation_type: the element type of the quantized activations; the graph input
// and output may differ from it (input_type, output_type: the TF2 model quantizes its uint8
// input to int8 and its int8 softmax back to uint8). mean_pool: the graph pools with MEAN (the
// TF2 model), which the file marks with "pool.mean" (TFLite's MEAN rounds unlike its
// AVERAGE_POOL_2D).
void check_classifier_file(const ConvertResult& result, TensorType weight_type,
                           bool per_channel, TensorType activation_type, TensorType input_type,
                           TensorType output_type, bool mean_pool) {
  REQUIRE_MESSAGE(result.ok, result.error);
  CHECK(result.summary.block_count == 17);
  CHECK(result.summary.alpha == 1.0f);
  CHECK(result.summary.input_size == 224);
  CHECK(result.summary.num_classes == 1001);
  CHECK(result.summary.weight_type == weight_type);
  CHECK(result.summary.per_channel == per_channel);

  const Parsed p = parse(result.file);
  CHECK(p.header.model_kind == static_cast<uint32_t>(ModelKind::kClassifier));
  CHECK(p.header.alpha == 1.0f);
  CHECK(p.header.input_size == 224);
  CHECK(p.header.num_classes == 1001);
  REQUIRE(p.labels.size() == 1001);
  CHECK(p.labels[0] == "background");
  CHECK(p.labels[286] == "Egyptian cat");

  const auto expected = expected_tensors(1.0f, 1001);
  const auto quants = expected_activation_quants(1.0f);
  const size_t markers = mean_pool ? 1 : 0;
  CHECK(p.records.size() == expected.size() + quants.size() + markers);
  CHECK(result.summary.tensor_count == expected.size() + quants.size() + markers);
  CHECK((p.find("pool.mean") != nullptr) == mean_pool);
  CHECK(result.summary.activation_quantization);
  for (const std::string& name : quants) {
    CAPTURE(name);
    const TensorRecord* r = p.find(name);
    REQUIRE(r != nullptr);
    CHECK(dims_of(*r) == Dims{1});
    const TensorType type = name == "input.out_q" ? input_type
                            : name == "output.out_q" ? output_type : activation_type;
    CHECK(r->type == static_cast<uint32_t>(type));
    REQUIRE(r->quant_count == 1);
    float scale;
    int32_t zero_point;
    std::memcpy(&scale, result.file.data() + r->quant_offset, 4);
    std::memcpy(&zero_point, result.file.data() + r->quant_offset + 4, 4);
    CHECK(scale > 0.0f);
    // The one element is the zero point, stored in the tensor's type.
    const uint8_t element = result.file[r->data_offset];
    CHECK(int32_t(type == TensorType::kI8 ? int32_t(int8_t(element)) : int32_t(element)) == zero_point);
    if (name == "output.out_q") {
      CHECK(scale == 1.0f / 256.0f);  // both models' softmax outputs
      CHECK(zero_point == 0);
    }
  }
  for (const auto& entry : expected) {
    const std::string& name = entry.first;
    const Dims& dims = entry.second;
    CAPTURE(name);
    const TensorRecord* r = p.find(name);
    REQUIRE(r != nullptr);
    CHECK(dims_of(*r) == dims);
    CHECK(r->data_offset % 4 == 0);
    const bool is_weight = name.back() == 'w';
    CHECK(r->type == static_cast<uint32_t>(is_weight ? weight_type : TensorType::kI32));
    const uint32_t channel_axis = name.find(".dw.w") != std::string::npos ? 3 : 0;
    if (per_channel) {
      CHECK(r->quant_count == r->dims[channel_axis]);
      CHECK(r->quant_axis == channel_axis);
    } else {
      CHECK(r->quant_count == 1);
    }
  }
}

ConvertResult convert(const std::vector<uint8_t>& bytes,
                      const std::vector<std::string>& labels = models().labels) {
  return convert_classifier(bytes.data(), bytes.size(), labels);
}

// What every malformed input must produce: a failure with a message.
void expect_clean_error(const std::vector<uint8_t>& bytes) {
  const ConvertResult result = convert_classifier(bytes.data(), bytes.size(), models().labels);
  CHECK_FALSE(result.ok);
  CHECK_FALSE(result.error.empty());
  CHECK(result.file.empty());
}

TEST_SUITE("tflite converter") {
  TEST_CASE("the TF1 uint8 model converts with per-tensor uint8 weights") {
    const ConvertResult result = convert(models().tf1_uint8);
    check_classifier_file(result, TensorType::kU8, false, TensorType::kU8, TensorType::kU8,
                          TensorType::kU8, false);
    // uint8 input with scale 1/128 and zero point 128: (pixel - 128) / 128.
    CHECK(result.summary.input_mean == 128.0f);
    CHECK(result.summary.input_std == 128.0f);
  }

  TEST_CASE("the TF2 int8 model converts with per-channel int8 weights") {
    const ConvertResult result = convert(models().tf2_int8);
    check_classifier_file(result, TensorType::kI8, true, TensorType::kI8, TensorType::kI8,
                          TensorType::kU8, true);
    // Its uint8 input has scale 1/127.5 and zero point 127.
    CHECK(result.summary.input_mean == 127.0f);
    CHECK(result.summary.input_std == doctest::Approx(127.5f));
  }

  TEST_CASE("stored weights are the TFLite integers with their scale and zero point") {
    const ReadResult read = read_tflite(models().tf1_uint8.data(), models().tf1_uint8.size());
    REQUIRE_MESSAGE(read.ok, read.error);
    const Operator* stem = nullptr;
    for (const Operator& op : read.graph.operators) {
      if (op.code == op::kConv2D) {
        stem = &op;
        break;
      }
    }
    REQUIRE(stem != nullptr);
    const Tensor& w = read.graph.tensors[static_cast<size_t>(stem->inputs[1])];

    const ConvertResult result = convert_classifier(read.graph, models().labels);
    REQUIRE_MESSAGE(result.ok, result.error);
    const Parsed p = parse(result.file);
    const TensorRecord* r = p.find("stem.w");
    REQUIRE(r != nullptr);
    REQUIRE(r->data_bytes == w.data_bytes());
    CHECK(std::memcmp(result.file.data() + r->data_offset, w.data(), w.data_bytes()) == 0);
    REQUIRE(r->quant_count == 1);
    float scale;
    int32_t zero_point;
    std::memcpy(&scale, result.file.data() + r->quant_offset, 4);
    std::memcpy(&zero_point, result.file.data() + r->quant_offset + 4, 4);
    CHECK(scale == w.quant.scales[0]);
    CHECK(zero_point == w.quant.zero_points[0]);
  }

  TEST_CASE("the label count must match the classifier outputs") {
    std::vector<std::string> labels = models().labels;
    labels.pop_back();
    const ConvertResult result = convert(models().tf1_uint8, labels);
    CHECK_FALSE(result.ok);
    CHECK(result.error.find("1000 labels") != std::string::npos);
    CHECK(result.error.find("1001 classes") != std::string::npos);
  }
}

// Edits a parsed graph and checks that conversion names the operator and the problem.
void expect_graph_error(void (*edit)(Graph&), const std::vector<std::string>& fragments) {
  ReadResult read = read_tflite(models().tf1_uint8.data(), models().tf1_uint8.size());
  REQUIRE_MESSAGE(read.ok, read.error);
  edit(read.graph);
  const ConvertResult result = convert_classifier(read.graph, models().labels);
  CHECK_FALSE(result.ok);
  for (const std::string& fragment : fragments) {
    CHECK_MESSAGE(result.error.find(fragment) != std::string::npos, result.error);
  }
}

Operator& nth_op(Graph& g, int32_t code, int n) {
  for (Operator& op : g.operators) {
    if (op.code == code && n-- == 0) return op;
  }
  FAIL("the graph has too few operators of code " << code);
  return g.operators.front();
}

TEST_SUITE("tflite converter validation") {
  TEST_CASE("a wrong stride names the operator") {
    // The second DEPTHWISE_CONV_2D (block 1) has stride 2 in MobileNetV2.
    expect_graph_error([](Graph& g) { nth_op(g, op::kDepthwiseConv2D, 1).options.stride_w = 1; },
                       {"operator #4 (DEPTHWISE_CONV_2D, block 1 depthwise)", "stride 1x2"});
  }

  TEST_CASE("a wrong fused activation names the operator") {
    expect_graph_error(
        [](Graph& g) { nth_op(g, op::kConv2D, 1).options.activation = Activation::kRelu6; },
        {"operator #2 (CONV_2D, block 0 project)", "RELU6"});
  }

  TEST_CASE("VALID padding on a 3x3 convolution is rejected") {
    expect_graph_error(
        [](Graph& g) { nth_op(g, op::kConv2D, 0).options.padding = Padding::kValid; },
        {"operator #0", "VALID padding"});
  }

  TEST_CASE("a weight shape that disagrees with the architecture names the operator") {
    expect_graph_error(
        [](Graph& g) {
          Operator& op = nth_op(g, op::kConv2D, 1);
          g.tensors[static_cast<size_t>(op.inputs[1])].shape = {16, 1, 1, 16};
        },
        {"operator #2", "shape [16,1,1,16]", "needs [16,1,1,32]"});
  }

  TEST_CASE("a missing residual ADD is reported") {
    expect_graph_error(
        [](Graph& g) {
          // Bypass the first ADD: its consumers read the project output directly.
          Operator& add = nth_op(g, op::kAdd, 0);
          const int32_t project_out = add.inputs[0], add_out = add.outputs[0];
          for (Operator& op : g.operators) {
            for (int32_t& t : op.inputs) {
              if (t == add_out) t = project_out;
            }
          }
          g.operators.erase(g.operators.begin() + add.index);
          for (size_t i = 0; i < g.operators.size(); ++i) g.operators[i].index = int32_t(i);
        },
        {"residual"});
  }

  TEST_CASE("an extra operator outside the walk is reported") {
    expect_graph_error(
        [](Graph& g) {
          // A RESHAPE of the logits' reshape-shape constant into a tensor nobody reads.
          Operator extra = nth_op(g, op::kReshape, 0);
          extra.inputs = {extra.inputs[1]};
          append_dangling_operator(g, extra);
        },
        {"operator #66 (RESHAPE) is not part of a MobileNetV2 classifier"});
  }
}

TEST_SUITE("tflite reader malformed input") {
  TEST_CASE("empty and tiny buffers") {
    CHECK_FALSE(read_tflite(nullptr, 0).ok);
    const uint8_t four[4] = {0, 0, 0, 0};
    const ReadResult r = read_tflite(four, sizeof four);
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("too short") != std::string::npos);
    expect_clean_error({});
  }

  TEST_CASE("random bytes") {
    std::mt19937 rng(1234);
    for (size_t size : {8u, 16u, 64u, 1000u, 100000u}) {
      for (int round = 0; round < 20; ++round) {
        std::vector<uint8_t> bytes(size);
        for (auto& b : bytes) b = static_cast<uint8_t>(rng());
        // Half the rounds carry the identifier, so the verifier itself is exercised.
        if (round % 2 == 0) std::memcpy(bytes.data() + 4, "TFL3", 4);
        CAPTURE(size);
        CAPTURE(round);
        expect_clean_error(bytes);
      }
    }
    const ReadResult r = read_tflite(std::vector<uint8_t>(64, 0xAB).data(), 64);
    CHECK(r.error.find("TFL3") != std::string::npos);
  }

  TEST_CASE("truncated files") {
    const std::vector<uint8_t>& full = models().tf1_uint8;
    for (size_t cut : {size_t{4}, size_t{8}, size_t{12}, size_t{100}, size_t{4096},
                       full.size() / 3, full.size() / 2, full.size() * 2 / 3}) {
      CAPTURE(cut);
      expect_clean_error(std::vector<uint8_t>(full.begin(), full.begin() + long(cut)));
    }
    // This file ends in a zip of label files (TFLite metadata's "associated files") that the
    // FlatBuffer does not reference, so cutting into it may leave a valid model; the result
    // must then be exactly the full file's.
    const ConvertResult reference = convert(full);
    REQUIRE(reference.ok);
    for (size_t tail : {size_t{1}, size_t{17}, size_t{1000}, size_t{30000}}) {
      CAPTURE(tail);
      const ConvertResult result =
          convert(std::vector<uint8_t>(full.begin(), full.end() - long(tail)));
      if (result.ok) {
        CHECK(result.file == reference.file);
      } else {
        CHECK_FALSE(result.error.empty());
      }
    }
  }

  TEST_CASE("flipped bytes in the real file give a result or a clean error") {
    const std::vector<uint8_t>& full = models().tf1_uint8;
    std::mt19937 rng(99);
    // Most of the file is weight data, where a flip still converts; the FlatBuffer tables
    // sit in the first and last few kilobytes, so aim most flips there.
    const size_t edge = 16384;
    int errors = 0;
    for (int round = 0; round < 60; ++round) {
      std::vector<uint8_t> bytes = full;
      size_t position;
      if (round % 3 == 0) {
        position = rng() % bytes.size();
      } else if (round % 3 == 1) {
        position = rng() % edge;
      } else {
        position = bytes.size() - 1 - rng() % edge;
      }
      bytes[position] ^= static_cast<uint8_t>(1u << (rng() % 8));
      CAPTURE(position);
      const ConvertResult result = convert(bytes);
      if (!result.ok) {
        ++errors;
        CHECK_FALSE(result.error.empty());
      }
    }
    CHECK(errors > 0);  // some flips must hit structure, or this test tests nothing
  }

  TEST_CASE("tables sharing one large vector cannot blow up memory") {
    // Legal FlatBuffers: 2000 buffer entries all point at one 64 KiB Buffer table, and 2000
    // tensors use them. Copying each would take 128 MiB from a ~80 KiB file.
    namespace fb = ::tflite;
    flatbuffers::FlatBufferBuilder builder;
    const auto payload = builder.CreateVector(std::vector<uint8_t>(65536, 7));
    const auto big = fb::CreateBuffer(builder, payload);
    std::vector<flatbuffers::Offset<fb::Buffer>> buffers = {fb::CreateBuffer(builder)};
    const auto shape = builder.CreateVector(std::vector<int32_t>{65536});
    std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
    for (uint32_t i = 1; i <= 2000; ++i) {
      buffers.push_back(big);
      tensors.push_back(fb::CreateTensor(builder, shape, fb::TensorType_UINT8, i));
    }
    const auto subgraph = fb::CreateSubGraph(builder, builder.CreateVector(tensors));
    const auto model = fb::CreateModel(builder, 3, 0, builder.CreateVector(&subgraph, 1), 0,
                                       builder.CreateVector(buffers));
    fb::FinishModelBuffer(builder, model);

    const ReadResult r = read_tflite(builder.GetBufferPointer(), builder.GetSize());
    CHECK_FALSE(r.ok);
    CHECK_MESSAGE(r.error.find("four times the file size") != std::string::npos, r.error);
  }

  TEST_CASE("tensors sharing one buffer share one copy") {
    namespace fb = ::tflite;
    flatbuffers::FlatBufferBuilder builder;
    const auto payload = builder.CreateVector(std::vector<uint8_t>(65536, 7));
    const std::vector<flatbuffers::Offset<fb::Buffer>> buffers = {
        fb::CreateBuffer(builder), fb::CreateBuffer(builder, payload)};
    const auto shape = builder.CreateVector(std::vector<int32_t>{256, 256});
    std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
    for (int i = 0; i < 500; ++i) {
      tensors.push_back(fb::CreateTensor(builder, shape, fb::TensorType_UINT8, 1));
    }
    const auto subgraph = fb::CreateSubGraph(builder, builder.CreateVector(tensors));
    const auto model = fb::CreateModel(builder, 3, 0, builder.CreateVector(&subgraph, 1), 0,
                                       builder.CreateVector(buffers));
    fb::FinishModelBuffer(builder, model);

    const ReadResult r = read_tflite(builder.GetBufferPointer(), builder.GetSize());
    REQUIRE_MESSAGE(r.ok, r.error);
    REQUIRE(r.graph.tensors.size() == 500);
    CHECK(r.graph.tensors[0].data_bytes() == 65536);
    CHECK(r.graph.tensors[0].data() == r.graph.tensors[499].data());
    // Not a classifier, and the converter says so instead of failing somewhere odd.
    const ConvertResult c = convert_classifier(r.graph, models().labels);
    CHECK_FALSE(c.ok);
    CHECK(c.error.find("inputs") != std::string::npos);
  }

  TEST_CASE("an unaligned buffer reads like an aligned one") {
    const std::vector<uint8_t>& full = models().tf1_uint8;
    std::vector<uint8_t> shifted(full.size() + 1);
    std::memcpy(shifted.data() + 1, full.data(), full.size());
    const ConvertResult result = convert_classifier(shifted.data() + 1, full.size(),
                                                    models().labels);
    CHECK_MESSAGE(result.ok, result.error);
  }
}

TEST_SUITE("tflite weight writer") {
  TEST_CASE("invalid tensors are refused with a reason") {
    WeightFileBuilder b;
    const uint8_t data[4] = {1, 2, 3, 4};
    CHECK_FALSE(b.add_tensor("a-name-that-is-far-too-long-for-32", TensorType::kU8, {4}, data, 4,
                             {1.0f}, {0}));
    CHECK(b.error().find("name") != std::string::npos);

    WeightFileBuilder c;
    CHECK_FALSE(c.add_tensor("w", TensorType::kU8, {2, 2}, data, 3, {1.0f}, {0}));
    CHECK(c.error().find("3 data bytes") != std::string::npos);

    WeightFileBuilder d;
    CHECK_FALSE(d.add_tensor("w", TensorType::kI8, {4}, data, 4, {1.0f}, {200}));
    CHECK(d.error().find("zero point") != std::string::npos);
    CHECK(d.build().empty());  // the first error sticks

    WeightFileBuilder e;
    CHECK_FALSE(e.add_tensor("w", TensorType::kU8, {2, 2}, data, 4, {1.0f, 1.0f, 1.0f}, {0, 0, 0}));
    CHECK(e.error().find("expected 1 or 2") != std::string::npos);
  }

  TEST_CASE("build lays out aligned data, quant params, labels and the checksum") {
    WeightFileBuilder b;
    b.set_input_size(96);
    b.set_alpha(0.35f);
    b.set_num_classes(2);
    b.set_input_normalization(128.0f, 128.0f);
    b.set_labels({"cat", "dog"});
    const uint8_t odd[3] = {7, 8, 9};
    REQUIRE(b.add_tensor("odd", TensorType::kU8, {3}, odd, 3, {0.5f}, {1}));
    REQUIRE(b.add_f32_tensor("f", {2}, {1.0f, -2.0f}));
    const std::vector<uint8_t> file = b.build();
    REQUIRE_MESSAGE(!file.empty(), b.error());
    const Parsed p = parse(file);
    CHECK(p.header.version == kWeightVersion);
    CHECK(p.header.input_size == 96);
    CHECK(p.header.alpha == 0.35f);
    CHECK(p.labels == std::vector<std::string>{"cat", "dog"});
    REQUIRE(p.records.size() == 2);
    CHECK(p.records[0].data_offset % 4 == 0);
    CHECK(p.records[1].data_offset % 4 == 0);
    CHECK(p.records[1].quant_count == 0);
    CHECK(std::memcmp(file.data() + p.records[0].data_offset, odd, 3) == 0);
    float f[2];
    std::memcpy(f, file.data() + p.records[1].data_offset, sizeof f);
    CHECK(f[0] == 1.0f);
    CHECK(f[1] == -2.0f);
  }

  TEST_CASE("labels must match the class count") {
    WeightFileBuilder b;
    b.set_num_classes(3);
    b.set_labels({"a", "b"});
    REQUIRE(b.add_f32_tensor("f", {1}, {0.0f}));
    CHECK(b.build().empty());
    CHECK(b.error().find("2 labels for 3 classes") != std::string::npos);
  }
}

}  // namespace
}  // namespace mnv2::tflite
