// mnv2-test-data: writes test inputs generated from code, so no test or fuzz run depends on a
// copied model file.
//
//   mnv2-test-data model OUT.mnv2 ALPHA INPUT_SIZE CLASSES SEED
//       a classifier weight file with random weights (tests/cpp/model/random-model.h); the
//       Node soak test uses alpha 0.35 / 96 for a fast model with the real code paths.
//   mnv2-test-data seeds DIR
//       the fuzzers' seed corpora: DIR/<folder> per target (see seeds() and scripts/fuzz.sh).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "detection/random-detector.h"
#include "model/random-model.h"
#include "model/weight-writer.h"
#include "native/tflite-seeds.h"

namespace {

bool write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) std::fprintf(stderr, "mnv2-test-data: cannot write %s\n", path.c_str());
  return static_cast<bool>(out);
}

bool make_dir(const std::string& path) {
  if (mkdir(path.c_str(), 0755) == 0) return true;
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

// A weight file that parses but is no MobileNetV2: one tensor of every storage type and
// quantization layout, so mutations start from every branch of the tensor checks.
std::vector<uint8_t> tensor_zoo_file(mnv2::ModelKind kind) {
  using mnv2::TensorType;
  mnv2::WeightFileBuilder b;
  b.set_model_kind(kind);
  b.set_input_size(32);
  b.set_alpha(0.35f);
  b.set_num_classes(2);
  b.set_labels({"cat", "dog"});
  const uint8_t bytes[32] = {0, 1, 2, 3, 250, 251, 252, 253, 128, 127, 64, 32, 16, 8, 4, 2,
                             9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 255, 254, 100, 101, 102, 103};
  b.add_f32_tensor("f32", {2, 2}, {0.5f, -1.0f, 2.0f, 0.0f});
  b.add_tensor("u8.tensor", TensorType::kU8, {2, 2, 2, 2}, bytes, 16, {0.1f}, {128});
  b.add_tensor("i8.channel", TensorType::kI8, {1, 2, 2, 4}, bytes, 16,
               {0.1f, 0.2f, 0.3f, 0.4f}, {0, -1, 1, 0}, 3);
  b.add_tensor("i32.bias", TensorType::kI32, {8}, bytes, 32, {0.001f}, {0});
  return b.build();
}

// The smallest detector the loader accepts (alpha 0.025: every channel count 8; 32x32 input;
// two narrow extra layers, one aspect ratio), with integer weights and activation quantization so that both
// engines load it: ~50 KB, and one detection costs little.
std::vector<uint8_t> tiny_detector_file(bool int8_activations) {
  mnv2::testing::RandomDetectorSpec spec;
  spec.alpha = 0.025f;
  spec.input_size = 32;
  spec.num_classes = 2;
  spec.extras = {{8, 8}, {8, 8}};
  spec.aspect_ratios = {1.0f};  // 2 anchors per cell (3 on the first map): small predictors
  spec.quantized = true;
  spec.int8_activations = int8_activations;
  return mnv2::testing::random_detector_file(spec);
}

// Random byte strings for the FuzzedDataProvider targets, whose last byte picks one of `modes`
// sub-targets (ConsumeIntegralInRange reads from the end): every mode starts with inputs.
bool random_inputs(const std::string& dir, uint32_t modes, uint32_t seed) {
  std::mt19937 rng(seed);
  bool ok = true;
  for (uint32_t mode = 0; mode < modes; ++mode) {
    for (size_t length : {16u, 256u, 4096u}) {
      std::vector<uint8_t> bytes(length);
      for (uint8_t& byte : bytes) byte = static_cast<uint8_t>(rng());
      bytes.back() = static_cast<uint8_t>(mode);
      ok = ok && write_file(dir + "/mode" + std::to_string(mode) + "-" + std::to_string(length), bytes);
    }
  }
  return ok;
}

// The seed corpora, one folder per fuzz target (scripts/fuzz.sh maps them).
int seeds(const std::string& dir) {
  const std::string weights = dir + "/weight-file", detector = dir + "/detector-file",
                    postprocess = dir + "/postprocess", tflite = dir + "/tflite",
                    preprocess = dir + "/preprocess", head = dir + "/head";
  for (const std::string& folder : {dir, weights, detector, postprocess, tflite, preprocess, head}) {
    if (!make_dir(folder)) {
      std::fprintf(stderr, "mnv2-test-data: cannot create %s\n", folder.c_str());
      return 1;
    }
  }
  // Alpha 0.025 at 32x32 is the smallest network the loader accepts (every channel count 8,
  // ~40 KB): quick to mutate and to run, and it still has all 17 blocks. Integer weights with
  // activation quantization load in both precisions; the two variants cover uint8 and int8
  // activations and the optional records of converted models.
  bool ok = write_file(weights + "/classifier-uint8.mnv2",
                       mnv2::testing::random_q8_classifier_file(0.025f, 32, 2, 1, false)) &&
            write_file(weights + "/classifier-int8.mnv2",
                       mnv2::testing::random_q8_classifier_file(0.025f, 32, 2, 2, true)) &&
            write_file(weights + "/tensor-zoo.mnv2", tensor_zoo_file(mnv2::ModelKind::kClassifier)) &&
            write_file(detector + "/detector-uint8.mnv2", tiny_detector_file(false)) &&
            write_file(detector + "/detector-int8.mnv2", tiny_detector_file(true)) &&
            write_file(detector + "/tensor-zoo.mnv2", tensor_zoo_file(mnv2::ModelKind::kDetector)) &&
            write_file(tflite + "/tiny-classifier.tflite", mnv2::fuzzing::tiny_classifier_tflite()) &&
            write_file(tflite + "/operator-zoo.tflite", mnv2::fuzzing::operator_zoo_tflite()) &&
            random_inputs(postprocess, 5, 5) && random_inputs(preprocess, 3, 6) &&
            random_inputs(head, 8, 7);
  return ok ? 0 : 1;
}

int model(char** argv) {
  const float alpha = std::strtof(argv[1], nullptr);
  const auto size = static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10));
  const auto classes = static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 10));
  const auto seed = static_cast<uint32_t>(std::strtoul(argv[4], nullptr, 10));
  const std::vector<uint8_t> file = mnv2::testing::random_classifier_file(alpha, size, classes, seed);
  if (file.empty()) {
    std::fprintf(stderr, "mnv2-test-data: cannot build a model with those parameters\n");
    return 1;
  }
  // Write then rename, so a concurrent reader never sees half a file.
  const std::string temp = std::string(argv[0]) + ".tmp" + std::to_string(getpid());
  if (!write_file(temp, file)) return 1;
  return std::rename(temp.c_str(), argv[0]) == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "seeds" && argc == 3) return seeds(argv[2]);
  if (command == "model" && argc == 7) return model(argv + 2);
  std::fprintf(stderr,
               "usage: mnv2-test-data model OUT.mnv2 ALPHA INPUT_SIZE CLASSES SEED\n"
               "       mnv2-test-data seeds DIR\n");
  return 2;
}
