/* OpenVINO IR (.xml + .bin) -> .opc: orders the layers that feed the outputs, finds the
 * constants, counts readers, maps each layer (ov_ops.c), and writes the model. */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/common/convert_common.h"
#include "convert/common/limits.h"
#include "convert/openvino/ov_map.h"
#include "openpose-c/convert.h"
#include "openpose-c/files.h"

/* A folded constant may be larger than any in the file (a broadcast), but not without
 * bound: at most this many elements, or the .bin's size in bytes; and the constants held
 * at once (each is freed after its last reader) at most CONST_BUDGET times that. */
#define MIN_CONST_LIMIT ((size_t)1 << 22)
#define CONST_BUDGET 4

/* ---- helpers for the op mappings (ov_map.h) ---- */

int ov_fail(ov_ctx *c, int layer, int code, const char *fmt, ...)
{
    char reason[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    const ov_layer *l = &c->ir->layers[layer];
    return opc_fail(c->err, code, "%s:%d: layer %s (%s): %s", c->ir->path, l->line, l->name,
                    l->type, reason);
}

/* Room for one more blob in the per-blob arrays. */
static int reserve_blob(ov_ctx *c)
{
    if (c->g->n_blobs < c->cap_blobs)
        return OPC_OK;
    int cap = c->cap_blobs ? 2 * c->cap_blobs : 256;
    int *r = realloc(c->blob_readers, (size_t)cap * sizeof *r);
    if (r)
        c->blob_readers = r;
    int *l = r ? realloc(c->blob_layer, (size_t)cap * sizeof *l) : NULL;
    if (l)
        c->blob_layer = l;
    int *ch = l ? realloc(c->blob_channels, (size_t)cap * sizeof *ch) : NULL;
    if (!ch)
        return opc_fail(c->err, OPC_ERR_NOMEM, "%s: out of memory", c->ir->path);
    c->blob_channels = ch;
    c->cap_blobs = cap;
    return OPC_OK;
}

static opc_layer *add_layer(ov_ctx *c, const char *name, const char *blob_name, opc_op op,
                            int channels, int readers)
{
    opc_error why;
    if (reserve_blob(c))
        return NULL;
    opc_layer *gl = opc_graph_add_layer(c->g, op, name, blob_name, &why);
    if (!gl) {
        opc_fail(c->err, OPC_ERR_FORMAT, "%s: %s", c->ir->path, why.msg);
        return NULL;
    }
    c->blob_layer[gl->output] = c->g->n_layers - 1;
    c->blob_readers[gl->output] = readers;
    c->blob_channels[gl->output] = channels;
    return gl;
}

/* The blob name for an IR layer: its name, made unique if another blob has it. */
static const char *blob_name(ov_ctx *c, int layer, char *buf, size_t cap)
{
    const ov_layer *l = &c->ir->layers[layer];
    if (*l->name && opc_graph_find_blob(c->g, l->name) < 0)
        return l->name;
    snprintf(buf, cap, "%s#%d", l->name, l->id);
    return buf;
}

opc_layer *ov_new_layer(ov_ctx *c, int layer, opc_op op, int channels)
{
    char buf[300];
    const char *name = blob_name(c, layer, buf, sizeof buf);
    opc_layer *gl = add_layer(c, name, name, op, channels, c->readers[layer]);
    if (gl)
        c->val[layer] = (ov_value){.kind = OV_V_BLOB, .blob = gl->output};
    return gl;
}

opc_layer *ov_foldable(ov_ctx *c, int blob, unsigned ops)
{
    if (blob <= 0 || c->blob_readers[blob] != 1)
        return NULL;
    opc_layer *l = &c->g->layers[c->blob_layer[blob]];
    return (ops >> l->op & 1) && l->act == OPC_ACT_NONE ? l : NULL;
}

int ov_fold_into(ov_ctx *c, int layer, int blob)
{
    char buf[300];
    const char *n = blob_name(c, layer, buf, sizeof buf);
    char *name = opc_graph_strdup(c->g, n);
    if (!name)
        return opc_fail(c->err, OPC_ERR_NOMEM, "%s: out of memory", c->ir->path);
    c->g->blob_names[blob] = name;
    c->blob_readers[blob] = c->readers[layer];
    c->val[layer] = (ov_value){.kind = OV_V_BLOB, .blob = blob};
    return OPC_OK;
}

int ov_weight(ov_ctx *c, int layer, const char *what, opc_weight *w, int ndim, const int *shape,
              const double *v)
{
    opc_error why;
    float *p = opc_graph_new_weight(c->g, w, ndim, shape, &why);
    if (!p)
        return ov_fail(c, layer, OPC_ERR_FORMAT, "%s", why.msg);
    for (size_t i = 0; i < w->count; i++) {
        if (!isfinite(v[i]) || fabs(v[i]) > FLT_MAX)
            return ov_fail(c, layer, OPC_ERR_FORMAT, "%s %zu is %g (not a finite float32)", what,
                           i, v[i]);
        p[i] = (float)v[i];
    }
    return OPC_OK;
}

int ov_per_channel(const ov_tensor *t, int channels, double *v)
{
    int c = 1;
    for (int d = 0; d < t->ndim; d++) {
        int from_end = t->ndim - 1 - d; /* 0 = W, 1 = H, 2 = C, 3 = N */
        if (t->dims[d] == 1)
            continue;
        if (from_end != 2 || t->dims[d] != channels)
            return 0;
        c = channels;
    }
    for (int i = 0; i < channels; i++)
        v[i] = t->v[c == 1 ? 0 : i];
    return 1;
}

int ov_const_alloc(ov_ctx *c, int layer, ov_tensor *t, int ndim, const int64_t *dims,
                   size_t max_count)
{
    size_t limit = max_count < c->max_const ? max_count : c->max_const;
    if (ov_tensor_alloc(t, ndim, dims, limit))
        return ov_fail(c, layer, OPC_ERR_FORMAT,
                       "a constant of more than %zu elements, or out of memory", limit);
    if (t->count > c->const_budget - c->const_live) {
        ov_tensor_free(t);
        return ov_fail(c, layer, OPC_ERR_FORMAT, "constants of more than %zu elements at once",
                       c->const_budget);
    }
    c->const_live += t->count;
    return OPC_OK;
}

/* Frees the constants layer was the last reader of. */
static void release_inputs(ov_ctx *c, int layer, const unsigned char *is_const)
{
    const ov_layer *l = &c->ir->layers[layer];
    for (int k = 0; k < l->n_inputs; k++) {
        int s = l->src[k];
        if (is_const[s] && --c->const_uses[s] == 0) {
            c->const_live -= c->val[s].t.count;
            ov_tensor_free(&c->val[s].t);
        }
    }
}

int ov_attr_pair(ov_ctx *c, int layer, const char *key, int def, int lo, int hi, int v[2])
{
    const char *s = ov_attr_get(&c->ir->layers[layer], key);
    int64_t x[2];
    int n;
    if (!s && def >= lo) {
        v[0] = v[1] = def;
        return OPC_OK;
    }
    if (!s || ov_parse_ints(s, x, 2, &n) || n != 2)
        return ov_fail(c, layer, OPC_ERR_FORMAT, "%s \"%.40s\": two numbers (2D) expected", key,
                       s ? s : "(missing)");
    for (int i = 0; i < 2; i++) {
        if (x[i] < lo || x[i] > hi)
            return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "%s %lld (%d to %d supported)", key,
                           (long long)x[i], lo, hi);
        v[i] = (int)x[i];
    }
    return OPC_OK;
}

