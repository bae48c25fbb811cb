// What the two kernel micro-benchmarks (kernel-bench.cc, q8-kernel-bench.cc) share: the walk
// over MobileNetV2 1.0/224's bottleneck blocks with the sizes of their feature maps, and the
// per-layer report with its total.
#pragma once

#include <cstddef>
#include <cstdio>

#include "model/architecture.h"

// One bottleneck block where MobileNetV2 1.0/224 runs it: side x side input pixels (in_px),
// out x out output pixels (out_px).
struct BlockAtSize {
  size_t index;
  const mnv2::BlockShape& shape;
  size_t side, out, in_px, out_px;
};

// Calls fn(BlockAtSize) for each block in order, from the stem's 112x112 output.
template <typename F>
void for_each_block(const mnv2::ArchitectureShape& arch, F&& fn) {
  size_t side = 112;
  for (size_t i = 0; i < arch.blocks.size(); ++i) {
    const mnv2::BlockShape& b = arch.blocks[i];
    const size_t out = (side + b.stride - 1) / b.stride;
    fn(BlockAtSize{i, b, side, out, side * side, out * out});
    side = out;
  }
}

// Prints a line per layer, "name index  ms  GMAC/s" (and the share of `peak_gmacs` when one is
// given), and the total over the layers.
class LayerReport {
 public:
  explicit LayerReport(double peak_gmacs = 0.0) : peak_gmacs_(peak_gmacs) {}

  void add(const char* name, size_t index, double ms, double macs) {
    total_ms_ += ms;
    total_macs_ += macs;
    std::printf("%-8s %2zu  %7.3f ms  %6.2f GMAC/s", name, index, ms, macs / ms / 1e6);
    if (peak_gmacs_ > 0.0) std::printf("  %5.1f%%", 100.0 * macs / ms / 1e6 / peak_gmacs_);
    std::printf("\n");
  }

  // note: how the layers were run, "layer by layer, data warm".
  void print_total(const char* note) const {
    std::printf("total    %7.3f ms  %6.2f GMAC/s (%s)\n", total_ms_, total_macs_ / total_ms_ / 1e6,
                note);
  }

 private:
  double peak_gmacs_;
  double total_ms_ = 0.0, total_macs_ = 0.0;
};
