// qs8_dwconv3x3s2_minmax__wasmsimd: the shared definition in qs8-dwconv3x3-minmax-wasmsimd.inc with stride 2.
#define MNV2_Q8_DWCONV_STRIDE 2
#define MNV2_Q8_DWCONV_NAME qs8_dwconv3x3s2_minmax__wasmsimd
#include "kernels/q8/qs8-dwconv3x3-minmax-wasmsimd.inc"
