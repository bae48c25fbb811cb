// MobileNetV2's shape, derived from the paper's Table 2 (t, c, n, s) and a width multiplier.
// The converter names tensors with these helpers and the engine checks every tensor it loads
// against the shapes computed here, so a file whose shapes disagree with its declared alpha is
// rejected instead of being run.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mnv2 {

// One row of the paper's Table 2: expansion t, output channels c, repeats n, first stride s.
struct BottleneckRow {
  int expansion;
  int channels;
  int repeats;
  int stride;
};

// MobileNetV2, Table 2 (Sandler et al., arXiv 1801.04381): 17 bottleneck blocks in 7 rows.
inline constexpr BottleneckRow kBottleneckTable[] = {
    {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
    {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
};
inline constexpr int kStemChannels = 32;
inline constexpr int kHeadChannels = 1280;

struct BlockShape {
  size_t in_channels;
  size_t expanded_channels;  // == in_channels when expansion is 1 (no expand conv)
  size_t out_channels;
  size_t expansion;
  size_t stride;
  bool has_expand;
  bool residual;  // stride 1 and in == out channels
};

struct ArchitectureShape {
  float alpha;
  size_t stem_channels;
  std::vector<BlockShape> blocks;
  size_t head_channels;
};

// Channel rounding of the reference implementations: to a multiple of 8, never below 8 and
// never more than 10% below the unrounded value.
size_t make_divisible(float value, size_t divisor = 8);

ArchitectureShape mobilenet_v2_architecture(float alpha);

// Tensor names in weight files: "stem.w" / "stem.b", "block<i>.expand.w", "block<i>.dw.w",
// "block<i>.project.w" (and ".b"), "head.w" / "head.b" (1x1 conv to 1280), "logits.w" /
// "logits.b" (classifier). Weights are OHWI like TFLite: conv [O][kh][kw][I], depthwise
// [1][3][3][C], 1x1 and logits [O][1][1][I].
std::string block_tensor_name(size_t block, const char* layer, char kind);
// "block<i>.<layer>", the tensor name without its ".w" / ".b".
std::string block_layer_name(size_t block, const char* layer);

}  // namespace mnv2
