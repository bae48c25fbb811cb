// Multi-threaded fused execution: every thread count computes exactly what one thread does
// (each band recomputes the rows it shares with its neighbour instead of waiting for it), for
// the classifier and the detector. The int8 engine runs on the same scheduler:
// tests/cpp/native/test-q8-threads.cc checks it on the real quantized models.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>

#include "api/classifier.h"
#include "api/detector.h"
#include "core/thread-pool.h"
#include "detection/random-detector.h"
#include "model/random-model.h"

namespace mnv2 {

TEST_SUITE("threads") {
  TEST_CASE("the pool runs every task exactly once, on any number of threads") {
    for (size_t threads : {1u, 2u, 3u, 5u}) {
      ThreadPool pool(threads);
      CHECK(pool.size() == (MNV2_THREADS ? threads : 1u));
      for (size_t tasks : {0u, 1u, 2u, 7u, 64u}) {
        std::vector<std::atomic<int>> runs(tasks);
        std::atomic<size_t> bad_thread{0};
        pool.parallel_for(tasks, [&](size_t task, size_t thread) {
          runs[task].fetch_add(1);
          if (thread >= pool.size()) bad_thread.fetch_add(1);
        });
        for (auto& count : runs) CHECK(count.load() == 1);
        CHECK(bad_thread.load() == 0);
      }
    }
  }

  TEST_CASE("threaded inference is bit-identical to one thread") {
    const struct {
      float alpha;
      uint32_t resolution;
    } variants[] = {{0.25f, 96}, {0.5f, 97}, {1.0f, 224}, {1.4f, 128}};
    for (const auto& variant : variants) {
      CAPTURE(variant.alpha);
      CAPTURE(variant.resolution);
      const auto file = testing::random_classifier_file(variant.alpha, variant.resolution, 13, 21);
      std::string error;
      auto single = Classifier::create(file.data(), file.size(), &error, simd_kernels(),
                                       Execution::kFused, 1);
      REQUIRE_MESSAGE(single, error);
      const auto image = testing::random_image(301, 211, 4);
      const float* expected = single->embed(image.data(), 301, 211, image.size(), 0.8f, &error);
      REQUIRE(expected);
      for (size_t threads : {2u, 3u, 4u}) {
        CAPTURE(threads);
        auto threaded = Classifier::create(file.data(), file.size(), &error, simd_kernels(),
                                           Execution::kFused, threads);
        REQUIRE_MESSAGE(threaded, error);
        CHECK(threaded->threads() == (MNV2_THREADS ? threads : 1u));
        for (int call = 0; call < 2; ++call) {
          const float* features = threaded->embed(image.data(), 301, 211, image.size(), 0.8f, &error);
          REQUIRE(features);
          CHECK(std::equal(expected, expected + single->feature_size(), features));
        }
      }
    }
  }

  TEST_CASE("threads add scratch per thread but no activation memory") {
    // With threads the late blocks expand their whole input into the arena instead of each
    // band recomputing shared rows; plan() grants that only where the arena does not grow.
    const auto file = testing::random_classifier_file(1.0f, 224, 1001, 5);
    std::string error;
    auto one = Classifier::create(file.data(), file.size(), &error, simd_kernels(),
                                  Execution::kFused, 1);
    REQUIRE_MESSAGE(one, error);
    auto two = Classifier::create(file.data(), file.size(), &error, simd_kernels(),
                                  Execution::kFused, 2);
    REQUIRE_MESSAGE(two, error);
    const MemoryStats a = one->memory_stats(), b = two->memory_stats();
    MESSAGE("1 thread: activations " << a.activation_peak_bytes << " + scratch " << a.scratch_bytes
            << "; 2 threads: activations " << b.activation_peak_bytes << " + scratch "
            << b.scratch_bytes);
    CHECK(b.activation_peak_bytes == a.activation_peak_bytes);
    CHECK(b.scratch_bytes <= two->threads() * a.scratch_bytes);
  }

  TEST_CASE("a detector's maps and outputs are identical with threads") {
    // Block 13's expansion is a feature map kept whole; the head stages split rows and pixels
    // across the threads like the backbone's.
    testing::RandomDetectorSpec spec;
    spec.alpha = 0.75f;
    spec.input_size = 160;
    const auto file = testing::random_detector_file(spec);
    const auto image = testing::random_image(203, 151, 6);
    std::unique_ptr<Detector> one;
    for (size_t threads : {1u, 2u, 3u}) {
      CAPTURE(threads);
      std::string error;
      auto detector = Detector::create(file.data(), file.size(), &error, simd_kernels(),
                                       Execution::kFused, Precision::kFloat32, threads);
      REQUIRE_MESSAGE(detector, error);
      CHECK(detector->threads() == (MNV2_THREADS ? threads : 1u));
      std::vector<Detection> found;
      REQUIRE(detector->detect(image.data(), 203, 151, image.size(),
                               detector->default_options(), &found, &error));
      if (!one) {
        one = std::move(detector);
        continue;
      }
      const NetworkDescription& n = one->network().description();
      for (size_t map : n.ssd.maps) {
        CAPTURE(n.values[map].name);
        const size_t bytes = n.values[map].elements() * sizeof(float);
        REQUIRE(one->network().value(map) != nullptr);
        CHECK(std::equal(one->network().value(map), one->network().value(map) + bytes,
                         detector->network().value(map)));
      }
      const size_t boxes = one->num_anchors() * 4, scores = one->num_anchors() * one->score_stride();
      CHECK(std::equal(one->box_encodings(), one->box_encodings() + boxes,
                       detector->box_encodings()));
      CHECK(std::equal(one->class_scores(), one->class_scores() + scores,
                       detector->class_scores()));
    }
  }
}

}  // namespace mnv2
