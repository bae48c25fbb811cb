#include "model/q8-pointwise.h"

#include <algorithm>

namespace mnv2 {
namespace {

struct ChannelRange {
  size_t first, count;
};

}  // namespace

void Q8Pointwise::pack(size_t k, size_t n, const int16_t* weights, const int32_t* bias,
                       int32_t input_zero_point, const q8::Requantization* requant,
                       bool single_rounding, Q8GemmLayout layout) {
  k_ = k;
  n_ = n;
  segments_.clear();
  // qs8_gemm_pack is the one judge of a mode: it packs channels [first, first + count) alone
  // into *out and says which mode it chose for them.
  const auto pack_range = [&](ChannelRange r, std::vector<int32_t>* out) {
    const Q8GemmLayout fitting = qs8_gemm_fitting_layout(r.count * k, weights + r.first * k, layout);
    out->assign(qs8_gemm_packed_words(k, r.count, fitting), 0);
    qs8_gemm_pack(k, r.count, weights + r.first * k, bias + r.first, input_zero_point,
                  requant + r.first, out->data(), single_rounding, fitting);
    return static_cast<Q8RequantMode>((*out)[0]);
  };

  const Q8RequantMode whole = pack_range({0, n}, &packed_);
  if (whole != Q8RequantMode::kGeneric || n <= kGranule) {
    segments_.push_back({0, n, 0});
    return;
  }

  // Maximal runs of granules that are generic alone, and of granules that are fast alone
  // (one packing of every granule: one packing of the layer in all). A generic run is one
  // segment (its packing has no mode to lose). A fast run is one segment when its joint
  // packing is fast too, the usual case; else (e.g. uniform shifts of 25 and 10 together need
  // a common shift beyond kQ8MaxCommonShift) it is split greedily, a granule joining the
  // segment before it while their joint packing stays fast.
  std::vector<int32_t> scratch;
  std::vector<bool> generic;
  for (size_t first = 0; first < n; first += kGranule) {
    const ChannelRange granule{first, std::min(kGranule, n - first)};
    generic.push_back(pack_range(granule, &scratch) == Q8RequantMode::kGeneric);
  }
  std::vector<ChannelRange> runs;
  for (size_t g = 0; g < generic.size();) {
    size_t end = g + 1;
    while (end < generic.size() && generic[end] == generic[g]) ++end;
    const ChannelRange run{g * kGranule, std::min(end * kGranule, n) - g * kGranule};
    if (generic[g] || pack_range(run, &scratch) != Q8RequantMode::kGeneric) {
      runs.push_back(run);
    } else {
      ChannelRange current{run.first, kGranule};
      for (size_t first = run.first + kGranule; first < run.first + run.count; first += kGranule) {
        const ChannelRange next{first, std::min(kGranule, run.first + run.count - first)};
        const ChannelRange joined{current.first, current.count + next.count};
        if (pack_range(joined, &scratch) != Q8RequantMode::kGeneric) {
          current = joined;
        } else {
          runs.push_back(current);
          current = next;
        }
      }
      runs.push_back(current);
    }
    g = end;
  }

  packed_.clear();
  for (const ChannelRange& r : runs) {
    pack_range(r, &scratch);
    segments_.push_back({r.first, r.count, packed_.size()});
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
