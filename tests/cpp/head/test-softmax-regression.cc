// SoftmaxRegression: the GEMM-based trainer against a plain double-precision transcription of
// the same algorithm (normalization, full-batch Adam on cross-entropy + L2), prediction against
// the formula on the returned parameters, generalization to new samples of the classes, and
// the SIMD kernels against the scalar twins.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "head/head-test-data.h"
#include "head/softmax-regression.h"
#include "kernels/kernels.h"

using namespace mnv2;
using namespace mnv2_test;

namespace {

struct Parameters {
  std::vector<double> mean, weights, bias;
};

std::vector<double> normalized(const float* x, const std::vector<double>& mean) {
  const size_t d = mean.size();
  double norm = 0.0;
  for (size_t j = 0; j < d; j++) norm += double(x[j]) * x[j];
  norm = norm > 0.0 ? std::sqrt(norm) : 1.0;
  std::vector<double> z(d);
  for (size_t j = 0; j < d; j++) z[j] = (x[j] / norm - mean[j]) * std::sqrt(double(d));
  return z;
}

std::vector<double> probabilities(const Parameters& p, const std::vector<double>& z) {
  const size_t classes = p.bias.size(), d = z.size();
  std::vector<double> logits(classes);
  for (size_t c = 0; c < classes; c++) {
    logits[c] = p.bias[c];
    for (size_t j = 0; j < d; j++) logits[c] += p.weights[c * d + j] * z[j];
  }
  const double top = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (double& l : logits) sum += (l = std::exp(l - top));
  for (double& l : logits) l /= sum;
  return logits;
}

// The algorithm of softmax-regression.h written out with plain loops in double.
Parameters reference_train(const ExampleSet& set, size_t classes, const SoftmaxOptions& options) {
  const size_t n = set.size(), d = set.feature_size();
  Parameters p{std::vector<double>(d, 0.0), std::vector<double>(classes * d, 0.0),
               std::vector<double>(classes, 0.0)};
  for (size_t i = 0; i < n; i++) {
    double norm = 0.0;
    for (size_t j = 0; j < d; j++) norm += double(set.row(i)[j]) * set.row(i)[j];
    for (size_t j = 0; j < d; j++) p.mean[j] += set.row(i)[j] / std::sqrt(norm) / double(n);
  }
  std::vector<std::vector<double>> z;
  for (size_t i = 0; i < n; i++) z.push_back(normalized(set.row(i), p.mean));
  std::vector<double> mw(classes * d, 0.0), vw(classes * d, 0.0), mb(classes, 0.0), vb(classes, 0.0);
  const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, lr = options.learning_rate;
  for (size_t t = 1; t <= options.epochs; t++) {
    std::vector<double> gw(classes * d, 0.0), gb(classes, 0.0);
    for (size_t i = 0; i < n; i++) {
      const std::vector<double> prob = probabilities(p, z[i]);
      for (size_t c = 0; c < classes; c++) {
        const double g = (prob[c] - (c == set.label(i) ? 1.0 : 0.0)) / double(n);
        gb[c] += g;
        for (size_t j = 0; j < d; j++) gw[c * d + j] += g * z[i][j];
      }
    }
    const double c1 = 1.0 - std::pow(beta1, double(t)), c2 = 1.0 - std::pow(beta2, double(t));
    auto adam = [&](double g, double& m, double& v, double& param) {
      m = beta1 * m + (1 - beta1) * g;
      v = beta2 * v + (1 - beta2) * g * g;
      param -= lr * (m / c1) / (std::sqrt(v / c2) + eps);
    };
    for (size_t i = 0; i < classes * d; i++) adam(gw[i] + options.weight_decay * p.weights[i], mw[i], vw[i], p.weights[i]);
    for (size_t c = 0; c < classes; c++) adam(gb[c], mb[c], vb[c], p.bias[c]);
  }
  return p;
}

// A head trained with the default options on per_class fresh samples of every cluster.
SoftmaxRegression trained_on(std::mt19937& rng, const Clusters& clusters, size_t per_class,
                             SoftmaxReport* report) {
  SoftmaxRegression head;
  head.train(sample_set(rng, clusters, per_class), clusters.centres.size(), SoftmaxOptions{},
             simd_kernels(), report);
  return head;
}

double max_abs(const std::vector<double>& values) {
  double m = 0.0;
  for (double v : values) m = std::max(m, std::fabs(v));
  return m;
}

}  // namespace

