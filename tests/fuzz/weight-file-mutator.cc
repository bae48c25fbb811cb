// libFuzzer custom mutator for the .mnv2 targets (fuzz-weight-file, fuzz-detector-file).
//
// Why: a random mutation of a weight file almost never keeps its CRC-32 right, so nearly every
// input would stop at the checksum check; and most of a file is weight bytes, whose mutation
// only changes numbers. So this mutator
//   - aims most mutations at the structure: the header, one tensor record (type, rank, dims,
//     offsets, quant layout), a tensor's quant params, or a small window anywhere (weights,
//     labels); a window keeps the file's size, so every offset stays meaningful;
//   - sometimes mutates the whole file (size changes, truncation, cross-over);
//   - then rewrites file_bytes and the checksum to match, except for one input in 16, which
//     keeps the header and checksum checks fuzzed.
// Every input is therefore a file exactly as the loader sees it: a crash input reproduces as
// is, in the CLI or the browser too. The mutations themselves are libFuzzer's own
// (LLVMFuzzerMutate: byte flips, comparison operands it saw, dictionary words, ...).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>

#include "model/weight-format.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

constexpr size_t kWindowBytes = 64;

// A window of at most `bytes` bytes at `offset`, clipped to the input; {0, 0} when outside.
struct Window {
  size_t offset, bytes;
};

Window clip(uint64_t offset, uint64_t bytes, size_t size) {
  if (offset >= size) return {0, 0};
  return {static_cast<size_t>(offset), static_cast<size_t>(std::min<uint64_t>(bytes, size - offset))};
}

// The part of the file to mutate, chosen at random among the structural ones.
Window pick_window(const uint8_t* data, size_t size, std::minstd_rand& rng) {
  mnv2::FileHeader header;
  std::memcpy(&header, data, sizeof header);
  const auto record_at = [&](uint32_t index) -> uint64_t {
    return uint64_t{header.tensor_table_offset} + uint64_t{index} * sizeof(mnv2::TensorRecord);
  };
  const uint32_t count = header.tensor_count;
  switch (rng() % 5) {
    case 0:
      return {0, sizeof header};
    case 1:
    case 2:
      if (count > 0) return clip(record_at(rng() % count), sizeof(mnv2::TensorRecord), size);
      break;
    case 3:
      if (count > 0) {
        const Window record = clip(record_at(rng() % count), sizeof(mnv2::TensorRecord), size);
        if (record.bytes == sizeof(mnv2::TensorRecord)) {
          mnv2::TensorRecord r;
          std::memcpy(&r, data + record.offset, sizeof r);
          if (r.quant_count > 0) return clip(r.quant_offset, uint64_t{r.quant_count} * 8, size);
        }
      }
      break;
    default:
      break;
  }
  const size_t bytes = std::min(kWindowBytes, size);
  return {static_cast<size_t>(rng() % (size - bytes + 1)), bytes};
}

void fix_size_and_checksum(uint8_t* data, size_t size) {
  mnv2::FileHeader header;
  std::memcpy(&header, data, sizeof header);
  header.file_bytes = size;
  header.checksum = mnv2::crc32(data + sizeof header, size - sizeof header);
  std::memcpy(data, &header, sizeof header);
}

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  std::minstd_rand rng(seed);
  if (size < sizeof(mnv2::FileHeader) || rng() % 8 == 0) {
    size = LLVMFuzzerMutate(data, size, max_size);
  } else {
    const Window window = pick_window(data, size, rng);
    if (window.bytes > 0) {
      // May shorten the window's contents; the bytes past them stay as they were.
      LLVMFuzzerMutate(data + window.offset, window.bytes, window.bytes);
    }
  }
  if (size >= sizeof(mnv2::FileHeader) && rng() % 16 != 0) fix_size_and_checksum(data, size);
  return size;
}
