#include "model/mobilenet-v2.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>

#include "model/layer-weights.h"

namespace mnv2 {
namespace {

// Scratch for one fused block (its ring of expanded rows plus one tile of depthwise output).
// Small enough to stay in a typical L2 cache; the row tiles are sized to fit it. 192 KiB
// rather than 160: two output rows per tile instead of one in blocks 2-3 and 11-15, so their
// GEMMs get twice the rows (~2% faster overall, measured), while activations + scratch stay
// within the 1.25 MiB the memory test holds the fused network to.
constexpr size_t kScratchBudgetBytes = 192 * 1024;
// The stem reads 3 input rows per output row.
constexpr size_t kStemWindowRows = 3;
// With several threads, each band of a fused block recomputes the expanded rows it shares with
// its neighbour (two per border at stride 1): 4% more expand work at 56 rows, 14% at 14, 29%
// at 7. Blocks with at most this many input rows therefore expand their whole input once,
// split across the threads, into the activation arena (where the small late tensors leave
// room, see plan()), and the bands only read it.
constexpr size_t kWholeExpansionMaxRows = 28;
// With one thread, the blocks with at most this many input rows expand whole (see plan()).
constexpr size_t kWholeExpansionMaxRowsOneThread = 14;

double now_ms() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr float kRelu6Min = 0.0f;
constexpr float kRelu6Max = 6.0f;
constexpr float kLinearMin = -std::numeric_limits<float>::infinity();
constexpr float kLinearMax = std::numeric_limits<float>::infinity();

// Runs gemm(begin, end) on pixel ranges that split `pixels` GEMM rows evenly across the
// pool's threads, at multiples of the GEMM's 4-row tile: a 7x7 map splits 24/25 on two
// threads, not 21/28 as whole rows would.
template <typename GemmRows>
void split_pixels_across_threads(ThreadPool& pool, size_t pixels, const GemmRows& gemm) {
  const size_t bands = std::min(pool.size(), pixels);
  const auto edge = [&](size_t band) {
    return band == bands ? pixels : (band * pixels / bands + 2) / 4 * 4;
  };
  pool.parallel_for(bands, [&](size_t band, size_t) {
    const size_t begin = edge(band), end = edge(band + 1);
    if (end > begin) gemm(begin, end);
  });
}

}  // namespace

SamePadding same_padding(size_t input, size_t stride, size_t kernel) {
  SamePadding padding;
  padding.output = (input + stride - 1) / stride;
  const size_t needed = (padding.output - 1) * stride + kernel;
  padding.before = needed > input ? (needed - input) / 2 : 0;
  return padding;
}

bool MobileNetV2::load(const WeightFileView& file, const KernelTable& kernels,
                       std::string* error, Execution execution, size_t threads) {
  kernels_ = &kernels;
  execution_ = execution;
  // The layer-by-layer reference stays single-threaded.
  pool_ = std::make_unique<ThreadPool>(execution == Execution::kFused ? threads : 1);
  arch_ = mobilenet_v2_architecture(file.header.alpha);
  input_size_ = file.header.input_size;
  num_classes_ = file.header.num_classes;

  const SamePadding stem = same_padding(input_size_, 2, 3);
  stem_size_ = stem.output;
  stem_pad_ = stem.before;
  {
    std::vector<float> weights, bias;
    if (!read_tensor(file, "stem.w", {arch_.stem_channels, 3, 3, 3}, &weights, error) ||
        !read_tensor(file, "stem.b", {arch_.stem_channels}, &bias, error)) {
      return false;
    }
    stem_.assign(conv3x3c3_packed_size(arch_.stem_channels), 0.0f);
    conv3x3c3_pack(arch_.stem_channels, weights.data(), bias.data(), stem_.data());
  }

  size_t size = stem_size_;
  blocks_.assign(arch_.blocks.size(), Block{});
  for (size_t i = 0; i < arch_.blocks.size(); ++i) {
    Block& block = blocks_[i];
    block.shape = arch_.blocks[i];
    const BlockShape& shape = block.shape;
    const SamePadding padding = same_padding(size, shape.stride, 3);
    block.in_h = block.in_w = size;
    block.out_h = block.out_w = padding.output;
    block.pad_top = block.pad_left = padding.before;
    if (shape.has_expand &&
        !read_pointwise(file, block_layer_name(i, "expand"), shape.in_channels,
                        shape.expanded_channels, &block.expand, error)) {
      return false;
    }
    if (!read_depthwise(file, block_layer_name(i, "dw"), shape.expanded_channels,
                        &block.depthwise, error) ||
        !read_pointwise(file, block_layer_name(i, "project"), shape.expanded_channels,
                        shape.out_channels, &block.project, error)) {
      return false;
    }
    size = padding.output;
  }
  final_size_ = size;
  // Narrow networks (alpha <= 0.25) give block 0 a residual connection to the stem output,
  // which must then exist whole: keeping it as block 0's "expansion" materializes it.
  if (!blocks_[0].shape.has_expand && blocks_[0].shape.residual) blocks_[0].kept = true;
  const size_t last_channels = arch_.blocks.back().out_channels;
  if (!read_pointwise(file, "head", last_channels, arch_.head_channels, &head_, error)) {
    return false;
  }
  if (file.header.model_kind == static_cast<uint32_t>(ModelKind::kClassifier) &&
      !read_pointwise(file, "logits", arch_.head_channels, num_classes_, &logits_, error)) {
    return false;
  }
  pooled_.assign(arch_.head_channels, 0.0f);
  probabilities_.assign(num_classes_, 0.0f);
  plan();
  return true;
}

void MobileNetV2::plan_tiles(Block& block, bool stem_fed) {
  const size_t channels = stem_fed ? arch_.stem_channels : block.shape.expanded_channels;
  const size_t in_row = block.in_w * channels * sizeof(float);
  const size_t out_row = block.out_w * channels * sizeof(float);
  const size_t stride = block.shape.stride;
  const auto ring_rows = [&](size_t tile) {
    return block.whole_expansion ? block.in_h : std::min(block.in_h, (tile - 1) * stride + 3);
  };
  const auto scratch = [&](size_t tile) {
    return (block.whole_expansion ? 0 : ring_rows(tile) * in_row) + tile * out_row;
  };
  size_t tile = 1;
  while (tile < block.out_h && scratch(tile + 1) <= kScratchBudgetBytes) ++tile;
  // A tile's project GEMM has tile * out_w rows; the GEMM computes 4 rows at a time and a
  // leftover group of 1-3 rows costs nearly a whole group. Rather fewer rows per tile than a
  // leftover in every tile (14-pixel rows: an even tile height), unless one tile is all rows.
  if (tile < block.out_h) {
    for (size_t fewer = tile; fewer > 0; --fewer) {
      if (fewer * block.out_w % 4 == 0) {
        tile = fewer;
        break;
      }
    }
  }
  block.tile_rows = tile;
  block.ring_rows = ring_rows(tile);
}

// Which fused blocks expand their whole input at once (Block::whole_expansion) is decided
// here: a block asks for it when that saves work (below), and gets it only if the activation
// arena does not grow, so the memory the fused plan promises stays what it was. Late blocks
// have small tensors while the arena's peak is set by the early ones, so they fit.
void MobileNetV2::plan() {
  for (Block& block : blocks_) block.wants_whole_expansion = false;
  size_t scratch_floats = 0, max_rows = 0;
  plan_layout(&scratch_floats, &max_rows);
  if (execution_ == Execution::kFused) {
    const size_t arena = plan_.arena_bytes();
    // One thread: the blocks with at most 14 input rows. Their row tiles are a few 7- or
    // 14-pixel rows, so the ring's GEMM calls get row counts that are not multiples of the
    // GEMM's 4-row tile, and their large weights are streamed once per tile; expanded whole,
    // the expansion is one GEMM call. Several threads: also the 28-row blocks, whose bands
    // would each recompute the rows they share (see kWholeExpansionMaxRows).
    const size_t max_rows_whole =
        pool_->size() > 1 ? kWholeExpansionMaxRows : kWholeExpansionMaxRowsOneThread;
    for (size_t i = blocks_.size(); i-- > 0;) {
      Block& block = blocks_[i];
      if (block.kept || !block.shape.has_expand || block.in_h > max_rows_whole) continue;
      block.wants_whole_expansion = true;
      plan_layout(&scratch_floats, &max_rows);
      if (plan_.arena_bytes() > arena) block.wants_whole_expansion = false;
    }
    plan_layout(&scratch_floats, &max_rows);
  }
  const size_t S = input_size_;
  arena_.assign(plan_.arena_bytes() / sizeof(float), 0.0f);
  // Every thread gets its own scratch, stem window and row table.
  const size_t threads = pool_->size();
  scratch_per_thread_ = scratch_floats;
  scratch_.assign(scratch_floats * threads, 0.0f);
  image_window_.assign(execution_ == Execution::kFused ? kStemWindowRows * S * 3 * threads : 0,
                       0.0f);
  image_window_first_.assign(threads, 0);
  image_window_rows_.assign(threads, 0);
  rows_per_thread_ = max_rows;
  rows_.assign(max_rows * threads, nullptr);
}

// The tensors' lifetimes and the fused tiling for the current choices, solved into plan_.
void MobileNetV2::plan_layout(size_t* scratch_floats_out, size_t* max_rows_out) {
  plan_ = MemoryPlan();
  size_t step = 0;
  size_t scratch_floats = 0;
  size_t max_rows = stem_size_;
  const size_t S = input_size_;
  if (execution_ == Execution::kLayerByLayer) {
    for (Block& block : blocks_) block.whole_expansion = false;
    input_tensor_ = plan_.add(S * S * 3 * sizeof(float), step);
    stem_tensor_ = plan_.add(stem_size_ * stem_size_ * arch_.stem_channels * sizeof(float), ++step);
    plan_.use(input_tensor_, step);
    stem_step_ = step;
    size_t previous = stem_tensor_;
    for (Block& block : blocks_) {
      const BlockShape& shape = block.shape;
      block.first_step = step + 1;
      block.scratch_bytes = 0;
      size_t expanded = previous;
      if (shape.has_expand) {
        block.expanded_tensor =
            plan_.add(block.in_h * block.in_w * shape.expanded_channels * sizeof(float), ++step);
        plan_.use(previous, step);
        if (block.kept) plan_.keep_until_end(block.expanded_tensor);
        expanded = block.expanded_tensor;
      }
      block.depthwise_tensor =
          plan_.add(block.out_h * block.out_w * shape.expanded_channels * sizeof(float), ++step);
      plan_.use(expanded, step);
      block.output_tensor =
          plan_.add(block.out_h * block.out_w * shape.out_channels * sizeof(float), ++step);
      plan_.use(block.depthwise_tensor, step);
      if (shape.residual) plan_.use(previous, step);
      block.last_step = step;
      previous = block.output_tensor;
      max_rows = std::max(max_rows, block.in_h);
    }
  } else {
    input_tensor_ = stem_tensor_ = kNone;
    size_t previous = kNone;
    for (size_t i = 0; i < blocks_.size(); ++i) {
      Block& block = blocks_[i];
      const BlockShape& shape = block.shape;
      block.output_tensor =
          plan_.add(block.out_h * block.out_w * shape.out_channels * sizeof(float), ++step);
      if (previous != kNone) plan_.use(previous, step);
      block.expanded_tensor = kNone;
      block.whole_expansion = block.kept || block.wants_whole_expansion;
      if (block.whole_expansion) {
        block.expanded_tensor =
            plan_.add(block.in_h * block.in_w * shape.expanded_channels * sizeof(float), step);
        if (block.kept) plan_.keep_until_end(block.expanded_tensor);
      }
      const bool stem_fed = i == 0 && !shape.has_expand;
      plan_tiles(block, stem_fed);
      const size_t channels = stem_fed ? arch_.stem_channels : shape.expanded_channels;
      const size_t block_scratch =
          (block.whole_expansion ? 0 : block.ring_rows * block.in_w * channels) +
          block.tile_rows * block.out_w * channels;
      scratch_floats = std::max(scratch_floats, block_scratch);
      block.first_step = block.last_step = step;
      block.scratch_bytes = block_scratch * sizeof(float);
      if (i == 0) stem_step_ = step;
      previous = block.output_tensor;
      max_rows = std::max(max_rows, block.in_h);
    }
  }
  head_tensor_ =
      plan_.add(final_size_ * final_size_ * arch_.head_channels * sizeof(float), ++step);
  plan_.use(blocks_.back().output_tensor, step);
  plan_.keep_until_end(head_tensor_);
  head_step_ = step;
  plan_.solve();
  *scratch_floats_out = scratch_floats;
  *max_rows_out = max_rows;
}

MemoryStats MobileNetV2::memory_stats() const {
  size_t weights = stem_.size() + head_.size() + logits_.size();
  for (const Block& block : blocks_) {
    weights += block.expand.size() + block.depthwise.size() + block.project.size();
  }
  return {weights * sizeof(float), plan_.arena_bytes(),
          (scratch_.size() + image_window_.size()) * sizeof(float)};
}

void MobileNetV2::keep_expansion(size_t block) {
  blocks_.at(block).kept = true;
  plan();
}

const float* MobileNetV2::expansion(size_t block) const {
  const Block& kept = blocks_.at(block);
  return kept.kept && kept.expanded_tensor != kNone ? tensor(kept.expanded_tensor) : nullptr;
}

const float* MobileNetV2::head_output() const { return tensor(head_tensor_); }

// Stem output rows [first, first + count), one row at a time from a 3-row window of input
// rows that slides down the image, so the preprocessed image never exists whole. Each thread
// has its own window.
void MobileNetV2::run_stem_rows(InputRows& input, size_t thread, size_t first, size_t count,
                                float* output) {
  const double start = profiling_ && thread == 0 ? now_ms() : 0.0;
  const size_t S = input_size_;
  const size_t row_floats = S * 3;
  float* window = image_window_.data() + thread * kStemWindowRows * row_floats;
  size_t& window_first = image_window_first_[thread];
  size_t& window_rows = image_window_rows_[thread];
  for (size_t y = first; y < first + count; ++y) {
    const ptrdiff_t top = static_cast<ptrdiff_t>(2 * y) - static_cast<ptrdiff_t>(stem_pad_);
    const size_t low = static_cast<size_t>(std::max<ptrdiff_t>(top, 0));
    const size_t high = std::min(static_cast<size_t>(top + 3), S);
    const size_t window_end = window_first + window_rows;
    size_t kept = 0;
    if (window_rows > 0 && low >= window_first && low < window_end) {
      kept = std::min(window_end, high) - low;
      std::copy(window + (low - window_first) * row_floats,
                window + (low - window_first + kept) * row_floats, window);
    }
    if (low + kept < high) {
      input.read_rows(low + kept, high - low - kept, window + kept * row_floats, thread);
    }
    window_first = low;
    window_rows = high - low;
    kernels_->f32_conv3x3s2c3_minmax(window, high - low, S, static_cast<size_t>(low - top),
                                     stem_pad_, stem_.data(), arch_.stem_channels,
                                     output + (y - first) * stem_size_ * arch_.stem_channels,
                                     stem_size_, 0, 1, kRelu6Min, kRelu6Max);
  }
  if (profiling_ && thread == 0) stem_ms_ += now_ms() - start;
}

// Rows [row, row + count) of a block's expanded tensor: by the expand 1x1 conv from the block
// input, or (block 0, no expansion) by the stem.
void MobileNetV2::produce_rows(const Block& block, const float* input, InputRows* image,
                               size_t thread, size_t row, size_t count, float* destination) {
  if (block.shape.has_expand) {
    const size_t in_c = block.shape.in_channels;
    kernels_->f32_gemm_minmax(count * block.in_w, in_c, block.shape.expanded_channels,
                              input + row * block.in_w * in_c, in_c, block.expand.data(),
                              destination, block.shape.expanded_channels, nullptr, 0, kRelu6Min,
                              kRelu6Max);
  } else {
    run_stem_rows(*image, thread, row, count, destination);
  }
}

// Fills the ring up to (not including) row `rows`, in runs of contiguous slots.
void MobileNetV2::produce_expanded(const Block& block, const float* input, InputRows* image,
                                   size_t thread, RowRing& ring, size_t rows) {
  while (ring.produced < rows) {
    const size_t row = ring.produced;
    const size_t slot = row % ring.capacity;
    const size_t count = std::min(rows - row, ring.capacity - slot);
    produce_rows(block, input, image, thread, row, count, ring.base + slot * ring.row_floats);
    ring.produced += count;
  }
}

// Output rows [out_begin, out_end) of a fused block on one thread, a tile at a time.
void MobileNetV2::run_block_rows(const Block& block, const float* input, InputRows* image,
                                 float* output, size_t thread, size_t out_begin,
                                 size_t out_end) {
  const BlockShape& shape = block.shape;
  const size_t channels = shape.expanded_channels;
  const ptrdiff_t pad = static_cast<ptrdiff_t>(block.pad_top);
  const ptrdiff_t stride = static_cast<ptrdiff_t>(shape.stride);
  float* scratch = scratch_.data() + thread * scratch_per_thread_;
  const float** rows = rows_.data() + thread * rows_per_thread_;
  RowRing ring;
  ring.row_floats = block.in_w * channels;
  float* tile;
  if (block.whole_expansion) {
    // The whole expansion was produced before (run_block_fused): only read it.
    ring.base = tensor(block.expanded_tensor);
    ring.capacity = block.in_h;
    ring.produced = block.in_h;
    tile = scratch;
  } else {
    ring.base = scratch;
    ring.capacity = block.ring_rows;
    ring.produced =
        static_cast<size_t>(std::max<ptrdiff_t>(static_cast<ptrdiff_t>(out_begin) * stride - pad, 0));
    tile = scratch + block.ring_rows * ring.row_floats;
  }
  dwconv3x3_fn* depthwise =
      shape.stride == 1 ? kernels_->f32_dwconv3x3s1_minmax : kernels_->f32_dwconv3x3s2_minmax;
  for (size_t oy = out_begin; oy < out_end; oy += block.tile_rows) {
    const size_t end = std::min(out_end, oy + block.tile_rows);
    const ptrdiff_t first = static_cast<ptrdiff_t>(oy) * stride - pad;
    const size_t rows_end = std::min<size_t>(
        block.in_h, static_cast<size_t>(static_cast<ptrdiff_t>(end - 1) * stride - pad + 3));
    produce_expanded(block, input, image, thread, ring, rows_end);
    for (size_t y = static_cast<size_t>(std::max<ptrdiff_t>(first, 0)); y < rows_end; ++y) {
      rows[y] = ring.row(y);
    }
    depthwise(rows, block.in_h, block.in_w, channels, block.pad_top, block.pad_left,
              block.depthwise.data(), tile, block.out_w, oy, end, kRelu6Min, kRelu6Max);
    const size_t out_c = shape.out_channels;
    kernels_->f32_gemm_minmax((end - oy) * block.out_w, channels, out_c, tile, channels,
                              block.project.data(), output + oy * block.out_w * out_c, out_c,
                              shape.residual ? input + oy * block.out_w * out_c : nullptr,
                              out_c, kLinearMin, kLinearMax);
  }
}

// Splits a fused block's output rows into one contiguous band per thread. With a ring, each
// band primes its own, recomputing the one or two expanded rows it shares with its neighbour;
// a whole expansion is computed once first (pixels split across threads) and the bands, or
// the pixel split of run_block_pixel_split(), only read it.
void MobileNetV2::run_block_fused(Block& block, const float* input, InputRows* image,
                                  float* output) {
  const size_t threads = std::min(pool_->size(), block.out_h);
  if (block.whole_expansion && block.shape.has_expand) {
    // A whole expansion is produced first, its pixels split evenly across the threads.
    const size_t in_c = block.shape.in_channels, channels = block.shape.expanded_channels;
    float* expanded = tensor(block.expanded_tensor);
    split_pixels_across_threads(*pool_, block.in_h * block.in_w, [&](size_t begin, size_t end) {
      kernels_->f32_gemm_minmax(end - begin, in_c, channels, input + begin * in_c, in_c,
                                block.expand.data(), expanded + begin * channels, channels,
                                nullptr, 0, kRelu6Min, kRelu6Max);
    });
  } else if (block.whole_expansion) {
    // A stem output kept whole (block 0 of narrow networks): each thread its own rows.
    const size_t bands = std::min(pool_->size(), block.in_h);
    float* expanded = tensor(block.expanded_tensor);
    const size_t row_floats = block.in_w * block.shape.expanded_channels;
    pool_->parallel_for(bands, [&](size_t band, size_t thread) {
      const size_t begin = band * block.in_h / bands, end = (band + 1) * block.in_h / bands;
      produce_rows(block, input, image, thread, begin, end - begin, expanded + begin * row_floats);
    });
  }
  const size_t channels = block.shape.expanded_channels;
  const size_t out_pixels = block.out_h * block.out_w;
  if (block.whole_expansion && threads > 1 && block.out_h % threads != 0 &&
      block.out_h < 4 * threads && out_pixels * channels <= scratch_.size()) {
    run_block_pixel_split(block, input, output);
    return;
  }
  pool_->parallel_for(threads, [&](size_t band, size_t thread) {
    run_block_rows(block, input, image, output, thread, band * block.out_h / threads,
                   (band + 1) * block.out_h / threads);
  });
}

// A block with few output rows that do not split evenly (7 rows on 2 threads: bands of 3 and
// 4, the project GEMM, most of the work, waiting on the larger one): the depthwise rows go in
// bands into all threads' scratch at once, then the project GEMM splits the pixels (24/25).
void MobileNetV2::run_block_pixel_split(const Block& block, const float* input, float* output) {
  const BlockShape& shape = block.shape;
  const size_t channels = shape.expanded_channels, out_c = shape.out_channels;
  const float* expanded = tensor(block.expanded_tensor);
  float* depthwise_out = scratch_.data();
  dwconv3x3_fn* depthwise =
      shape.stride == 1 ? kernels_->f32_dwconv3x3s1_minmax : kernels_->f32_dwconv3x3s2_minmax;
  const size_t row_bands = std::min(pool_->size(), block.out_h);
  pool_->parallel_for(row_bands, [&](size_t band, size_t thread) {
    const float** rows = rows_.data() + thread * rows_per_thread_;
    for (size_t y = 0; y < block.in_h; ++y) rows[y] = expanded + y * block.in_w * channels;
    const size_t begin = band * block.out_h / row_bands;
    const size_t end = (band + 1) * block.out_h / row_bands;
    depthwise(rows, block.in_h, block.in_w, channels, block.pad_top, block.pad_left,
              block.depthwise.data(), depthwise_out + begin * block.out_w * channels, block.out_w,
              begin, end, kRelu6Min, kRelu6Max);
  });
  split_pixels_across_threads(*pool_, block.out_h * block.out_w, [&](size_t begin, size_t end) {
    kernels_->f32_gemm_minmax(end - begin, channels, out_c, depthwise_out + begin * channels,
                              channels, block.project.data(), output + begin * out_c, out_c,
                              shape.residual ? input + begin * out_c : nullptr, out_c,
                              kLinearMin, kLinearMax);
  });
}

void MobileNetV2::run_block_layers(Block& block, const float* input, float* output) {
  const float** rows = rows_.data();
  const BlockShape& shape = block.shape;
  const size_t channels = shape.expanded_channels;
  const float* expanded = input;
  if (shape.has_expand) {
    float* target = tensor(block.expanded_tensor);
    kernels_->f32_gemm_minmax(block.in_h * block.in_w, shape.in_channels, channels, input,
                              shape.in_channels, block.expand.data(), target, channels,
                              nullptr, 0, kRelu6Min, kRelu6Max);
    expanded = target;
  }
  for (size_t y = 0; y < block.in_h; ++y) rows[y] = expanded + y * block.in_w * channels;
  dwconv3x3_fn* depthwise =
      shape.stride == 1 ? kernels_->f32_dwconv3x3s1_minmax : kernels_->f32_dwconv3x3s2_minmax;
  float* depthwise_out = tensor(block.depthwise_tensor);
  depthwise(rows, block.in_h, block.in_w, channels, block.pad_top, block.pad_left,
            block.depthwise.data(), depthwise_out, block.out_w, 0, block.out_h, kRelu6Min,
            kRelu6Max);
  kernels_->f32_gemm_minmax(block.out_h * block.out_w, channels, shape.out_channels,
                            depthwise_out, channels, block.project.data(), output,
                            shape.out_channels, shape.residual ? input : nullptr,
                            shape.out_channels, kLinearMin, kLinearMax);
}

void MobileNetV2::run_backbone(InputRows& input) {
  // Times go to the rows of summary(): stem, blocks, head (pool and logits are added by
  // features() and classify()). Fused, the stem runs inside block 0 and is timed apart.
  double mark = profiling_ ? now_ms() : 0.0;
  const auto lap = [&](size_t row) {
    if (!profiling_) return;
    const double now = now_ms();
    layer_ms_[row] = now - mark;
    mark = now;
  };
  if (profiling_) layer_ms_.assign(blocks_.size() + 4, 0.0);
  stem_ms_ = 0.0;
  const float* previous = nullptr;
  if (execution_ == Execution::kLayerByLayer) {
    float* image = tensor(input_tensor_);
    input.read_rows(0, input_size_, image, 0);
    float* stem = tensor(stem_tensor_);
    kernels_->f32_conv3x3s2c3_minmax(image, input_size_, input_size_, stem_pad_, stem_pad_,
                                     stem_.data(), arch_.stem_channels, stem, stem_size_, 0,
                                     stem_size_, kRelu6Min, kRelu6Max);
    lap(0);
    previous = stem;
    for (size_t i = 0; i < blocks_.size(); ++i) {
      run_block_layers(blocks_[i], previous, tensor(blocks_[i].output_tensor));
      previous = tensor(blocks_[i].output_tensor);
      lap(i + 1);
    }
  } else {
    // A new image: nothing of the last one may be reused.
    std::fill(image_window_rows_.begin(), image_window_rows_.end(), 0);
    if (blocks_[0].kept) previous = tensor(blocks_[0].expanded_tensor);
    for (size_t i = 0; i < blocks_.size(); ++i) {
      run_block_fused(blocks_[i], previous, &input, tensor(blocks_[i].output_tensor));
      previous = tensor(blocks_[i].output_tensor);
      lap(i + 1);
    }
    if (profiling_) {
      layer_ms_[0] = stem_ms_;
      layer_ms_[1] -= stem_ms_;
    }
  }
  run_head(previous);
  lap(blocks_.size() + 1);
}

// The 1x1 conv to 1280, its pixels split across threads.
void MobileNetV2::run_head(const float* input) {
  const size_t last_channels = arch_.blocks.back().out_channels;
  const size_t pixels = final_size_ * final_size_;
  float* output = tensor(head_tensor_);
  split_pixels_across_threads(*pool_, pixels, [&](size_t begin, size_t end) {
    kernels_->f32_gemm_minmax(end - begin, last_channels, arch_.head_channels,
                              input + begin * last_channels, last_channels, head_.data(),
                              output + begin * arch_.head_channels, arch_.head_channels, nullptr,
                              0, kRelu6Min, kRelu6Max);
  });
}

void MobileNetV2::run_backbone(const float* input) {
  InputTensorRows rows(input, input_size_ * 3);
  run_backbone(rows);
}

const float* MobileNetV2::features(InputRows& input) {
  run_backbone(input);
  const double start = profiling_ ? now_ms() : 0.0;
  kernels_->f32_global_avgpool(tensor(head_tensor_), final_size_ * final_size_,
                               arch_.head_channels, pooled_.data());
  if (profiling_) layer_ms_[blocks_.size() + 2] = now_ms() - start;
  return pooled_.data();
}

const float* MobileNetV2::features(const float* input) {
  InputTensorRows rows(input, input_size_ * 3);
  return features(rows);
}

const float* MobileNetV2::classify(const float* features) {
  const double start = profiling_ ? now_ms() : 0.0;
  // The classifier's output channels split across the threads at multiples of 32 (the FC
  // kernel's four 8-channel blocks); each output is computed alone, so any split gives the
  // same values. Its 1.3M multiply-adds would otherwise be serial.
  const size_t k = arch_.head_channels, n = num_classes_;
  const size_t groups = (n + 31) / 32;
  const size_t bands = std::min(pool_->size(), groups);
  pool_->parallel_for(bands, [&](size_t band, size_t) {
    const size_t begin = band * groups / bands * 32;
    const size_t end = std::min(n, (band + 1) * groups / bands * 32);
    kernels_->f32_fc_minmax(k, end - begin, features,
                            // begin is a multiple of the block: its packing starts after
                            // begin channels' packings.
                            logits_.data() + gemm_packed_size(k, begin),
                            probabilities_.data() + begin, kLinearMin, kLinearMax);
  });
  kernels_->f32_softmax(probabilities_.data(), num_classes_, probabilities_.data());
  if (profiling_) layer_ms_[blocks_.size() + 3] = now_ms() - start;
  return probabilities_.data();
}

}  // namespace mnv2
