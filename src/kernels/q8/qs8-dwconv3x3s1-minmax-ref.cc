// qs8_dwconv3x3s1_minmax__ref: the shared definition in qs8-dwconv3x3-minmax-ref.inc with stride 1.
#define MNV2_Q8_DWCONV_STRIDE 1
#define MNV2_Q8_DWCONV_NAME qs8_dwconv3x3s1_minmax__ref
#include "kernels/q8/qs8-dwconv3x3-minmax-ref.inc"
