#include "head/softmax-regression.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mnv2 {
namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

// Adam's constants, the defaults of Kingma & Ba, "Adam: A Method for Stochastic Optimization"
// (arXiv 1412.6980), Algorithm 1.
constexpr float kBeta1 = 0.9f;
constexpr float kBeta2 = 0.999f;
constexpr float kEpsilon = 1e-8f;

// First and second moment estimates of one parameter vector, updated in place.
struct AdamState {
  std::vector<float> m, v;
  explicit AdamState(size_t size) : m(size, 0.0f), v(size, 0.0f) {}

  // One step t (from 1) on params with gradient grad.
  void step(size_t t, float learning_rate, const std::vector<float>& grad,
            std::vector<float>* params) {
    const float correction1 = 1.0f - std::pow(kBeta1, float(t));
    const float correction2 = 1.0f - std::pow(kBeta2, float(t));
    for (size_t i = 0; i < params->size(); i++) {
      m[i] = kBeta1 * m[i] + (1.0f - kBeta1) * grad[i];
      v[i] = kBeta2 * v[i] + (1.0f - kBeta2) * grad[i] * grad[i];
      (*params)[i] -= learning_rate * (m[i] / correction1) / (std::sqrt(v[i] / correction2) + kEpsilon);
    }
  }
};

// Probabilities (in place of the logits) of every example, and the loss and accuracy they give.
// Fills grad_t[c][n] with d(mean cross-entropy)/d(logit) when it is not null.
SoftmaxReport softmax_rows(const ExampleSet& examples, size_t classes, const KernelTable& kernels,
                           float* logits, float* grad_t) {
  const size_t n = examples.size();
  double loss = 0.0;
  size_t correct = 0;
  for (size_t i = 0; i < n; i++) {
    float* p = logits + i * classes;
    kernels.f32_softmax(p, classes, p);
    const uint32_t y = examples.label(i);
    loss -= std::log(std::max(p[y], std::numeric_limits<float>::min()));
    // First place with ties to the lower class, as prediction ranks them.
    if (std::max_element(p, p + classes) == p + y) correct++;
    if (grad_t == nullptr) continue;
    for (size_t c = 0; c < classes; c++) {
      grad_t[c * n + i] = (p[c] - (c == y ? 1.0f : 0.0f)) / float(n);
    }
  }
  SoftmaxReport report;
  report.loss = float(loss / double(n));
  report.accuracy = float(double(correct) / double(n));
  return report;
}

}  // namespace

void SoftmaxRegression::pack() {
  const size_t d = feature_size();
  packed_.resize(gemm_packed_size(d, classes()));
  gemm_pack(d, classes(), weights_.data(), bias_.data(), packed_.data());
}

void SoftmaxRegression::train(const ExampleSet& examples, size_t classes,
                              const SoftmaxOptions& options, const KernelTable& kernels,
                              SoftmaxReport* report) {
  const size_t n = examples.size();
  const size_t d = examples.feature_size();
  normalizer_.fit(examples);
  weights_.assign(classes * d, 0.0f);
  bias_.assign(classes, 0.0f);

  // Z[n][d], and Z^T packed as the weight operand of the gradient GEMM (no bias).
  std::vector<float> z(n * d);
  for (size_t i = 0; i < n; i++) normalizer_.apply(examples.row(i), z.data() + i * d);
  std::vector<float> packed_z(gemm_packed_size(n, d));
  {
    std::vector<float> z_t(d * n);
    for (size_t i = 0; i < n; i++) {
      for (size_t j = 0; j < d; j++) z_t[j * n + i] = z[i * d + j];
    }
    const std::vector<float> zeros(d, 0.0f);
    gemm_pack(n, d, z_t.data(), zeros.data(), packed_z.data());
  }

  std::vector<float> logits(n * classes);
  std::vector<float> grad_t(classes * n);  // dLoss/dlogits, class major
  std::vector<float> grad_w(classes * d);
  std::vector<float> grad_b(classes);
  AdamState adam_w(classes * d), adam_b(classes);
  for (size_t t = 1; t <= options.epochs; t++) {
    pack();
    kernels.f32_gemm_minmax(n, d, classes, z.data(), d, packed_.data(), logits.data(), classes,
                            nullptr, 0, -kInfinity, kInfinity);
    softmax_rows(examples, classes, kernels, logits.data(), grad_t.data());
    kernels.f32_gemm_minmax(classes, n, d, grad_t.data(), n, packed_z.data(), grad_w.data(), d,
                            nullptr, 0, -kInfinity, kInfinity);
    for (size_t c = 0; c < classes; c++) {
      double sum = 0.0;
      for (size_t i = 0; i < n; i++) sum += grad_t[c * n + i];
      grad_b[c] = float(sum);
    }
    for (size_t i = 0; i < grad_w.size(); i++) grad_w[i] += options.weight_decay * weights_[i];
    adam_w.step(t, options.learning_rate, grad_w, &weights_);
    adam_b.step(t, options.learning_rate, grad_b, &bias_);
  }

  // The report describes the weights returned, so one more forward pass.
  pack();
  kernels.f32_gemm_minmax(n, d, classes, z.data(), d, packed_.data(), logits.data(), classes,
                          nullptr, 0, -kInfinity, kInfinity);
  *report = softmax_rows(examples, classes, kernels, logits.data(), nullptr);
  double penalty = 0.0;
  for (float w : weights_) penalty += double(w) * w;
  report->loss += float(0.5 * options.weight_decay * penalty);
}

void SoftmaxRegression::load(size_t classes, size_t feature_size, const float* mean,
                             const float* weights, const float* bias) {
  normalizer_.set_mean(mean, feature_size);
  weights_.assign(weights, weights + classes * feature_size);
  bias_.assign(bias, bias + classes);
  pack();
}

void SoftmaxRegression::predict(const float* features, const KernelTable& kernels,
                                float* probabilities) {
  input_.resize(feature_size());
  normalizer_.apply(features, input_.data());
  kernels.f32_fc_minmax(feature_size(), classes(), input_.data(), packed_.data(), probabilities,
                        -kInfinity, kInfinity);
  kernels.f32_softmax(probabilities, classes(), probabilities);
}

}  // namespace mnv2