int ov_attr_double(ov_ctx *c, int layer, const char *key, int required, double def, double *v)
{
    const char *s = ov_attr_get(&c->ir->layers[layer], key);
    if (!s) {
        if (required)
            return ov_fail(c, layer, OPC_ERR_FORMAT, "no attribute %s", key);
        *v = def;
        return OPC_OK;
    }
    char *end;
    *v = strtod(s, &end);
    if (end == s || *end || !isfinite(*v))
        return ov_fail(c, layer, OPC_ERR_FORMAT, "%s \"%.40s\" is not a finite number", key, s);
    return OPC_OK;
}

const ov_tensor *ov_in_const(ov_ctx *c, int layer, int k)
{
    const ov_layer *l = &c->ir->layers[layer];
    if (k >= l->n_inputs) {
        ov_fail(c, layer, OPC_ERR_FORMAT, "has %d inputs, needs %d", l->n_inputs, k + 1);
        return NULL;
    }
    const ov_value *v = &c->val[l->src[k]];
    if (v->kind != OV_V_CONST) {
        ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "input %d (%s) is not a constant", k,
                c->ir->layers[l->src[k]].name);
        return NULL;
    }
    return &v->t;
}

/* The first use of the (scaled, shifted) input as an activation settles the model's
 * preprocessing; a later use of another scale and offset gets an AFFINE layer of its
 * own on the preprocessed input. */
