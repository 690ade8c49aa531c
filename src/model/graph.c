/* Graph building, validation and shape inference. */
#include "model/graph.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/error.h"
#include "model/limits.h"

static const char *const OP_NAMES[OPC_OP_COUNT] = {
    "conv", "maxpool", "concat", "add", "act", "instance_norm", "affine", "resize_bilinear",
};
static const char *const ACT_NAMES[] = {"none", "relu", "relu6", "prelu"};

const char *opc_op_name(opc_op op) { return op < OPC_OP_COUNT ? OP_NAMES[op] : "?"; }
const char *opc_act_name(opc_act act) { return act <= OPC_ACT_PRELU ? ACT_NAMES[act] : "?"; }

int opc_graph_own(opc_graph *g, void *p)
{
    if (!p)
        return OPC_ERR_NOMEM;
    if (g->n_owned == g->cap_owned) {
        int cap = g->cap_owned ? 2 * g->cap_owned : 64;
        void **n = realloc(g->owned, (size_t)cap * sizeof *n);
        if (!n) {
            free(p);
            return OPC_ERR_NOMEM;
        }
        g->owned = n;
        g->cap_owned = cap;
    }
    g->owned[g->n_owned++] = p;
    return OPC_OK;
}

char *opc_graph_strdup(opc_graph *g, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (!p || opc_graph_own(g, p) != OPC_OK)
        return NULL;
    memcpy(p, s, n);
    return p;
}

static int add_blob(opc_graph *g, const char *name)
{
    if (g->n_blobs == g->cap_blobs) {
        int cap = g->cap_blobs ? 2 * g->cap_blobs : 64;
        char **n = realloc(g->blob_names, (size_t)cap * sizeof *n);
        if (!n)
            return -1;
        g->blob_names = n;
        g->cap_blobs = cap;
    }
    char *s = opc_graph_strdup(g, name);
    if (!s)
        return -1;
    g->blob_names[g->n_blobs] = s;
    return g->n_blobs++;
}

opc_graph *opc_graph_new(const char *input_name, int input_channels)
{
    opc_graph *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->input_channels = input_channels;
    g->output_blob = -1;
    if (add_blob(g, input_name) != 0) {
        opc_graph_free(g);
        return NULL;
    }
    return g;
}

void opc_graph_free(opc_graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n_owned; i++)
        free(g->owned[i]);
    free(g->owned);
    free(g->blob_names);
    free(g->layers);
    free(g);
}

int opc_graph_find_blob(const opc_graph *g, const char *name)
{
    for (int i = g->n_blobs - 1; i >= 0; i--)
        if (strcmp(g->blob_names[i], name) == 0)
            return i;
    return -1;
}

opc_layer *opc_graph_add_layer(opc_graph *g, opc_op op, const char *name,
                               const char *output_name, opc_error *err)
{
    if (opc_graph_find_blob(g, output_name) >= 0) {
        opc_fail(err, OPC_ERR_FORMAT, "layer %s: blob %s is written twice", name, output_name);
        return NULL;
    }
    if (g->n_layers == OPC_GRAPH_MAX_LAYERS) {
        opc_fail(err, OPC_ERR_FORMAT, "layer %s: more than %d layers", name,
                 OPC_GRAPH_MAX_LAYERS);
        return NULL;
    }
    if (g->n_layers == g->cap_layers) {
        int cap = g->cap_layers ? 2 * g->cap_layers : 64;
        opc_layer *n = realloc(g->layers, (size_t)cap * sizeof *n);
        if (!n) {
            opc_fail(err, OPC_ERR_NOMEM, "layer %s: out of memory", name);
            return NULL;
        }
        g->layers = n;
        g->cap_layers = cap;
    }
    opc_layer *l = &g->layers[g->n_layers];
    memset(l, 0, sizeof *l);
    l->op = op;
    l->name = opc_graph_strdup(g, name);
    l->output = add_blob(g, output_name);
    if (!l->name || l->output < 0) {
        opc_fail(err, OPC_ERR_NOMEM, "layer %s: out of memory", name);
        return NULL;
    }
    l->stride[0] = l->stride[1] = 1;
    l->dilation[0] = l->dilation[1] = 1;
    l->group = 1;
    l->size_ref = -1;
    g->n_layers++;
    return l;
}

