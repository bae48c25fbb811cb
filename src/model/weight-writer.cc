#include "model/weight-writer.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace mnv2 {
namespace {

bool zero_point_fits(TensorType type, int32_t zero_point) {
  switch (type) {
    case TensorType::kU8: return zero_point >= 0 && zero_point <= 255;
    case TensorType::kI8: return zero_point >= -128 && zero_point <= 127;
    case TensorType::kI32: return zero_point == 0;  // TFLite's rule for int32 biases
    case TensorType::kF32: return false;
  }
  return false;
}

uint64_t align4(uint64_t offset) { return (offset + 3) & ~uint64_t{3}; }

// Offsets in the format are 32-bit even though file_bytes is 64-bit.
constexpr uint64_t kMaxFileBytes = std::numeric_limits<uint32_t>::max();

}  // namespace

bool WeightFileBuilder::fail(const std::string& message) {
  if (error_.empty()) error_ = message;
  return false;
}

bool WeightFileBuilder::add_tensor(const std::string& name, TensorType type,
                                   const std::vector<uint32_t>& dims, const void* data,
                                   size_t data_bytes, const std::vector<float>& scales,
                                   const std::vector<int32_t>& zero_points,
                                   uint32_t quant_axis) {
  const std::string where = "tensor '" + name + "': ";
  if (name.empty() || name.size() >= kTensorNameBytes) {
    return fail(where + "name must be 1.." + std::to_string(kTensorNameBytes - 1) + " bytes");
  }
  if (name.find('\0') != std::string::npos) return fail(where + "name contains a NUL byte");
  for (const PendingTensor& t : tensors_) {
    if (t.name == name) return fail(where + "added twice");
  }
  const size_t elem = element_bytes(type);
  if (elem == 0) return fail(where + "unknown type " + std::to_string(static_cast<int>(type)));
  if (dims.empty() || dims.size() > 4) {
    return fail(where + "rank " + std::to_string(dims.size()) + " (1..4 allowed)");
  }
  uint64_t elements = 1;
  for (uint32_t d : dims) {
    if (d == 0) return fail(where + "has a zero dimension");
    elements *= d;
    if (elements * elem > kMaxFileBytes) return fail(where + "too large for the format");
  }
  if (data_bytes != elements * elem) {
    return fail(where + std::to_string(data_bytes) + " data bytes given, its shape needs " +
                std::to_string(elements * elem));
  }
  if (data_bytes > 0 && data == nullptr) return fail(where + "null data");

  if (scales.size() != zero_points.size()) {
    return fail(where + std::to_string(scales.size()) + " scales but " +
                std::to_string(zero_points.size()) + " zero points");
  }
  if (type == TensorType::kF32) {
    if (!scales.empty()) return fail(where + "float32 tensors take no quantization");
  } else {
    if (quant_axis >= dims.size()) {
      return fail(where + "quant axis " + std::to_string(quant_axis) + " past rank " +
                  std::to_string(dims.size()));
    }
    if (scales.size() != 1 && scales.size() != dims[quant_axis]) {
      return fail(where + std::to_string(scales.size()) + " quant params, expected 1 or " +
                  std::to_string(dims[quant_axis]));
    }
    for (size_t c = 0; c < scales.size(); ++c) {
      if (!std::isfinite(scales[c]) || scales[c] <= 0.0f) {
        return fail(where + "scale " + std::to_string(c) + " is not a positive finite number");
      }
      if (!zero_point_fits(type, zero_points[c])) {
        return fail(where + "zero point " + std::to_string(c) + " (" +
                    std::to_string(zero_points[c]) + ") does not fit the type");
      }
    }
  }

  PendingTensor t;
  t.name = name;
  t.type = type;
  t.dims = dims;
  const uint8_t* bytes = static_cast<const uint8_t*>(data);
  t.data.assign(bytes, bytes + data_bytes);
  t.scales = scales;
  t.zero_points = zero_points;
  t.quant_axis = type == TensorType::kF32 ? 0 : quant_axis;
  tensors_.push_back(std::move(t));
  return true;
}

bool WeightFileBuilder::add_f32_tensor(const std::string& name,
                                       const std::vector<uint32_t>& dims,
                                       const std::vector<float>& values) {
  return add_tensor(name, TensorType::kF32, dims, values.data(), values.size() * sizeof(float));
}

