/* The TensorFlow ops we map, one function each, and the table naming them. Tensors are
 * NHWC in TensorFlow and NCHW in our graph, so the channel axis is 3 there and 1 here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "convert/common/convert_common.h"
#include "convert/tf/tf_map.h"
#include "openpose-c/error.h"

#define MAX_WINDOW 64          /* kernel/stride/dilation/padding limit, as graph.c */

static const tf_node *node_of(tf_ctx *c, int node) { return &c->gd->nodes[node]; }

/* ---- attributes shared by several ops ---- */

static int check_float(tf_ctx *c, int node)
{
    int t;
    int rc = tf_attr_type(node_of(c, node), "T", &t);
    if (rc < 0)
        return tf_node_fail(c, node, OPC_ERR_FORMAT, "malformed attribute T");
    if (rc == 1 && t != TF_DT_FLOAT)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED,
                            "type %s (only float32 is supported)", tf_dtype_name(t));
    return OPC_OK;
}

static int check_nhwc(tf_ctx *c, int node)
{
    char s[16];
    int rc = tf_attr_string(node_of(c, node), "data_format", s, sizeof s);
    if (rc < 0)
        return tf_node_fail(c, node, OPC_ERR_FORMAT, "malformed attribute data_format");
    if (rc == 1 && strcmp(s, "NHWC") != 0)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED,
                            "data_format %s (only NHWC is supported)", s);
    return OPC_OK;
}

/* An int attribute; def when absent. */
static int int_attr(tf_ctx *c, int node, const char *key, int64_t def, int64_t *v)
{
    int rc = tf_attr_int(node_of(c, node), key, v);
    if (rc < 0)
        return tf_node_fail(c, node, OPC_ERR_FORMAT, "malformed attribute %s", key);
    if (rc == 0)
        *v = def;
    return OPC_OK;
}

static int bool_attr(tf_ctx *c, int node, const char *key, int def, int *v)
{
    int rc = tf_attr_bool(node_of(c, node), key, v);
    if (rc < 0)
        return tf_node_fail(c, node, OPC_ERR_FORMAT, "malformed attribute %s", key);
    if (rc == 0)
        *v = def;
    return OPC_OK;
}

/* A window attribute in NHWC order, [1, h, w, 1] -> hw; def when absent (0 = required). */
static int window_attr(tf_ctx *c, int node, const char *key, int def, int hw[2])
{
    int64_t v[4];
    int n = 0;
    int rc = tf_attr_ints(node_of(c, node), key, v, 4, &n);
    if (rc == 0 && def) {
        hw[0] = hw[1] = def;
        return OPC_OK;
    }
    if (rc != 1 || n != 4)
        return tf_node_fail(c, node, OPC_ERR_FORMAT, "attribute %s must hold 4 numbers", key);
    if (v[0] != 1 || v[3] != 1 || v[1] < 1 || v[1] > MAX_WINDOW || v[2] < 1 || v[2] > MAX_WINDOW)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED,
                            "%s [%lld, %lld, %lld, %lld] "
                            "(batch and channel must be 1, height and width 1..%d)",
                            key, (long long)v[0], (long long)v[1], (long long)v[2], (long long)v[3],
                            MAX_WINDOW);
    hw[0] = (int)v[1];
    hw[1] = (int)v[2];
    return OPC_OK;
}

/* padding: SAME (TensorFlow's, extra pixel after), VALID, or EXPLICIT with
 * explicit_paddings [0, 0, top, bottom, left, right, 0, 0]. */
static int padding_attr(tf_ctx *c, int node, int pad[4], int *pad_same)
{
    char s[16];
    if (tf_attr_string(node_of(c, node), "padding", s, sizeof s) != 1)
        return tf_node_fail(c, node, OPC_ERR_FORMAT, "missing or malformed attribute padding");
    memset(pad, 0, 4 * sizeof *pad);
    *pad_same = strcmp(s, "SAME") == 0;
    if (*pad_same || strcmp(s, "VALID") == 0)
        return OPC_OK;
    if (strcmp(s, "EXPLICIT") != 0)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED, "padding %s", s);
    int64_t v[8];
    int n = 0;
    if (tf_attr_ints(node_of(c, node), "explicit_paddings", v, 8, &n) != 1 || n != 8)
        return tf_node_fail(c, node, OPC_ERR_FORMAT, "explicit_paddings must hold 8 numbers");
    for (int i = 0; i < 8; i++)
        if (v[i] < 0 || v[i] > MAX_WINDOW || ((i < 2 || i > 5) && v[i]))
            return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED,
                                "explicit_paddings out of range or not spatial");
    static const int order[4] = {2, 4, 3, 5}; /* top, left, bottom, right */
    for (int i = 0; i < 4; i++)
        pad[i] = (int)v[order[i]];
    return OPC_OK;
}

