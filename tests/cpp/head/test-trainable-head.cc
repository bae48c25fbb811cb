// TrainableHead: the errors a user can cause (no examples, one class, an empty class, NaN,
// prediction before training), rankings, and a saved softmax head predicting exactly as the
// trained one.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include "head/feature-normalizer.h"
#include "head/head-test-data.h"
#include "head/trainable-head.h"

using namespace mnv2;
using namespace mnv2_test;

namespace {

// A head whose examples are per_class samples of each cluster.
TrainableHead head_of(std::mt19937& rng, const Clusters& clusters, size_t per_class) {
  TrainableHead head(clusters.centres[0].size());
  head.examples() = sample_set(rng, clusters, per_class);
  return head;
}

}  // namespace

TEST_CASE("TrainableHead refuses to train without examples, on one class, or with an empty class") {
  TrainableHead head(8);
  std::string error;
  SoftmaxReport report;
  CHECK_FALSE(head.train_softmax(2, SoftmaxOptions{}, &report, &error));
  CHECK(error == "there are no examples to train on");
  CHECK_FALSE(head.train_knn(2, 3, &error));
  CHECK(error == "there are no examples to train on");

  const std::vector<float> x(8, 1.0f);
  REQUIRE(head.examples().add(x.data(), 0, &error));
  CHECK_FALSE(head.train_softmax(1, SoftmaxOptions{}, &report, &error));
  CHECK(error.find("2 to") != std::string::npos);
  CHECK_FALSE(head.train_knn(1, 3, &error));
  CHECK_FALSE(head.train_softmax(2, SoftmaxOptions{}, &report, &error));
  CHECK(error == "class 1 has no examples");
  CHECK(head.method() == HeadMethod::kUntrained);

  std::vector<HeadScore> ranking;
  CHECK_FALSE(head.predict(x.data(), &ranking, &error));
  CHECK(error == "the head is not trained yet");
}

TEST_CASE("TrainableHead ranks every class, refuses NaN features, and refuses bad options") {
  std::mt19937 rng(2);
  const Clusters clusters = make_clusters(rng, 3, 16, 0.3f);
  TrainableHead head = head_of(rng, clusters, 4);
  std::string error;
  SoftmaxReport report;
  SoftmaxOptions bad;
  bad.learning_rate = std::numeric_limits<float>::quiet_NaN();
  CHECK_FALSE(head.train_softmax(3, bad, &report, &error));
  REQUIRE(head.train_softmax(3, SoftmaxOptions{}, &report, &error));
  CHECK(head.method() == HeadMethod::kSoftmax);
  CHECK(head.classes() == 3);

  std::vector<HeadScore> ranking;
  REQUIRE(head.predict(sample(rng, clusters, 2).data(), &ranking, &error));
  REQUIRE(ranking.size() == 3);
  CHECK(ranking[0].label == 2);
  CHECK(ranking[0].score >= ranking[1].score);
  CHECK(ranking[1].score >= ranking[2].score);
  CHECK(ranking[0].score + ranking[1].score + ranking[2].score == doctest::Approx(1.0));

  std::vector<float> x = sample(rng, clusters, 0);
  x[5] = std::numeric_limits<float>::quiet_NaN();
  CHECK_FALSE(head.predict(x.data(), &ranking, &error));
  CHECK(error.find("index 5") != std::string::npos);

  REQUIRE(head.train_knn(3, 3, &error));
  CHECK(head.method() == HeadMethod::kKnn);
  REQUIRE(head.predict(sample(rng, clusters, 1).data(), &ranking, &error));
  CHECK(ranking[0].label == 1);
  CHECK(ranking[0].score == 1.0f);
}

