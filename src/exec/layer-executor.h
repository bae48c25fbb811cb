// A LayerExecutor computes the layers of a NetworkDescription in one number type: it loads and
// packs their weights (checked against the description's shapes), reads the network's input,
// and runs one layer on the buffers the Scheduler hands it, through the kernels of its
// selection table (kernels/select*.cc). F32Executor (float32) and Q8Executor (int8, TFLite's
// integer arithmetic) are the only precision-specific code above the kernels: the description,
// the plan and the Scheduler's walk over it are shared. Values are passed as untyped bytes
// (value_bytes() each); an executor knows its own type.
//
// Every method that runs a layer may be called from several threads at once, each with its
// own `thread` index below the plan's thread count, on disjoint outputs.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "graph/network-description.h"
#include "kernels/kernels-q8.h"
#include "kernels/kernels.h"
#include "model/weight-file.h"
#include "plan/network-plan.h"

namespace mnv2 {

// Rows of a tensor held whole or in a ring: row r lives in slot r % capacity.
struct RowWindow {
  const uint8_t* base;
  size_t row_bytes, capacity;
};

// Per-thread tables of row pointers for the depthwise kernels, which take one pointer per input
// row (kernels.h): the rows of a RowWindow a band of output rows needs, typed.
template <typename T>
class RowTables {
 public:
  void resize(size_t threads, size_t rows) {
    rows_ = rows;
    table_.assign(threads * rows, nullptr);
  }
  // The input rows that output rows [out_begin, out_end) of a stage's depthwise conv read.
  const T* const* fill(size_t thread, const RowWindow& window, const Stage& stage,
                       size_t out_begin, size_t out_end) {
    const ptrdiff_t first = static_cast<ptrdiff_t>(out_begin * stage.stride) -
                            static_cast<ptrdiff_t>(stage.pad);
    const size_t end = std::min(stage.in_size, (out_end - 1) * stage.stride + 3 - stage.pad);
    const T** rows = table_.data() + thread * rows_;
    for (size_t y = static_cast<size_t>(std::max<ptrdiff_t>(first, 0)); y < end; ++y) {
      rows[y] = reinterpret_cast<const T*>(window.base + (y % window.capacity) * window.row_bytes);
    }
    return rows;
  }

 private:
  size_t rows_ = 0;
  std::vector<const T*> table_;
};

class LayerExecutor {
 public:
  virtual ~LayerExecutor() = default;

  // Reads, checks and packs the weights of every layer; false with a message naming what is
  // wrong. The description must outlive the executor.
  virtual bool load(const WeightFileView& file, const NetworkDescription& network,
                    std::string* error) = 0;
  // Per-thread buffers and the splits the plan fixed; before the first run.
  virtual void prepare(const NetworkPlan& plan) = 0;

  virtual size_t value_bytes() const = 0;
  // Per thread, bytes of the executor's own stem buffer (the plan accounts for them).
  virtual size_t stem_scratch_bytes() const { return 0; }
  virtual size_t weight_bytes() const = 0;

  // The input: RGBA pixels (validated by the caller, valid during the run) turned into the
  // network's [input_size][input_size][3] values as the executor's precision defines them.
  virtual void set_image(const uint8_t* rgba, size_t width, size_t height, float crop) = 0;
  // Input rows [first, first + count) into out.
  virtual void read_input(size_t first, size_t count, void* out, size_t thread) = 0;

  // Stem output rows [out_begin, out_end) into output (which points at row out_begin), from
  // `rows` input rows at `window` whose row 0 lies pad_top rows below the top padding.
  virtual void stem(const void* window, size_t rows, size_t pad_top, size_t out_begin,
                    size_t out_end, void* output, size_t thread) = 0;
  // A 1x1 conv over `pixels` rows, contiguous in and out; residual (null: none) is added.
  virtual void pointwise(size_t layer, size_t pixels, const void* input, void* output,
                         const void* residual) = 0;
  // A stage's 3x3 depthwise conv: output rows [out_begin, out_end) into output (pointing at
  // row out_begin), from the input rows the window holds.
  virtual void depthwise(const Stage& stage, const RowWindow& rows, size_t out_begin,
                         size_t out_end, void* output, size_t thread) = 0;
  // A predictor's 1x1 conv (role kBoxEncodings / kClassLogits): `pixels` rows into `raw` and
  // their decoded floats (box encodings, sigmoid scores) into `decoded` (== raw for floats).
  virtual void predict(size_t layer, size_t pixels, const void* input, void* raw,
                       float* decoded) = 0;

  // The classifier: the global average pool of the head output into `pooled` and its floats
  // `features` (the same memory for floats); the fully connected layer for one band of
  // output channels (plan.classifier_bands()); then the class probabilities from the logits
  // (the same memory for floats: the softmax in place).
  virtual void pool(const void* head, void* pooled, float* features) = 0;
  virtual void fully_connected(size_t band, const void* pooled, void* logits) = 0;
  virtual void softmax(const void* logits, float* probabilities) = 0;
};

// The two executors: float32 on the given kernels (f32-executor.cc), int8 (q8-executor.cc).
std::unique_ptr<LayerExecutor> make_f32_executor(const KernelTable& kernels);
std::unique_ptr<LayerExecutor> make_q8_executor(const QuantizedKernelTable& kernels);

}  // namespace mnv2