/* ---- helpers for folding into the previous layer ---- */

/* Channels of the blob a layer writes, for the ops things fold into. */
static int layer_channels(const opc_layer *l)
{
    return l->op == OPC_OP_CONV ? l->out_channels : (int)l->weight.count;
}

/* A standalone per-channel AFFINE layer y = s * x + t reading blob x. */
static int new_affine(tf_ctx *c, int node, int x, const float *s, const float *t, int channels)
{
    opc_layer *l = tf_new_layer(c, node, OPC_OP_AFFINE);
    if (!l)
        return OPC_ERR_NOMEM;
    l->inputs[l->n_inputs++] = x;
    opc_error why;
    float *w = opc_graph_new_weight(c->g, &l->weight, 1, (int[]){channels}, &why);
    float *b = w ? opc_graph_new_weight(c->g, &l->bias, 1, (int[]){channels}, &why) : NULL;
    if (!b)
        return opc_fail(c->err, OPC_ERR_NOMEM, "%s: %s", c->path, why.msg);
    for (int i = 0; i < channels; i++) {
        w[i] = s ? s[i] : 1.0f;
        b[i] = t[i];
    }
    return OPC_OK;
}

/* Folds y = s * x + t (per channel) into the layer l writing x. */
static int fold_affine(tf_ctx *c, opc_layer *l, const float *s, const float *t, int channels)
{
    opc_error why;
    int rc = opc_convert_fold_affine(c->g, l, s, t, channels, &why);
    return rc ? opc_fail(c->err, rc, "%s: %s", c->path, why.msg) : OPC_OK;
}

/* ---- the ops ---- */

static int map_placeholder(tf_ctx *c, int node)
{
    return tf_node_fail(c, node, OPC_ERR_FORMAT, "a second network input (the input is %s)",
                        node_of(c, c->input)->name);
}

static int map_const(tf_ctx *c, int node)
{
    c->val[node].kind = TF_V_CONST;
    return OPC_OK;
}

/* Conv2D: filter [kh, kw, in, out]; DepthwiseConv2dNative: filter [kh, kw, C, M] gives
 * C * M outputs, output c * M + m from input c. Our weights are [out, in/group, kh, kw]. */
