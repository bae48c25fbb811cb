// Where the int8 engine's differences from shared/reference come from. The reference (Arm NN 22
// CpuRef) computed its scores from PIL's pixels with float arithmetic; the engine follows TFLite's
// fixed point. Feeding ResizedPixels' output (the engine's own input) through a float model of
// Arm NN (armnn-float-model.h) must reproduce every reference top-5 score exactly: that proves
// the pixels are bit for bit the reference's (crop and PIL-exact resize), so the remaining
// differences, which tests/node/int8-reference.test.js bounds, are TFLite's arithmetic versus
// Arm NN's. BMPs only (decoded here); the JPEGs need libjpeg-turbo, which the Node test uses.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "model/pixel-rows.h"
#include "model/weight-file.h"
#include "native/armnn-float-model.h"
#include "native/shared-models.h"
#include "tflite/convert-classifier.h"

namespace {

using namespace mnv2;

uint32_t le32(const std::vector<uint8_t>& b, size_t at) {
  return uint32_t{b[at]} | uint32_t{b[at + 1]} << 8 | uint32_t{b[at + 2]} << 16 | uint32_t{b[at + 3]} << 24;
}

// An uncompressed 24-bit BMP (rows bottom-up unless the height is negative, BGR, rows padded to
// 4 bytes) as RGBA.
std::vector<uint8_t> read_bmp(const std::string& path, size_t* width, size_t* height) {
  const std::vector<uint8_t> b = test::read_file_or_fail(path, "a shared photo");
  REQUIRE(b.size() > 54);
  REQUIRE((b[0] == 'B' && b[1] == 'M'));
  const uint32_t offset = le32(b, 10);
  const int32_t w = static_cast<int32_t>(le32(b, 18)), h = static_cast<int32_t>(le32(b, 22));
  const uint16_t bits = static_cast<uint16_t>(b[28] | b[29] << 8);
  REQUIRE_MESSAGE((bits == 24 && le32(b, 30) == 0 && w > 0 && h != 0), path << ": not a plain 24-bit BMP");
  *width = static_cast<size_t>(w);
  *height = static_cast<size_t>(h < 0 ? -h : h);
  const size_t stride = (*width * 3 + 3) / 4 * 4;
  REQUIRE(b.size() >= offset + stride * *height);
  std::vector<uint8_t> rgba(*width * *height * 4);
  for (size_t y = 0; y < *height; ++y) {
    const uint8_t* row = &b[offset + stride * (h < 0 ? y : *height - 1 - y)];
    for (size_t x = 0; x < *width; ++x) {
      uint8_t* p = &rgba[(y * *width + x) * 4];
      p[0] = row[3 * x + 2];
      p[1] = row[3 * x + 1];
      p[2] = row[3 * x + 0];
      p[3] = 255;
    }
  }
  return rgba;
}

// The numbers of a JSON array after `"key": [` in line (the reference files are one flat JSON
// object per line).
std::vector<double> json_numbers(const std::string& line, const std::string& key) {
  const size_t at = line.find("\"" + key + "\"");
  REQUIRE(at != std::string::npos);
  const size_t open = line.find('[', at), close = line.find(']', at);
  std::stringstream items(line.substr(open + 1, close - open - 1));
  std::vector<double> values;
  for (std::string item; std::getline(items, item, ',');) values.push_back(std::stod(item));
  return values;
}

}  // namespace

TEST_CASE("Arm NN's float arithmetic on the int8 engine's pixels reproduces the reference") {
  const std::string shared = test::shared_dir();
  const std::vector<std::string> images = {"bird.bmp", "cat.bmp", "dragonfly.bmp", "grace_hopper.bmp",
                                           "missvickie_potato_chips.bmp"};
  const std::pair<const char*, const char*> models[] = {
      {"mobilenet_v2_1.0_224_quant.tflite", "mobilenet_v2_1.0_224_quant.jsonl"},
      {"tf2_mobilenet_v2_1.0_224_ptq.tflite", "tf2_mobilenet_v2_1.0_224_ptq.jsonl"}};
  const std::vector<std::string> labels = test::read_model_labels("imagenet_labels.txt");
  std::string error;
  for (const auto& [model, reference_name] : models) {
    const std::vector<uint8_t> tflite_bytes = test::read_model_file(model);
    const tflite::ConvertResult converted =
        tflite::convert_classifier(tflite_bytes.data(), tflite_bytes.size(), labels);
    REQUIRE_MESSAGE(converted.ok, converted.error);
    WeightFileView file;
    REQUIRE_MESSAGE(parse_weight_file(converted.file.data(), converted.file.size(), &file, &error), error);

    std::ifstream reference(shared + "/reference/" + reference_name);
    std::vector<std::string> lines;
    for (std::string line; std::getline(reference, line);) lines.push_back(line);
    for (const std::string& image : images) {
      CAPTURE(model);
      CAPTURE(image);
      const std::string* entry = nullptr;
      for (const std::string& line : lines) {
        if (line.find("\"" + image + "\"") != std::string::npos) entry = &line;
      }
      REQUIRE_MESSAGE(entry != nullptr, "no reference entry");
      size_t width = 0, height = 0;
      const std::vector<uint8_t> rgba = read_bmp(shared + "/images/" + image, &width, &height);
      const size_t size = file.header.input_size;
      ResizedPixels pixels;
      pixels.prepare(rgba.data(), width, height, size, 0.875f);
      std::vector<uint8_t> rgb(size * size * 3);
      pixels.read_pixel_rows(0, size, rgb.data(), 0);

      const std::vector<int> scores = testing::armnn_float_scores(file, rgb);
      const std::vector<double> top5 = json_numbers(*entry, "top5");
      const std::vector<double> expected = json_numbers(*entry, "scores");
      REQUIRE(top5.size() == expected.size());
      for (size_t i = 0; i < top5.size(); ++i) {
        CAPTURE(top5[i]);
        CHECK(scores.at(static_cast<size_t>(top5[i])) == static_cast<int>(std::lround(expected[i] * 256)));
      }
    }
  }
}