bool WeightFileBuilder::check_header() {
  if (kind_ != ModelKind::kClassifier && kind_ != ModelKind::kDetector) {
    return fail("unknown model kind " + std::to_string(static_cast<uint32_t>(kind_)));
  }
  if (input_size_ == 0) return fail("input size is 0");
  if (!std::isfinite(alpha_) || alpha_ <= 0.0f) return fail("alpha must be positive");
  if (!std::isfinite(input_mean_) || !std::isfinite(input_std_) || input_std_ <= 0.0f) {
    return fail("input mean/std must be finite with std > 0");
  }
  if (num_classes_ == 0) return fail("num_classes is 0");
  if (labels_.size() != num_classes_) {
    return fail(std::to_string(labels_.size()) + " labels for " + std::to_string(num_classes_) +
                " classes");
  }
  for (size_t i = 0; i < labels_.size(); ++i) {
    if (labels_[i].find_first_of(std::string("\n\r\0", 3)) != std::string::npos) {
      return fail("label " + std::to_string(i) + " contains a line break or NUL");
    }
  }
  if (tensors_.empty()) return fail("no tensors added");
  return true;
}

std::vector<uint8_t> WeightFileBuilder::build() {
  if (!error_.empty() || !check_header()) return {};

  // Layout: header, table, all tensor data, all quant params, labels.
  uint64_t offset = sizeof(FileHeader);
  const uint64_t table_offset = offset;
  offset += uint64_t{tensors_.size()} * sizeof(TensorRecord);
  std::vector<uint64_t> data_offsets, quant_offsets;
  for (const PendingTensor& t : tensors_) {
    offset = align4(offset);
    data_offsets.push_back(offset);
    offset += t.data.size();
  }
  for (const PendingTensor& t : tensors_) {
    offset = align4(offset);
    quant_offsets.push_back(t.scales.empty() ? 0 : offset);
    offset += uint64_t{t.scales.size()} * 8;
  }
  std::string labels;
  for (const std::string& label : labels_) labels += label + "\n";
  offset = align4(offset);
  const uint64_t labels_offset = offset;
  offset += labels.size();
  const uint64_t file_bytes = offset;
  if (file_bytes > kMaxFileBytes) {
    fail("the file would exceed 4 GiB, beyond the format's 32-bit offsets");
    return {};
  }

  std::vector<uint8_t> file(file_bytes, 0);
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const PendingTensor& t = tensors_[i];
    TensorRecord record;
    std::memset(&record, 0, sizeof record);
    std::memcpy(record.name, t.name.data(), t.name.size());
    record.type = static_cast<uint32_t>(t.type);
    record.rank = static_cast<uint32_t>(t.dims.size());
    for (size_t d = 0; d < 4; ++d) record.dims[d] = d < t.dims.size() ? t.dims[d] : 1;
    record.data_offset = static_cast<uint32_t>(data_offsets[i]);
    record.data_bytes = static_cast<uint32_t>(t.data.size());
    record.quant_offset = static_cast<uint32_t>(quant_offsets[i]);
    record.quant_count = static_cast<uint32_t>(t.scales.size());
    record.quant_axis = t.quant_axis;
    std::memcpy(file.data() + table_offset + i * sizeof record, &record, sizeof record);
    if (!t.data.empty()) std::memcpy(file.data() + data_offsets[i], t.data.data(), t.data.size());
    if (!t.scales.empty()) {
      uint8_t* quant = file.data() + quant_offsets[i];
      std::memcpy(quant, t.scales.data(), t.scales.size() * 4);
      std::memcpy(quant + t.scales.size() * 4, t.zero_points.data(), t.zero_points.size() * 4);
    }
  }
  if (!labels.empty()) std::memcpy(file.data() + labels_offset, labels.data(), labels.size());

  FileHeader header;
  std::memset(&header, 0, sizeof header);
  std::memcpy(header.magic, kWeightMagic, sizeof header.magic);
  header.version = kWeightVersion;
  header.header_bytes = sizeof(FileHeader);
  header.model_kind = static_cast<uint32_t>(kind_);
  header.input_size = input_size_;
  header.alpha = alpha_;
  header.num_classes = num_classes_;
  header.tensor_count = static_cast<uint32_t>(tensors_.size());
  header.tensor_table_offset = static_cast<uint32_t>(table_offset);
  header.labels_offset = static_cast<uint32_t>(labels_offset);
  header.labels_bytes = static_cast<uint32_t>(labels.size());
  header.file_bytes = file_bytes;
  header.input_mean = input_mean_;
  header.input_std = input_std_;
  header.checksum = crc32(file.data() + sizeof header, file_bytes - sizeof header);
  std::memcpy(file.data(), &header, sizeof header);
  return file;
}

}  // namespace mnv2