static int map_conv(tf_ctx *c, int node)
{
    int depthwise = strstr(node_of(c, node)->op, "DepthwiseConv2dNative") != NULL;
    int rc, x, stride[2], dilation[2], pad[4], pad_same;
    if ((rc = check_float(c, node)) || (rc = check_nhwc(c, node)) ||
        (rc = window_attr(c, node, "strides", 0, stride)) ||
        (rc = window_attr(c, node, "dilations", 1, dilation)) ||
        (rc = padding_attr(c, node, pad, &pad_same)) || (rc = tf_in_blob(c, node, 0, &x)))
        return rc;
    tf_tensor f;
    if ((rc = tf_in_const(c, node, 1, TF_DT_FLOAT, &f)))
        return rc;
    if (f.ndim != 4 || f.count == 0 || f.dims[0] > MAX_WINDOW || f.dims[1] > MAX_WINDOW) {
        tf_tensor_free(&f);
        return tf_node_fail(c, node, OPC_ERR_FORMAT,
                            "filter must be [height, width, in, out] with a window up to %d",
                            MAX_WINDOW);
    }
    int kh = (int)f.dims[0], kw = (int)f.dims[1], ci = (int)f.dims[2], co = (int)f.dims[3];
    int out = depthwise ? ci * co : co;
    opc_layer *l = tf_new_layer(c, node, OPC_OP_CONV);
    if (!l) {
        tf_tensor_free(&f);
        return OPC_ERR_NOMEM;
    }
    l->inputs[l->n_inputs++] = x;
    l->kernel[0] = kh;
    l->kernel[1] = kw;
    memcpy(l->stride, stride, sizeof stride);
    memcpy(l->dilation, dilation, sizeof dilation);
    memcpy(l->pad, pad, sizeof pad);
    l->pad_same = pad_same;
    l->group = depthwise ? ci : 1;
    l->out_channels = out;
    opc_error why;
    float *w = opc_graph_new_weight(c->g, &l->weight, 4,
                                    (int[]){out, depthwise ? 1 : ci, kh, kw}, &why);
    if (!w) {
        tf_tensor_free(&f);
        return opc_fail(c->err, OPC_ERR_NOMEM, "%s: %s", c->path, why.msg);
    }
    /* f[y][x][i][o] -> w[o][i][y][x]; depthwise: f[y][x][c][m] -> w[c * M + m][0][y][x],
     * which is the same loop with (i, o) = (c, m) and the output index c * M + m. */
    for (int y = 0; y < kh; y++)
        for (int xx = 0; xx < kw; xx++)
            for (int i = 0; i < ci; i++)
                for (int o = 0; o < co; o++) {
                    float v = f.f[(((size_t)y * kw + xx) * ci + i) * co + o];
                    size_t dst = depthwise ? (((size_t)i * co + o) * kh + y) * kw + xx
                                           : ((((size_t)o * ci + i) * kh + y) * kw + xx);
                    w[dst] = v;
                }
    tf_tensor_free(&f);
    return OPC_OK;
}


/* TensorFlow's activations, as ops of their own and as fused_ops entries. */
static const struct {
    const char *name;
    opc_act act;
    float param;           /* act_param[0]: ELU's alpha (TensorFlow's is 1) */
} ACTS[] = {
    {"Relu", OPC_ACT_RELU, 0},
    {"Relu6", OPC_ACT_RELU6, 0},
    {"Elu", OPC_ACT_ELU, 1.0f},
    {"Sigmoid", OPC_ACT_SIGMOID, 0},
};

/* The row of ACTS called name, or -1. */
static int act_named(const char *name)
{
    for (int i = 0; i < (int)(sizeof ACTS / sizeof ACTS[0]); i++)
        if (strcmp(ACTS[i].name, name) == 0)
            return i;
    return -1;
}

static void set_act(opc_layer *l, int row)
{
    l->act = ACTS[row].act;
    l->act_param[0] = ACTS[row].param;
}

/* _FusedConv2D and FusedDepthwiseConv2dNative, as Grappler and TensorFlow.js write them:
 * the convolution of inputs 0 and 1, then the fused_ops in order, BiasAdd of input 2 and
 * at most one activation. */
static int map_fused_conv(tf_ctx *c, int node)
{
    char ops[3][32];
    int n_ops = 0, rc = 0;
    for (; n_ops < 3; n_ops++)
        if ((rc = tf_attr_list_string(node_of(c, node), "fused_ops", n_ops, ops[n_ops],
                                      sizeof ops[0])) != 1)
            break;
    if (rc < 0 || n_ops > 2)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED,
                            "fused_ops malformed or longer than BiasAdd and one activation");
    if (n_ops == 0 || strcmp(ops[0], "BiasAdd") != 0)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED,
                            "fused op %s (BiasAdd, then an activation, is supported)",
                            n_ops ? ops[0] : "(none)");
    int act = n_ops == 2 ? act_named(ops[1]) : -1;
    if (n_ops == 2 && act < 0)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED,
                            "fused activation %s (Relu, Relu6, Elu and Sigmoid are supported)",
                            ops[1]);
    int64_t num_args;
    if ((rc = int_attr(c, node, "num_args", 1, &num_args)))
        return rc;
    if (num_args != 1)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED, "num_args %lld (BiasAdd takes 1)",
                            (long long)num_args);
    if ((rc = map_conv(c, node)))
        return rc;
    opc_layer *l = &c->g->layers[c->g->n_layers - 1];
    tf_tensor b;
    if ((rc = tf_in_const(c, node, 2, TF_DT_FLOAT, &b)))
        return rc;
    if (b.ndim != 1 || (int)b.count != l->out_channels)
        rc = tf_node_fail(c, node, OPC_ERR_FORMAT, "%zu biases for %d channels", b.count,
                          l->out_channels);
    else if ((rc = fold_affine(c, l, NULL, b.f, l->out_channels)) == OPC_OK && act >= 0)
        set_act(l, act);
    tf_tensor_free(&b);
    return rc;
}