float *opc_graph_new_weight(opc_graph *g, opc_weight *w, int ndim, const int *shape,
                            opc_error *err)
{
    size_t count = 1;
    memset(w, 0, sizeof *w);
    if (ndim < 1 || ndim > 4) {
        opc_fail(err, OPC_ERR_ARG, "weight: %d dims", ndim);
        return NULL;
    }
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0 || shape[i] > OPC_WEIGHT_MAX_DIM ||
            (shape[i] && count > OPC_WEIGHT_MAX_ELEMS / (size_t)shape[i])) {
            opc_fail(err, OPC_ERR_FORMAT,
                     "weight: dimension %d out of range (at most %llu elements in all)",
                     shape[i], (unsigned long long)OPC_WEIGHT_MAX_ELEMS);
            return NULL;
        }
        count *= (size_t)shape[i];
        w->shape[i] = shape[i];
    }
    float *p = calloc(count ? count : 1, sizeof(float));
    if (!p || opc_graph_own(g, p) != OPC_OK) {
        opc_fail(err, OPC_ERR_NOMEM, "weight: out of memory");
        return NULL;
    }
    w->ndim = ndim;
    w->count = count;
    w->data = p;
    return p;
}

void opc_layer_pads(const opc_layer *l, int in_h, int in_w, int pad[4])
{
    if (!l->pad_same) {
        memcpy(pad, l->pad, sizeof l->pad);
        return;
    }
    int in[2] = {in_h, in_w};
    for (int d = 0; d < 2; d++) {
        int k = l->dilation[d] * (l->kernel[d] - 1) + 1;
        int out = (in[d] + l->stride[d] - 1) / l->stride[d];
        int total = (out - 1) * l->stride[d] + k - in[d];
        if (total < 0)
            total = 0;
        pad[d] = total / 2;
        pad[d + 2] = total - total / 2;
    }
}

/* Output size along one dimension for CONV (floor) and MAXPOOL (floor or Caffe ceil). */
static int pooled_size(const opc_layer *l, int d, int in, int pad_before, int pad_after)
{
    int k = l->dilation[d] * (l->kernel[d] - 1) + 1;
    int span = in + pad_before + pad_after - k;
    if (span < 0)
        return 0;
    if (l->op == OPC_OP_MAXPOOL && l->ceil_mode && !l->pad_same) {
        int out = (span + l->stride[d] - 1) / l->stride[d] + 1;
        /* Caffe: the last window must start inside the image or the leading pad. */
        if ((pad_before || pad_after) && (out - 1) * l->stride[d] >= in + pad_before)
            out--;
        return out;
    }
    return span / l->stride[d] + 1;
}

static int weight_is(const opc_weight *w, int ndim, const int *shape)
{
    if (!w->data || w->ndim != ndim)
        return 0;
    for (int i = 0; i < ndim; i++)
        if (w->shape[i] != shape[i])
            return 0;
    return 1;
}

/* Per-channel weights ([c], or [1] for a shared PReLU slope). */
static int check_channel_weight(const opc_layer *l, const opc_weight *w, const char *what, int c,
                                int allow_shared, int required, opc_error *err)
{
    if (!w->data) {
        if (required)
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: missing %s", l->name, what);
        return OPC_OK;
    }
    if (w->count == (size_t)c || (allow_shared && w->count == 1))
        return OPC_OK;
    return opc_fail(err, OPC_ERR_FORMAT, "layer %s: %s has %zu values for %d channels", l->name,
                    what, w->count, c);
}

