/* The kernel tables: for each engine, a list of kernels, each implementing one op for the
 * layers it fits. The planner picks, per layer and input size, the FIRST entry of the
 * engine's table whose op matches and whose fits() accepts the layer, so a faster special
 * case (say a Winograd 3x3 conv) is added by putting its entry before the general one. */
#ifndef OPC_ENGINE_KERNEL_H
#define OPC_ENGINE_KERNEL_H

#include <stddef.h>

#include "core/threadpool.h"
#include "model/graph.h"
#include "openpose-c/net.h"

/* Everything one layer's kernel needs for one run. Blob data is NCHW, batch 1. */
typedef struct opc_kernel_args {
    const opc_layer *layer;
    int n_inputs;
    const float *in[OPC_MAX_INPUTS];
    opc_shape in_shape[OPC_MAX_INPUTS];
    float *out;             /* may contain some inputs in place (CONCAT, see memplan.h) */
    opc_shape out_shape;
    float *scratch;         /* scratch() floats, 64-byte aligned */
    const float *packed;    /* the layer's weights as the kernel's packing laid them out */
    opc_pool *pool;
    const void *param;      /* the kernel's param (see opc_kernel) */
} opc_kernel_args;

typedef struct opc_kernel {
    const char *name;
    opc_op op;
    /* Whether this kernel handles layer l at these shapes; NULL = every layer of op. */
    int (*fits)(const void *param, const opc_layer *l, const opc_shape *in,
                const opc_shape *out);
    /* Scratch floats needed at these shapes when run by `threads` threads; NULL = none. */
    size_t (*scratch)(const void *param, const opc_layer *l, const opc_shape *in,
                      const opc_shape *out, int threads);
    void (*run)(const opc_kernel_args *a);
    /* Constant data one implementation is specialised with (say, a Winograd variant), passed
     * to fits, scratch and run; NULL for most kernels. */
    const void *param;
    /* How the kernel lays out the weights, packed once and kept by the net across input
     * sizes; NULL for kernels that read the layer's weights as they are. */
    const struct opc_packing *packing;
} opc_kernel;

/* A layout of a layer's weights (it depends on the layer alone): the size in floats, and
 * the packing into 64-byte-aligned dst. */
typedef struct opc_packing {
    size_t (*floats)(const opc_layer *l);
    void (*pack)(const opc_layer *l, float *dst);
} opc_packing;

/* The kernel of engine e for layer l; in_shape is l's first input, out_shape its output.
 * Never NULL for a valid layer: every table ends each op with a catch-all entry. */
const opc_kernel *opc_kernel_select(opc_engine e, const opc_layer *l, const opc_shape *in,
                                    const opc_shape *out);

#endif
