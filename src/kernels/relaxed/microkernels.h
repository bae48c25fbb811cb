// Relaxed-SIMD micro-kernels: the inner loops that gain from relaxed SIMD's instructions,
// built into a kernel module of their own, because Emscripten 3.1.6 (clang 14) cannot emit
// the final relaxed opcodes and a module using them does not validate where relaxed SIMD is
// missing. The engine keeps everything else (drivers, scratch buffers, threads); the relaxed
// twins of kernels.def's kernels (kernels-relaxed.def) are drivers calling these.
//
// The kernel module's ABI (checked by tests/node/relaxed-module.test.js):
//  - it imports the engine's memory (the same Memory object, so growth is shared) and nothing
//    else, defines no data and uses no stack: every value lives in registers, every buffer
//    is the caller's. So it can never write where it does not own;
//  - in a WebAssembly build of the engine, relaxed_microkernels() holds trapping stubs, each
//    with a function-table slot of its own; src/bindings/relaxed-kernels.pre.js puts the
//    module's functions into those slots, in the main thread's instance and in every pthread
//    worker's (tables are per instance), then marks them installed. A stub can only run if a
//    caller ignores relaxed_kernels_installed(), and then it traps instead of computing
//    garbage.
#pragma once

#include "kernels/gemm/f32-gemm-tile.h"
#include "kernels/q8/qs8-gemm-usdot.h"

namespace mnv2 {

#define MNV2_RELAXED_MICROKERNEL(name, type) type name;
#include "kernels/relaxed/microkernels.def"
#undef MNV2_RELAXED_MICROKERNEL

struct RelaxedMicrokernels {
#define MNV2_RELAXED_MICROKERNEL(name, type) type* name;
#include "kernels/relaxed/microkernels.def"
#undef MNV2_RELAXED_MICROKERNEL
};

const RelaxedMicrokernels& relaxed_microkernels();

// Whether relaxed_microkernels() may be called: always in native builds; in a WebAssembly
// build once JavaScript installed the kernel module (which needs relaxed SIMD support).
bool relaxed_kernels_installed();
void mark_relaxed_kernels_installed();

// The micro-kernels in list order, for the installer: name (the module's export name) and
// the function-table slot to fill; null / 0 past the end.
const char* relaxed_microkernel_name(size_t index);
uintptr_t relaxed_microkernel_slot(size_t index);

}  // namespace mnv2

// Applied to each definition in kernels/relaxed/module/: the function's name becomes the
// kernel module's export name.
#if defined(MNV2_RELAXED_MODULE)
#define MNV2_RELAXED_EXPORT(name) __attribute__((export_name(#name)))
#else
#define MNV2_RELAXED_EXPORT(name)
#endif