int opc_graph_infer_shapes(const opc_graph *g, int h, int w, opc_shape *shapes, opc_error *err)
{
    if (h < 1 || w < 1 || h > OPC_GRAPH_MAX_SPATIAL || w > OPC_GRAPH_MAX_SPATIAL)
        return opc_fail(err, OPC_ERR_ARG, "input size %dx%d out of range", w, h);
    shapes[0] = (opc_shape){g->input_channels, h, w};
    for (int i = 0; i < g->n_layers; i++) {
        const opc_layer *l = &g->layers[i];
        const opc_shape in = shapes[l->inputs[0]];
        opc_shape out = in;
        switch (l->op) {
        case OPC_OP_CONV: {
            int cin_g = l->weight.shape[1];
            if (in.c != cin_g * l->group)
                return opc_fail(err, OPC_ERR_FORMAT,
                                "layer %s: input %s has %d channels, weights expect %d",
                                l->name, g->blob_names[l->inputs[0]], in.c, cin_g * l->group);
        } /* fall through */
        case OPC_OP_MAXPOOL: {
            int pad[4];
            opc_layer_pads(l, in.h, in.w, pad);
            out.h = pooled_size(l, 0, in.h, pad[0], pad[2]);
            out.w = pooled_size(l, 1, in.w, pad[1], pad[3]);
            if (l->op == OPC_OP_CONV)
                out.c = l->out_channels;
            if (out.h < 1 || out.w < 1)
                return opc_fail(err, OPC_ERR_FORMAT,
                                "layer %s: input %dx%d is smaller than its %dx%d window",
                                l->name, in.w, in.h, l->kernel[1], l->kernel[0]);
            break;
        }
        case OPC_OP_CONCAT:
            out.c = 0;
            for (int k = 0; k < l->n_inputs; k++) {
                opc_shape s = shapes[l->inputs[k]];
                if (s.h != in.h || s.w != in.w)
                    return opc_fail(err, OPC_ERR_FORMAT,
                                    "layer %s: input %s is %dx%d, %s is %dx%d", l->name,
                                    g->blob_names[l->inputs[k]], s.w, s.h,
                                    g->blob_names[l->inputs[0]], in.w, in.h);
                out.c += s.c;
            }
            if (out.c > OPC_GRAPH_MAX_CHANNELS)
                return opc_fail(err, OPC_ERR_FORMAT, "layer %s: %d channels", l->name, out.c);
            break;
        case OPC_OP_ADD:
            for (int k = 1; k < l->n_inputs; k++) {
                opc_shape s = shapes[l->inputs[k]];
                if (s.c != in.c || s.h != in.h || s.w != in.w)
                    return opc_fail(err, OPC_ERR_FORMAT,
                                    "layer %s: cannot add %s (%dx%dx%d) to %s (%dx%dx%d)",
                                    l->name, g->blob_names[l->inputs[k]], s.c, s.h, s.w,
                                    g->blob_names[l->inputs[0]], in.c, in.h, in.w);
            }
            break;
        case OPC_OP_ACT:
        case OPC_OP_INSTANCE_NORM:
        case OPC_OP_AFFINE: {
            int rc = OPC_OK;
            if (l->op != OPC_OP_ACT) {
                rc = check_channel_weight(l, &l->weight, "scale", in.c, 0, 1, err);
                if (rc == OPC_OK)
                    rc = check_channel_weight(l, &l->bias, "bias", in.c, 0, 0, err);
            }
            if (rc != OPC_OK)
                return rc;
            break;
        }
        case OPC_OP_RESIZE_BILINEAR:
            if (l->size_ref >= 0) {
                out.h = shapes[l->size_ref].h;
                out.w = shapes[l->size_ref].w;
            } else {
                out.h = in.h * l->resize_factor;
                out.w = in.w * l->resize_factor;
            }
            break;
        default:
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: unknown op %d", l->name, l->op);
        }
        if (l->act == OPC_ACT_PRELU) {
            int rc = check_channel_weight(l, &l->slope, "PReLU slope", out.c, 1, 1, err);
            if (rc != OPC_OK)
                return rc;
        }
        if (out.h > OPC_GRAPH_MAX_SPATIAL || out.w > OPC_GRAPH_MAX_SPATIAL ||
            (int64_t)out.c * out.h * out.w > OPC_GRAPH_MAX_BLOB_ELEMS)
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: output %dx%dx%d is too large",
                            l->name, out.c, out.h, out.w);
        shapes[l->output] = out;
    }
    return OPC_OK;
}

