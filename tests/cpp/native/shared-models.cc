#include "native/shared-models.h"

#include <doctest/doctest.h>

#include <cstdlib>

#include "tflite/convert-classifier.h"

namespace mnv2::test {

std::string repo_dir() {
  std::string repo = __FILE__;  // <repo>/tests/cpp/native/shared-models.cc
  for (int up = 0; up < 4 && repo.find('/') != std::string::npos; ++up) {
    repo = repo.substr(0, repo.rfind('/'));
  }
  return repo;
}

std::string shared_dir() {
  if (const char* env = std::getenv("MNV2_SHARED")) return env;
  return repo_dir() + "/../shared";
}

std::vector<uint8_t> read_file_or_fail(const std::string& path, const std::string& hint) {
  std::vector<uint8_t> bytes;
  std::string error;
  REQUIRE_MESSAGE(tflite::read_binary_file(path, &bytes, &error), error << " (" << hint << ")");
  return bytes;
}

std::string models_dir() {
  if (const char* env = std::getenv("MNV2_MODELS")) return env;
  return shared_dir() + "/models";
}

std::vector<uint8_t> read_model_file(const std::string& name) {
  return read_file_or_fail(models_dir() + "/" + name,
                           "set MNV2_MODELS to the folder holding the TFLite models, "
                           "../shared/models beside the repository");
}

std::vector<uint8_t> read_weight_file(const std::string& name) {
  return read_file_or_fail(repo_dir() + "/weights/" + name, "run scripts/fetch-weights.sh");
}

std::vector<std::string> read_model_labels(const std::string& name) {
  std::vector<std::string> labels;
  std::string error;
  REQUIRE_MESSAGE(tflite::read_label_file(models_dir() + "/" + name, &labels, &error),
                  error << " (set MNV2_MODELS to the folder holding the TFLite models, "
                           "../shared/models beside the repository)");
  return labels;
}

}  // namespace mnv2::test
