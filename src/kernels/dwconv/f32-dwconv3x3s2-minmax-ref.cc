// f32_dwconv3x3s2_minmax__ref: the shared body in f32-dwconv3x3-minmax-ref.inc with stride 2.
#define MNV2_DWCONV_STRIDE 2
#define MNV2_DWCONV_NAME f32_dwconv3x3s2_minmax__ref
#include "kernels/dwconv/f32-dwconv3x3-minmax-ref.inc"