static int check_layer(const opc_graph *g, const opc_layer *l, const unsigned char *written,
                       opc_error *err)
{
    static const int min_inputs[OPC_OP_COUNT] = {1, 1, 1, 2, 1, 1, 1, 1};
    static const int max_inputs[OPC_OP_COUNT] = {1, 1, OPC_MAX_INPUTS, OPC_MAX_INPUTS, 1, 1, 1, 1};
    const char *n = l->name ? l->name : "?";
    if ((unsigned)l->op >= OPC_OP_COUNT)
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: unknown op %d", n, l->op);
    if (l->n_inputs < min_inputs[l->op] || l->n_inputs > max_inputs[l->op])
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: %s takes %d..%d inputs, has %d", n,
                        opc_op_name(l->op), min_inputs[l->op], max_inputs[l->op], l->n_inputs);
    for (int k = 0; k < l->n_inputs; k++) {
        int b = l->inputs[k];
        if (b < 0 || b >= g->n_blobs)
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: input blob id %d out of range", n, b);
        if (!written[b])
            return opc_fail(err, OPC_ERR_FORMAT,
                            "layer %s: reads blob %s before any layer writes it", n,
                            g->blob_names[b]);
    }
    if (l->output <= 0 || l->output >= g->n_blobs)
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: output blob id %d out of range", n,
                        l->output);
    if (written[l->output])
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: blob %s is written twice", n,
                        g->blob_names[l->output]);
    if ((unsigned)l->act > OPC_ACT_PRELU)
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: unknown activation %d", n, l->act);
    if (l->op == OPC_OP_CONV || l->op == OPC_OP_MAXPOOL) {
        for (int d = 0; d < 2; d++)
            if (l->kernel[d] < 1 || l->kernel[d] > OPC_GRAPH_MAX_KERNEL || l->stride[d] < 1 ||
                l->stride[d] > OPC_GRAPH_MAX_KERNEL || l->dilation[d] < 1 ||
                l->dilation[d] > OPC_GRAPH_MAX_KERNEL)
                return opc_fail(err, OPC_ERR_FORMAT,
                                "layer %s: kernel/stride/dilation out of range", n);
        for (int d = 0; d < 4; d++)
            if (l->pad[d] < 0 || l->pad[d] > OPC_GRAPH_MAX_KERNEL)
                return opc_fail(err, OPC_ERR_FORMAT, "layer %s: padding %d out of range", n,
                                l->pad[d]);
    }
    if (l->op == OPC_OP_CONV) {
        if (l->group < 1 || l->out_channels < 1 || l->out_channels > OPC_GRAPH_MAX_CHANNELS ||
            l->out_channels % l->group)
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: %d outputs in %d groups", n,
                            l->out_channels, l->group);
        int shape[4] = {l->out_channels, l->weight.shape[1], l->kernel[0], l->kernel[1]};
        if (l->weight.shape[1] < 1 || l->weight.shape[1] > OPC_GRAPH_MAX_CHANNELS ||
            !weight_is(&l->weight, 4, shape))
            return opc_fail(err, OPC_ERR_FORMAT,
                            "layer %s: weight shape does not match %d outputs, %dx%d kernel", n,
                            l->out_channels, l->kernel[1], l->kernel[0]);
        if (l->bias.data && l->bias.count != (size_t)l->out_channels)
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: bias has %zu values for %d outputs",
                            n, l->bias.count, l->out_channels);
    }
    if (l->op == OPC_OP_ACT && l->act == OPC_ACT_NONE)
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: activation layer without activation", n);
    if (l->op == OPC_OP_INSTANCE_NORM && !(l->eps > 0 && l->eps < 1))
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: epsilon %g out of range", n, l->eps);
    if (l->op == OPC_OP_RESIZE_BILINEAR) {
        if (l->size_ref >= 0 ? (l->size_ref >= g->n_blobs || !written[l->size_ref])
                             : (l->resize_factor < 1 || l->resize_factor > OPC_GRAPH_MAX_KERNEL))
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: bad resize target", n);
    }
    return OPC_OK;
}

