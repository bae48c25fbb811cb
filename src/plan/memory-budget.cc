#include "plan/memory-budget.h"

#include <algorithm>
#include <cstdlib>

#include "model/architecture.h"

namespace mnv2 {
namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

std::string mib(uint64_t bytes) { return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB"; }

}  // namespace

uint64_t model_memory_bound(const WeightFileView& file, Execution execution, size_t threads) {
  // Weights: every tensor packed as floats (kernel padding included in the 25%), plus the
  // dequantized copies of one layer that exist while it is packed.
  uint64_t elements = 0, largest = 0;
  for (const TensorView& tensor : file.tensors) {
    elements += tensor.elements;
    largest = std::max<uint64_t>(largest, tensor.elements);
  }
  uint64_t bytes = 5 * elements + 8 * largest + 1024 * uint64_t{file.tensors.size()};

  // Activations (floats). Layer by layer, one block's input, expansion, depthwise output and
  // output are alive at once; fused, the block outputs are planned (here: all counted) and
  // each thread has a ring of input rows plus a tile of output rows, which the plan sizes to
  // a 160 KiB budget unless a single row is larger.
  const ArchitectureShape arch = mobilenet_v2_architecture(file.header.alpha);
  const uint64_t s = file.header.input_size;
  const uint64_t t = std::max<size_t>(threads, 1);
  uint64_t size = ceil_div(s, 2);
  const uint64_t stem = size * size * arch.stem_channels;
  uint64_t block_peak = 0, outputs = 0, scratch = 40960;
  for (size_t i = 0; i < arch.blocks.size(); ++i) {
    const BlockShape& block = arch.blocks[i];
    const uint64_t out = ceil_div(size, block.stride);
    const uint64_t e = block.expanded_channels;
    block_peak = std::max(block_peak, size * size * (block.in_channels + e) +
                                          out * out * (e + block.out_channels));
    outputs += out * out * block.out_channels;
    scratch = std::max(scratch, (3 * size + out) * e);
    if (i == 0 && !block.has_expand) outputs += size * size * e;  // a kept stem output
    size = out;
  }
  uint64_t floats = size * size * arch.head_channels + arch.head_channels +
                    2 * uint64_t{file.header.num_classes};
  if (execution == Execution::kLayerByLayer) {
    floats += std::max(s * s * 3 + stem, block_peak);
  } else {
    floats += outputs + t * (scratch + 9 * s);
  }
  return bytes + 4 * floats + (uint64_t{1} << 20);  // + bookkeeping
}

bool check_model_memory(const WeightFileView& file, Execution execution, size_t threads,
                        std::string* error) {
  const uint64_t bound = model_memory_bound(file, execution, threads);
  if (bound > kMaxModelBytes) {
    *error = "the model would need up to " + mib(bound) + " of memory (input " +
             std::to_string(file.header.input_size) + ", alpha " +
             std::to_string(file.header.alpha) + ", " + std::to_string(file.header.num_classes) +
             " classes), more than the " + mib(kMaxModelBytes) + " this engine allows";
    return false;
  }
#ifdef __EMSCRIPTEN__
  // Native allocators overcommit, so this only means something in WASM: if the bound can be
  // allocated in one piece now, the many smaller allocations of load() fit in it afterwards.
  // Only large models are probed: the probe grows WASM memory (which never shrinks) to the
  // bound, more than a small model really uses, and a small model can only fail when memory
  // is already nearly full.
  if (bound < kProbeAboveBytes) return true;
  // volatile: the compiler may otherwise drop a malloc whose result is only freed, and then
  // assume it succeeded.
  void* volatile probe = std::malloc(static_cast<size_t>(bound));
  if (probe == nullptr) {
    *error = "not enough WebAssembly memory to load this model (it needs up to " + mib(bound) +
             "; dispose() models no longer used)";
    return false;
  }
  std::free(probe);
#endif
  return true;
}

}  // namespace mnv2
