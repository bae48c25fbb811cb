// An upper bound of the memory a weight file makes the engine allocate, checked before
// anything is allocated.
//
// Why: the WASM build has exceptions off, so a failed allocation aborts the whole module (every
// model on the page dies with it). The loader accepts any width multiplier up to 4, any input
// size up to 1024 and up to 100,000 classes, and a hostile but well-formed file combining
// them would need more than the 2 GiB a wasm32 module can have. So a model whose bound
// exceeds kMaxModelBytes is refused with a message, and the WASM build also checks that a large
// model's bound can actually be allocated right now (memory held by other models counts).
#pragma once

#include <cstdint>
#include <string>

#include "plan/network-plan.h"
#include "model/weight-file.h"

namespace mnv2 {

// Half the wasm32 address space: two such models still fit.
inline constexpr uint64_t kMaxModelBytes = uint64_t{1} << 30;
// Models whose bound is at least this are test-allocated first in the WASM build.
inline constexpr uint64_t kProbeAboveBytes = uint64_t{128} << 20;

// Bytes load() and inference may allocate for this file (weights dequantized and packed,
// planned activations, per-thread scratch), rounded up generously.
uint64_t model_memory_bound(const WeightFileView& file, Execution execution, size_t threads);

// False with a message when the bound is over kMaxModelBytes or (WASM) cannot be allocated.
bool check_model_memory(const WeightFileView& file, Execution execution, size_t threads,
                        std::string* error);

}  // namespace mnv2
