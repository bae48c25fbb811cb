// TrainableHead: the errors a user can cause (no examples, one class, an empty class, NaN,
// prediction before training), rankings, and a saved softmax head predicting exactly as the
// trained one.
#include <doctest/doctest.h>

#include <limits>
#include <random>

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

TEST_CASE("a softmax head loaded from its parameters predicts bit for bit like the trained one") {
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
