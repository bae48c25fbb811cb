// The int8 network run on RGB bytes held in memory, with any kernel table, thread count and
// execution, keeping copies of what the int8 tests compare: a classifier's integer pool and
// logits and its probabilities, a detector's integer head tensors and their decoded floats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "api/classifier.h"
#include "exec/network.h"
#include "kernels/kernels-q8.h"

namespace mnv2::test {

struct Q8Options {
  const QuantizedKernelTable* kernels = &simd_q8_kernels();
  size_t threads = 1;
  Execution execution = Execution::kFused;
};

struct Q8Classification {
  std::vector<int8_t> pooled, logits;
  std::vector<float> probabilities;
  bool operator==(const Q8Classification& o) const {
    return pooled == o.pooled && logits == o.logits && probabilities == o.probabilities;
  }
};

struct Q8Detection {
  std::vector<int8_t> box_codes, score_codes;
  std::vector<float> encodings, scores;
  bool operator==(const Q8Detection& o) const {
    return box_codes == o.box_codes && score_codes == o.score_codes && encodings == o.encodings &&
           scores == o.scores;
  }
};

// A smooth image (gradients and a disc) plus mild noise, [size][size][3] RGB: natural-ish
// activations.
std::vector<uint8_t> smooth_rgb(size_t size, uint32_t seed);

// RGBA pixels (alpha 255) of [pixels][3] RGB bytes.
std::vector<uint8_t> to_rgba(const std::vector<uint8_t>& rgb);

// rgb: [input size][input size][3] bytes; REQUIREs that the weight file loads.
Q8Classification classify_q8(const std::vector<uint8_t>& file, const std::vector<uint8_t>& rgb,
                             const Q8Options& options = {});
Q8Detection detect_q8(const std::vector<uint8_t>& file, const std::vector<uint8_t>& rgb,
                      const Q8Options& options = {});

// The classifier of a weight file loaded twice, as float32 and as int8; REQUIREs both load.
struct ClassifierPair {
  std::unique_ptr<Classifier> f32, q8;
};
ClassifierPair float_and_int8(const std::vector<uint8_t>& file);

// The cosine of the angle between two vectors of n values.
double cosine_similarity(const float* a, const float* b, size_t n);

}  // namespace mnv2::test
