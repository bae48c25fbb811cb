// The loader on valid, truncated, corrupted and inconsistent weight files: every bad file is
// rejected with a message naming the problem, none is used.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "api/classifier.h"
#include "model/random-model.h"
#include "model/weight-file.h"
#include "model/weight-writer.h"

namespace mnv2 {
namespace {

std::vector<uint8_t> small_classifier() { return testing::random_classifier_file(0.35f, 96, 5, 42); }

std::string load_error(const std::vector<uint8_t>& bytes) {
  std::string error;
  auto classifier = Classifier::create(bytes.data(), bytes.size(), &error);
  return classifier ? std::string() : error;
}

// Rewrites the checksum so a deliberately inconsistent file gets past the CRC check and the
// later validations are reached.
void fix_checksum(std::vector<uint8_t>* bytes) {
  FileHeader header;
  std::memcpy(&header, bytes->data(), sizeof header);
  header.checksum = crc32(bytes->data() + sizeof header, bytes->size() - sizeof header);
  std::memcpy(bytes->data(), &header, sizeof header);
}

template <typename Edit>
std::vector<uint8_t> with_header(std::vector<uint8_t> bytes, Edit edit) {
  FileHeader header;
  std::memcpy(&header, bytes.data(), sizeof header);
  edit(header);
  std::memcpy(bytes.data(), &header, sizeof header);
  return bytes;
}

template <typename Edit>
std::vector<uint8_t> with_record(std::vector<uint8_t> bytes, size_t index, Edit edit) {
  FileHeader header;
  std::memcpy(&header, bytes.data(), sizeof header);
  TensorRecord record;
  uint8_t* at = bytes.data() + header.tensor_table_offset + index * sizeof record;
  std::memcpy(&record, at, sizeof record);
  edit(record);
  std::memcpy(at, &record, sizeof record);
  fix_checksum(&bytes);
  return bytes;
}

}  // namespace

TEST_SUITE("weights") {
  TEST_CASE("the checksum is the standard CRC-32 for every length and alignment") {
    // The check value of CRC-32/ISO-HDLC (zip, PNG) for "123456789", from the CRC catalogue
    // (reveng.sourceforge.io/crc-catalogue).
    const char* check = "123456789";
    CHECK(crc32(reinterpret_cast<const uint8_t*>(check), 9) == 0xCBF43926u);
    // Bit at a time, the definition, against the eight-byte steps and their byte tail.
    const auto bitwise = [](const uint8_t* data, size_t size) {
      uint32_t crc = 0xFFFFFFFFu;
      for (size_t i = 0; i < size; ++i) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? 0xEDB88320u : 0u);
      }
      return crc ^ 0xFFFFFFFFu;
    };
    std::vector<uint8_t> bytes(64);
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 151 + 7);
    for (size_t offset = 0; offset < 8; ++offset) {
      for (size_t size = 0; offset + size <= bytes.size(); ++size) {
        CHECK(crc32(bytes.data() + offset, size) == bitwise(bytes.data() + offset, size));
      }
    }
  }

  TEST_CASE("a valid file loads") {
    const auto bytes = small_classifier();
    CHECK(load_error(bytes).empty());
    WeightFileView view;
    std::string error;
    REQUIRE(parse_weight_file(bytes.data(), bytes.size(), &view, &error));
    CHECK(view.labels.size() == 5);
    CHECK(view.labels[3] == "class 3");
    CHECK(view.find("block16.project.w") != nullptr);
  }

  TEST_CASE("every truncation is rejected") {
    const auto bytes = small_classifier();
    for (size_t cut = 0; cut < bytes.size(); cut += 1 + cut / 3) {
      std::vector<uint8_t> truncated(bytes.begin(), bytes.begin() + cut);
      CAPTURE(cut);
      CHECK(!load_error(truncated).empty());
    }
    CHECK(load_error({}).find("smaller than the header") != std::string::npos);
  }

  TEST_CASE("corruption anywhere is caught") {
    const auto bytes = small_classifier();
    for (size_t at = 0; at < bytes.size(); at += 997) {
      auto corrupted = bytes;
      corrupted[at] ^= 0x5a;
      CAPTURE(at);
      CHECK(!load_error(corrupted).empty());
    }
    auto body = bytes;
    body[bytes.size() / 2] ^= 1;
    CHECK(load_error(body).find("checksum mismatch") != std::string::npos);
  }

  TEST_CASE("header fields are validated") {
    const auto bytes = small_classifier();
    CHECK(load_error(with_header(bytes, [](FileHeader& h) { h.magic[0] = 'X'; })).find("magic") !=
          std::string::npos);
    CHECK(load_error(with_header(bytes, [](FileHeader& h) { h.version = 99; })).find("version 99") !=
          std::string::npos);
    auto padded = bytes;
    padded.push_back(0);
    CHECK(load_error(padded).find("truncated or padded") != std::string::npos);
    auto kind = with_header(bytes, [](FileHeader& h) { h.model_kind = 7; });
    CHECK(load_error(kind).find("unknown model kind") != std::string::npos);
    auto classes = with_header(bytes, [](FileHeader& h) { h.num_classes = 6; });
    CHECK(load_error(classes).find("6 classes but the file has 5 labels") != std::string::npos);
    auto table = with_header(bytes, [](FileHeader& h) { h.tensor_table_offset = 0xFFFFFFF0u; });
    CHECK(load_error(table).find("tensor table lies outside") != std::string::npos);
    auto count = with_header(bytes, [](FileHeader& h) { h.tensor_count = 0xFFFFFFFFu; });
    CHECK(load_error(count).find("tensor count") != std::string::npos);
  }

  TEST_CASE("tensor records are validated") {
    const auto bytes = small_classifier();
    CHECK(load_error(with_record(bytes, 0, [](TensorRecord& r) { r.data_offset = 0xFFFFFFF0u; }))
              .find("outside the file") != std::string::npos);
    CHECK(load_error(with_record(bytes, 0, [](TensorRecord& r) { r.dims[0] = 0x10000; }))
              .find("data bytes") != std::string::npos);
    CHECK(load_error(with_record(bytes, 0, [](TensorRecord& r) { r.dims[0] = 0; }))
              .find("zero dimension") != std::string::npos);
    CHECK(load_error(with_record(bytes, 0, [](TensorRecord& r) {
            r.dims[0] = r.dims[1] = r.dims[2] = r.dims[3] = 0xFFFFFFFFu;
          })).find("too large") != std::string::npos);
    CHECK(load_error(with_record(bytes, 0, [](TensorRecord& r) { r.type = 9; }))
              .find("unknown type") != std::string::npos);
    CHECK(load_error(with_record(bytes, 0, [](TensorRecord& r) { r.rank = 5; }))
              .find("rank 5") != std::string::npos);
    CHECK(load_error(with_record(bytes, 0, [](TensorRecord& r) { std::memset(r.name, 'a', sizeof r.name); }))
              .find("NUL-terminated") != std::string::npos);
    CHECK(load_error(with_record(bytes, 1, [](TensorRecord& r) { std::strcpy(r.name, "stem.w"); }))
              .find("duplicate tensor name") != std::string::npos);
    CHECK(load_error(with_record(bytes, 0, [](TensorRecord& r) { r.quant_count = 3; }))
              .find("quant params") != std::string::npos);
    CHECK(load_error(with_record(bytes, 0, [](TensorRecord& r) { r.quant_offset = 0xFFFFFFF8u; }))
              .find("quant params lie outside") != std::string::npos);
  }

  TEST_CASE("shapes must match the declared width multiplier") {
    // A 0.35 file that claims alpha 0.5 has the wrong number of channels everywhere.
    auto wrong_alpha = with_header(small_classifier(), [](FileHeader& h) { h.alpha = 0.5f; });
    const std::string error = load_error(wrong_alpha);
    CAPTURE(error);
    CHECK(error.find("tensor block1.project.w has shape [8,1,1,48], alpha 0.5 needs [16,1,1,48]") != std::string::npos);
  }

  TEST_CASE("a missing tensor is named") {
    auto renamed = with_record(small_classifier(), 4,
                               [](TensorRecord& r) { std::strcpy(r.name, "block1.surprise"); });
    CHECK(load_error(renamed).find("has no tensor") != std::string::npos);
  }

  TEST_CASE("dequantization uses per-channel scales along the quant axis") {
    WeightFileBuilder builder;
    builder.set_num_classes(1);
    builder.set_labels({"only"});
    const int8_t data[6] = {1, -2, 3, -4, 5, 127};
    REQUIRE(builder.add_tensor("t", TensorType::kI8, {3, 2}, data, 6, {0.5f, 2.0f}, {0, 0}, 1));
    REQUIRE(builder.add_f32_tensor("f", {2}, {1.5f, -2.5f}));
    const auto bytes = builder.build();
    REQUIRE_MESSAGE(!bytes.empty(), builder.error());
    WeightFileView view;
    std::string error;
    REQUIRE_MESSAGE(parse_weight_file(bytes.data(), bytes.size(), &view, &error), error);
    std::vector<float> values;
    dequantize(*view.find("t"), &values);
    const std::vector<float> expected = {0.5f, -4.0f, 1.5f, -8.0f, 2.5f, 254.0f};
    CHECK(values == expected);
    dequantize(*view.find("f"), &values);
    CHECK(values == std::vector<float>{1.5f, -2.5f});
  }
}

}  // namespace mnv2
