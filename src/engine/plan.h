/* The execution plan of a graph for one input size: every blob's shape, the kernel each
 * layer runs with, the memory layout and the scratch size. */
#ifndef OPC_ENGINE_PLAN_H
#define OPC_ENGINE_PLAN_H

#include <stddef.h>

#include "engine/kernel.h"
#include "engine/memplan.h"

typedef struct opc_plan {
    int h, w;                    /* the input size it is for */
    opc_shape *shapes;           /* [n_blobs] */
    const opc_kernel **kernels;  /* [n_layers] */
    opc_memplan mem;
    size_t scratch_floats;       /* the largest kernel scratch */
} opc_plan;

int opc_plan_build(opc_plan *p, const opc_graph *g, opc_engine e, int h, int w, opc_error *err);
void opc_plan_free(opc_plan *p);

#endif