static int input_blob(ov_ctx *c, int layer, ov_value *v, int *blob)
{
    double s[3], o[3];
    if (!c->have_pre) {
        c->have_pre = 1;
        for (int i = 0; i < 3; i++) {
            c->pre_scale[i] = v->scale[i];
            c->pre_offset[i] = v->offset[i];
            if (fabs(v->scale[i]) > FLT_MAX || v->scale[i] == 0 || fabs(v->offset[i]) > FLT_MAX)
                return ov_fail(c, layer, OPC_ERR_FORMAT,
                               "the input's channel %d is scaled by %g and shifted by %g (zero "
                               "or beyond float32)",
                               i, v->scale[i], v->offset[i]);
        }
    }
    /* input = pixel * ps + po, wanted pixel * s + o = input * s/ps + (o - po s/ps) */
    int same = 1;
    for (int i = 0; i < 3; i++) {
        s[i] = v->scale[i] / c->pre_scale[i];
        o[i] = v->offset[i] - c->pre_offset[i] * s[i];
        same &= s[i] == 1 && o[i] == 0;
    }
    if (same) {
        *blob = 0;
        return OPC_OK;
    }
    char name[300];
    snprintf(name, sizeof name, "%s/input_affine", c->ir->layers[layer].name);
    opc_layer *gl = add_layer(c, name, name, OPC_OP_AFFINE, 3, 1);
    if (!gl)
        return OPC_ERR_FORMAT;
    gl->inputs[gl->n_inputs++] = 0;
    int rc = ov_weight(c, layer, "input scale", &gl->weight, 1, (int[]){3}, s);
    if (!rc)
        rc = ov_weight(c, layer, "input offset", &gl->bias, 1, (int[]){3}, o);
    *blob = gl->output;
    return rc;
}

int ov_in_blob(ov_ctx *c, int layer, int k, int *blob)
{
    const ov_layer *l = &c->ir->layers[layer];
    if (k >= l->n_inputs)
        return ov_fail(c, layer, OPC_ERR_FORMAT, "has %d inputs, needs %d", l->n_inputs, k + 1);
    ov_value *v = &c->val[l->src[k]];
    if (v->kind == OV_V_INPUT)
        return input_blob(c, layer, v, blob);
    if (v->kind != OV_V_BLOB)
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED,
                       "input %d (%s) is a constant where an activation is expected", k,
                       c->ir->layers[l->src[k]].name);
    *blob = v->blob;
    return OPC_OK;
}

/* ---- ordering, constants, readers ---- */

/* The layers that feed the outputs, inputs before readers (depth-first, iterative so a
 * long chain cannot overflow the stack). */
static int order_layers(ov_ctx *c, const int *roots, int n_roots, int *order, int *n_order)
{
    int n = c->ir->n_layers, rc = OPC_OK;
    unsigned char *state = calloc((size_t)n, 1); /* 0 new, 1 on the stack, 2 done */
    int *stack = malloc((size_t)n * sizeof *stack), *next = calloc((size_t)n, sizeof *next);
    if (!state || !stack || !next) {
        rc = opc_fail(c->err, OPC_ERR_NOMEM, "%s: out of memory", c->ir->path);
        goto done;
    }
    *n_order = 0;
    for (int r = 0; r < n_roots && rc == OPC_OK; r++) {
        if (state[roots[r]])
            continue;
        int top = 0;
        stack[top++] = roots[r];
        state[roots[r]] = 1;
        while (top > 0) {
            int v = stack[top - 1];
            const ov_layer *l = &c->ir->layers[v];
            if (next[v] == l->n_inputs) {
                top--;
                state[v] = 2;
                order[(*n_order)++] = v;
                continue;
            }
            int k = next[v]++, s = l->src[k];
            if (l->src_port[k] != 0) {
                rc = ov_fail(c, v, OPC_ERR_UNSUPPORTED,
                             "reads output %d of %s (only first outputs are supported)",
                             l->src_port[k], c->ir->layers[s].name);
                break;
            }
            if (state[s] == 1) {
                rc = ov_fail(c, v, OPC_ERR_FORMAT, "the graph has a cycle through %s",
                             c->ir->layers[s].name);
                break;
            }
            if (state[s] == 0) {
                state[s] = 1;
                stack[top++] = s;
            }
        }
    }
done:
    free(state);
    free(stack);
    free(next);
    return rc;
}

