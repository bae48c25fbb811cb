// The WASM test binary installs the relaxed-SIMD kernel module before main() where the
// JavaScript engine supports it (Node 20: --experimental-wasm-relaxed-simd, which
// scripts/test.sh passes); elsewhere the relaxed kernel tests check the fallback instead.
Module['preRun'] = [() => {
  if (!mnv2RelaxedKernels.supported()) return;
  mnv2RelaxedKernels.installSync(wasmMemory);
  _mnv2_mark_relaxed_kernels_installed();
}];
