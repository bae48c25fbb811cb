// libFuzzer target: the custom-classes head's C++ side (TrainableHead, what the module's
// HeadCore hands every call to), driven by a random sequence of the calls JavaScript makes:
// add examples, remove a label, train softmax or kNN, load a saved softmax head, predict.
//
// The head file's JSON is parsed in JavaScript (web/head-format.js, property-tested by
// tests/node/property-head.test.js); what reaches C++ from it is load_softmax()'s numbers and
// the kNN examples, and those are fuzzed here with any float bits: NaN, infinities, denormals
// and huge finite values. Options are drawn from what the JS layer lets through (train():
// learning rate in (0, 10], weight decay in [0, 10]; HeadTrainer: classes 2 to 10000, any
// label index), with the class counts and feature sizes kept small so a unit stays cheap.
//
// Oracles beyond ASan/UBSan: a refused call comes with a message; an example is refused
// exactly when one of its values is not finite; a trained head reports its method and class
// count; a prediction ranks every class once, each score in [0, 1] (never NaN), highest first.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz-support.h"
#include "head/trainable-head.h"

namespace {

using mnv2::fuzzing::any_float;
using mnv2::fuzzing::broken;

// Feature values: any bit pattern, or numbers of the size embeddings have (so training and
// prediction get past the finiteness checks most of the time).
float feature(FuzzedDataProvider& input) {
  if (input.ConsumeBool()) return any_float(input);
  return static_cast<float>(input.ConsumeIntegralInRange<int32_t>(-1000, 1000)) / 100.0f;
}

std::vector<float> features(FuzzedDataProvider& input, size_t count) {
  std::vector<float> values(count);
  for (float& value : values) value = feature(input);
  return values;
}

bool all_finite(const std::vector<float>& values) {
  for (float value : values) {
    if (!std::isfinite(value)) return false;
  }
  return true;
}

uint32_t label(FuzzedDataProvider& input) {
  // Mostly the few classes a unit trains; sometimes any index HeadTrainer lets through.
  return input.ConsumeIntegralInRange<uint8_t>(0, 15) == 0
             ? input.ConsumeIntegralInRange<uint32_t>(0, 0xfffffffe)
             : input.ConsumeIntegralInRange<uint32_t>(0, 4);
}

size_t classes(FuzzedDataProvider& input) { return input.ConsumeIntegralInRange<size_t>(0, 6); }

// A number in [low, high] as the JS checks let it through, or a value at an edge.
float option(FuzzedDataProvider& input, float low, float high) {
  switch (input.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: return low;
    case 1: return high;
    case 2: return std::nextafter(low, high);
    default: return low + (high - low) * input.ConsumeProbability<float>();
  }
}

void expect_refusal_message(bool ok, const std::string& error, const char* call) {
  if (!ok && error.empty()) broken("refused without a message", call);
}

void check_ranking(const mnv2::TrainableHead& head, const std::vector<mnv2::HeadScore>& ranking) {
  const size_t n = head.classes();
  if (ranking.size() != n) broken("ranking size", std::to_string(ranking.size()));
  std::vector<bool> seen(n, false);
  for (size_t i = 0; i < n; ++i) {
    const mnv2::HeadScore& entry = ranking[i];
    if (entry.label >= n || seen[entry.label]) broken("bad or repeated class", std::to_string(entry.label));
    seen[entry.label] = true;
    if (!(entry.score >= 0.0f && entry.score <= 1.0f)) broken("score outside [0, 1]", std::to_string(entry.score));
    if (i > 0 && entry.score > ranking[i - 1].score) broken("ranking not sorted", std::to_string(i));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  const size_t d = input.ConsumeIntegralInRange<size_t>(1, 24);
  mnv2::TrainableHead head(d);
  std::string error;
  for (int call = 0; call < 24 && input.remaining_bytes() > 0; ++call) {
    error.clear();
    switch (input.ConsumeIntegralInRange<int>(0, 5)) {
      case 0: {
        const std::vector<float> example = features(input, d);
        const size_t before = head.examples().size();
        const bool ok = head.examples().add(example.data(), label(input), &error);
        if (ok != all_finite(example)) broken("example accepted iff finite", std::to_string(ok));
        expect_refusal_message(ok, error, "add");
        if (head.examples().size() != before + (ok ? 1 : 0)) broken("example count", "");
        break;
      }
      case 1:
        head.examples().remove_label(label(input));
        break;
      case 2: {
        mnv2::SoftmaxOptions options;
        const size_t n = classes(input);
        options.epochs = input.ConsumeIntegralInRange<size_t>(0, 6);
        options.learning_rate = option(input, 0.0f, 10.0f);
        options.weight_decay = option(input, 0.0f, 10.0f);
        mnv2::SoftmaxReport report;
        const bool ok = head.train_softmax(n, options, &report, &error);
        expect_refusal_message(ok, error, "train_softmax");
        if (ok && (head.method() != mnv2::HeadMethod::kSoftmax || head.classes() != n)) {
          broken("softmax head after training", std::to_string(head.classes()));
        }
        if (ok && !(report.accuracy >= 0.0f && report.accuracy <= 1.0f)) {
          broken("training accuracy", std::to_string(report.accuracy));
        }
        break;
      }
      case 3: {
        const size_t n = classes(input);
        const bool ok = head.train_knn(n, input.ConsumeIntegralInRange<size_t>(0, 12), &error);
        expect_refusal_message(ok, error, "train_knn");
        if (ok && (head.method() != mnv2::HeadMethod::kKnn || head.classes() != n)) {
          broken("knn head after training", std::to_string(head.classes()));
        }
        break;
      }
      case 4: {
        const size_t n = classes(input);
        const std::vector<float> mean = features(input, d), weights = features(input, n * d),
                                 bias = features(input, n);
        const bool ok = head.load_softmax(n, mean.data(), weights.data(), bias.data(), &error);
        expect_refusal_message(ok, error, "load_softmax");
        if (ok && (head.method() != mnv2::HeadMethod::kSoftmax || head.classes() != n)) {
          broken("softmax head after loading", std::to_string(head.classes()));
        }
        break;
      }
      default: {
        const std::vector<float> query = features(input, d);
        std::vector<mnv2::HeadScore> ranking;
        const bool ok = head.predict(query.data(), &ranking, &error);
        expect_refusal_message(ok, error, "predict");
        const bool trained = head.method() != mnv2::HeadMethod::kUntrained;
        if (ok != (trained && all_finite(query))) broken("prediction refused or made wrongly", error);
        if (ok) check_ranking(head, ranking);
        break;
      }
    }
  }
  return 0;
}