/* Checks every layer's op and input count, finds the one Parameter, and counts each
 * layer's readers: an input of a layer that passes its input on counts as that layer's
 * readers (visited in reverse order, so these are known first); the layer asked for as the
 * output (output >= 0) has the model as one reader. */
static int classify(ov_ctx *c, const int *order, int n_order, int output,
                    unsigned char *is_const)
{
    c->input = -1;
    for (int i = 0; i < n_order; i++) {
        int v = order[i];
        const ov_layer *l = &c->ir->layers[v];
        const ov_op *op = ov_op_find(l->type);
        if (!op)
            return ov_fail(c, v, OPC_ERR_UNSUPPORTED, "unsupported op %s", l->type);
        if (l->n_inputs < op->min_inputs || l->n_inputs > op->max_inputs)
            return ov_fail(c, v, OPC_ERR_FORMAT, "%d inputs (%s takes %d to %d)", l->n_inputs,
                           l->type, op->min_inputs, op->max_inputs);
        if (strcmp(l->type, "Result") != 0 && l->n_outputs != 1 &&
            !(l->n_outputs > 1 && strcmp(l->type, "MaxPool") == 0))
            return ov_fail(c, v, OPC_ERR_FORMAT, "%d output ports (1 expected)", l->n_outputs);
        if (strcmp(l->type, "Parameter") == 0) {
            if (c->input >= 0)
                return ov_fail(c, v, OPC_ERR_UNSUPPORTED, "a second network input (the first is %s)",
                               c->ir->layers[c->input].name);
            c->input = v;
        }
        int all_const = strcmp(l->type, "Const") == 0;
        if (l->n_inputs > 0 && strcmp(l->type, "Result") != 0) {
            all_const = 1;
            for (int k = 0; k < l->n_inputs; k++)
                all_const &= is_const[l->src[k]];
        }
        is_const[v] = (unsigned char)all_const;
    }
    if (c->input < 0)
        return opc_fail(c->err, OPC_ERR_FORMAT, "%s: no Parameter (network input) feeds the outputs",
                        c->ir->path);
    for (int i = 0; i < n_order; i++)
        for (int k = 0; k < c->ir->layers[order[i]].n_inputs; k++)
            c->const_uses[c->ir->layers[order[i]].src[k]]++;
    if (output >= 0)
        c->readers[output] = 1;
    for (int i = n_order - 1; i >= 0; i--) {
        int v = order[i];
        const ov_layer *l = &c->ir->layers[v];
        const ov_op *op = ov_op_find(l->type);
        int passes = !is_const[v] && (op->passes == OV_PASS_ALWAYS ||
                                      (op->passes == OV_PASS_UNLESS_KEPT && !c->keep_fake_quantize));
        for (int k = 0; k < l->n_inputs; k++)
            c->readers[l->src[k]] += passes && k == 0 ? c->readers[v] : 1;
    }
    return OPC_OK;
}

