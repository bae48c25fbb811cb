#include "model/q8-pointwise.h"

#include <algorithm>

namespace mnv2 {
namespace {

struct ChannelRange {
  size_t first, count;
};

}  // namespace

void Q8Pointwise::pack(size_t k, size_t n, const int16_t* weights, const int32_t* bias,
                       int32_t input_zero_point, const q8::Requantization* requant) {
  k_ = k;
  n_ = n;
  segments_.clear();
  // qs8_gemm_pack is the one judge of a mode: it packs channels [first, first + count) alone
  // into *out and says which mode it chose for them.
  const auto pack_range = [&](ChannelRange r, std::vector<int32_t>* out) {
    out->assign(qs8_gemm_packed_words(k, r.count), 0);
    qs8_gemm_pack(k, r.count, weights + r.first * k, bias + r.first, input_zero_point,
                  requant + r.first, out->data());
    return static_cast<Q8RequantMode>((*out)[0]);
  };

  const Q8RequantMode whole = pack_range({0, n}, &packed_);
  if (whole != Q8RequantMode::kGeneric || n <= kGranule) {
    segments_.push_back({0, n, 0, whole});
    return;
  }

  // Runs of granules, greedily: a generic granule joins a generic run (their packing has no
  // mode to lose), a fast one joins a fast run while the joined packing stays fast (it may
  // not: uniform shifts of 25 and 10 together need a common shift beyond kQ8MaxCommonShift).
  std::vector<int32_t> scratch;
  std::vector<ChannelRange> runs;
  ChannelRange current{0, kGranule};
  bool current_generic = pack_range(current, &scratch) == Q8RequantMode::kGeneric;
  for (size_t first = kGranule; first < n; first += kGranule) {
    const ChannelRange block{first, std::min(kGranule, n - first)};
    const bool block_generic = pack_range(block, &scratch) == Q8RequantMode::kGeneric;
    const ChannelRange joined{current.first, current.count + block.count};
    const bool join = current_generic == block_generic &&
                      (block_generic || pack_range(joined, &scratch) != Q8RequantMode::kGeneric);
    if (join) {
      current = joined;
    } else {
      runs.push_back(current);
      current = block;
      current_generic = block_generic;
    }
  }
  runs.push_back(current);

  packed_.clear();
  for (const ChannelRange& r : runs) {
    const Q8RequantMode mode = pack_range(r, &scratch);
    segments_.push_back({r.first, r.count, packed_.size(), mode});
    packed_.insert(packed_.end(), scratch.begin(), scratch.end());
  }
}

void Q8Pointwise::run(qs8_gemm_fn* gemm, size_t m, const int8_t* a, size_t a_stride, int8_t* c,
                      size_t c_stride, const Q8Output& output) const {
  for (const Segment& s : segments_) {
    gemm(m, k_, s.channels, a, a_stride, packed_.data() + s.offset, c + s.first_channel,
         c_stride, output);
  }
}

}  // namespace mnv2
