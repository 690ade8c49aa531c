/* The layer types a converted Caffe net may use: each parses its *_param message, checks
 * what the converter supports, makes its node and lists the weight blobs it needs. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "convert/caffe/caffe_build.h"
#include "openpose-c/error.h"

/* The layer's NAME_param message (NULL if absent); fails if it is not a message. */
static int param_msg(const caffe_layer_ctx *c, const char *name, const pt_node **out)
{
    *out = pt_field(c->msg, name);
    if (*out && pt_next_same(*out))
        return caffe_layer_fail(c, "%s is given more than once", name);
    return *out ? pt_message(c->b->doc, *out, c->b->err) : OPC_OK;
}

/* A 2-D window parameter: `name` (repeated up to twice in ConvolutionParameter: one value
 * for both axes, or h then w) or `name_h` + `name_w`. def < 0: required. */
static int window_param(const caffe_layer_ctx *c, const pt_node *p, const char *name, int repeated,
                        long def, long lo, long hi, int out[2])
{
    const pt_doc *doc = c->b->doc;
    char hname[40], wname[40];
    snprintf(hname, sizeof hname, "%s_h", strcmp(name, "kernel_size") ? name : "kernel");
    snprintf(wname, sizeof wname, "%s_w", strcmp(name, "kernel_size") ? name : "kernel");
    int n = pt_count(p, name);
    const pt_node *fh = pt_field(p, hname), *fw = pt_field(p, wname);
    if (n > (repeated ? 2 : 1))
        return caffe_layer_fail(c, "%s has %d values; only 2-D windows are supported", name, n);
    if (fh || fw) {
        if (!fh || !fw)
            return caffe_layer_fail(c, "%s and %s must be given together", hname, wname);
        if (n)
            return caffe_layer_fail(c, "give either %s or %s/%s, not both", name, hname, wname);
        long h, w;
        int rc = pt_opt_int(doc, p, hname, 0, lo, hi, &h, c->b->err);
        if (rc == OPC_OK)
            rc = pt_opt_int(doc, p, wname, 0, lo, hi, &w, c->b->err);
        if (rc == OPC_OK) {
            out[0] = (int)h;
            out[1] = (int)w;
        }
        return rc;
    }
    if (n == 0) {
        if (def < 0)
            return caffe_layer_fail(c, "%s is missing", name);
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
static int check_channel_axis(const caffe_layer_ctx *c, const pt_node *p, const char *name)
{
    long axis;
    int rc = pt_opt_int(c->b->doc, p, name, 1, -4, 3, &axis, c->b->err);
    if (rc == OPC_OK && axis != 1 && axis != -3)
        return caffe_layer_fail(c, "%s %ld is not supported (only the channel axis, 1)", name,
                                axis);
    return rc;
}

static int parse_input(caffe_layer_ctx *c)
{
    const pt_node *p;
    int rc = param_msg(c, "input_param", &p);
    if (rc != OPC_OK)
        return rc;
    const pt_node *shape = pt_field(p, "shape");
    if (!shape)
        return caffe_layer_fail(c, "input_param { shape { dim: ... } } is missing");
    int channels = 0;
    rc = caffe_read_dims(c->b, shape, &channels);
    return rc == OPC_OK
               ? caffe_declare_input(c->b, c->tops[0], c->index, channels, caffe_cur(c)->line)
               : rc;
}

static int parse_conv(caffe_layer_ctx *c)
{
    const pt_node *p;
    const pt_doc *doc = c->b->doc;
    opc_error *err = c->b->err;
    int rc = param_msg(c, "convolution_param", &p);
    if (rc != OPC_OK)
        return rc;
    if (!p)
        return caffe_layer_fail(c, "convolution_param is missing");
    long out, group;
    int bias, kernel[2], stride[2], pad[2], dilation[2];
    if ((rc = pt_opt_int(doc, p, "num_output", -1, 1, CAFFE_MAX_CHANNELS, &out, err)) ||
        (rc = pt_opt_int(doc, p, "group", 1, 1, CAFFE_MAX_CHANNELS, &group, err)) ||
        (rc = pt_opt_bool(doc, p, "bias_term", 1, &bias, err)) ||
        (rc = window_param(c, p, "kernel_size", 1, -1, 1, CAFFE_MAX_WINDOW, kernel)) ||
        (rc = window_param(c, p, "stride", 1, 1, 1, CAFFE_MAX_WINDOW, stride)) ||
        (rc = window_param(c, p, "pad", 1, 0, 0, CAFFE_MAX_WINDOW, pad)) ||
        (rc = window_param(c, p, "dilation", 1, 1, 1, CAFFE_MAX_WINDOW, dilation)) ||
        (rc = check_channel_axis(c, p, "axis")))
        return rc;
    if (out < 0)
        return caffe_layer_fail(c, "num_output is missing");
    int in;
    if ((rc = caffe_bottom_blob(c, 0, &in)) != OPC_OK)
        return rc;
    int cin = c->b->net->blobs[in].channels;
    if (cin % group || out % group)
        return caffe_layer_fail(c, "group %ld does not divide %d inputs and %ld outputs", group,
                                cin, out);
    caffe_node *n;
    if ((rc = caffe_new_node(c, OPC_OP_CONV, (int)out, &n)) != OPC_OK)
        return rc;
    memcpy(n->l.kernel, kernel, sizeof kernel);
    memcpy(n->l.stride, stride, sizeof stride);
    memcpy(n->l.dilation, dilation, sizeof dilation);
    n->l.pad[0] = n->l.pad[2] = pad[0];
    n->l.pad[1] = n->l.pad[3] = pad[1];
    n->l.group = (int)group;
    n->l.out_channels = (int)out;
    int wshape[4] = {(int)out, cin / (int)group, kernel[0], kernel[1]};
    caffe_expect_weight(c, CAFFE_W_CONV, 4, wshape);
    if (bias)
        caffe_expect_weight(c, CAFFE_W_BIAS, 1, wshape);
    caffe_cur(c)->fan_in = wshape[1] * kernel[0] * kernel[1];
    return OPC_OK;
}

static int parse_relu(caffe_layer_ctx *c)
{
    const pt_node *p;
    float slope;
    int rc = param_msg(c, "relu_param", &p);
    if (rc == OPC_OK)
        rc = pt_opt_float(c->b->doc, p, "negative_slope", 0.0f, &slope, c->b->err);
    caffe_node *n;
    if (rc == OPC_OK)
        rc = caffe_new_node(c, OPC_OP_ACT, -1, &n);
    if (rc != OPC_OK)
        return rc;
    n->l.act = slope == 0.0f ? OPC_ACT_RELU : OPC_ACT_PRELU; /* leaky = one shared slope */
    n->relu_slope = slope;
    return OPC_OK;
}

static int parse_prelu(caffe_layer_ctx *c)
{
    const pt_node *p;
    int shared;
    int rc = param_msg(c, "prelu_param", &p);
    if (rc == OPC_OK)
        rc = pt_opt_bool(c->b->doc, p, "channel_shared", 0, &shared, c->b->err);
    caffe_node *n;
    if (rc == OPC_OK)
        rc = caffe_new_node(c, OPC_OP_ACT, -1, &n);
    if (rc != OPC_OK)
        return rc;
    n->l.act = OPC_ACT_PRELU;
    int shape[1] = {shared ? 1 : c->b->net->blobs[n->l.output].channels};
    caffe_expect_weight(c, CAFFE_W_SLOPE, 1, shape);
    return OPC_OK;
}

static int parse_pool(caffe_layer_ctx *c)
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
        return caffe_layer_fail(c, "%.20s pooling is not supported (only MAX)", mode);
    if (global)
        return caffe_layer_fail(c, "global pooling is not supported");
    if (strcmp(round, "CEIL") != 0 && strcmp(round, "FLOOR") != 0)
        return caffe_layer_fail(c, "unknown round_mode %.20s", round);
    if ((rc = window_param(c, p, "kernel_size", 0, -1, 1, CAFFE_MAX_WINDOW, kernel)) ||
        (rc = window_param(c, p, "stride", 0, 1, 1, CAFFE_MAX_WINDOW, stride)) ||
        (rc = window_param(c, p, "pad", 0, 0, 0, CAFFE_MAX_WINDOW, pad)))
        return rc;
    if (pad[0] >= kernel[0] || pad[1] >= kernel[1]) /* Caffe refuses windows of only padding */
        return caffe_layer_fail(c, "pad %dx%d must be smaller than the %dx%d window", pad[1],
                                pad[0], kernel[1], kernel[0]);
    caffe_node *n;
    if ((rc = caffe_new_node(c, OPC_OP_MAXPOOL, -1, &n)) != OPC_OK)
        return rc;
    memcpy(n->l.kernel, kernel, sizeof kernel);
    memcpy(n->l.stride, stride, sizeof stride);
    n->l.pad[0] = n->l.pad[2] = pad[0];
    n->l.pad[1] = n->l.pad[3] = pad[1];
    n->l.ceil_mode = strcmp(round, "CEIL") == 0;
    return OPC_OK;
}

/* Split, Dropout and single-input Concat: every top names the bottom's value. */
static int parse_alias(caffe_layer_ctx *c)
{
    int id, rc = caffe_bottom_blob(c, 0, &id);
    for (int k = 0; k < c->n_tops && rc == OPC_OK; k++)
        if (strcmp(c->tops[k], c->bottoms[0]) != 0)
            rc = caffe_bind(c->b, c->tops[k], id);
    return rc;
}

static int parse_concat(caffe_layer_ctx *c)
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
        if ((rc = caffe_bottom_blob(c, k, &id)) != OPC_OK)
            return rc;
        channels += c->b->net->blobs[id].channels;
    }
    caffe_node *n;
    return caffe_new_node(c, OPC_OP_CONCAT, channels, &n);
}

