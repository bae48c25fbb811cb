// Installing the relaxed-SIMD kernel module (src/kernels/relaxed/microkernels.h) into this
// engine instance. The build puts the module's bytes before this file (mnv2RelaxedKernelsBase64,
// the plain-memory build for the single-threaded module, the shared-memory one for pthreads).
//
// The kernel module imports the engine's memory and nothing else; its functions go into the
// function-table slots the engine reserved for them (trapping stubs until then). Tables are
// per instance, so this happens in the main thread's instance (Module.installRelaxedKernels,
// called by the loader, asynchronously: browsers refuse to compile larger modules
// synchronously on the main thread) and in every pthread worker's, synchronously once the
// worker's engine instance is ready, before it can run a thread. Only the main thread marks
// the kernels installed, which lets the engine choose them; a worker installs them whenever
// the JavaScript engine supports relaxed SIMD, which is the same answer as the main thread's.

var mnv2RelaxedKernels = {
  bytes: null,
  moduleBytes() {
    if (!this.bytes) {
      this.bytes = typeof Buffer == 'function'
        ? new Uint8Array(Buffer.from(mnv2RelaxedKernelsBase64, 'base64'))
        : Uint8Array.from(atob(mnv2RelaxedKernelsBase64), (c) => c.charCodeAt(0));
    }
    return this.bytes;
  },
  // Feature detection: the module validates only where relaxed SIMD is supported (Chromium
  // 114+; Node 20 with --experimental-wasm-relaxed-simd; not Firefox or Safari by default).
  supported() {
    return typeof WebAssembly == 'object' && WebAssembly.validate(this.moduleBytes());
  },
  // Puts the kernel instance's functions into this engine instance's reserved slots. The
  // engine is reached through the glue's own names (wasmTable and the export wrappers), which
  // Emscripten's minifier keeps in step with the wasm's minified export names.
  fill(kernelExports) {
    for (let i = 0; ; ++i) {
      const slot = _mnv2_relaxed_microkernel_slot(i);
      if (!slot) break;
      const name = UTF8ToString(_mnv2_relaxed_microkernel_name(i));
      const kernel = kernelExports[name];
      if (typeof kernel != 'function') throw new Error(`the relaxed kernel module lacks ${name}`);
      wasmTable.set(slot, kernel);
    }
  },
  // Synchronous installation (workers; the Node test binary).
  installSync(memory) {
    const module = new WebAssembly.Module(this.moduleBytes());
    this.fill(new WebAssembly.Instance(module, { 'env': { 'memory': memory } }).exports);
  },
};

// A pthread worker: once its engine instance is set up (Module.ready resolves in the same
// task that reports the worker loaded, and the export wrappers used by fill() exist by then),
// in a microtask, so before the worker handles its next message and can run a thread.
if (Module['ENVIRONMENT_IS_PTHREAD'] && mnv2RelaxedKernels.supported()) {
  Module['ready'].then(() => mnv2RelaxedKernels.installSync(wasmMemory));
}

/**
 * Installs the relaxed-SIMD kernels into this (main-thread) instance. Resolves to true when
 * they are installed, false when this JavaScript engine lacks relaxed SIMD.
 */
Module['installRelaxedKernels'] = async () => {
  if (Module['relaxedKernelsInstalled']()) return true;
  if (!mnv2RelaxedKernels.supported()) return false;
  const { instance } = await WebAssembly.instantiate(mnv2RelaxedKernels.moduleBytes(),
                                                     { 'env': { 'memory': wasmMemory } });
  mnv2RelaxedKernels.fill(instance.exports);
  _mnv2_mark_relaxed_kernels_installed();
  return true;
};
