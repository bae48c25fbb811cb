// The MobileNetV2 network (paper section 4, Table 2) for any width multiplier and input
// resolution a weight file declares: stem 3x3/2 conv, 17 inverted residual bottleneck blocks,
// 1x1 conv to 1280, global average pool, classifier, softmax.
//
// Weights are dequantized, checked against the shapes the architecture implies, and packed
// for the kernels once at load time. All activations live in one arena whose layout is
// planned at load time from the tensors' lifetimes (memory-plan.h), so inference allocates
// nothing.
//
// Two executions of the same arithmetic:
//  - kFused (default; paper section 5.1): each bottleneck block runs a few output rows at a
//    time: expand only the input rows those need into a small ring, depthwise, project. The
//    expanded tensor never exists whole; neither does the input image or the stem output,
//    which stream into block 0 the same way. Only bottleneck tensors are materialized.
//  - kLayerByLayer: every layer's output is materialized, as layer-by-layer runtimes do. It is
//    kept as the reference the fused path is tested against, and for the memory comparison.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/thread-pool.h"
#include "kernels/kernels.h"
#include "model/architecture.h"
#include "model/input-rows.h"
#include "model/memory-plan.h"
#include "model/weight-file.h"

namespace mnv2 {

// TensorFlow "SAME" padding: output = ceil(input / stride), the odd pixel of padding after.
struct SamePadding {
  size_t output;
  size_t before;
};
SamePadding same_padding(size_t input, size_t stride, size_t kernel);

enum class Execution { kFused, kLayerByLayer };

// One row of summary(): a layer or a whole bottleneck block.
struct LayerSummary {
  std::string name;        // "stem", "block3", "head", "pool", "logits"
  std::string type;        // "conv3x3", "bottleneck", "conv1x1", "avgpool", "fc"
  size_t input[3];         // height, width, channels
  size_t output[3];
  size_t expansion;        // t (bottleneck blocks), else 0
  size_t stride;
  size_t params;           // weights + biases
  size_t macs;             // multiply-adds
  size_t activation_bytes; // activations alive while it runs (the planned tensors + scratch)
  // What the block's expanded tensor (at its input resolution) and depthwise output (at its
  // output resolution) would cost materialized whole, as a layer-by-layer runtime holds them:
  // the memory fusion avoids. Set for every bottleneck row (block 0, without an expand conv,
  // counts the stem output it reads) and for SSDLite's extra layers and predictors (their
  // depthwise outputs); 0 for the other rows.
  size_t expanded_bytes = 0;
};

struct MemoryStats {
  size_t weights_bytes;          // packed float weights
  size_t activation_peak_bytes;  // the planned activation arena
  size_t scratch_bytes;          // row rings and tiles of the fused blocks
};

class MobileNetV2 {
 public:
  // Returns false and sets *error when the file's tensors do not form this network.
  // threads: 1 (default) runs on the caller; more split every fused block's output rows into
  // one band per thread; 0 means one per hardware thread.
  bool load(const WeightFileView& file, const KernelTable& kernels, std::string* error,
            Execution execution = Execution::kFused, size_t threads = 1);
  size_t threads() const { return pool_->size(); }

  size_t input_size() const { return input_size_; }
  size_t feature_size() const { return arch_.head_channels; }
  size_t num_classes() const { return num_classes_; }
  Execution execution() const { return execution_; }
  MemoryStats memory_stats() const;
  // Per-layer parameters, multiply-adds and live activation bytes under the current plan
  // (mobilenet-v2-summary.cc).
  std::vector<LayerSummary> summary() const;

  // Per-layer wall time of the last run, in the order of summary()'s rows (stem, blocks,
  // head, pool, logits), when profiling is on. Off by default: timing costs a little.
  void set_profiling(bool on) { profiling_ = on; }
  const std::vector<double>& layer_ms() const { return layer_ms_; }

  // Returns the pooled 1280-d (for alpha <= 1) feature vector, valid until the next call.
  const float* features(InputRows& input);
  // input: [input_size][input_size][3] normalized floats.
  const float* features(const float* input);
  // Class probabilities (softmax) from features(); valid until the next call.
  const float* classify(const float* features);

