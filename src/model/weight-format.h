// The project's weight file (".mnv2"): one little-endian binary, written by the converter
// (src/tools/convert-tflite.cc) and read by the loader (weight-file.cc).
//
//   [FileHeader][TensorRecord x tensor_count][tensor data, quant params, labels ...]
//
// Everything after the header is covered by a CRC-32, every offset is from the start of the
// file, and tensor data is 4-byte aligned. Quantized tensors keep their stored integers and
// are dequantized by the loader: real = scale[c] * (q - zero_point[c]), c indexing quant_axis
// (one entry when per-tensor). That keeps the uint8 model's download at ~3.5 MB.
//
// Tensors are found by name (see model/mobilenet-v2.h for the names a classifier carries).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mnv2 {

inline constexpr char kWeightMagic[8] = {'M', 'N', 'V', '2', 'W', 'G', 'T', '\0'};
inline constexpr uint32_t kWeightVersion = 1;

enum class ModelKind : uint32_t { kClassifier = 1, kDetector = 2 };

enum class TensorType : uint32_t { kF32 = 0, kU8 = 1, kI8 = 2, kI32 = 3 };

// Bytes of one stored element (0 for a type the format does not have).
inline size_t element_bytes(TensorType type) {
  switch (type) {
    case TensorType::kF32: return 4;
    case TensorType::kU8: return 1;
    case TensorType::kI8: return 1;
    case TensorType::kI32: return 4;
  }
  return 0;
}

struct FileHeader {
  char magic[8];             // kWeightMagic
  uint32_t version;          // kWeightVersion
  uint32_t header_bytes;     // sizeof(FileHeader)
  uint32_t model_kind;       // ModelKind
  uint32_t input_size;       // the square input resolution the weights were trained at
  float alpha;               // width multiplier
  uint32_t num_classes;      // classifier outputs (1001 with background) / detector classes
  uint32_t tensor_count;
  uint32_t tensor_table_offset;
  uint32_t labels_offset;    // UTF-8, one label per line, num_classes lines
  uint32_t labels_bytes;
  uint64_t file_bytes;       // the whole file, header included
  uint32_t checksum;         // CRC-32 (IEEE 802.3) of bytes [header_bytes, file_bytes)
  float input_mean;          // preprocessing: (pixel - input_mean) / input_std
  float input_std;
  uint32_t reserved[3];      // zero
};
static_assert(sizeof(FileHeader) == 80, "FileHeader layout is part of the format");

inline constexpr uint32_t kTensorNameBytes = 32;

struct TensorRecord {
  char name[kTensorNameBytes];  // NUL padded, e.g. "block3.expand.w"
  uint32_t type;                // TensorType
  uint32_t rank;                // 1..4
  uint32_t dims[4];             // dims past rank are 1
  uint32_t data_offset;         // 4-byte aligned
  uint32_t data_bytes;          // element count * element size
  uint32_t quant_offset;        // float scale[quant_count] then int32 zero_point[quant_count]
  uint32_t quant_count;         // 0 for kF32, 1 per tensor, dims[quant_axis] per channel
  uint32_t quant_axis;
  uint32_t reserved;            // zero
};
static_assert(sizeof(TensorRecord) == 80, "TensorRecord layout is part of the format");

uint32_t crc32(const uint8_t* data, uint64_t size);

}  // namespace mnv2