static int map_layers(ov_ctx *c, const int *order, int n_order, const unsigned char *is_const)
{
    c->val[c->input] = (ov_value){.kind = OV_V_INPUT, .scale = {1, 1, 1}};
    for (int i = 0; i < n_order; i++) {
        int v = order[i], rc;
        const ov_layer *l = &c->ir->layers[v];
        const ov_op *op = ov_op_find(l->type);
        if (v == c->input)
            continue;
        if (is_const[v]) {
            if (!op->fold)
                return ov_fail(c, v, OPC_ERR_UNSUPPORTED, "%s on constants is not supported",
                               l->type);
            if ((rc = op->fold(c, v, &c->val[v].t)))
                return rc;
            c->val[v].kind = OV_V_CONST;
            release_inputs(c, v, is_const);
            continue;
        }
        int passes = op->passes == OV_PASS_ALWAYS ||
                     (op->passes == OV_PASS_UNLESS_KEPT && !c->keep_fake_quantize);
        if (passes) {
            ov_value *in = &c->val[l->src[0]];
            if (in->kind == OV_V_CONST)
                return ov_fail(c, v, OPC_ERR_UNSUPPORTED, "input 0 is a constant");
            c->val[v] = *in; /* its readers were counted as the input's */
            continue;
        }
        if (!op->map)
            return ov_fail(c, v, OPC_ERR_UNSUPPORTED, "%s of an activation is not supported",
                           l->type);
        if ((rc = op->map(c, v)))
            return rc;
        release_inputs(c, v, is_const);
    }
    return OPC_OK;
}

/* ---- the ends: input, outputs, model settings ---- */

/* The size the IR was made for, from the Parameter's shape [1, 3, H, W]. */
static int read_input(ov_ctx *c)
{
    const ov_layer *l = &c->ir->layers[c->input];
    const char *type = ov_attr_get(l, "element_type"), *shape = ov_attr_get(l, "shape");
    int is_float, ndim;
    int64_t dims[OV_MAX_DIMS];
    if (type && (!ov_elem_size(type, &is_float) || !is_float))
        return ov_fail(c, c->input, OPC_ERR_UNSUPPORTED,
                       "input of type %.20s (a float type expected)", type);
    if (!shape || ov_parse_shape(shape, &ndim, dims) || ndim != 4)
        return ov_fail(c, c->input, OPC_ERR_UNSUPPORTED,
                       "input shape \"%.40s\" (1,C,H,W expected)", shape ? shape : "");
    if (dims[0] != 1 || dims[1] != 3)
        return ov_fail(c, c->input, OPC_ERR_UNSUPPORTED,
                       "input of batch %lld and %lld channels (1 image of 3 expected)",
                       (long long)dims[0], (long long)dims[1]);
    c->ref_h = dims[2] >= 1 && dims[2] <= 16384 ? (int)dims[2] : 368;
    c->ref_w = dims[3] >= 1 && dims[3] <= 16384 ? (int)dims[3] : 368;
    return OPC_OK;
}

/* The Results, or the layer named by --output-node. */
static int find_outputs(ov_ctx *c, const char *name, int *roots, int *n_roots)
{
    *n_roots = 0;
    for (int i = 0; i < c->ir->n_layers; i++) {
        const ov_layer *l = &c->ir->layers[i];
        if (name ? strcmp(l->name, name) == 0 : strcmp(l->type, "Result") == 0) {
            if (*n_roots == 2)
                return opc_fail(c->err, OPC_ERR_UNSUPPORTED,
                                name ? "%s: several layers are called %s"
                                     : "%s: more than 2 outputs (Results)%s",
                                c->ir->path, name ? name : "");
            roots[(*n_roots)++] = i;
        }
    }
    if (*n_roots == 0)
        return name ? opc_fail(c->err, OPC_ERR_ARG, "%s: no layer called %s (--output-node)",
                               c->ir->path, name)
                    : opc_fail(c->err, OPC_ERR_FORMAT, "%s: no Result (network output)",
                               c->ir->path);
    if (name && *n_roots > 1)
        return opc_fail(c->err, OPC_ERR_ARG, "%s: several layers are called %s", c->ir->path,
                        name);
    return OPC_OK;
}

/* The topology (named, or from the channels of all outputs), and the outputs' names: one
 * output is "maps" (heatmaps then PAFs, as OpenPose's networks lay them out), two are
 * "heatmaps" (the one with the topology's heatmap channel count) and "pafs". */
