/* Graph building, validation and shape inference. */
#include "model/graph.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/error.h"
#include "image/placement.h"
#include "model/limits.h"

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

int opc_graph_infer_shapes(const opc_graph *g, int h, int w, opc_shape *shapes, opc_error *err)
{
    if (h < 1 || w < 1 || h > OPC_GRAPH_MAX_SPATIAL || w > OPC_GRAPH_MAX_SPATIAL)
        return opc_fail(err, OPC_ERR_ARG, "input size %dx%d out of range", w, h);
    shapes[0] = (opc_shape){g->input_channels, h, w};
    for (int i = 0; i < g->n_layers; i++) {
        const opc_layer *l = &g->layers[i];
        const opc_op_info *op = opc_op_info_of(l->op);
        if (!op)
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: unknown op %d", l->name, l->op);
        opc_shape out;
        int rc = op->shape(g, l, shapes, &out, err);
        if (rc != OPC_OK)
            return rc;
        if (l->act == OPC_ACT_PRELU && !l->slope.data)
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: missing PReLU slope", l->name);
        if (l->act == OPC_ACT_PRELU && l->slope.count != 1 && l->slope.count != (size_t)out.c)
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: PReLU slope has %zu values for %d channels",
                            l->name, l->slope.count, out.c);
        if (out.h > OPC_GRAPH_MAX_SPATIAL || out.w > OPC_GRAPH_MAX_SPATIAL ||
            (int64_t)out.c * out.h * out.w > OPC_GRAPH_MAX_BLOB_ELEMS)
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: output %dx%dx%d is too large",
                            l->name, out.c, out.h, out.w);
        shapes[l->output] = out;
    }
    return OPC_OK;
}

/* What holds for every layer; the op's row checks the rest. */
static int check_layer(const opc_graph *g, const opc_layer *l, const unsigned char *written,
                       opc_error *err)
{
    const char *n = l->name ? l->name : "?";
    const opc_op_info *op = opc_op_info_of(l->op);
    if (!op)
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: unknown op %d", n, l->op);
    if (l->n_inputs < op->min_inputs || l->n_inputs > op->max_inputs)
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: %s takes %d..%d inputs, has %d", n,
                        op->name, op->min_inputs, op->max_inputs, l->n_inputs);
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
    const opc_act_info *act = opc_act_info_of(l->act);
    if (!act || (l->act != OPC_ACT_NONE && !op->act))
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: %s cannot take activation %d", n,
                        op->name, l->act);
    for (int k = 0; k < act->n_params; k++)
        if (!isfinite(l->act_param[k]))
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: %s parameter is not finite", n,
                            act->name);
    if (l->act == OPC_ACT_CLAMP && !(l->act_param[0] <= l->act_param[1]))
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: clamp range %g..%g is empty", n,
                        l->act_param[0], l->act_param[1]);
    return op->check ? op->check(g, l, written, err) : OPC_OK;
}

int opc_graph_add_output(opc_graph *g, const char *name, int blob, opc_error *err)
{
    if (g->n_outputs == OPC_MAX_OUTPUTS)
        return opc_fail(err, OPC_ERR_FORMAT, "output %s: more than %d outputs", name,
                        OPC_MAX_OUTPUTS);
    for (int k = 0; k < g->n_outputs; k++)
        if (strcmp(g->outputs[k].name, name) == 0)
            return opc_fail(err, OPC_ERR_FORMAT, "output %s is named twice", name);
    char *s = opc_graph_strdup(g, name);
    if (!s)
        return opc_fail(err, OPC_ERR_NOMEM, "output %s: out of memory", name);
    g->outputs[g->n_outputs++] = (opc_graph_output){s, blob};
    return OPC_OK;
}

int opc_graph_set_head(opc_graph *g, const char *decoder, const char *params, opc_error *err)
{
    if (strlen(decoder) >= sizeof g->head.decoder)
        return opc_fail(err, OPC_ERR_FORMAT, "head: decoder name \"%.40s\" too long", decoder);
    const char *copy = opc_graph_strdup(g, params);
    if (!copy)
        return opc_fail(err, OPC_ERR_NOMEM, "head: out of memory");
    snprintf(g->head.decoder, sizeof g->head.decoder, "%s", decoder);
    g->head.params = copy;
    return OPC_OK;
}

