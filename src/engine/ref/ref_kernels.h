/* Kernels of the reference engine (plain loops), plus the few shared with the fast engine. */
#ifndef OPC_ENGINE_REF_KERNELS_H
#define OPC_ENGINE_REF_KERNELS_H

#include "engine/kernel.h"

void opc_ref_conv(const opc_kernel_args *a);
void opc_ref_maxpool(const opc_kernel_args *a);
void opc_ref_add(const opc_kernel_args *a);
void opc_ref_act(const opc_kernel_args *a);
void opc_ref_affine(const opc_kernel_args *a);
void opc_ref_instance_norm(const opc_kernel_args *a);
void opc_ref_resize(const opc_kernel_args *a);
void opc_ref_fake_quantize(const opc_kernel_args *a);

/* Shared by both engines. */
void opc_concat(const opc_kernel_args *a);
/* TF legacy bilinear source coordinate of output index dst: rows lo, hi and weight of hi. */
void opc_resize_coord(int dst, int in, int out, int *lo, int *hi, float *frac);
/* Nearest-neighbour source index of output index dst: floor(dst * in / out). */
static inline int opc_resize_nearest_src(int dst, int in, int out)
{
    int s = (int)((long long)dst * in / out);
    return s < in - 1 ? s : in - 1;
}

#endif
