// f32_dwconv3x3s1_minmax__wasmsimd: the shared body in f32-dwconv3x3-minmax-wasmsimd.inc with stride 1.
#define MNV2_DWCONV_STRIDE 1
#define MNV2_DWCONV_NAME f32_dwconv3x3s1_minmax__wasmsimd
#include "kernels/dwconv/f32-dwconv3x3-minmax-wasmsimd.inc"
