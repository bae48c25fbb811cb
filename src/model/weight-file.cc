#include "model/weight-file.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <set>

namespace mnv2 {
namespace {

// Limits a MobileNetV2 weight file cannot exceed; they bound every size computation so that
// nothing below can overflow 64-bit arithmetic.
constexpr uint32_t kMaxTensors = 4096;
constexpr uint64_t kMaxTensorElements = uint64_t{1} << 28;
constexpr uint32_t kMaxClasses = 100000;
constexpr uint32_t kMinInputSize = 32;
constexpr uint32_t kMaxInputSize = 1024;

bool fail(std::string* error, const std::string& message) {
  *error = "invalid weight file: " + message;
  return false;
}

// True when [offset, offset + bytes) lies inside a file of file_size bytes.
bool in_file(uint64_t offset, uint64_t bytes, uint64_t file_size) {
  return offset <= file_size && bytes <= file_size - offset;
}

bool parse_labels(const uint8_t* data, const FileHeader& header, std::vector<std::string>* labels,
                  std::string* error) {
  labels->clear();
  const char* text = reinterpret_cast<const char*>(data + header.labels_offset);
  std::string current;
  for (uint32_t i = 0; i < header.labels_bytes; ++i) {
    if (text[i] == '\n') {
      labels->push_back(current);
      current.clear();
    } else if (text[i] == '\0') {
      return fail(error, "labels contain a NUL byte");
    } else {
      current.push_back(text[i]);
    }
  }
  if (!current.empty()) labels->push_back(current);
  if (labels->size() != header.num_classes) {
    return fail(error, "header declares " + std::to_string(header.num_classes) +
                           " classes but the file has " + std::to_string(labels->size()) +
                           " labels");
  }
  return true;
}

bool parse_tensor(const uint8_t* data, uint64_t size, const TensorRecord& record, size_t index,
                  TensorView* tensor, std::string* error) {
  const std::string where = "tensor " + std::to_string(index);
  if (std::memchr(record.name, '\0', kTensorNameBytes) == nullptr || record.name[0] == '\0') {
    return fail(error, where + " has no NUL-terminated name");
  }
  tensor->name = record.name;
  const std::string named = where + " (" + tensor->name + ")";
  if (record.type > static_cast<uint32_t>(TensorType::kI32)) {
    return fail(error, named + " has unknown type " + std::to_string(record.type));
  }
  tensor->type = static_cast<TensorType>(record.type);
  if (record.rank < 1 || record.rank > 4) {
    return fail(error, named + " has rank " + std::to_string(record.rank) + " (1..4 allowed)");
  }
  if (record.reserved != 0) return fail(error, named + " has non-zero reserved field");
  uint64_t elements = 1;
  tensor->dims.clear();
  for (uint32_t d = 0; d < 4; ++d) {
    const uint32_t dim = record.dims[d];
    if (d >= record.rank) {
      if (dim != 1) return fail(error, named + " has a dimension past its rank that is not 1");
      continue;
    }
    if (dim == 0) return fail(error, named + " has a zero dimension");
    elements *= dim;
    if (elements > kMaxTensorElements) return fail(error, named + " is too large");
    tensor->dims.push_back(dim);
  }
  tensor->elements = static_cast<size_t>(elements);
  if (record.data_bytes != elements * element_bytes(tensor->type)) {
    return fail(error, named + " has " + std::to_string(record.data_bytes) +
                           " data bytes, its shape needs " +
                           std::to_string(elements * element_bytes(tensor->type)));
  }
  if (record.data_offset % 4 != 0) return fail(error, named + " data is not 4-byte aligned");
  if (!in_file(record.data_offset, record.data_bytes, size)) {
    return fail(error, named + " data lies outside the file");
  }
  tensor->data = data + record.data_offset;

  tensor->quant_count = record.quant_count;
  tensor->quant_axis = record.quant_axis;
  tensor->scales = nullptr;
  tensor->zero_points = nullptr;
  if (tensor->type == TensorType::kF32) {
    if (record.quant_count != 0) return fail(error, named + " is float but has quant params");
    return true;
  }
  if (record.quant_axis >= record.rank) return fail(error, named + " has quant axis past rank");
  if (record.quant_count != 1 && record.quant_count != record.dims[record.quant_axis]) {
    return fail(error, named + " has " + std::to_string(record.quant_count) +
                           " quant params, expected 1 or " +
                           std::to_string(record.dims[record.quant_axis]));
  }
  const uint64_t quant_bytes = uint64_t{record.quant_count} * 8;
  if (!in_file(record.quant_offset, quant_bytes, size)) {
    return fail(error, named + " quant params lie outside the file");
  }
  tensor->scales = reinterpret_cast<const float*>(data + record.quant_offset);
  tensor->zero_points = data + record.quant_offset + uint64_t{record.quant_count} * 4;
  for (uint32_t c = 0; c < record.quant_count; ++c) {
    const float scale = tensor->scale(c);
    const int32_t zero_point = tensor->zero_point(c);
    if (!std::isfinite(scale) || scale <= 0.0f) {
      return fail(error, named + " has a scale that is not a positive finite number");
    }
    const bool zero_point_ok =
        (tensor->type == TensorType::kU8 && zero_point >= 0 && zero_point <= 255) ||
        (tensor->type == TensorType::kI8 && zero_point >= -128 && zero_point <= 127) ||
        (tensor->type == TensorType::kI32 && zero_point == 0);
    if (!zero_point_ok) return fail(error, named + " has an out-of-range zero point");
  }
  return true;
}

}  // namespace

float TensorView::scale(size_t i) const {
  float value;
  std::memcpy(&value, reinterpret_cast<const uint8_t*>(scales) + 4 * i, 4);
  return value;
}

int32_t TensorView::zero_point(size_t i) const {
  int32_t value;
  std::memcpy(&value, zero_points + 4 * i, 4);
  return value;
}

const TensorView* WeightFileView::find(const std::string& name) const {
  for (const TensorView& tensor : tensors) {
    if (tensor.name == name) return &tensor;
  }
  return nullptr;
}

bool parse_weight_file(const uint8_t* data, size_t size, WeightFileView* out, std::string* error) {
  if (data == nullptr || size < sizeof(FileHeader)) {
    return fail(error, "only " + std::to_string(size) + " bytes, smaller than the header");
  }
  FileHeader& header = out->header;
  std::memcpy(&header, data, sizeof header);
  if (std::memcmp(header.magic, kWeightMagic, sizeof kWeightMagic) != 0) {
    return fail(error, "bad magic (not a .mnv2 weight file)");
  }
  if (header.version != kWeightVersion) {
    return fail(error, "version " + std::to_string(header.version) + ", this engine reads " +
                           std::to_string(kWeightVersion));
  }
  if (header.header_bytes != sizeof(FileHeader)) return fail(error, "bad header size");
  if (header.file_bytes != size) {
    return fail(error, "header says " + std::to_string(header.file_bytes) +
                           " bytes but the file has " + std::to_string(size) +
                           " (truncated or padded?)");
  }
  if (crc32(data + header.header_bytes, size - header.header_bytes) != header.checksum) {
    return fail(error, "checksum mismatch (corrupted file)");
  }
  if (header.model_kind != static_cast<uint32_t>(ModelKind::kClassifier) &&
      header.model_kind != static_cast<uint32_t>(ModelKind::kDetector)) {
    return fail(error, "unknown model kind " + std::to_string(header.model_kind));
  }
  if (header.input_size < kMinInputSize || header.input_size > kMaxInputSize) {
    return fail(error, "input size " + std::to_string(header.input_size) + " out of range");
  }
  if (!(header.alpha > 0.0f && header.alpha <= 4.0f)) return fail(error, "alpha out of range");
  if (header.num_classes < 1 || header.num_classes > kMaxClasses) {
    return fail(error, "class count out of range");
  }
  if (!(std::isfinite(header.input_mean) && std::isfinite(header.input_std) &&
        header.input_std > 0.0f)) {
    return fail(error, "input normalization is not finite/positive");
  }
  if (header.reserved[0] != 0 || header.reserved[1] != 0 || header.reserved[2] != 0) {
    return fail(error, "non-zero reserved header fields");
  }
  if (header.tensor_count < 1 || header.tensor_count > kMaxTensors) {
    return fail(error, "tensor count out of range");
  }
  if (!in_file(header.tensor_table_offset, uint64_t{header.tensor_count} * sizeof(TensorRecord),
               size)) {
    return fail(error, "tensor table lies outside the file");
  }
  if (!in_file(header.labels_offset, header.labels_bytes, size)) {
    return fail(error, "labels lie outside the file");
  }
  if (!parse_labels(data, header, &out->labels, error)) return false;

  out->tensors.assign(header.tensor_count, TensorView{});
  std::set<std::string> names;
  for (uint32_t i = 0; i < header.tensor_count; ++i) {
    TensorRecord record;
    std::memcpy(&record, data + header.tensor_table_offset + uint64_t{i} * sizeof record,
                sizeof record);
    if (!parse_tensor(data, size, record, i, &out->tensors[i], error)) return false;
    if (!names.insert(out->tensors[i].name).second) {
      return fail(error, "duplicate tensor name " + out->tensors[i].name);
    }
  }
  return true;
}

void dequantize(const TensorView& tensor, std::vector<float>* out) {
  out->resize(tensor.elements);
  float* values = out->data();
  if (tensor.type == TensorType::kF32) {
    std::memcpy(values, tensor.data, tensor.elements * 4);
    return;
  }
  // Elements sharing one quant param are `inner` apart per step of the quant axis.
  size_t inner = 1;
  for (size_t d = tensor.quant_axis + 1; d < tensor.dims.size(); ++d) inner *= tensor.dims[d];
  const size_t axis = tensor.dims[tensor.quant_axis];
  for (size_t i = 0; i < tensor.elements; ++i) {
    const size_t channel = tensor.quant_count == 1 ? 0 : (i / inner) % axis;
    const float scale = tensor.scale(channel);
    const int32_t zero_point = tensor.zero_point(channel);
    int32_t q = 0;
    switch (tensor.type) {
      case TensorType::kU8: q = tensor.data[i]; break;
      case TensorType::kI8: q = static_cast<int8_t>(tensor.data[i]); break;
      case TensorType::kI32: std::memcpy(&q, tensor.data + 4 * i, 4); break;
      case TensorType::kF32: break;
    }
    values[i] = scale * static_cast<float>(q - zero_point);
  }
}

}  // namespace mnv2
