// Reading the int16 values stored two per int32 word in packed integer weights (low half
// first, the memory order of a little-endian i16x8 vector), without type-punning pointers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernels-q8.h"

namespace mnv2::q8 {

inline int16_t packed_i16(const int32_t* words, size_t index) {
  const uint32_t word = static_cast<uint32_t>(words[index / 2]);
  return static_cast<int16_t>(static_cast<uint16_t>(index % 2 == 0 ? word : word >> 16));
}

// Index (in int16 values from the start of the taps) of depthwise tap t's weight for channel c
// in the layout of kernels-q8.h: groups of 8 channels, 5 tap pairs, 2 vectors of 4 channels,
// each channel's pair (tap 2p, tap 2p + 1) adjacent.
inline size_t dw_tap_index(size_t t, size_t c) {
  const size_t group = c / 8, lane = c % 8, pair = t / 2;
  return (((group * 5 + pair) * 2 + lane / 4) * 4 + lane % 4) * 2 + t % 2;
}

// Channel `lane`'s weight at input kk in the weights of one packed GEMM block (after its
// requantization arrays), in either layout (kernels-q8.h), minus the layout's offset.
inline int32_t packed_gemm_weight(const int32_t* weights, size_t lane, size_t kk,
                                  Q8GemmLayout layout, int32_t offset) {
  if (layout == Q8GemmLayout::kU8Quads) {
    const uint32_t word = static_cast<uint32_t>(weights[(kk / 4) * kQ8GemmBlock + lane]);
    return static_cast<int32_t>((word >> (8 * (kk % 4))) & 0xff) - offset;
  }
  // Word (kk / 2) * 16 + lane holds the pair (k even, k odd) of this channel.
  return packed_i16(weights, 2 * ((kk / 2) * kQ8GemmBlock + lane) + kk % 2);
}

// Words per packed GEMM block of k inputs in a layout.
inline size_t packed_gemm_block_words(size_t k, Q8GemmLayout layout) {
  const size_t rows = layout == Q8GemmLayout::kU8Quads ? (k + 3) / 4 : (k + 1) / 2;
  return kQ8GemmBlock * (kQ8ArrayWords + rows);
}

}  // namespace mnv2::q8
