// Where the engine finds the relaxed micro-kernels (microkernels.h): linked in natively,
// trapping stubs with their own table slots in a WebAssembly build until JavaScript fills
// those slots with the kernel module's functions.
#include "kernels/relaxed/microkernels.h"

#include <cstdint>
#include <cstdlib>

namespace mnv2 {
namespace {

#if defined(__EMSCRIPTEN__)
// Reached only if a caller skipped relaxed_kernels_installed(). The index (an argument, so
// each stub below stays a function of its own) shows in a debugger's stack.
[[noreturn]] __attribute__((noinline)) void relaxed_kernel_missing(int index) {
  (void)index;
  std::abort();
}

// One stub per list entry (kIndex keeps them distinct functions with distinct slots), with
// the entry's exact signature, so the slot's type is what call_indirect expects.
template <typename Fn, int kIndex>
struct Stub;
template <typename R, typename... Args, int kIndex>
struct Stub<R(Args...), kIndex> {
  static R call(Args...) { relaxed_kernel_missing(kIndex); }
};

bool installed = false;

constexpr RelaxedMicrokernels kMicrokernels = {
#define MNV2_RELAXED_MICROKERNEL(name, type) Stub<type, __COUNTER__>::call,
#include "kernels/relaxed/microkernels.def"
#undef MNV2_RELAXED_MICROKERNEL
};
#else
constexpr bool installed = true;

constexpr RelaxedMicrokernels kMicrokernels = {
#define MNV2_RELAXED_MICROKERNEL(name, type) name,
#include "kernels/relaxed/microkernels.def"
#undef MNV2_RELAXED_MICROKERNEL
};
#endif

constexpr const char* kNames[] = {
#define MNV2_RELAXED_MICROKERNEL(name, type) #name,
#include "kernels/relaxed/microkernels.def"
#undef MNV2_RELAXED_MICROKERNEL
};
constexpr size_t kCount = sizeof(kNames) / sizeof(kNames[0]);

}  // namespace

const RelaxedMicrokernels& relaxed_microkernels() { return kMicrokernels; }

bool relaxed_kernels_installed() { return installed; }

void mark_relaxed_kernels_installed() {
#if defined(__EMSCRIPTEN__)
  installed = true;
#endif
}

const char* relaxed_microkernel_name(size_t index) {
  return index < kCount ? kNames[index] : nullptr;
}

uintptr_t relaxed_microkernel_slot(size_t index) {
  if (index >= kCount) return 0;
  // The struct is a list of function pointers in list order, all of one kind (a pointer to
  // a function); reading entry `index` through the member list keeps that explicit.
  size_t i = 0;
  uintptr_t slot = 0;
#define MNV2_RELAXED_MICROKERNEL(name, type) \
  if (i++ == index) slot = reinterpret_cast<uintptr_t>(kMicrokernels.name);
#include "kernels/relaxed/microkernels.def"
#undef MNV2_RELAXED_MICROKERNEL
  return slot;
}

}  // namespace mnv2

#if defined(__EMSCRIPTEN__)
// For src/bindings/relaxed-kernels.pre.js, which runs in a pthread worker before its runtime
// (and Embind) is set up, so these are plain exports. `used` is what EMSCRIPTEN_KEEPALIVE
// expands to; this file includes no Emscripten header (embind.cc is the only one).
extern "C" {
__attribute__((used)) uintptr_t mnv2_relaxed_microkernel_slot(size_t index) {
  return mnv2::relaxed_microkernel_slot(index);
}
__attribute__((used)) const char* mnv2_relaxed_microkernel_name(size_t index) {
  return mnv2::relaxed_microkernel_name(index);
}
__attribute__((used)) void mnv2_mark_relaxed_kernels_installed() {
  mnv2::mark_relaxed_kernels_installed();
}
}
#endif
