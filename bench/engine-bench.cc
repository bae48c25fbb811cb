// Whole-engine micro-benchmark (a developer tool, not part of the product): runs the
// classifier on a fixed pseudo-random 224x224 image many times with per-layer profiling and
// prints, per summary() row, the fastest time seen and its GMAC/s. "Fastest of many" rather
// than a median because it is what stays stable on a busy machine when comparing two
// versions of a kernel. Build and run with: bash bench/engine-bench.sh [weights] [seconds]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "api/classifier.h"
#include "bench-timing.h"

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "weights/mobilenet_v2_1.0_224.mnv2";
  const double seconds = argc > 2 ? std::atof(argv[2]) : 8.0;
  std::ifstream file(path, std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                                   std::istreambuf_iterator<char>());
  std::string error;
  auto classifier = mnv2::Classifier::create(bytes.data(), bytes.size(), &error);
  if (!classifier) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  const size_t size = classifier->input_size();
  std::vector<uint8_t> rgba(size * size * 4);
  uint32_t seed = 1;
  for (uint8_t& v : rgba) v = (seed = seed * 1103515245u + 12345u) >> 24;
  std::vector<mnv2::ClassScore> top;
  auto run = [&] {
    classifier->classify(rgba.data(), size, size, rgba.size(), 1.0f, 1, &top, &error);
  };
  // Warm up (V8 tier-up), then alternate plain timed runs and profiled runs.
  const double warm_end = now_ms() + 2500;
  while (now_ms() < warm_end) run();
  const auto rows = classifier->summary();
  std::vector<double> best(rows.size(), 1e30);
  double best_total = 1e30;
  std::vector<double> totals;
  const double end = now_ms() + seconds * 1000;
  while (now_ms() < end) {
    classifier->set_profiling(false);
    const double start = now_ms();
    run();
    totals.push_back(now_ms() - start);
    best_total = std::min(best_total, totals.back());
    classifier->set_profiling(true);
    run();
    const auto& ms = classifier->layer_ms();
    for (size_t i = 0; i < rows.size() && i < ms.size(); ++i) best[i] = std::min(best[i], ms[i]);
  }
  double sum = 0, macs = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    std::printf("%-8s %6.1fM %7.3f ms %6.2f GMAC/s\n", rows[i].name.c_str(), rows[i].macs / 1e6,
                best[i], rows[i].macs / best[i] / 1e6);
    sum += best[i];
    macs += rows[i].macs;
  }
  std::sort(totals.begin(), totals.end());
  std::printf("sum of fastest layers %.3f ms (%.2f GMAC/s); whole run: fastest %.3f ms, median %.3f ms over %zu runs\n",
              sum, macs / sum / 1e6, best_total, totals[totals.size() / 2], totals.size());
  return 0;
}
