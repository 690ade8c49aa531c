/* prototxt -> caffe_net: one pass over the layers in file order (Caffe requires every
 * bottom to be produced earlier), binding blob names to SSA blob versions. */
#include "convert/caffe_net.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define MAX_PROTOTXT_BYTES ((size_t)64 << 20)
#define MAX_CHANNELS 65536
#define MAX_WINDOW 64          /* kernel, stride, pad, dilation: the graph's own limits */

typedef struct {
    const char *name;
    int blob;
} binding;

typedef struct {
    caffe_net *net;
    const pt_doc *doc;
    opc_error *err;
    binding *binds;
    int n_binds, cap_binds, cap_layers, cap_nodes, cap_blobs;
} builder;

/* Context of the layer being parsed. */
typedef struct {
    builder *b;
    int index;
    const pt_node *msg;
    const char **bottoms, **tops;
    int n_bottoms, n_tops;
} layer_ctx;

static caffe_layer *cur(const layer_ctx *c) { return &c->b->net->layers[c->index]; }

static int layer_fail(const layer_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int layer_fail(const layer_ctx *c, const char *fmt, ...)
{
    char reason[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    const caffe_layer *l = cur(c);
    return opc_fail(c->b->err, OPC_ERR_FORMAT, "%s:%d: layer '%.80s' (%.40s): %s",
                    pt_path(c->b->doc), l->line, l->name, l->type, reason);
}

static int grow(void **p, int *cap, int n, size_t elem)
{
    if (n < *cap)
        return 1;
    int ncap = *cap ? 2 * *cap : 64;
    void *q = realloc(*p, (size_t)ncap * elem);
    if (!q)
        return 0;
    *p = q;
    *cap = ncap;
    return 1;
}

void caffe_shape_str(const int *shape, int ndim, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = 0;
    if (ndim == 0)
        snprintf(buf, size, "scalar");
    for (int i = 0; i < ndim && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, i ? "x%d" : "%d", shape[i]);
}

/* ---- blobs and bindings ------------------------------------------------------------ */

static int lookup(const builder *b, const char *name)
{
    for (int i = b->n_binds - 1; i >= 0; i--)
        if (strcmp(b->binds[i].name, name) == 0)
            return b->binds[i].blob;
    return -1;
}

static int bind(builder *b, const char *name, int blob)
{
    if (!grow((void **)&b->binds, &b->cap_binds, b->n_binds, sizeof *b->binds))
        return opc_fail(b->err, OPC_ERR_NOMEM, "%s: out of memory", pt_path(b->doc));
    b->binds[b->n_binds++] = (binding){name, blob};
    return OPC_OK;
}

/* A new blob version called name, written by node (or -1), bound to the name. */
static int new_blob(builder *b, const char *name, int layer, int node, int channels, int *id)
{
    caffe_net *net = b->net;
    if (!grow((void **)&net->blobs, &b->cap_blobs, net->n_blobs, sizeof *net->blobs))
        return opc_fail(b->err, OPC_ERR_NOMEM, "%s: out of memory", pt_path(b->doc));
    *id = net->n_blobs;
    net->blobs[net->n_blobs++] = (caffe_blob){name, 0, layer, node, channels, 0};
    return bind(b, name, *id);
}

static int bottom_blob(const layer_ctx *c, int k, int *id)
{
    *id = lookup(c->b, c->bottoms[k]);
    if (*id < 0)
        return layer_fail(c, "bottom '%.80s' is not produced by any earlier layer%s",
                          c->bottoms[k], c->b->net->n_blobs ? "" : " (the net declares no input)");
    return OPC_OK;
}

/* A node of op reading every bottom and writing one new blob for the single top. */
static int new_node(layer_ctx *c, opc_op op, int out_channels, caffe_node **node)
{
    caffe_net *net = c->b->net;
    if (!grow((void **)&net->nodes, &c->b->cap_nodes, net->n_nodes, sizeof *net->nodes))
        return opc_fail(c->b->err, OPC_ERR_NOMEM, "%s: out of memory", pt_path(c->b->doc));
    int id = net->n_nodes;
    caffe_node *n = &net->nodes[id];
    memset(n, 0, sizeof *n);
    n->layer = c->index;
    n->l.op = op;
    n->l.stride[0] = n->l.stride[1] = 1;
    n->l.dilation[0] = n->l.dilation[1] = 1;
    n->l.group = 1;
    n->l.size_ref = -1;
    for (int k = 0; k < c->n_bottoms; k++) {
        int rc = bottom_blob(c, k, &n->l.inputs[k]);
        if (rc != OPC_OK)
            return rc;
        net->blobs[n->l.inputs[k]].readers++;
    }
    n->l.n_inputs = c->n_bottoms;
    if (out_channels < 0) /* same as the input */
        out_channels = net->blobs[n->l.inputs[0]].channels;
    if (out_channels > MAX_CHANNELS)
        return layer_fail(c, "%d output channels", out_channels);
    int rc = new_blob(c->b, c->tops[0], c->index, id, out_channels, &n->l.output);
    if (rc != OPC_OK)
        return rc;
    net->n_nodes++;
    cur(c)->node = id;
    *node = n;
    return OPC_OK;
}

static void expect_weight(layer_ctx *c, caffe_weight_role role, int ndim, const int *shape)
{
    caffe_layer *l = cur(c);
    caffe_weight_spec *w = &l->weights[l->n_weights++];
    w->role = role;
    w->ndim = ndim;
    w->count = 1;
    for (int i = 0; i < ndim; i++) {
        w->shape[i] = shape[i];
        w->count *= (size_t)shape[i];
    }
}

/* ---- layer parameters ------------------------------------------------------------- */

/* The layer's NAME_param message (NULL if absent); fails if it is not a message. */
static int param_msg(const layer_ctx *c, const char *name, const pt_node **out)
{
    *out = pt_field(c->msg, name);
    if (*out && pt_next_same(*out))
        return layer_fail(c, "%s is given more than once", name);
    return *out ? pt_message(c->b->doc, *out, c->b->err) : OPC_OK;
}

/* A 2-D window parameter: `name` (repeated up to twice in ConvolutionParameter: one value
 * for both axes, or h then w) or `name_h` + `name_w`. def < 0: required. */
static int window_param(const layer_ctx *c, const pt_node *p, const char *name, int repeated,
                        long def, long lo, long hi, int out[2])
{
    const pt_doc *doc = c->b->doc;
    char hname[40], wname[40];
    snprintf(hname, sizeof hname, "%s_h", strcmp(name, "kernel_size") ? name : "kernel");
    snprintf(wname, sizeof wname, "%s_w", strcmp(name, "kernel_size") ? name : "kernel");
    int n = pt_count(p, name);
    const pt_node *fh = pt_field(p, hname), *fw = pt_field(p, wname);
    if (n > (repeated ? 2 : 1))
        return layer_fail(c, "%s has %d values; only 2-D windows are supported", name, n);
    if (fh || fw) {
        if (!fh || !fw)
            return layer_fail(c, "%s and %s must be given together", hname, wname);
        if (n)
            return layer_fail(c, "give either %s or %s/%s, not both", name, hname, wname);
        long h, w;
        int rc = pt_opt_int(doc, p, hname, 0, lo, hi, &h, c->b->err);
        if (rc == OPC_OK)
            rc = pt_opt_int(doc, p, wname, 0, lo, hi, &w, c->b->err);
        out[0] = (int)h;
        out[1] = (int)w;
        return rc;
    }
    if (n == 0) {
        if (def < 0)
            return layer_fail(c, "%s is missing", name);
        out[0] = out[1] = (int)def;
        return OPC_OK;
    }
    const pt_node *f = pt_field(p, name);
    long v[2];
    for (int i = 0; i < n; i++, f = pt_next_same(f)) {
        int rc = pt_int(doc, f, lo, hi, &v[i], c->b->err);
        if (rc != OPC_OK)
            return rc;
    }
    out[0] = (int)v[0];
    out[1] = (int)v[n - 1];
    return OPC_OK;
}

/* Caffe's axis fields: only the channel axis (1, or -3 of a 4-D blob) is supported. */
static int check_channel_axis(const layer_ctx *c, const pt_node *p, const char *name)
{
    long axis;
    int rc = pt_opt_int(c->b->doc, p, name, 1, -4, 3, &axis, c->b->err);
    if (rc == OPC_OK && axis != 1 && axis != -3)
        return layer_fail(c, "%s %ld is not supported (only the channel axis, 1)", name, axis);
    return rc;
}

static int read_dims(const layer_ctx *c, const pt_node *shape, int *channels)
{
    const pt_doc *doc = c->b->doc;
    int rc = pt_message(doc, shape, c->b->err);
    if (rc != OPC_OK)
        return rc;
    int n = 0;
    for (const pt_node *f = pt_field(shape, "dim"); f; f = pt_next_same(f), n++) {
        long v;
        rc = pt_int(doc, f, 0, INT_MAX, &v, c->b->err);
        if (rc != OPC_OK)
            return rc;
        if (n == 1)
            *channels = (int)v;
    }
    if (n < 2 || *channels < 1 || *channels > MAX_CHANNELS)
        return opc_fail(c->b->err, OPC_ERR_FORMAT,
                        "%s:%d: input shape needs at least 2 dims (N, C, ...) with 1..%d channels",
                        pt_path(doc), shape->line, MAX_CHANNELS);
    return OPC_OK;
}

static int declare_input(builder *b, const char *name, int layer, int channels, int line)
{
    if (b->net->n_blobs)
        return opc_fail(b->err, OPC_ERR_FORMAT,
                        "%s:%d: a second net input '%.80s'; only one input is supported",
                        pt_path(b->doc), line, name);
    int id;
    return new_blob(b, name, layer, -1, channels, &id);
}

static int parse_input(layer_ctx *c)
{
    const pt_node *p;
    int rc = param_msg(c, "input_param", &p);
    if (rc != OPC_OK)
        return rc;
    const pt_node *shape = pt_field(p, "shape");
    if (!shape)
        return layer_fail(c, "input_param { shape { dim: ... } } is missing");
    int channels = 0;
    rc = read_dims(c, shape, &channels);
    return rc == OPC_OK ? declare_input(c->b, c->tops[0], c->index, channels, cur(c)->line) : rc;
}

static int parse_conv(layer_ctx *c)
{
    const pt_node *p;
    const pt_doc *doc = c->b->doc;
    opc_error *err = c->b->err;
    int rc = param_msg(c, "convolution_param", &p);
    if (rc != OPC_OK)
        return rc;
    if (!p)
        return layer_fail(c, "convolution_param is missing");
    long out, group;
    int bias, kernel[2], stride[2], pad[2], dilation[2];
    if ((rc = pt_opt_int(doc, p, "num_output", -1, 1, MAX_CHANNELS, &out, err)) ||
        (rc = pt_opt_int(doc, p, "group", 1, 1, MAX_CHANNELS, &group, err)) ||
        (rc = pt_opt_bool(doc, p, "bias_term", 1, &bias, err)) ||
        (rc = window_param(c, p, "kernel_size", 1, -1, 1, MAX_WINDOW, kernel)) ||
        (rc = window_param(c, p, "stride", 1, 1, 1, MAX_WINDOW, stride)) ||
        (rc = window_param(c, p, "pad", 1, 0, 0, MAX_WINDOW, pad)) ||
        (rc = window_param(c, p, "dilation", 1, 1, 1, MAX_WINDOW, dilation)) ||
        (rc = check_channel_axis(c, p, "axis")))
        return rc;
    if (out < 0)
        return layer_fail(c, "num_output is missing");
    int in;
    if ((rc = bottom_blob(c, 0, &in)) != OPC_OK)
        return rc;
    int cin = c->b->net->blobs[in].channels;
    if (cin % group || out % group)
        return layer_fail(c, "group %ld does not divide %d inputs and %ld outputs", group, cin,
                          out);
    caffe_node *n;
    if ((rc = new_node(c, OPC_OP_CONV, (int)out, &n)) != OPC_OK)
        return rc;
    memcpy(n->l.kernel, kernel, sizeof kernel);
    memcpy(n->l.stride, stride, sizeof stride);
    memcpy(n->l.dilation, dilation, sizeof dilation);
    n->l.pad[0] = n->l.pad[2] = pad[0];
    n->l.pad[1] = n->l.pad[3] = pad[1];
    n->l.group = (int)group;
    n->l.out_channels = (int)out;
    int wshape[4] = {(int)out, cin / (int)group, kernel[0], kernel[1]};
    expect_weight(c, CAFFE_W_CONV, 4, wshape);
    if (bias)
        expect_weight(c, CAFFE_W_BIAS, 1, wshape);
    cur(c)->fan_in = wshape[1] * kernel[0] * kernel[1];
    return OPC_OK;
}

static int parse_relu(layer_ctx *c)
{
    const pt_node *p;
    float slope;
    int rc = param_msg(c, "relu_param", &p);
    if (rc == OPC_OK)
        rc = pt_opt_float(c->b->doc, p, "negative_slope", 0.0f, &slope, c->b->err);
    caffe_node *n;
    if (rc == OPC_OK)
        rc = new_node(c, OPC_OP_ACT, -1, &n);
    if (rc != OPC_OK)
        return rc;
    n->l.act = slope == 0.0f ? OPC_ACT_RELU : OPC_ACT_PRELU; /* leaky = one shared slope */
    n->relu_slope = slope;
    return OPC_OK;
}

static int parse_prelu(layer_ctx *c)
{
    const pt_node *p;
    int shared;
    int rc = param_msg(c, "prelu_param", &p);
    if (rc == OPC_OK)
        rc = pt_opt_bool(c->b->doc, p, "channel_shared", 0, &shared, c->b->err);
    caffe_node *n;
    if (rc == OPC_OK)
        rc = new_node(c, OPC_OP_ACT, -1, &n);
    if (rc != OPC_OK)
        return rc;
    n->l.act = OPC_ACT_PRELU;
    int shape[1] = {shared ? 1 : c->b->net->blobs[n->l.output].channels};
    expect_weight(c, CAFFE_W_SLOPE, 1, shape);
    return OPC_OK;
}

static int parse_pool(layer_ctx *c)
{
    const pt_node *p, *f;
    const pt_doc *doc = c->b->doc;
    const char *mode = "MAX", *round = "CEIL";
    int global, kernel[2], stride[2], pad[2];
    int rc = param_msg(c, "pooling_param", &p);
    if (rc != OPC_OK)
        return rc;
    if ((f = pt_field(p, "pool")) && (rc = pt_enum(doc, f, &mode, c->b->err)))
        return rc;
    if ((f = pt_field(p, "round_mode")) && (rc = pt_enum(doc, f, &round, c->b->err)))
        return rc;
    if ((rc = pt_opt_bool(doc, p, "global_pooling", 0, &global, c->b->err)))
        return rc;
    if (strcmp(mode, "MAX") != 0)
        return layer_fail(c, "%.20s pooling is not supported (only MAX)", mode);
    if (global)
        return layer_fail(c, "global pooling is not supported");
    if (strcmp(round, "CEIL") != 0 && strcmp(round, "FLOOR") != 0)
        return layer_fail(c, "unknown round_mode %.20s", round);
    if ((rc = window_param(c, p, "kernel_size", 0, -1, 1, MAX_WINDOW, kernel)) ||
        (rc = window_param(c, p, "stride", 0, 1, 1, MAX_WINDOW, stride)) ||
        (rc = window_param(c, p, "pad", 0, 0, 0, MAX_WINDOW, pad)))
        return rc;
    if (pad[0] >= kernel[0] || pad[1] >= kernel[1]) /* Caffe refuses windows of only padding */
        return layer_fail(c, "pad %dx%d must be smaller than the %dx%d window", pad[1], pad[0],
                          kernel[1], kernel[0]);
    caffe_node *n;
    if ((rc = new_node(c, OPC_OP_MAXPOOL, -1, &n)) != OPC_OK)
        return rc;
    memcpy(n->l.kernel, kernel, sizeof kernel);
    memcpy(n->l.stride, stride, sizeof stride);
    n->l.pad[0] = n->l.pad[2] = pad[0];
    n->l.pad[1] = n->l.pad[3] = pad[1];
    n->l.ceil_mode = strcmp(round, "CEIL") == 0;
    return OPC_OK;
}

/* Split, Dropout and single-input Concat: every top names the bottom's value. */
static int parse_alias(layer_ctx *c)
{
    int id, rc = bottom_blob(c, 0, &id);
    for (int k = 0; k < c->n_tops && rc == OPC_OK; k++)
        if (strcmp(c->tops[k], c->bottoms[0]) != 0)
            rc = bind(c->b, c->tops[k], id);
    return rc;
}

static int parse_concat(layer_ctx *c)
{
    const pt_node *p;
    int rc = param_msg(c, "concat_param", &p);
    if (rc == OPC_OK)
        rc = check_channel_axis(c, p, "axis");
    if (rc == OPC_OK)
        rc = check_channel_axis(c, p, "concat_dim");
    if (rc != OPC_OK || c->n_bottoms == 1)
        return rc == OPC_OK ? parse_alias(c) : rc;
    int channels = 0;
    for (int k = 0; k < c->n_bottoms; k++) {
        int id;
        if ((rc = bottom_blob(c, k, &id)) != OPC_OK)
            return rc;
        channels += c->b->net->blobs[id].channels;
    }
    caffe_node *n;
    return new_node(c, OPC_OP_CONCAT, channels, &n);
}

static int parse_eltwise(layer_ctx *c)
{
    const pt_node *p, *f;
    const char *op = "SUM";
    int rc = param_msg(c, "eltwise_param", &p);
    if (rc != OPC_OK)
        return rc;
    if ((f = pt_field(p, "operation")) && (rc = pt_enum(c->b->doc, f, &op, c->b->err)))
        return rc;
    if (strcmp(op, "SUM") != 0)
        return layer_fail(c, "Eltwise %.20s is not supported (only SUM)", op);
    for (f = pt_field(p, "coeff"); f; f = pt_next_same(f)) {
        float v;
        if ((rc = pt_float(c->b->doc, f, &v, c->b->err)) != OPC_OK)
            return rc;
        if (v != 1.0f)
            return layer_fail(c, "Eltwise SUM with coefficient %g is not supported (only 1)", v);
    }
    int ch = -1;
    for (int k = 0; k < c->n_bottoms; k++) {
        int id;
        if ((rc = bottom_blob(c, k, &id)) != OPC_OK)
            return rc;
        int ck = c->b->net->blobs[id].channels;
        if (ch >= 0 && ck != ch)
            return layer_fail(c, "cannot add '%.80s' (%d channels) to '%.80s' (%d channels)",
                              c->bottoms[k], ck, c->bottoms[0], ch);
        ch = ck;
    }
    caffe_node *n;
    return new_node(c, OPC_OP_ADD, -1, &n);
}

static int parse_batchnorm(layer_ctx *c)
{
    const pt_node *p;
    const pt_doc *doc = c->b->doc;
    int global;
    float eps;
    int rc = param_msg(c, "batch_norm_param", &p);
    if (rc == OPC_OK)
        rc = pt_opt_bool(doc, p, "use_global_stats", 1, &global, c->b->err);
    if (rc == OPC_OK)
        rc = pt_opt_float(doc, p, "eps", 1e-5f, &eps, c->b->err);
    if (rc != OPC_OK)
        return rc;
    if (!global)
        return layer_fail(c, "use_global_stats: false (batch statistics) is not supported");
    if (!(eps > 0))
        return layer_fail(c, "eps %g must be positive", eps);
    caffe_node *n;
    if ((rc = new_node(c, OPC_OP_AFFINE, -1, &n)) != OPC_OK)
        return rc;
    n->bn_eps = eps;
    int ch[1] = {c->b->net->blobs[n->l.output].channels}, one[1] = {1};
    expect_weight(c, CAFFE_W_BN_MEAN, 1, ch);
    expect_weight(c, CAFFE_W_BN_VAR, 1, ch);
    expect_weight(c, CAFFE_W_BN_FACTOR, 1, one);
    return OPC_OK;
}

static int parse_scale(layer_ctx *c)
{
    const pt_node *p;
    const pt_doc *doc = c->b->doc;
    long num_axes;
    int bias;
    int rc = param_msg(c, "scale_param", &p);
    if (rc == OPC_OK)
        rc = check_channel_axis(c, p, "axis");
    if (rc == OPC_OK)
        rc = pt_opt_int(doc, p, "num_axes", 1, -1, 4, &num_axes, c->b->err);
    if (rc == OPC_OK)
        rc = pt_opt_bool(doc, p, "bias_term", 0, &bias, c->b->err);
    if (rc != OPC_OK)
        return rc;
    if (num_axes != 1)
        return layer_fail(c, "num_axes %ld is not supported (only per-channel, 1)", num_axes);
    caffe_node *n;
    if ((rc = new_node(c, OPC_OP_AFFINE, -1, &n)) != OPC_OK)
        return rc;
    int ch[1] = {c->b->net->blobs[n->l.output].channels};
    expect_weight(c, CAFFE_W_SCALE, 1, ch);
    if (bias)
        expect_weight(c, CAFFE_W_SHIFT, 1, ch);
    return OPC_OK;
}

static const struct {
    const char *type;
    caffe_kind kind;
    int min_bottoms, max_bottoms, min_tops, max_tops;
    int (*parse)(layer_ctx *c);
} LAYER_TYPES[] = {
    {"Input", CAFFE_INPUT, 0, 0, 1, 1, parse_input},
    {"Convolution", CAFFE_CONV, 1, 1, 1, 1, parse_conv},
    {"ReLU", CAFFE_RELU, 1, 1, 1, 1, parse_relu},
    {"PReLU", CAFFE_PRELU, 1, 1, 1, 1, parse_prelu},
    {"Pooling", CAFFE_POOL, 1, 1, 1, 1, parse_pool},
    {"Concat", CAFFE_CONCAT, 1, OPC_MAX_INPUTS, 1, 1, parse_concat},
    {"Eltwise", CAFFE_ELTWISE, 2, OPC_MAX_INPUTS, 1, 1, parse_eltwise},
    {"Split", CAFFE_SPLIT, 1, 1, 1, INT_MAX, parse_alias},
    {"Dropout", CAFFE_DROPOUT, 1, 1, 1, 1, parse_alias},
    {"BatchNorm", CAFFE_BATCHNORM, 1, 1, 1, 1, parse_batchnorm},
    {"Scale", CAFFE_SCALE, 1, 1, 1, 1, parse_scale},
};
#define NUM_LAYER_TYPES (int)(sizeof LAYER_TYPES / sizeof LAYER_TYPES[0])

/* ---- the net ---------------------------------------------------------------------- */

/* Caffe's NetStateRule for the TEST phase (stages and levels are not used by deploy
 * nets): a rule matches unless it names another phase. */
static int rule_matches(const pt_doc *doc, const pt_node *rule, opc_error *err, int *match)
{
    int rc = pt_message(doc, rule, err);
    const pt_node *f = pt_field(rule, "phase");
    const char *phase = "TEST";
    if (rc == OPC_OK && f)
        rc = pt_enum(doc, f, &phase, err);
    *match = strcmp(phase, "TEST") == 0;
    return rc;
}

static int included(const pt_doc *doc, const pt_node *layer, opc_error *err, int *yes)
{
    const pt_node *inc = pt_field(layer, "include");
    int rc = OPC_OK, m;
    *yes = inc == NULL;
    for (; inc && rc == OPC_OK; inc = pt_next_same(inc))
        if ((rc = rule_matches(doc, inc, err, &m)) == OPC_OK && m)
            *yes = 1;
    for (const pt_node *ex = pt_field(layer, "exclude"); ex && rc == OPC_OK; ex = pt_next_same(ex))
        if ((rc = rule_matches(doc, ex, err, &m)) == OPC_OK && m)
            *yes = 0;
    return rc;
}

/* A name used in messages and matched across files: no control characters, so that
 * every message stays one line. */
static int name_field(const pt_doc *doc, const pt_node *f, const char **out, opc_error *err)
{
    int rc = pt_string(doc, f, out, err);
    for (const unsigned char *p = (const unsigned char *)*out; rc == OPC_OK && *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            rc = opc_fail(err, OPC_ERR_FORMAT, "%s:%d: %s contains a control character",
                          pt_path(doc), f->line, f->name);
    return rc;
}

/* The repeated string field name of msg as an array (caller frees). */
static int string_list(const pt_doc *doc, const pt_node *msg, const char *name,
                       const char ***out, int *n, opc_error *err)
{
    *n = pt_count(msg, name);
    *out = calloc((size_t)*n + 1, sizeof **out);
    if (!*out)
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", pt_path(doc));
    int i = 0;
    for (const pt_node *f = pt_field(msg, name); f; f = pt_next_same(f)) {
        int rc = name_field(doc, f, &(*out)[i++], err);
        if (rc != OPC_OK)
            return rc;
    }
    return OPC_OK;
}

static int check_arity(const layer_ctx *c, const char *what, int n, int lo, int hi)
{
    if (n >= lo && n <= hi)
        return OPC_OK;
    if (lo == hi)
        return layer_fail(c, "has %d %s, %s takes %d", n, what, cur(c)->type, lo);
    if (hi == INT_MAX)
        return layer_fail(c, "has %d %s, %s takes %d or more", n, what, cur(c)->type, lo);
    return layer_fail(c, "has %d %s, %s takes %d..%d", n, what, cur(c)->type, lo, hi);
}

static int parse_layer(builder *b, const pt_node *msg)
{
    const pt_doc *doc = b->doc;
    caffe_net *net = b->net;
    int rc = pt_message(doc, msg, b->err), yes;
    if (rc == OPC_OK)
        rc = included(doc, msg, b->err, &yes);
    if (rc != OPC_OK || !yes)
        return rc;
    const pt_node *fn = pt_field(msg, "name"), *ft = pt_field(msg, "type");
    if (!fn || !ft)
        return opc_fail(b->err, OPC_ERR_FORMAT, "%s:%d: layer without %s", pt_path(doc),
                        msg->line, fn ? "a type" : "a name");
    caffe_layer l = {.line = msg->line, .node = -1};
    if ((rc = name_field(doc, fn, &l.name, b->err)) || (rc = name_field(doc, ft, &l.type, b->err)))
        return rc;
    for (int i = 0; i < net->n_layers; i++)
        if (strcmp(net->layers[i].name, l.name) == 0)
            return opc_fail(b->err, OPC_ERR_FORMAT,
                            "%s:%d: a second layer called '%.80s' (first on line %d)",
                            pt_path(doc), l.line, l.name, net->layers[i].line);
    int t = 0;
    while (t < NUM_LAYER_TYPES && strcmp(LAYER_TYPES[t].type, l.type) != 0)
        t++;
    if (t == NUM_LAYER_TYPES)
        return opc_fail(b->err, OPC_ERR_UNSUPPORTED,
                        "%s:%d: layer '%.80s': unsupported layer type '%.40s'", pt_path(doc),
                        l.line, l.name, l.type);
    l.kind = LAYER_TYPES[t].kind;
    if (!grow((void **)&net->layers, &b->cap_layers, net->n_layers, sizeof *net->layers))
        return opc_fail(b->err, OPC_ERR_NOMEM, "%s: out of memory", pt_path(doc));
    net->layers[net->n_layers] = l;
    layer_ctx c = {b, net->n_layers, msg, NULL, NULL, 0, 0};
    net->n_layers++;
    rc = string_list(doc, msg, "bottom", &c.bottoms, &c.n_bottoms, b->err);
    if (rc == OPC_OK)
        rc = string_list(doc, msg, "top", &c.tops, &c.n_tops, b->err);
    if (rc == OPC_OK)
        rc = check_arity(&c, "bottoms", c.n_bottoms, LAYER_TYPES[t].min_bottoms,
                         LAYER_TYPES[t].max_bottoms);
    if (rc == OPC_OK)
        rc = check_arity(&c, "tops", c.n_tops, LAYER_TYPES[t].min_tops, LAYER_TYPES[t].max_tops);
    if (rc == OPC_OK)
        rc = LAYER_TYPES[t].parse(&c);
    free(c.bottoms);
    free(c.tops);
    return rc;
}

/* The old top-level declaration: input: "x" + input_dim x4 or input_shape { dim }. */
static int parse_net_input(builder *b, const pt_node *root)
{
    const pt_doc *doc = b->doc;
    const pt_node *in = pt_field(root, "input");
    if (!in)
        return OPC_OK;
    if (pt_next_same(in))
        return opc_fail(b->err, OPC_ERR_FORMAT, "%s:%d: a second net input; only one is supported",
                        pt_path(doc), pt_next_same(in)->line);
    const char *name;
    int rc = name_field(doc, in, &name, b->err), channels = 0;
    if (rc != OPC_OK)
        return rc;
    const pt_node *shape = pt_field(root, "input_shape");
    int ndims = pt_count(root, "input_dim");
    if (shape) {
        layer_ctx c = {b, -1, root, NULL, NULL, 0, 0};
        rc = read_dims(&c, shape, &channels);
    } else if (ndims == 4) {
        long v;
        rc = pt_int(doc, pt_next_same(pt_field(root, "input_dim")), 1, MAX_CHANNELS, &v, b->err);
        channels = (int)v;
    } else {
        return opc_fail(b->err, OPC_ERR_FORMAT,
                        "%s:%d: input '%.80s' has no shape: give 4 input_dim values (N, C, H, "
                        "W) or input_shape { dim: ... }",
                        pt_path(doc), in->line, name);
    }
    return rc == OPC_OK ? declare_input(b, name, -1, channels, in->line) : rc;
}

static int find_output(builder *b)
{
    caffe_net *net = b->net;
    int out = -1;
    for (int i = 1; i < net->n_blobs; i++) {
        if (net->blobs[i].readers || net->blobs[i].writer < 0)
            continue;
        if (out >= 0)
            return opc_fail(b->err, OPC_ERR_FORMAT,
                            "%s: two candidate outputs, '%.80s' and '%.80s': no layer reads "
                            "either, and a net must have one output",
                            pt_path(b->doc), net->blobs[out].name, net->blobs[i].name);
        out = i;
    }
    if (out < 0)
        return opc_fail(b->err, OPC_ERR_FORMAT, "%s: the net computes nothing (no output blob)",
                        pt_path(b->doc));
    net->output = out;
    return OPC_OK;
}

int caffe_net_load(caffe_net *net, const char *prototxt, opc_error *err)
{
    memset(net, 0, sizeof *net);
    net->doc = pt_load(prototxt, MAX_PROTOTXT_BYTES, err);
    if (!net->doc)
        return OPC_ERR_FORMAT;
    net->path = pt_path(net->doc);
    builder b = {net, net->doc, err, NULL, 0, 0, 0, 0, 0};
    const pt_node *root = pt_root(net->doc);
    int rc = OPC_OK;
    if (pt_field(root, "layers"))
        rc = opc_fail(err, OPC_ERR_UNSUPPORTED,
                      "%s:%d: legacy V1 'layers' entries are not supported; upgrade the file "
                      "with Caffe's upgrade_net_proto_text",
                      net->path, pt_field(root, "layers")->line);
    if (rc == OPC_OK)
        rc = parse_net_input(&b, root);
    for (const pt_node *l = pt_field(root, "layer"); l && rc == OPC_OK; l = pt_next_same(l))
        rc = parse_layer(&b, l);
    if (rc == OPC_OK && net->n_blobs == 0)
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: the net declares no input and has no layers",
                      net->path);
    if (rc == OPC_OK)
        rc = find_output(&b);
    /* The last binding of each name marks that blob final, unless the name was last bound
     * by an alias to a blob created under another name. */
    for (int i = 0; i < net->n_blobs && rc == OPC_OK; i++)
        net->blobs[i].final = lookup(&b, net->blobs[i].name) == i;
    free(b.binds);
    if (rc != OPC_OK) {
        caffe_net_free(net);
        return rc;
    }
    return OPC_OK;
}

void caffe_net_free(caffe_net *net)
{
    pt_free(net->doc);
    free(net->layers);
    free(net->nodes);
    free(net->blobs);
    memset(net, 0, sizeof *net);
}