static int map_bias_add(tf_ctx *c, int node)
{
    int rc, x;
    if ((rc = check_float(c, node)) || (rc = check_nhwc(c, node)) ||
        (rc = tf_in_blob(c, node, 0, &x)))
        return rc;
    tf_tensor b;
    if ((rc = tf_in_const(c, node, 1, TF_DT_FLOAT, &b)))
        return rc;
    int channels = (int)b.count;
    opc_layer *l = tf_foldable(c, x, 1u << OPC_OP_CONV | 1u << OPC_OP_AFFINE |
                                         1u << OPC_OP_INSTANCE_NORM);
    if (b.ndim != 1)
        rc = tf_node_fail(c, node, OPC_ERR_FORMAT, "bias must have one dimension");
    else if (l && layer_channels(l) != channels)
        rc = tf_node_fail(c, node, OPC_ERR_FORMAT, "%d biases for %d channels", channels,
                          layer_channels(l));
    else if (l && (rc = fold_affine(c, l, NULL, b.f, channels)) == OPC_OK)
        rc = tf_fold_into(c, node, x);
    else if (!l)
        rc = new_affine(c, node, x, NULL, b.f, channels);
    tf_tensor_free(&b);
    return rc;
}

/* FusedBatchNorm(x, scale, offset, mean, variance). With stored statistics it is an
 * affine map folded into the layer before it. With is_training (TensorFlow's default)
 * or empty mean/variance, TensorFlow normalises by this input's own per-channel mean
 * and biased variance over H, W: y = (x - mean) / sqrt(var + eps) * scale + offset
 * (not OpenCV's import, which uses eps 1e-9 there and divides by sqrt(1 + eps)). */
static int map_batch_norm(tf_ctx *c, int node)
{
    int rc, x, training;
    float eps;
    if ((rc = check_float(c, node)) || (rc = check_nhwc(c, node)) ||
        (rc = bool_attr(c, node, "is_training", 1, &training)) ||
        (rc = tf_in_blob(c, node, 0, &x)))
        return rc;
    int has_eps = tf_attr_float(node_of(c, node), "epsilon", &eps);
    if (has_eps < 0)
        return tf_node_fail(c, node, OPC_ERR_FORMAT, "malformed attribute epsilon");
    if (has_eps == 0)
        eps = 1e-4f; /* TensorFlow's default */
    tf_tensor p[4] = {{0}}; /* scale, offset, mean, variance */
    for (int k = 0; k < 4 && rc == OPC_OK; k++)
        rc = tf_in_const(c, node, k + 1, TF_DT_FLOAT, &p[k]);
    int channels = (int)p[0].count;
    int instance = training || p[2].count == 0 || p[3].count == 0;
    if (rc != OPC_OK)
        goto done;
    if (p[1].count != p[0].count || (!instance && (p[2].count != p[0].count ||
                                                   p[3].count != p[0].count))) {
        rc = tf_node_fail(c, node, OPC_ERR_FORMAT,
                          "scale, offset, mean and variance have %zu, %zu, %zu, %zu values",
                          p[0].count, p[1].count, p[2].count, p[3].count);
        goto done;
    }
    if (instance) {
        if (!(eps > 0 && eps < 1)) {
            rc = tf_node_fail(c, node, OPC_ERR_UNSUPPORTED, "epsilon %g out of range", eps);
            goto done;
        }
        opc_layer *l = tf_new_layer(c, node, OPC_OP_INSTANCE_NORM);
        if (!l) {
            rc = OPC_ERR_NOMEM;
            goto done;
        }
        l->inputs[l->n_inputs++] = x;
        l->eps = eps;
        opc_error why;
        float *w = opc_graph_new_weight(c->g, &l->weight, 1, (int[]){channels}, &why);
        float *b = w ? opc_graph_new_weight(c->g, &l->bias, 1, (int[]){channels}, &why) : NULL;
        if (!b) {
            rc = opc_fail(c->err, OPC_ERR_NOMEM, "%s: %s", c->path, why.msg);
            goto done;
        }
        memcpy(w, p[0].f, (size_t)channels * sizeof *w);
        memcpy(b, p[1].f, (size_t)channels * sizeof *b);
        goto done;
    }
    /* Stored statistics: s = scale / sqrt(var + eps), t = offset - mean * s (in double). */
    for (int i = 0; i < channels; i++) {
        double s = p[0].f[i] / sqrt((double)p[3].f[i] + eps);
        if (!((double)p[3].f[i] + eps > 0) || !isfinite(s)) {
            rc = tf_node_fail(c, node, OPC_ERR_FORMAT,
                              "channel %d: variance %g + epsilon %g is not positive", i,
                              p[3].f[i], eps);
            goto done;
        }
        p[2].f[i] = (float)(p[1].f[i] - p[2].f[i] * s);
        p[0].f[i] = (float)s;
    }
    opc_layer *l = tf_foldable(c, x, 1u << OPC_OP_CONV | 1u << OPC_OP_AFFINE |
                                         1u << OPC_OP_INSTANCE_NORM);
    if (l && layer_channels(l) != channels)
        rc = tf_node_fail(c, node, OPC_ERR_FORMAT, "%d values for %d channels", channels,
                          layer_channels(l));
    else if (l && (rc = fold_affine(c, l, p[0].f, p[2].f, channels)) == OPC_OK)
        rc = tf_fold_into(c, node, x);
    else if (!l)
        rc = new_affine(c, node, x, p[0].f, p[2].f, channels);
done:
    for (int k = 0; k < 4; k++)
        tf_tensor_free(&p[k]);
    return rc;
}

