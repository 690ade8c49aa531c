/* Kernels of the fast engine (multi-threaded, vectorised per CPU level; OpenBLAS only for
 * grouped convolutions), and what they share. */
#ifndef OPC_ENGINE_FAST_KERNELS_H
#define OPC_ENGINE_FAST_KERNELS_H

#include "engine/kernel.h"

int opc_depthwise_fits(const void *param, const opc_layer *l, const opc_shape *in,
                       const opc_shape *out);
size_t opc_depthwise_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                             const opc_shape *out, int threads);
void opc_fast_conv_depthwise(const opc_kernel_args *a);

int opc_conv1x1_fits(const void *param, const opc_layer *l, const opc_shape *in,
                     const opc_shape *out);
void opc_fast_conv1x1(const opc_kernel_args *a);

int opc_conv1x1_gemm_fits(const void *param, const opc_layer *l, const opc_shape *in,
                          const opc_shape *out);
void opc_fast_conv1x1_gemm(const opc_kernel_args *a);

int opc_pointwise_fits(const void *param, const opc_layer *l, const opc_shape *in,
                       const opc_shape *out);
size_t opc_pointwise_packed_floats(const opc_layer *l);
void opc_pointwise_pack(const opc_layer *l, float *dst);
void opc_fast_conv_pointwise(const opc_kernel_args *a);

int opc_winograd_fits(const void *param, const opc_layer *l, const opc_shape *in,
                      const opc_shape *out);
size_t opc_winograd_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                            const opc_shape *out, int threads);
void opc_fast_conv_winograd(const opc_kernel_args *a); /* param: an opc_wino_variant */
/* Dilated "same" convolutions as Winograd on the input's phases (conv_winograd_phases.c). */
int opc_winograd_phases_fits(const void *param, const opc_layer *l, const opc_shape *in,
                             const opc_shape *out);
size_t opc_winograd_phases_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                                   const opc_shape *out, int threads);
void opc_fast_conv_winograd_phases(const opc_kernel_args *a);

int opc_conv_rows_fits(const void *param, const opc_layer *l, const opc_shape *in,
                       const opc_shape *out);
size_t opc_conv_rows_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                             const opc_shape *out, int threads);
void opc_fast_conv_rows(const opc_kernel_args *a);

size_t opc_im2col_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                          const opc_shape *out, int threads);
void opc_fast_conv_im2col(const opc_kernel_args *a);
int opc_im2col_gemm_fits(const void *param, const opc_layer *l, const opc_shape *in,
                         const opc_shape *out);
size_t opc_im2col_gemm_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                               const opc_shape *out, int threads);
void opc_fast_conv_im2col_gemm(const opc_kernel_args *a);
/* The own GEMM's packed weights, for conv_1x1_gemm and conv_im2col_gemm. */
size_t opc_gemm_weights_packed_floats(const opc_layer *l);
void opc_gemm_weights_pack(const opc_layer *l, float *dst);

void opc_fast_maxpool(const opc_kernel_args *a);
void opc_fast_add(const opc_kernel_args *a);
void opc_fast_act(const opc_kernel_args *a);
void opc_fast_affine(const opc_kernel_args *a);
void opc_fast_fake_quantize(const opc_kernel_args *a);
void opc_fast_instance_norm(const opc_kernel_args *a);
int opc_resize_bilinear_fits(const void *param, const opc_layer *l, const opc_shape *in,
                             const opc_shape *out);
size_t opc_resize_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                          const opc_shape *out, int threads);
void opc_fast_resize_bilinear(const opc_kernel_args *a);
void opc_fast_resize_nearest(const opc_kernel_args *a);

/* For a window tap at offset kofs (= k * dilation) along one axis: the first output index
 * whose input index out*stride - pad + kofs is >= lo. With lo = 0 it is the first tap
 * inside the image, with lo = size the first one past it. */
static inline int opc_first_out(int lo, int stride, int pad, int kofs)
{
    int num = lo + pad - kofs;
    return num <= 0 ? 0 : (num + stride - 1) / stride;
}

#endif
