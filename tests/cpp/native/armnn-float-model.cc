#include "native/armnn-float-model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "graph/network-description.h"
#include "model/architecture.h"

namespace mnv2::testing {
namespace {

struct Quant {
  float scale;
  int zero_point;  // int8 domain: a uint8 tensor's zero point minus 128 (same real values)
};

struct Tensor {
  size_t size = 0, channels = 0;  // square maps
  std::vector<int> q;             // int8 domain
  Quant quant{};
};

const TensorView& tensor(const WeightFileView& file, const std::string& name) {
  const TensorView* t = file.find(name);
  if (t == nullptr || t->quant_count == 0) throw std::runtime_error("no quantized tensor " + name);
  return *t;
}

Quant activation(const WeightFileView& file, const std::string& layer) {
  const TensorView& t = tensor(file, layer + ".out_q");
  return {t.scale(0), t.zero_point(0) - (t.type == TensorType::kU8 ? 128 : 0)};
}

float decode(int q, Quant quant) { return static_cast<float>(q - quant.zero_point) * quant.scale; }

// Arm NN's Quantize: offset + round(value / scale) in float, clamped to the type's range.
int encode(float value, Quant quant) {
  const float q = static_cast<float>(quant.zero_point) + static_cast<float>(std::round(value / quant.scale));
  return static_cast<int>(std::min(std::max(q, -128.0f), 127.0f));
}

int relu6(int q, Quant quant) {
  return encode(std::min(6.0f, std::max(0.0f, decode(q, quant))), quant);
}

// Convolution (weights [O][kh][kw][I]) or depthwise (weights [1][kh][kw][C]), SAME padding.
Tensor convolve(const WeightFileView& file, const Tensor& in, const std::string& layer,
                size_t stride, bool depthwise, bool fused_relu6) {
  const TensorView& w = tensor(file, layer + ".w");
  const TensorView& b = tensor(file, layer + ".b");
  const size_t kh = w.dims[1], kw = w.dims[2];
  const size_t out_channels = depthwise ? w.dims[3] : w.dims[0];
  const size_t in_channels = depthwise ? 1 : w.dims[3];
  const auto channel_of = [&](size_t i) {
    if (w.quant_count == 1) return size_t{0};
    return depthwise ? i % out_channels : i / (kh * kw * in_channels);
  };
  std::vector<float> weights(w.elements);
  for (size_t i = 0; i < w.elements; ++i) {
    const int q = w.type == TensorType::kU8 ? int{w.data[i]} : int{static_cast<int8_t>(w.data[i])};
    weights[i] = static_cast<float>(q - w.zero_point(channel_of(i))) * w.scale(channel_of(i));
  }
  std::vector<float> bias(out_channels);
  for (size_t c = 0; c < out_channels; ++c) {
    int32_t q;
    std::memcpy(&q, b.data + 4 * c, 4);
    bias[c] = static_cast<float>(q) * b.scale(b.quant_count == 1 ? 0 : c);
  }
  std::vector<float> input(in.q.size());
  for (size_t i = 0; i < input.size(); ++i) input[i] = decode(in.q[i], in.quant);

  const SamePadding padding = same_padding(in.size, stride, kh);
  Tensor out;
  out.size = padding.output;
  out.channels = out_channels;
  out.quant = activation(file, layer);
  out.q.resize(out.size * out.size * out_channels);
  for (size_t co = 0; co < out_channels; ++co) {
    for (size_t oy = 0; oy < out.size; ++oy) {
      for (size_t ox = 0; ox < out.size; ++ox) {
        float sum = 0.0f;
        for (size_t ci = 0; ci < in_channels; ++ci) {
          for (size_t ky = 0; ky < kh; ++ky) {
            for (size_t kx = 0; kx < kw; ++kx) {
              const ptrdiff_t iy = ptrdiff_t(oy * stride + ky) - ptrdiff_t(padding.before);
              const ptrdiff_t ix = ptrdiff_t(ox * stride + kx) - ptrdiff_t(padding.before);
              const bool inside = iy >= 0 && iy < ptrdiff_t(in.size) && ix >= 0 && ix < ptrdiff_t(in.size);
              const float x = inside ? input[(size_t(iy) * in.size + size_t(ix)) * in.channels +
                                             (depthwise ? co : ci)]
                                     : 0.0f;
              const float weight = depthwise ? weights[(ky * kw + kx) * out_channels + co]
                                             : weights[((co * kh + ky) * kw + kx) * in_channels + ci];
              // Kept as a separate multiply and add (no fused multiply-add), as compiled there.
              const float product = weight * x;
              sum += product;
            }
          }
        }
        sum += bias[co];
        int q = encode(sum, out.quant);
        if (fused_relu6) q = relu6(q, out.quant);
        out.q[(oy * out.size + ox) * out_channels + co] = q;
      }
    }
  }
  return out;
}

}  // namespace

std::vector<int> armnn_float_scores(const WeightFileView& file, const std::vector<uint8_t>& rgb) {
  const ArchitectureShape arch = mobilenet_v2_architecture(file.header.alpha);
  Tensor x;
  x.size = file.header.input_size;
  x.channels = 3;
  x.quant = activation(file, "input");
  x.q.resize(rgb.size());
  for (size_t i = 0; i < rgb.size(); ++i) {
    const float real = (static_cast<float>(rgb[i]) - file.header.input_mean) / file.header.input_std;
    x.q[i] = encode(real, x.quant);
  }
  x = convolve(file, x, "stem", 2, false, true);
  for (size_t i = 0; i < arch.blocks.size(); ++i) {
    const BlockShape& shape = arch.blocks[i];
    const Tensor block_input = x;
    if (shape.has_expand) x = convolve(file, x, block_layer_name(i, "expand"), 1, false, true);
    x = convolve(file, x, block_layer_name(i, "dw"), shape.stride, true, true);
    x = convolve(file, x, block_layer_name(i, "project"), 1, false, false);
    if (shape.residual) {
      const Quant sum_quant = activation(file, block_layer_name(i, "add"));
      for (size_t k = 0; k < x.q.size(); ++k) {
        x.q[k] = encode(decode(x.q[k], x.quant) + decode(block_input.q[k], block_input.quant), sum_quant);
      }
      x.quant = sum_quant;
    }
  }
  x = convolve(file, x, "head", 1, false, true);

  Tensor pooled;
  pooled.size = 1;
  pooled.channels = x.channels;
  pooled.quant = activation(file, "pool");
  pooled.q.resize(x.channels);
  const size_t pixels = x.size * x.size;
  for (size_t c = 0; c < x.channels; ++c) {
    float sum = 0.0f;
    for (size_t p = 0; p < pixels; ++p) sum += decode(x.q[p * x.channels + c], x.quant);
    pooled.q[c] = encode(sum / static_cast<float>(pixels), pooled.quant);
  }
  const Tensor logits = convolve(file, pooled, "logits", 1, false, false);

  std::vector<float> e(logits.q.size());
  float max = -INFINITY;
  for (size_t i = 0; i < e.size(); ++i) max = std::max(max, decode(logits.q[i], logits.quant));
  float sum = 0.0f;
  for (size_t i = 0; i < e.size(); ++i) {
    e[i] = std::exp(decode(logits.q[i], logits.quant) - max);
    sum += e[i];
  }
  std::vector<int> scores(e.size());
  for (size_t i = 0; i < e.size(); ++i) {
    scores[i] = std::min(255, static_cast<int>(std::round(e[i] / sum * 256.0f)));
  }
  return scores;
}

}  // namespace mnv2::testing