static int map_act(tf_ctx *c, int node)
{
    int rc, x;
    if ((rc = check_float(c, node)) || (rc = tf_in_blob(c, node, 0, &x)))
        return rc;
    int act = act_named(node_of(c, node)->op);
    opc_layer *l = tf_foldable(c, x, 1u << OPC_OP_CONV | 1u << OPC_OP_ADD | 1u << OPC_OP_AFFINE |
                                         1u << OPC_OP_INSTANCE_NORM);
    if (l) {
        set_act(l, act);
        return tf_fold_into(c, node, x);
    }
    if (!(l = tf_new_layer(c, node, OPC_OP_ACT)))
        return OPC_ERR_NOMEM;
    l->inputs[l->n_inputs++] = x;
    set_act(l, act);
    return OPC_OK;
}

/* A layer reading data inputs [first, first + n) as blobs. */
static int multi_input(tf_ctx *c, int node, opc_op op, int first, int n)
{
    if (n < 1 || n > OPC_MAX_INPUTS)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED, "%d inputs (1..%d are supported)", n,
                            OPC_MAX_INPUTS);
    int blobs[OPC_MAX_INPUTS];
    for (int k = 0; k < n; k++) {
        int rc = tf_in_blob(c, node, first + k, &blobs[k]);
        if (rc)
            return rc;
    }
    opc_layer *l = tf_new_layer(c, node, op);
    if (!l)
        return OPC_ERR_NOMEM;
    memcpy(l->inputs, blobs, (size_t)n * sizeof *blobs);
    l->n_inputs = n;
    return OPC_OK;
}

static int map_add(tf_ctx *c, int node)
{
    int rc = check_float(c, node);
    int n = node_of(c, node)->n_inputs;
    if (rc == OPC_OK && n < 2)
        rc = tf_node_fail(c, node, OPC_ERR_FORMAT, "%d inputs", n);
    return rc ? rc : multi_input(c, node, OPC_OP_ADD, 0, n);
}