static int parse_eltwise(caffe_layer_ctx *c)
{
    const pt_node *p, *f;
    const char *op = "SUM";
    int rc = param_msg(c, "eltwise_param", &p);
    if (rc != OPC_OK)
        return rc;
    if ((f = pt_field(p, "operation")) && (rc = pt_enum(c->b->doc, f, &op, c->b->err)))
        return rc;
    if (strcmp(op, "SUM") != 0)
        return caffe_layer_fail(c, "Eltwise %.20s is not supported (only SUM)", op);
    for (f = pt_field(p, "coeff"); f; f = pt_next_same(f)) {
        float v;
        if ((rc = pt_float(c->b->doc, f, &v, c->b->err)) != OPC_OK)
            return rc;
        if (v != 1.0f)
            return caffe_layer_fail(c, "Eltwise SUM with coefficient %g is not supported (only 1)",
                                    v);
    }
    int ch = -1;
    for (int k = 0; k < c->n_bottoms; k++) {
        int id;
        if ((rc = caffe_bottom_blob(c, k, &id)) != OPC_OK)
            return rc;
        int ck = c->b->net->blobs[id].channels;
        if (ch >= 0 && ck != ch)
            return caffe_layer_fail(c, "cannot add '%.80s' (%d channels) to '%.80s' (%d channels)",
                                    c->bottoms[k], ck, c->bottoms[0], ch);
        ch = ck;
    }
    caffe_node *n;
    return caffe_new_node(c, OPC_OP_ADD, -1, &n);
}

