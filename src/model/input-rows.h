// Where a network's input comes from: rows produced on demand. The fused execution pulls a
// few rows at a time, so the preprocessed input image never has to exist whole.
#pragma once

#include <cstddef>

namespace mnv2 {

class InputRows {
 public:
  virtual ~InputRows() = default;
  // Writes rows [first, first + count) of the [size][size][3] input to out. Threads of one
  // inference call this concurrently, each with its own index in [0, threads).
  virtual void read_rows(size_t first, size_t count, float* out, size_t thread) = 0;
};

// Rows of an input that already exists whole.
class InputTensorRows final : public InputRows {
 public:
  InputTensorRows(const float* input, size_t row_floats) : input_(input), row_floats_(row_floats) {}
  void read_rows(size_t first, size_t count, float* out, size_t thread) override;

 private:
  const float* input_;
  size_t row_floats_;
};

}  // namespace mnv2
