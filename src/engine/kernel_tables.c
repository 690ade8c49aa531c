/* The op -> kernel tables of the two engines. Order matters: the first entry of an op
 * whose fits() accepts the layer is used, so special cases come before general ones. */
#include "engine/fast/fast_kernels.h"
#include "engine/ref/ref_kernels.h"
#include "engine/fast/winograd.h"

/* Winograd variants and their points, chosen by measured accuracy: float32 against float64
 * on real activations and weights of the full COCO net, relative L2 error of one layer.
 * F(6x6, 3x3) on 0, +-1, +-2, +-1/2: 0.6 to 1.4e-6 (direct float32: 2.5e-7; no other set of
 * 0 and three pairs did better). F(3x3, 7x7) on +-1, +-2, +-2/3, +-1/4: 1.6e-6, where the
 * textbook 0, +-1, +-2, +-1/2, 1/4 gave 5.5e-6, too much for the 2e-5 end-to-end budget
 * of the OpenPose nets; F(2x2, 7x7) is more exact (7.7e-7) but 1.8x slower. Points in
 * +- pairs also halve the transforms' multiplies (opc_wino_op). */
static const opc_wino_variant F6_3 = {6, 3, {0, 1, -1, 2, -2, 0.5, -0.5}};
static const opc_wino_variant F3_7 = {3, 7, {1, -1, 2, -2, 2.0 / 3, -2.0 / 3, 0.25, -0.25}};

static const opc_packing POINTWISE_PACKING = {opc_pointwise_packed_floats, opc_pointwise_pack};
static const opc_packing GEMM_PACKING = {opc_gemm_weights_packed_floats, opc_gemm_weights_pack};

static const opc_kernel REFERENCE[] = {
    {"ref_conv", OPC_OP_CONV, NULL, NULL, opc_ref_conv, NULL, NULL},
    {"ref_maxpool", OPC_OP_MAXPOOL, NULL, NULL, opc_ref_maxpool, NULL, NULL},
    {"concat", OPC_OP_CONCAT, NULL, NULL, opc_concat, NULL, NULL},
    {"ref_add", OPC_OP_ADD, NULL, NULL, opc_ref_add, NULL, NULL},
    {"ref_act", OPC_OP_ACT, NULL, NULL, opc_ref_act, NULL, NULL},
    {"ref_instance_norm", OPC_OP_INSTANCE_NORM, NULL, NULL, opc_ref_instance_norm, NULL, NULL},
    {"ref_affine", OPC_OP_AFFINE, NULL, NULL, opc_ref_affine, NULL, NULL},
    {"ref_resize", OPC_OP_RESIZE, NULL, NULL, opc_ref_resize, NULL, NULL},
    {"ref_fake_quantize", OPC_OP_FAKE_QUANTIZE, NULL, NULL, opc_ref_fake_quantize, NULL, NULL},
};

static const opc_kernel FAST[] = {
    {"conv_depthwise", OPC_OP_CONV, opc_depthwise_fits, opc_depthwise_scratch,
     opc_fast_conv_depthwise, NULL, NULL},
    {"conv_winograd_f6x6_3x3", OPC_OP_CONV, opc_winograd_fits, opc_winograd_scratch,
     opc_fast_conv_winograd, &F6_3, NULL},
    {"conv_winograd_f3x3_7x7", OPC_OP_CONV, opc_winograd_fits, opc_winograd_scratch,
     opc_fast_conv_winograd, &F3_7, NULL},
    {"conv_winograd_f6x6_3x3_phases", OPC_OP_CONV, opc_winograd_phases_fits,
     opc_winograd_phases_scratch, opc_fast_conv_winograd_phases, &F6_3, NULL},
    {"conv_1x1_direct", OPC_OP_CONV, opc_pointwise_fits, NULL, opc_fast_conv_pointwise, NULL,
     &POINTWISE_PACKING},
    {"conv_1x1_gemm", OPC_OP_CONV, opc_conv1x1_gemm_fits, NULL, opc_fast_conv1x1_gemm, NULL,
     &GEMM_PACKING},
    {"conv_1x1_sgemm", OPC_OP_CONV, opc_conv1x1_fits, NULL, opc_fast_conv1x1, NULL, NULL},
    {"conv_direct_rows", OPC_OP_CONV, opc_conv_rows_fits, opc_conv_rows_scratch,
     opc_fast_conv_rows, NULL, NULL},
    {"conv_im2col_gemm", OPC_OP_CONV, opc_im2col_gemm_fits, opc_im2col_gemm_scratch,
     opc_fast_conv_im2col_gemm, NULL, &GEMM_PACKING},
    {"conv_im2col_sgemm", OPC_OP_CONV, NULL, opc_im2col_scratch, opc_fast_conv_im2col, NULL, NULL},
    {"maxpool", OPC_OP_MAXPOOL, NULL, NULL, opc_fast_maxpool, NULL, NULL},
    {"concat", OPC_OP_CONCAT, NULL, NULL, opc_concat, NULL, NULL},
    {"add", OPC_OP_ADD, NULL, NULL, opc_fast_add, NULL, NULL},
    {"act", OPC_OP_ACT, NULL, NULL, opc_fast_act, NULL, NULL},
    {"instance_norm", OPC_OP_INSTANCE_NORM, NULL, NULL, opc_fast_instance_norm, NULL, NULL},
    {"affine", OPC_OP_AFFINE, NULL, NULL, opc_fast_affine, NULL, NULL},
    {"resize_bilinear", OPC_OP_RESIZE, opc_resize_bilinear_fits, opc_resize_scratch,
     opc_fast_resize_bilinear, NULL, NULL},
    {"resize_nearest", OPC_OP_RESIZE, NULL, NULL, opc_fast_resize_nearest, NULL, NULL},
    {"fake_quantize", OPC_OP_FAKE_QUANTIZE, NULL, NULL, opc_fast_fake_quantize, NULL, NULL},
};

static const struct {
    const opc_kernel *table;
    int n;
} ENGINES[] = {
    [OPC_ENGINE_FAST] = {FAST, (int)(sizeof FAST / sizeof FAST[0])},
    [OPC_ENGINE_REFERENCE] = {REFERENCE, (int)(sizeof REFERENCE / sizeof REFERENCE[0])},
};

const opc_kernel *opc_kernel_select(opc_engine e, const opc_layer *l, const opc_shape *in,
                                    const opc_shape *out)
{
    if ((unsigned)e >= sizeof ENGINES / sizeof ENGINES[0])
        return NULL;
    for (int i = 0; i < ENGINES[e].n; i++) {
        const opc_kernel *k = &ENGINES[e].table[i];
        if (k->op == l->op && (!k->fits || k->fits(k->param, l, in, out)))
            return k;
    }
    return NULL;
}
