/* The op -> kernel tables of the two engines. Order matters: the first entry of an op
 * whose fits() accepts the layer is used, so special cases come before general ones. */
#include "engine/fast_kernels.h"
#include "engine/ref_kernels.h"

static const opc_kernel REFERENCE[] = {
    {"ref_conv", OPC_OP_CONV, NULL, NULL, opc_ref_conv},
    {"ref_maxpool", OPC_OP_MAXPOOL, NULL, NULL, opc_ref_maxpool},
    {"concat", OPC_OP_CONCAT, NULL, NULL, opc_concat},
    {"ref_add", OPC_OP_ADD, NULL, NULL, opc_ref_add},
    {"ref_act", OPC_OP_ACT, NULL, NULL, opc_ref_act},
    {"ref_instance_norm", OPC_OP_INSTANCE_NORM, NULL, NULL, opc_ref_instance_norm},
    {"ref_affine", OPC_OP_AFFINE, NULL, NULL, opc_ref_affine},
    {"ref_resize_bilinear", OPC_OP_RESIZE_BILINEAR, NULL, NULL, opc_ref_resize_bilinear},
};

static const opc_kernel FAST[] = {
    {"conv_depthwise", OPC_OP_CONV, opc_depthwise_fits, NULL, opc_fast_conv_depthwise},
    {"conv_1x1_sgemm", OPC_OP_CONV, opc_conv1x1_fits, NULL, opc_fast_conv1x1},
    {"conv_im2col_sgemm", OPC_OP_CONV, NULL, opc_im2col_scratch, opc_fast_conv_im2col},
    {"maxpool", OPC_OP_MAXPOOL, NULL, NULL, opc_fast_maxpool},
    {"concat", OPC_OP_CONCAT, NULL, NULL, opc_concat},
    {"add", OPC_OP_ADD, NULL, NULL, opc_fast_add},
    {"act", OPC_OP_ACT, NULL, NULL, opc_fast_act},
    {"instance_norm", OPC_OP_INSTANCE_NORM, NULL, NULL, opc_fast_instance_norm},
    {"affine", OPC_OP_AFFINE, NULL, NULL, opc_fast_affine},
    {"resize_bilinear", OPC_OP_RESIZE_BILINEAR, NULL, NULL, opc_fast_resize_bilinear},
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
        if (k->op == l->op && (!k->fits || k->fits(l, in, out)))
            return k;
    }
    return NULL;
}