static int check_preprocess(const opc_preprocess *p, opc_error *err)
{
    if (strcmp(p->channel_order, "BGR") != 0 && strcmp(p->channel_order, "RGB") != 0)
        return opc_fail(err, OPC_ERR_FORMAT, "channel order \"%.3s\" is not BGR or RGB",
                        p->channel_order);
    for (int c = 0; c < 3; c++)
        if (!isfinite(p->scale[c]) || !isfinite(p->offset[c]))
            return opc_fail(err, OPC_ERR_FORMAT, "preprocessing scale/offset is not finite");
    if (p->stride < 1 || p->stride > 64)
        return opc_fail(err, OPC_ERR_FORMAT, "output stride %d out of range", p->stride);
    if (!opc_placement_find(p->placement))
        return opc_fail(err, OPC_ERR_FORMAT, "placement \"%.32s\" is not one this build has",
                        p->placement);
    if (!opc_size_rule_known(p->size_rule) || p->size_step < 1 || p->size_step > 64)
        return opc_fail(err, OPC_ERR_FORMAT, "size rule \"%.32s\" by %d is not multiple or plus_one by 1..64",
                        p->size_rule, p->size_step);
    if (p->net_height < 16 || p->net_height > 16384 ||
        (p->net_width != -1 && (p->net_width < 16 || p->net_width > 16384)))
        return opc_fail(err, OPC_ERR_FORMAT, "default net resolution %dx%d out of range",
                        p->net_width, p->net_height);
    if (!(p->crop_padding >= 0 && p->crop_padding <= 16))
        return opc_fail(err, OPC_ERR_FORMAT, "crop padding %g out of range", p->crop_padding);
    return OPC_OK;
}

static int check_outputs(const opc_graph *g, const unsigned char *written, opc_error *err)
{
    if (g->n_outputs < 1 || g->n_outputs > OPC_MAX_OUTPUTS)
        return opc_fail(err, OPC_ERR_FORMAT, "graph has %d outputs (1..%d)", g->n_outputs,
                        OPC_MAX_OUTPUTS);
    for (int k = 0; k < g->n_outputs; k++) {
        const opc_graph_output *o = &g->outputs[k];
        if (!o->name || !o->name[0])
            return opc_fail(err, OPC_ERR_FORMAT, "output %d has no name", k);
        if (o->blob < 1 || o->blob >= g->n_blobs || !written[o->blob])
            return opc_fail(err, OPC_ERR_FORMAT, "output %s reads no blob a layer writes",
                            o->name);
        for (int j = 0; j < k; j++)
            if (strcmp(g->outputs[j].name, o->name) == 0)
                return opc_fail(err, OPC_ERR_FORMAT, "output %s is named twice", o->name);
    }
    if (!g->head.decoder[0] || !g->head.params)
        return opc_fail(err, OPC_ERR_FORMAT, "the model has no head (decoder)");
    return OPC_OK;
}

int opc_graph_validate(const opc_graph *g, int net_w, int net_h, opc_shape *shapes_out,
                       opc_error *err)
{
    int prc = check_preprocess(&g->preprocess, err);
    if (prc != OPC_OK)
        return prc;
    if (g->n_blobs < 2 || g->n_layers < 1)
        return opc_fail(err, OPC_ERR_FORMAT, "graph has no layers");
    if (g->input_channels < 1 || g->input_channels > OPC_GRAPH_MAX_CHANNELS)
        return opc_fail(err, OPC_ERR_FORMAT, "graph input has %d channels", g->input_channels);
    unsigned char *written = calloc((size_t)g->n_blobs, 1);
    opc_shape *shapes = shapes_out ? shapes_out : calloc((size_t)g->n_blobs, sizeof *shapes);
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
    if (rc == OPC_OK)
        rc = check_outputs(g, written, err);
    if (rc == OPC_OK)
        rc = opc_keypoint_set_validate(&g->keypoints, err);
    if (rc == OPC_OK)
        rc = opc_graph_infer_shapes(g, net_h, net_w, shapes, err);
done:
    free(written);
    if (shapes != shapes_out)
        free(shapes);
    return rc;
}

double opc_layer_macs(const opc_graph *g, const opc_layer *l, const opc_shape *shapes)
{
    const opc_op_info *op = opc_op_info_of(l->op);
    return op && op->macs ? op->macs(l, shapes) : 0;
}
