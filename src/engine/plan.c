/* Planning for one input size: shape inference, kernel choice, memory layout, scratch. */
#include "engine/plan.h"

#include <stdlib.h>
#include <string.h>

#include "openpose-c/error.h"

int opc_plan_build(opc_plan *p, const opc_graph *g, opc_engine e, int h, int w, int threads,
                   opc_error *err)
{
    memset(p, 0, sizeof *p);
    p->h = h;
    p->w = w;
    p->shapes = calloc((size_t)g->n_blobs, sizeof *p->shapes);
    p->kernels = calloc((size_t)g->n_layers, sizeof *p->kernels);
    int rc = OPC_OK;
    if (!p->shapes || !p->kernels) {
        rc = opc_fail(err, OPC_ERR_NOMEM, "plan: out of memory");
        goto fail;
    }
    rc = opc_graph_infer_shapes(g, h, w, p->shapes, err);
    if (rc != OPC_OK)
        goto fail;
    for (int i = 0; i < g->n_layers; i++) {
        const opc_layer *l = &g->layers[i];
        const opc_shape *in = &p->shapes[l->inputs[0]], *out = &p->shapes[l->output];
        const opc_kernel *k = opc_kernel_select(e, l, in, out);
        if (!k) {
            rc = opc_fail(err, OPC_ERR_UNSUPPORTED, "layer %s: no kernel for %s", l->name,
                          opc_op_name(l->op));
            goto fail;
        }
        p->kernels[i] = k;
        size_t s = k->scratch ? k->scratch(k->param, l, in, out, threads) : 0;
        if (s > p->scratch_floats)
            p->scratch_floats = s;
    }
    rc = opc_memplan_build(&p->mem, g, p->shapes, err);
    if (rc == OPC_OK)
        return OPC_OK;
fail:
    opc_plan_free(p);
    return rc;
}

void opc_plan_free(opc_plan *p)
{
    free(p->shapes);
    free(p->kernels);
    opc_memplan_free(&p->mem);
    memset(p, 0, sizeof *p);
}
