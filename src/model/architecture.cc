#include "model/architecture.h"

#include <algorithm>

namespace mnv2 {

size_t make_divisible(float value, size_t divisor) {
  const float d = static_cast<float>(divisor);
  size_t rounded = std::max(divisor, static_cast<size_t>((value + d / 2) / d) * divisor);
  if (static_cast<float>(rounded) < 0.9f * value) rounded += divisor;
  return rounded;
}

ArchitectureShape mobilenet_v2_architecture(float alpha) {
  ArchitectureShape arch;
  arch.alpha = alpha;
  arch.stem_channels = make_divisible(kStemChannels * alpha);
  size_t in_channels = arch.stem_channels;
  for (const BottleneckRow& row : kBottleneckTable) {
    const size_t out_channels = make_divisible(row.channels * alpha);
    for (int repeat = 0; repeat < row.repeats; ++repeat) {
      BlockShape block;
      block.in_channels = in_channels;
      block.expansion = static_cast<size_t>(row.expansion);
      block.expanded_channels = in_channels * block.expansion;
      block.out_channels = out_channels;
      block.stride = repeat == 0 ? static_cast<size_t>(row.stride) : 1;
      block.has_expand = row.expansion != 1;
      block.residual = block.stride == 1 && in_channels == out_channels;
      arch.blocks.push_back(block);
      in_channels = out_channels;
    }
  }
  // The last conv keeps 1280 channels for alpha <= 1 and grows with wider networks.
  arch.head_channels = alpha > 1.0f ? make_divisible(kHeadChannels * alpha) : kHeadChannels;
  return arch;
}

std::string block_layer_name(size_t block, const char* layer) {
  return "block" + std::to_string(block) + "." + layer;
}

std::string block_tensor_name(size_t block, const char* layer, char kind) {
  return block_layer_name(block, layer) + "." + kind;
}

}  // namespace mnv2
