// Where the native tests find the real models and photos: ../shared beside the repository
// (always present here and in CI), so a missing file fails the test with a message instead of
// skipping it. One place, so every test looks in the same folders.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mnv2::test {

// The repository's root (found from this source file's path).
std::string repo_dir();

// $MNV2_SHARED, else <repo>/../shared.
std::string shared_dir();

// The bytes of a file; REQUIREs (fails, not skips) when it cannot be read, with `hint` saying
// where the file should come from.
std::vector<uint8_t> read_file_or_fail(const std::string& path, const std::string& hint);

// $MNV2_MODELS, else shared_dir() + "/models".
std::string models_dir();

// The bytes of a file in models_dir(); REQUIREs (fails, not skips) when it cannot be read.
std::vector<uint8_t> read_model_file(const std::string& name);

// The bytes of a weight file the build made, <repo>/weights/<name>; REQUIREs when missing.
std::vector<uint8_t> read_weight_file(const std::string& name);

// The lines of a label file in models_dir(); REQUIREs when it cannot be read.
std::vector<std::string> read_model_labels(const std::string& name);

}  // namespace mnv2::test