static int check_preprocess(const opc_preprocess *p, opc_error *err)
{
    if (strcmp(p->channel_order, "BGR") != 0 && strcmp(p->channel_order, "RGB") != 0)
        return opc_fail(err, OPC_ERR_FORMAT, "channel order \"%.3s\" is not BGR or RGB",
                        p->channel_order);
    if (!isfinite(p->scale) || !isfinite(p->offset[0]) || !isfinite(p->offset[1]) ||
        !isfinite(p->offset[2]))
        return opc_fail(err, OPC_ERR_FORMAT, "preprocessing scale/offset is not finite");
    if (p->stride < 1 || p->stride > 64)
        return opc_fail(err, OPC_ERR_FORMAT, "output stride %d out of range", p->stride);
    if (p->net_height < 16 || p->net_height > 16384 ||
        (p->net_width != -1 && (p->net_width < 16 || p->net_width > 16384)))
        return opc_fail(err, OPC_ERR_FORMAT, "default net resolution %dx%d out of range",
                        p->net_width, p->net_height);
    return OPC_OK;
}

int opc_graph_validate(const opc_graph *g, int net_w, int net_h, opc_error *err)
{
    int prc = check_preprocess(&g->preprocess, err);
    if (prc != OPC_OK)
        return prc;
    if (g->n_blobs < 2 || g->n_layers < 1)
        return opc_fail(err, OPC_ERR_FORMAT, "graph has no layers");
    if (g->input_channels < 1 || g->input_channels > OPC_GRAPH_MAX_CHANNELS)
        return opc_fail(err, OPC_ERR_FORMAT, "graph input has %d channels", g->input_channels);
    if (g->output_blob < 1 || g->output_blob >= g->n_blobs)
        return opc_fail(err, OPC_ERR_FORMAT, "graph output blob is not set");
    unsigned char *written = calloc((size_t)g->n_blobs, 1);
    opc_shape *shapes = calloc((size_t)g->n_blobs, sizeof *shapes);
    int rc = OPC_OK;
    if (!written || !shapes) {
        rc = opc_fail(err, OPC_ERR_NOMEM, "graph: out of memory");
        goto done;
    }
    written[0] = 1;
    for (int i = 0; i < g->n_layers && rc == OPC_OK; i++) {
        rc = check_layer(g, &g->layers[i], written, err);
        if (rc == OPC_OK)
            written[g->layers[i].output] = 1;
    }
    if (rc != OPC_OK)
        goto done;
    if (!written[g->output_blob]) {
        rc = opc_fail(err, OPC_ERR_FORMAT, "output blob %s is never written",
                      g->blob_names[g->output_blob]);
        goto done;
    }
    rc = opc_topology_validate(&g->topology, err);
    if (rc != OPC_OK)
        goto done;
    rc = opc_graph_infer_shapes(g, net_h, net_w, shapes, err);
    if (rc != OPC_OK)
        goto done;
    if (shapes[g->output_blob].c != g->topology.total_channels)
        rc = opc_fail(err, OPC_ERR_FORMAT,
                      "output %s has %d channels but topology %s needs %d",
                      g->blob_names[g->output_blob], shapes[g->output_blob].c, g->topology.name,
                      g->topology.total_channels);
done:
    free(written);
    free(shapes);
    return rc;
}

double opc_layer_macs(const opc_graph *g, const opc_layer *l, const opc_shape *shapes)
{
    const opc_shape *o = &shapes[l->output];
    double n = (double)o->c * o->h * o->w;
    switch (l->op) {
    case OPC_OP_CONV:
        return n * (double)l->weight.shape[1] * l->kernel[0] * l->kernel[1];
    default:
        return 0;
    }
}