static int name_outputs(ov_ctx *c, const opc_convert_options *opt, const opc_paf_topology **t)
{
    opc_graph *g = c->g;
    opc_error why;
    int ch[2] = {c->blob_channels[c->outputs[0]], 0}, rc;
    if (c->n_outputs == 2)
        ch[1] = c->blob_channels[c->outputs[1]];
    const char *what = c->n_outputs == 1 ? g->blob_names[c->outputs[0]] : "heatmaps+pafs";
    if ((rc = opc_convert_pick_topology(opt ? opt->topology : NULL, ch[0] + ch[1], c->ir->path,
                                        what, t, c->err)))
        return rc;
    if (c->n_outputs == 1) {
        rc = opc_convert_paf_output(g, *t, c->outputs[0], &why);
    } else {
        int hm = ch[0] == (*t)->heatmap_channels ? 0 : 1;
        if (ch[hm] != (*t)->heatmap_channels)
            return opc_fail(c->err, OPC_ERR_FORMAT,
                            "%s: neither output (%s, %d channels; %s, %d) holds the %d heatmaps "
                            "of topology %s",
                            c->ir->path, g->blob_names[c->outputs[0]], ch[0],
                            g->blob_names[c->outputs[1]], ch[1], (*t)->heatmap_channels,
                            (*t)->name);
        if ((rc = opc_graph_add_output(g, "heatmaps", c->outputs[hm], &why)) == OPC_OK &&
            (rc = opc_graph_add_output(g, "pafs", c->outputs[1 - hm], &why)) == OPC_OK)
            rc = opc_convert_set_paf_head(g, *t, "heatmaps", "pafs", &why);
    }
    return rc ? opc_fail(c->err, rc, "%s: %s", c->ir->path, why.msg) : OPC_OK;
}

/* Topology, outputs, preprocessing (BGR, the input's scale and offset: Open Model Zoo's
 * IRs take BGR 0..255; OpenPose's top-left placement, sides multiples of the output
 * stride, from the shapes at the IR's own size), and the names. */
static int finish(ov_ctx *c, const char *out_path, const opc_convert_options *opt)
{
    opc_graph *g = c->g;
    opc_error why;
    const opc_paf_topology *t;
    int rc = name_outputs(c, opt, &t);
    if (rc)
        return rc;
    int net_w = opt && opt->net_width ? opt->net_width : -1;
    int net_h = opt && opt->net_height ? opt->net_height : 368;
    int h = c->ref_h, w = c->ref_w;
    opc_shape *shapes = calloc((size_t)g->n_blobs, sizeof *shapes);
    if (!shapes)
        return opc_fail(c->err, OPC_ERR_NOMEM, "%s: out of memory", c->ir->path);
    rc = opc_graph_infer_shapes(g, h, w, shapes, &why);
    opc_shape out = shapes[c->outputs[0]];
    free(shapes);
    if (rc)
        return opc_fail(c->err, rc, "%s: at %dx%d: %s", c->ir->path, w, h, why.msg);
    int stride = (h + out.h / 2) / out.h;
    if ((w + out.w / 2) / out.w != stride || stride < 1 || stride > 64)
        return opc_fail(c->err, OPC_ERR_FORMAT,
                        "%s: output %dx%d of a %dx%d input has no single stride", c->ir->path,
                        out.w, out.h, w, h);
    if (!c->have_pre)
        c->pre_scale[0] = c->pre_scale[1] = c->pre_scale[2] = 1;
    opc_preprocess *p = &g->preprocess;
    *p = opc_convert_openpose_preprocess(1.0f, 0.0f, 0, stride, net_w, net_h);
    p->size_step = stride;
    for (int i = 0; i < 3; i++) {
        p->scale[i] = (float)c->pre_scale[i];
        p->offset[i] = (float)c->pre_offset[i];
    }
    return opc_convert_set_names(g, "openvino", c->ir->path, out_path, opt ? opt->name : NULL,
                                 c->err);
}

