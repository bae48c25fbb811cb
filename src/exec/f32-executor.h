// The float32 LayerExecutor: weights dequantized, checked and packed once at load
// (model/layer-weights.h), float arithmetic on the kernels of kernels.h. The input is the
// antialiased, normalized image of model/preprocess.h, pulled row by row.
#pragma once

#include <cstddef>
#include <vector>

#include "exec/layer-executor.h"
#include "kernels/kernels.h"
#include "model/input-rows.h"
#include "model/preprocess.h"

namespace mnv2 {

class F32Executor final : public LayerExecutor {
 public:
  explicit F32Executor(const KernelTable& kernels) : kernels_(&kernels) {}

  bool load(const WeightFileView& file, const NetworkDescription& network,
            std::string* error) override;
  void prepare(const NetworkPlan& plan) override;
  size_t value_bytes() const override { return sizeof(float); }
  size_t weight_bytes() const override;

  void set_image(const uint8_t* rgba, size_t width, size_t height, float crop) override;
  // Another source of input rows (tests: a whole input tensor, InputTensorRows).
  void set_input(InputRows* input) { input_ = input; }
  void read_input(size_t first, size_t count, void* out, size_t thread) override;

  void stem(const void* window, size_t rows, size_t pad_top, size_t out_begin, size_t out_end,
            void* output, size_t thread) override;
  void pointwise(size_t layer, size_t pixels, const void* input, void* output,
                 const void* residual) override;
  void depthwise(const Stage& stage, const RowWindow& rows, size_t out_begin, size_t out_end,
                 void* output, size_t thread) override;
  void predict(size_t layer, size_t pixels, const void* input, void* raw,
               float* decoded) override;

  const float* pool(const void* head) override;
  void fully_connected(size_t band) override;
  const float* softmax() override;

 private:
  const KernelTable* kernels_;
  const NetworkDescription* network_ = nullptr;
  const WorkSplit* classifier_bands_ = nullptr;
  std::vector<std::vector<float>> packed_;  // per layer
  Preprocessor preprocessor_;
  PreprocessSpec spec_{};
  InputRows* input_ = nullptr;
  RowTables<float> rows_;
  std::vector<float> pooled_, probabilities_;
};

}  // namespace mnv2