/* ConcatV2(values..., axis) and Concat(axis, values...): the channel axis only. */
static int map_concat(tf_ctx *c, int node)
{
    int rc = check_float(c, node);
    const tf_node *n = node_of(c, node);
    int v2 = strcmp(n->op, "ConcatV2") == 0;
    if (rc)
        return rc;
    if (n->n_inputs < 2)
        return tf_node_fail(c, node, OPC_ERR_FORMAT, "no axis input");
    tf_tensor axis;
    int axis_input = v2 ? n->n_inputs - 1 : 0;
    if ((rc = tf_in_const(c, node, axis_input, TF_DT_INT64, &axis)))
        return rc;
    int64_t a = axis.count == 1 ? axis.i[0] : 0;
    tf_tensor_free(&axis);
    if (a != 3 && a != -1)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED,
                            "concatenation along axis %lld "
                            "(only the channel axis, 3 in NHWC, is supported)",
                            (long long)a);
    return multi_input(c, node, OPC_OP_CONCAT, v2 ? 0 : 1, n->n_inputs - 1);
}

static int map_maxpool(tf_ctx *c, int node)
{
    int rc, x, kernel[2], stride[2], pad[4], pad_same;
    if ((rc = check_float(c, node)) || (rc = check_nhwc(c, node)) ||
        (rc = window_attr(c, node, "ksize", 0, kernel)) ||
        (rc = window_attr(c, node, "strides", 0, stride)) ||
        (rc = padding_attr(c, node, pad, &pad_same)) || (rc = tf_in_blob(c, node, 0, &x)))
        return rc;
    opc_layer *l = tf_new_layer(c, node, OPC_OP_MAXPOOL);
    if (!l)
        return OPC_ERR_NOMEM;
    l->inputs[l->n_inputs++] = x;
    memcpy(l->kernel, kernel, sizeof kernel);
    memcpy(l->stride, stride, sizeof stride);
    memcpy(l->pad, pad, sizeof pad);
    l->pad_same = pad_same;
    return OPC_OK;
}

/* A constant [h, w] size becomes an integer factor of the resized blob's size at the
 * input size the graph was built for (the only way a fixed size can follow a varying
 * net resolution). */
static int resize_factor(tf_ctx *c, int node, int x, const tf_tensor *size, int *factor)
{
    if (size->count != 2 || size->i[0] < 1 || size->i[1] < 1 || size->i[0] > 65536 ||
        size->i[1] > 65536)
        return tf_node_fail(c, node, OPC_ERR_FORMAT, "size must be 2 positive numbers");
    int oh = (int)size->i[0], ow = (int)size->i[1];
    if (!c->ref_w || !c->ref_h)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED,
                            "fixed size %dx%d: give the input size the graph was made for "
                            "with --net-resolution WxH",
                            ow, oh);
    opc_shape *shapes = calloc((size_t)c->g->n_blobs, sizeof *shapes);
    if (!shapes)
        return opc_fail(c->err, OPC_ERR_NOMEM, "%s: out of memory", c->path);
    opc_error why;
    int rc = opc_graph_infer_shapes(c->g, c->ref_h, c->ref_w, shapes, &why);
    opc_shape in = shapes[x];
    free(shapes);
    if (rc)
        return tf_node_fail(c, node, rc, "at %dx%d: %s", c->ref_w, c->ref_h, why.msg);
    if (oh % in.h || ow % in.w || oh / in.h != ow / in.w)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED,
                            "fixed size %dx%d is not a whole multiple of its %dx%d input at %dx%d",
                            ow, oh, in.w, in.h, c->ref_w, c->ref_h);
    *factor = oh / in.h;
    return OPC_OK;
}

/* ResizeBilinear(images, size) with TensorFlow's legacy rule only (align_corners and
 * half_pixel_centers false). size is a Const or the [H, W] of another tensor's Shape. */
static int map_resize(tf_ctx *c, int node)
{
    int rc, x, s, align, half;
    if ((rc = check_float(c, node)) || (rc = bool_attr(c, node, "align_corners", 0, &align)) ||
        (rc = bool_attr(c, node, "half_pixel_centers", 0, &half)) ||
        (rc = tf_in_blob(c, node, 0, &x)) || (rc = tf_source(c, node, 1, &s)))
        return rc;
    if (align || half)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED,
                            "%s (only the legacy rule, src = dst * in / out, is supported)",
                            align ? "align_corners" : "half_pixel_centers");
    int size_ref = -1, factor = 0;
    if (c->val[s].kind == TF_V_HW) {
        size_ref = c->val[s].blob;
    } else if (c->val[s].kind == TF_V_CONST) {
        tf_tensor size;
        if ((rc = tf_in_const(c, node, 1, TF_DT_INT64, &size)))
            return rc;
        rc = resize_factor(c, node, x, &size, &factor);
        tf_tensor_free(&size);
        if (rc)
            return rc;
    } else {
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED,
                            "size %s is neither a constant nor the [H, W] of a Shape",
                            node_of(c, s)->name);
    }
    opc_layer *l = tf_new_layer(c, node, OPC_OP_RESIZE);
    if (!l)
        return OPC_ERR_NOMEM;
    l->inputs[l->n_inputs++] = x;
    l->size_ref = size_ref;
    l->resize_factor = factor;
    return OPC_OK;
}