static int build(ov_ctx *c, const char *out_path, const opc_convert_options *opt)
{
    int n = c->ir->n_layers, n_order = 0, roots[2], n_roots, rc;
    int *order = malloc((size_t)n * sizeof *order);
    unsigned char *is_const = calloc((size_t)n, 1);
    c->readers = calloc((size_t)n, sizeof *c->readers);
    c->const_uses = calloc((size_t)n, sizeof *c->const_uses);
    c->val = calloc((size_t)n, sizeof *c->val);
    if (!order || !is_const || !c->readers || !c->const_uses || !c->val) {
        rc = opc_fail(c->err, OPC_ERR_NOMEM, "%s: out of memory", c->ir->path);
        goto done;
    }
    const char *out_name = opt ? opt->output_node : NULL;
    if ((rc = find_outputs(c, out_name, roots, &n_roots)) ||
        (rc = order_layers(c, roots, n_roots, order, &n_order)) ||
        (rc = classify(c, order, n_order, out_name ? roots[0] : -1, is_const)) ||
        (rc = read_input(c)))
        goto done;
    if (!(c->g = opc_graph_new(c->ir->layers[c->input].name, 3)) || reserve_blob(c)) {
        rc = opc_fail(c->err, OPC_ERR_NOMEM, "%s: out of memory", c->ir->path);
        goto done;
    }
    c->blob_layer[0] = -1;
    c->blob_readers[0] = c->readers[c->input];
    c->blob_channels[0] = 3;
    if ((rc = map_layers(c, order, n_order, is_const)))
        goto done;
    if (out_name) {
        const ov_value *v = &c->val[roots[0]];
        if (v->kind != OV_V_BLOB || v->blob == 0) {
            rc = ov_fail(c, roots[0], OPC_ERR_UNSUPPORTED,
                         "the output must be a tensor computed from the input");
            goto done;
        }
        c->outputs[c->n_outputs++] = v->blob;
    }
    if ((rc = finish(c, out_path, opt)))
        goto done;
done:
    for (int i = 0; c->val && i < n; i++)
        ov_tensor_free(&c->val[i].t);
    free(order);
    free(is_const);
    free(c->readers);
    free(c->const_uses);
    free(c->val);
    free(c->blob_readers);
    free(c->blob_layer);
    free(c->blob_channels);
    if (rc) {
        opc_graph_free(c->g);
        c->g = NULL;
    }
    return rc;
}

/* The .bin beside the .xml: the same name with .bin for .xml. */
static int bin_path_for(const char *xml, char *buf, size_t cap)
{
    size_t n = strlen(xml);
    if (n >= 4 && strcmp(xml + n - 4, ".xml") == 0)
        n -= 4;
    if (n + 5 > cap)
        return -1;
    memcpy(buf, xml, n);
    memcpy(buf + n, ".bin", 5);
    return 0;
}

static int check_resolution(const char *path, const opc_convert_options *opt, opc_error *err)
{
    int w = opt ? opt->net_width : 0, h = opt ? opt->net_height : 0;
    if ((w && w != -1 && (w < 16 || w > 16384)) || (h && (h < 16 || h > 16384)))
        return opc_fail(err, OPC_ERR_ARG,
                        "%s: net resolution %dx%d out of range "
                        "(width -1 or 16..16384, height 16..16384)",
                        path, w, h);
    return OPC_OK;
}

static int convert_graph(const char *xml, const char *bin, const char *out_path,
                         const opc_convert_options *opt, opc_graph **out, opc_error *err)
{
    char derived[4096];
    *out = NULL;
    if (!bin) {
        if (bin_path_for(xml, derived, sizeof derived))
            return opc_fail(err, OPC_ERR_ARG, "%s: path too long", xml);
        bin = derived;
    }
    int rc = check_resolution(xml, opt, err);
    if (rc)
        return rc;
    ov_ir ir;
    if ((rc = ov_ir_read(&ir, xml, err)))
        return rc;
    unsigned char *data = NULL;
    size_t size = 0;
    if ((rc = opc_read_file(bin, OPC_CONVERT_MAX_OV_BIN_BYTES, &data, &size, err))) {
        ov_ir_free(&ir);
        return rc;
    }
    ov_ctx c = {.ir = &ir, .bin_path = bin, .bin = data, .bin_size = size, .err = err,
                .keep_fake_quantize = opt ? opt->keep_fake_quantize : 0,
                .max_const = size > MIN_CONST_LIMIT ? size : MIN_CONST_LIMIT};
    c.const_budget = CONST_BUDGET * c.max_const;
    rc = build(&c, out_path, opt);
    *out = c.g;
    free(data);
    ov_ir_free(&ir);
    return rc;
}

int opc_convert_openvino(const char *xml, const char *bin, const char *out_path,
                         const opc_convert_options *opt, opc_error *err)
{
    opc_graph *g;
    int rc = convert_graph(xml, bin, out_path, opt, &g, err);
    if (rc)
        return rc;
    rc = opc_model_write(g, out_path, err);
    opc_graph_free(g);
    return rc;
}