static int parse_batchnorm(caffe_layer_ctx *c)
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
        return caffe_layer_fail(c, "use_global_stats: false (batch statistics) is not supported");
    if (!(eps > 0))
        return caffe_layer_fail(c, "eps %g must be positive", eps);
    caffe_node *n;
    if ((rc = caffe_new_node(c, OPC_OP_AFFINE, -1, &n)) != OPC_OK)
        return rc;
    n->bn_eps = eps;
    int ch[1] = {c->b->net->blobs[n->l.output].channels}, one[1] = {1};
    caffe_expect_weight(c, CAFFE_W_BN_MEAN, 1, ch);
    caffe_expect_weight(c, CAFFE_W_BN_VAR, 1, ch);
    caffe_expect_weight(c, CAFFE_W_BN_FACTOR, 1, one);
    return OPC_OK;
}

static int parse_scale(caffe_layer_ctx *c)
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
        return caffe_layer_fail(c, "num_axes %ld is not supported (only per-channel, 1)", num_axes);
    caffe_node *n;
    if ((rc = caffe_new_node(c, OPC_OP_AFFINE, -1, &n)) != OPC_OK)
        return rc;
    int ch[1] = {c->b->net->blobs[n->l.output].channels};
    caffe_expect_weight(c, CAFFE_W_SCALE, 1, ch);
    if (bias)
        caffe_expect_weight(c, CAFFE_W_SHIFT, 1, ch);
    return OPC_OK;
}

static const caffe_layer_type LAYER_TYPES[] = {
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

const caffe_layer_type *caffe_find_layer_type(const char *type)
{
    for (int i = 0; i < NUM_LAYER_TYPES; i++)
        if (strcmp(LAYER_TYPES[i].type, type) == 0)
            return &LAYER_TYPES[i];
    return NULL;
}