  // The backbone alone (stem, blocks, head conv), for heads other than the classifier.
  // Afterwards head_output() holds [head_size()][head_size()][feature_size()] and, for a block
  // registered with keep_expansion(), expansion(block) its expanded tensor after ReLU6
  // ([in_h][in_w][expanded channels] of that block: SSDLite taps block 13's).
  void run_backbone(InputRows& input);
  void run_backbone(const float* input);
  size_t head_size() const { return final_size_; }
  const float* head_output() const;
  void keep_expansion(size_t block);
  const float* expansion(size_t block) const;
  size_t block_count() const { return blocks_.size(); }
  const BlockShape& block_shape(size_t block) const { return blocks_[block].shape; }
  size_t block_input_size(size_t block) const { return blocks_[block].in_h; }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  struct Block {
    BlockShape shape;
    size_t in_h, in_w, out_h, out_w, pad_top, pad_left;
    std::vector<float> expand, depthwise, project;  // packed weights
    bool kept = false;  // a head taps the expanded tensor: it is materialized whole
    // The expanded tensor exists whole while the block runs (kept, or chosen by plan(): with
    // one thread for blocks of at most 14 input rows, with several up to 28): produced first,
    // split across threads, then read by the bands.
    bool whole_expansion = false;
    bool wants_whole_expansion = false;  // plan()'s choice, granted if the arena allows
    // Plan: arena tensors (kNone when not materialized) and the fused row tiling.
    size_t output_tensor = kNone, expanded_tensor = kNone, depthwise_tensor = kNone;
    size_t tile_rows = 0, ring_rows = 0;
    size_t first_step = 0, last_step = 0, scratch_bytes = 0;
  };

  // A window onto a tensor's rows: row r lives in slot r % capacity.
  struct RowRing {
    float* base;
    size_t row_floats, capacity, produced;
    float* row(size_t r) const { return base + (r % capacity) * row_floats; }
  };

  void plan();
  void plan_layout(size_t* scratch_floats, size_t* max_rows);
  void plan_tiles(Block& block, bool stem_fed);
  float* tensor(size_t id) { return arena_.data() + plan_.offset(id) / sizeof(float); }
  const float* tensor(size_t id) const {
    return arena_.data() + plan_.offset(id) / sizeof(float);
  }

  void run_stem_rows(InputRows& input, size_t thread, size_t first, size_t count,
                     float* output);
  void produce_rows(const Block& block, const float* input, InputRows* image, size_t thread,
                    size_t row, size_t count, float* destination);
  void produce_expanded(const Block& block, const float* input, InputRows* image,
                        size_t thread, RowRing& ring, size_t rows);
  void run_block_rows(const Block& block, const float* input, InputRows* image, float* output,
                      size_t thread, size_t out_begin, size_t out_end);
  void run_block_fused(Block& block, const float* input, InputRows* image, float* output);
  void run_block_pixel_split(const Block& block, const float* input, float* output);
  void run_block_layers(Block& block, const float* input, float* output);
  void run_head(const float* input);

  const KernelTable* kernels_ = nullptr;
  Execution execution_ = Execution::kFused;
  ArchitectureShape arch_;
  size_t input_size_ = 0;
  size_t num_classes_ = 0;
  size_t stem_size_ = 0, stem_pad_ = 0, final_size_ = 0;
  std::vector<float> stem_, head_, logits_;  // packed weights
  std::vector<Block> blocks_;

  MemoryPlan plan_;
  std::vector<float> arena_, scratch_;
  size_t input_tensor_ = kNone, stem_tensor_ = kNone, head_tensor_ = kNone;
  size_t stem_step_ = 0, head_step_ = 0;
  std::unique_ptr<ThreadPool> pool_;
  size_t scratch_per_thread_ = 0, rows_per_thread_ = 0;
  // The fused stem's window of input image rows and where it starts, per thread.
  std::vector<float> image_window_;
  std::vector<size_t> image_window_first_, image_window_rows_;
  std::vector<float> pooled_, probabilities_;
  std::vector<const float*> rows_;
  bool profiling_ = false;
  double stem_ms_ = 0.0;
  std::vector<double> layer_ms_;
};

}  // namespace mnv2
