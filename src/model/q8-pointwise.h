// An integer GEMM layer (1x1 conv, the stem's im2col GEMM, fully connected) packed for
// qs8_gemm_minmax as one or more segments of output channels, each with its own
// requantization mode.
//
// Why segments: qs8_gemm_pack decides the SIMD requantization mode (Q8RequantMode) from all
// of a layer's channels, so one degenerate channel (e.g. the SSDLite model's block1 expand has
// a channel with weight scale ~4e-10 and bias -2^31 + 1, whose accumulators may reach 2^30)
// sends the whole layer to kGeneric, the scalar requantization of every output. Packed here,
// such a layer keeps one packing when that packing is fast; otherwise it is cut at multiples
// of kGranule channels into runs that each get the best mode qs8_gemm_pack finds for them
// alone, and only the runs holding degenerate channels stay generic. Each segment
// runs as its own qs8_gemm_minmax call on the same input rows, writing its columns of the
// output rows (output pointer offset, full output stride). Every channel's packed values
// (folded bias, requantization) are computed from that channel alone and both kernel twins
// follow the scalar definition bit for bit in every mode, so the output is identical to
// that of one whole packing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/kernels-q8.h"

namespace mnv2 {

class Q8Pointwise {
 public:
  // Segments start at multiples of 8 channels: the GEMM's narrowest tile (a narrow last block
  // of 8 of its 16 channels), so that a generic segment requantizes no more than 8 lanes
  // per row while a 16-channel cut would leave up to 15 healthy channels on the scalar path.
  static constexpr size_t kGranule = 8;

  struct Segment {
    size_t first_channel, channels;
    size_t offset;  // word offset of the segment's packing in the packed buffer
  };

  // weights: [n][k] minus their zero point, bias [n], requant [n], single_rounding and
  // layout (as qs8_gemm_pack; the layout is the GEMM kernel's: QuantizedKernelTable).
  void pack(size_t k, size_t n, const int16_t* weights, const int32_t* bias,
            int32_t input_zero_point, const q8::Requantization* requant,
            bool single_rounding = false, Q8GemmLayout layout = Q8GemmLayout::kI16Pairs);

  // c[i][j] for rows i < m and channels j < n, exactly what qs8_gemm_minmax gives on the whole
  // packing.
  void run(qs8_gemm_fn* gemm, size_t m, const int8_t* a, size_t a_stride, int8_t* c,
           size_t c_stride, const Q8Output& output) const;

  size_t output_channels() const { return n_; }
  const std::vector<Segment>& segments() const { return segments_; }
  // The requantization mode qs8_gemm_pack chose for a segment (the first word of its packing).
  Q8RequantMode mode(const Segment& s) const { return static_cast<Q8RequantMode>(packed_[s.offset]); }
  size_t words() const { return packed_.size(); }

 private:
  size_t k_ = 0, n_ = 0;
  std::vector<Segment> segments_;
  std::vector<int32_t> packed_;
};

}  // namespace mnv2
