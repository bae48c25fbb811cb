// What the libFuzzer targets share: how they report a broken promise, the invariants of a
// parsed weight file, the compute cap before an inference, and fuzzer-chosen values.
//
// Targets use the engine's stable entry points only (api/, model/weight-file.h, the detection
// post-processing, preprocessing), never the networks' own headers.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/weight-file.h"

namespace mnv2::fuzzing {

// Reports what broke and stops the process; libFuzzer saves the input as a crash.
[[noreturn]] void broken(const char* what, const std::string& detail);

// parse_weight_file(), then the promises an accepted file keeps (every view lies inside the
// input, the labels match the class count). False when the file was rejected, which must come
// with a message.
bool parse_and_check(const uint8_t* data, size_t size, WeightFileView* view);

// Harness-side compute cap: a well-formed file may ask for any input size up to 1024 (the
// loader's own limit, which load() still checks and allocates for), and one inference at that
// size takes seconds under ASan: longer than libFuzzer allows and no new code. The targets
// load such models but run an inference only below this many multiply-adds (the seeds need
// under a million).
inline constexpr uint64_t kMaxInferenceMacs = 8'000'000;

// Building a network allocates and zeroes its activation arena, which for a mutated header's
// large input size (up to the loader's 1024) is tens of MB per engine: a profile of the
// detector target on a grown corpus had half its time in that memset and the page faults
// after it. Files above kCheapInputSize (the seeds have 32) are built for one input in 8
// (by `choice`, the checksum's bits: fixed per input), so the large-allocation paths stay
// fuzzed and the rest of the corpus runs at full speed.
inline constexpr uint32_t kCheapInputSize = 64;
inline bool worth_building(const FileHeader& header, uint32_t choice) {
  return header.input_size <= kCheapInputSize || (choice >> 24) % 8 == 0;
}

// The multiply-adds of a summary() (Classifier or Detector).
template <typename Rows>
uint64_t total_macs(const Rows& rows) {
  uint64_t macs = 0;
  for (const auto& row : rows) macs += row.macs;
  return macs;
}

// A small RGBA image (5x3) to run models on.
inline constexpr size_t kImageWidth = 5, kImageHeight = 3;
extern const uint8_t kImage[kImageWidth * kImageHeight * 4];

// Any 32-bit pattern as a float: NaN, infinities and denormals included.
float any_float(FuzzedDataProvider& input);

// A buffer of exactly `bytes` bytes, filled by repeating the fuzzer's remaining bytes (so a
// short input still describes a large image).
std::vector<uint8_t> repeated_bytes(FuzzedDataProvider& input, size_t bytes);

}  // namespace mnv2::fuzzing