TEST_CASE("a softmax head loaded from its parameters predicts bit for bit like the trained one; NaN or huge ones are refused") {
  std::mt19937 rng(4);
  const Clusters clusters = make_clusters(rng, 4, 40, 0.5f);
  TrainableHead trained = head_of(rng, clusters, 3);
  std::string error;
  SoftmaxReport report;
  REQUIRE(trained.train_softmax(4, SoftmaxOptions{}, &report, &error));
  const SoftmaxRegression& s = trained.softmax();

  TrainableHead loaded(40);
  std::vector<float> nan_bias(s.bias());
  nan_bias[1] = std::numeric_limits<float>::quiet_NaN();
  CHECK_FALSE(loaded.load_softmax(4, s.mean().data(), s.weights().data(), nan_bias.data(), &error));
  // Finite but huge parameters too (fuzz-head's finding): a weight of 3e38 overflowed a logit
  // to infinity and the softmax ranked NaN scores; a huge mean did so through the input.
  std::vector<float> huge_weights(s.weights());
  huge_weights[3] = 3e38f;
  CHECK_FALSE(loaded.load_softmax(4, s.mean().data(), huge_weights.data(), s.bias().data(), &error));
  CHECK(error.find("weights of class 0 are too large") != std::string::npos);
  std::vector<float> huge_mean(s.mean());
  huge_mean[6] = -1e30f;
  CHECK_FALSE(loaded.load_softmax(4, huge_mean.data(), s.weights().data(), s.bias().data(), &error));
  CHECK(error.find("mean has -1e+30 at index 6") != std::string::npos);
  CHECK(loaded.method() == HeadMethod::kUntrained);
  REQUIRE(loaded.load_softmax(4, s.mean().data(), s.weights().data(), s.bias().data(), &error));
  for (size_t i = 0; i < 8; i++) {
    const std::vector<float> x = sample(rng, clusters, i % 4);
    std::vector<HeadScore> a, b;
    REQUIRE(trained.predict(x.data(), &a, &error));
    REQUIRE(loaded.predict(x.data(), &b, &error));
    for (size_t c = 0; c < 4; c++) {
      CHECK(a[c].label == b[c].label);
      CHECK(a[c].score == b[c].score);
    }
  }
}

TEST_CASE("the largest softmax parameters a saved head may have still score every input") {
  std::string error;
  TrainableHead loaded(8);
  // Weights at the bound's edge (with the largest mean) and inputs of every size.
  const float largest = float(0.99 * kMaxSoftmaxLogit / (8 * 4 * std::sqrt(8.0)));
  std::vector<float> big(2 * 8);
  for (size_t i = 0; i < big.size(); i++) big[i] = i % 2 ? largest : -largest;
  const std::vector<float> zero_bias(2, 0.0f), edge_mean(8, kMaxSoftmaxMean);
  REQUIRE_MESSAGE(loaded.load_softmax(2, edge_mean.data(), big.data(), zero_bias.data(), &error), error);
  std::vector<HeadScore> ranking;
  for (float value : {1.0f, -3e38f, 1e-40f}) {
    const std::vector<float> x(8, value);
    REQUIRE(loaded.predict(x.data(), &ranking, &error));
    for (const HeadScore& entry : ranking) CHECK((entry.score >= 0.0f && entry.score <= 1.0f));
  }
}

TEST_CASE("a vector of denormal values still normalizes to finite values (fuzz-head finding)") {
  // 1 / |x| in float overflowed to infinity for a vector of tiny values, and the kNN and
  // softmax heads then ranked NaN scores.
  std::mt19937 rng(6);
  const Clusters clusters = make_clusters(rng, 2, 4, 0.5f);
  TrainableHead head = head_of(rng, clusters, 3);
  std::string error;
  const std::vector<float> tiny(4, 6.2e-42f);
  std::vector<HeadScore> ranking;
  for (bool knn : {false, true}) {
    SoftmaxReport report;
    REQUIRE((knn ? head.train_knn(2, 3, &error) : head.train_softmax(2, SoftmaxOptions{}, &report, &error)));
    REQUIRE(head.predict(tiny.data(), &ranking, &error));
    for (const HeadScore& entry : ranking) CHECK((entry.score >= 0.0f && entry.score <= 1.0f));
  }
  std::vector<float> unit(4);
  l2_normalize(tiny.data(), 4, unit.data());
  for (float value : unit) CHECK(value == doctest::Approx(0.5));
}