TEST_CASE("softmax training matches a plain double-precision transcription of the algorithm") {
  std::mt19937 rng(7);
  const size_t classes = 3, d = 37;  // odd sizes: partial GEMM tiles on both sides
  const Clusters clusters = make_clusters(rng, classes, d, 0.6f);
  // Unbalanced classes: with balanced ones every bias gradient is zero in exact arithmetic, and
  // Adam, which divides by the gradient's scale, would follow float rounding noise there.
  ExampleSet set = sample_set(rng, clusters, 7);
  std::string error;
  for (int i = 0; i < 4; i++) set.add(sample(rng, clusters, 0).data(), 0, &error);
  SoftmaxOptions options;
  options.epochs = 30;
  options.learning_rate = 0.01f;
  options.weight_decay = 0.01f;
  SoftmaxRegression head;
  SoftmaxReport report;
  head.train(set, classes, options, simd_kernels(), &report);
  const Parameters want = reference_train(set, classes, options);

  const double scale = max_abs(want.weights);
  REQUIRE(scale > 0.05);  // training moved the weights
  for (size_t i = 0; i < want.weights.size(); i++) {
    INFO("weight " << i);
    CHECK(std::fabs(head.weights()[i] - want.weights[i]) <= 1e-3 * scale);
  }
  for (size_t c = 0; c < classes; c++) CHECK(std::fabs(head.bias()[c] - want.bias[c]) <= 1e-3 * scale);
  for (size_t j = 0; j < d; j++) CHECK(head.mean()[j] == doctest::Approx(want.mean[j]).epsilon(1e-5));

  // The report: the loss and accuracy of the returned parameters on the training set.
  double loss = 0.0, penalty = 0.0;
  size_t correct = 0;
  for (size_t i = 0; i < set.size(); i++) {
    const std::vector<double> prob = probabilities(want, normalized(set.row(i), want.mean));
    loss -= std::log(prob[set.label(i)]) / double(set.size());
    correct += size_t(std::max_element(prob.begin(), prob.end()) - prob.begin()) == set.label(i);
  }
  for (double w : want.weights) penalty += w * w;
  CHECK(report.loss == doctest::Approx(loss + 0.5 * options.weight_decay * penalty).epsilon(1e-3));
  CHECK(report.accuracy == doctest::Approx(double(correct) / double(set.size())));
}

TEST_CASE("softmax predict() is the softmax of W z + b on the returned parameters") {
  std::mt19937 rng(11);
  const size_t classes = 5, d = 64;
  SoftmaxReport report;
  const Clusters clusters = make_clusters(rng, classes, d, 0.5f);
  SoftmaxRegression head = trained_on(rng, clusters, 4, &report);
  const Parameters params{std::vector<double>(head.mean().begin(), head.mean().end()),
                          std::vector<double>(head.weights().begin(), head.weights().end()),
                          std::vector<double>(head.bias().begin(), head.bias().end())};
  std::vector<float> got(classes);
  for (size_t c = 0; c < classes; c++) {
    const std::vector<float> x = sample(rng, clusters, c);
    head.predict(x.data(), simd_kernels(), got.data());
    const std::vector<double> want = probabilities(params, normalized(x.data(), params.mean));
    for (size_t k = 0; k < classes; k++) CHECK(got[k] == doctest::Approx(want[k]).epsilon(1e-4));
  }
}

TEST_CASE("a softmax head trained on a few samples per class classifies new samples") {
  std::mt19937 rng(3);
  const size_t classes = 6, d = 1280;
  // Noise of standard deviation 1.2 around centres drawn from [0, 2) in every coordinate.
  const Clusters clusters = make_clusters(rng, classes, d, 1.2f);
  SoftmaxReport report;
  SoftmaxRegression head = trained_on(rng, clusters, 5, &report);
  CHECK(report.accuracy == 1.0f);
  size_t correct = 0, total = 0;
  std::vector<float> prob(classes);
  for (size_t i = 0; i < 20; i++) {
    for (size_t c = 0; c < classes; c++, total++) {
      head.predict(sample(rng, clusters, c).data(), simd_kernels(), prob.data());
      correct += size_t(std::max_element(prob.begin(), prob.end()) - prob.begin()) == c;
    }
  }
  MESSAGE("held-out accuracy " << correct << "/" << total);
  CHECK(correct >= total * 95 / 100);
}

TEST_CASE("softmax training with the SIMD kernels agrees with the scalar twins") {
  std::mt19937 rng(5);
  const size_t classes = 9, d = 130;  // more than one 8-class GEMM block
  const Clusters clusters = make_clusters(rng, classes, d, 0.8f);
  const ExampleSet set = sample_set(rng, clusters, 3);
  SoftmaxRegression simd, ref;
  SoftmaxReport simd_report, ref_report;
  simd.train(set, classes, SoftmaxOptions{}, simd_kernels(), &simd_report);
  ref.train(set, classes, SoftmaxOptions{}, reference_kernels(), &ref_report);
  const std::vector<double> ref_weights(ref.weights().begin(), ref.weights().end());
  const double scale = max_abs(ref_weights);
  for (size_t i = 0; i < ref_weights.size(); i++) {
    INFO("weight " << i);
    CHECK(std::fabs(simd.weights()[i] - ref_weights[i]) <= 1e-4 * scale);
  }
  CHECK(simd_report.loss == doctest::Approx(ref_report.loss).epsilon(1e-4));
}
