// Multi-threaded fused execution: every thread count computes exactly what one thread does
// (each band recomputes the rows it shares with its neighbour instead of waiting for it).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>

#include "api/classifier.h"
#include "core/thread-pool.h"
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

  TEST_CASE("a tapped expansion is complete and identical with threads") {
    const auto file = testing::random_classifier_file(0.75f, 160, 9, 8);
    WeightFileView view;
    std::string error;
    REQUIRE(parse_weight_file(file.data(), file.size(), &view, &error));
    MobileNetV2 one, three;
    REQUIRE(one.load(view, simd_kernels(), &error, Execution::kFused, 1));
    REQUIRE(three.load(view, simd_kernels(), &error, Execution::kFused, 3));
    one.keep_expansion(13);
    three.keep_expansion(13);
    const size_t size = 160;
    std::vector<float> input(size * size * 3);
    for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<float>((i * 37) % 255) / 128.0f - 1.0f;
    one.run_backbone(input.data());
    three.run_backbone(input.data());
    const size_t in = one.block_input_size(13);
    const size_t count = in * in * one.block_shape(13).expanded_channels;
    REQUIRE(one.expansion(13) != nullptr);
    CHECK(std::equal(one.expansion(13), one.expansion(13) + count, three.expansion(13)));
    const size_t head = one.head_size() * one.head_size() * one.feature_size();
    CHECK(std::equal(one.head_output(), one.head_output() + head, three.head_output()));
  }
}

}  // namespace mnv2