static int map_shape(tf_ctx *c, int node)
{
    int rc, x;
    if ((rc = tf_in_blob(c, node, 0, &x)))
        return rc;
    c->val[node] = (tf_value){TF_V_SHAPE, x};
    return OPC_OK;
}

/* StridedSlice of a Shape: only the [H, W] part ([1:3] of [N, H, W, C]) is supported,
 * which is how graphs resize one tensor to another's size. */
static int map_strided_slice(tf_ctx *c, int node)
{
    int rc, s;
    if ((rc = tf_source(c, node, 0, &s)))
        return rc;
    if (c->val[s].kind != TF_V_SHAPE)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED, "slices %s, which is not a Shape",
                            node_of(c, s)->name);
    int64_t masks[5];
    static const char *const mask_names[5] = {"begin_mask", "end_mask", "ellipsis_mask",
                                              "new_axis_mask", "shrink_axis_mask"};
    for (int k = 0; k < 5; k++)
        if ((rc = int_attr(c, node, mask_names[k], 0, &masks[k])))
            return rc;
    tf_tensor t[3] = {{0}}; /* begin, end, strides */
    for (int k = 0; k < 3 && rc == OPC_OK; k++)
        rc = tf_in_const(c, node, k + 1, TF_DT_INT64, &t[k]);
    int64_t range[3] = {0, 0, 0};
    int ok = rc == OPC_OK && t[0].count == 1 && t[1].count == 1 && t[2].count == 1 &&
             !masks[2] && !masks[3] && !masks[4];
    if (ok) {
        for (int k = 0; k < 2; k++) {
            int64_t v = t[k].i[0] < 0 ? t[k].i[0] + 4 : t[k].i[0];
            range[k] = (masks[k] & 1) ? (k ? 4 : 0) : v < 0 ? 0 : v > 4 ? 4 : v;
        }
        range[2] = t[2].i[0];
    }
    for (int k = 0; k < 3; k++)
        tf_tensor_free(&t[k]);
    if (rc)
        return rc;
    if (!ok || range[0] != 1 || range[1] != 3 || range[2] != 1)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED,
                            "only the [1:3] slice ([H, W]) of a 4-D shape is supported");
    c->val[node] = (tf_value){TF_V_HW, c->val[s].blob};
    return OPC_OK;
}

static const struct {
    const char *op;
    tf_map_fn fn;
} OPS[] = {
    {"Placeholder", map_placeholder},
    {"Const", map_const},
    {"Conv2D", map_conv},
    {"DepthwiseConv2dNative", map_conv},
    {"_FusedConv2D", map_fused_conv},
    {"FusedDepthwiseConv2dNative", map_fused_conv},
    {"BiasAdd", map_bias_add},
    {"FusedBatchNorm", map_batch_norm},
    {"FusedBatchNormV2", map_batch_norm},
    {"FusedBatchNormV3", map_batch_norm},
    {"Relu", map_act},
    {"Relu6", map_act},
    {"Elu", map_act},
    {"Sigmoid", map_act},
    {"Add", map_add},
    {"AddV2", map_add},
    {"AddN", map_add},
    {"ConcatV2", map_concat},
    {"Concat", map_concat},
    {"MaxPool", map_maxpool},
    {"ResizeBilinear", map_resize},
    {"Shape", map_shape},
    {"StridedSlice", map_strided_slice},
};

tf_map_fn tf_op_mapper(const char *op)
{
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
        if (strcmp(OPS[i].op, op) == 0)
            return OPS[i].fn;
    return NULL;
}
