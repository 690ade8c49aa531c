/* Helpers for engine tests: build small graphs layer by layer with random weights, write
 * them as model files and open them, make random inputs. Header-only (static) because
 * every tests/test_*.c is its own program. */
#ifndef OPC_TEST_ENGINE_GRAPHS_H
#define OPC_TEST_ENGINE_GRAPHS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/common/convert_common.h"
#include "model/graph.h"
#include "openpose-c/net.h"
#include "testutil.h"

/* A deterministic uniform value in [-1, 1) (xorshift32). */
static inline float tg_rand(unsigned *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return (float)((double)*s / 2147483648.0 - 1.0);
}

static inline void tg_fill(float *p, size_t n, float scale, unsigned *seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = scale * tg_rand(seed);
}

/* A graph on a c-channel input with the COCO topology (so its output must have 57
 * channels). Its default size is 32 x 32 (model files want sides >= 16), which the graph
 * must accept besides the size a test runs it at. */
static inline opc_graph *tg_new(int c)
{
    opc_graph *g = opc_graph_new("data", c);
    g->name = opc_graph_strdup(g, "test");
    g->source = opc_graph_strdup(g, "engine test");
    g->preprocess = opc_convert_openpose_preprocess(1.0f / 256, -0.5f, 0, 8, 32, 32);
    return g;
}

static inline int tg_blob_c(const opc_graph *g, int blob, int w, int h)
{
    opc_shape *s = calloc((size_t)g->n_blobs, sizeof *s);
    opc_error err;
    int c = -1;
    if (opc_graph_infer_shapes(g, h, w, s, &err) == OPC_OK)
        c = s[blob].c;
    free(s);
    return c;
}

static inline opc_layer *tg_layer(opc_graph *g, opc_op op, const char *name, int n_in,
                                  const int *in)
{
    opc_error err;
    opc_layer *l = opc_graph_add_layer(g, op, name, name, &err);
    if (!l) {
        fprintf(stderr, "test graph: %s\n", err.msg);
        exit(1);
    }
    for (int k = 0; k < n_in; k++)
        l->inputs[l->n_inputs++] = in[k];
    return l;
}

static inline void tg_prelu(opc_graph *g, opc_layer *l, int c, int shared, unsigned *seed)
{
    opc_error err;
    int n = shared ? 1 : c;
    float *s = opc_graph_new_weight(g, &l->slope, 1, &n, &err);
    for (int i = 0; i < n; i++)
        s[i] = 0.1f + 0.2f * (tg_rand(seed) + 1.0f);
}

/* Sets l's activation with test parameters: PReLU slopes (one shared or per channel), ELU
 * alpha 0.7, CLAMP to [-0.5, 2.5] (so that both bounds clip some values). */
static inline void tg_set_act(opc_graph *g, opc_layer *l, opc_act act, int c, int shared_slope,
                              unsigned *seed)
{
    l->act = act;
    if (act == OPC_ACT_PRELU)
        tg_prelu(g, l, c, shared_slope, seed);
    if (act == OPC_ACT_ELU)
        l->act_param[0] = 0.7f;
    if (act == OPC_ACT_CLAMP) {
        l->act_param[0] = -0.5f;
        l->act_param[1] = 2.5f;
    }
}

typedef struct {
    int cout, kh, kw, sh, sw, dh, dw, group;
    int pad[4];     /* top, left, bottom, right */
    int pad_same;
    int no_bias;
    opc_act act;
    int shared_slope;
} tg_conv_spec;

/* A conv with He-like random weights (so activations keep their scale). Returns its blob. */
static inline int tg_conv(opc_graph *g, const char *name, int in, int in_c, tg_conv_spec s,
                          unsigned *seed)
{
    opc_error err;
    opc_layer *l = tg_layer(g, OPC_OP_CONV, name, 1, &in);
    l->kernel[0] = s.kh;
    l->kernel[1] = s.kw;
    l->stride[0] = s.sh ? s.sh : 1;
    l->stride[1] = s.sw ? s.sw : 1;
    l->dilation[0] = s.dh ? s.dh : 1;
    l->dilation[1] = s.dw ? s.dw : 1;
    l->group = s.group ? s.group : 1;
    memcpy(l->pad, s.pad, sizeof l->pad);
    l->pad_same = s.pad_same;
    l->out_channels = s.cout;
    int cin_g = in_c / l->group;
    float *w = opc_graph_new_weight(g, &l->weight, 4, (int[]){s.cout, cin_g, s.kh, s.kw}, &err);
    tg_fill(w, l->weight.count, sqrtf(3.0f / (float)(cin_g * s.kh * s.kw)), seed);
    if (!s.no_bias) {
        float *b = opc_graph_new_weight(g, &l->bias, 1, &s.cout, &err);
        tg_fill(b, (size_t)s.cout, 0.1f, seed);
    }
    tg_set_act(g, l, s.act, s.cout, s.shared_slope, seed);
    return l->output;
}

static inline int tg_pool(opc_graph *g, const char *name, int in, int k, int stride,
                          const int pad[4], int pad_same, int ceil_mode)
{
    opc_layer *l = tg_layer(g, OPC_OP_MAXPOOL, name, 1, &in);
    l->kernel[0] = l->kernel[1] = k;
    l->stride[0] = l->stride[1] = stride;
    if (pad)
        memcpy(l->pad, pad, sizeof l->pad);
    l->pad_same = pad_same;
    l->ceil_mode = ceil_mode;
    return l->output;
}

static inline int tg_concat(opc_graph *g, const char *name, int n, const int *in)
{
    return tg_layer(g, OPC_OP_CONCAT, name, n, in)->output;
}

static inline int tg_add(opc_graph *g, const char *name, int n, const int *in, opc_act act,
                         int c, unsigned *seed)
{
    opc_layer *l = tg_layer(g, OPC_OP_ADD, name, n, in);
    tg_set_act(g, l, act, c, 0, seed);
    return l->output;
}

static inline int tg_act(opc_graph *g, const char *name, int in, opc_act act, int c,
                         unsigned *seed)
{
    opc_layer *l = tg_layer(g, OPC_OP_ACT, name, 1, &in);
    tg_set_act(g, l, act, c, 0, seed);
    return l->output;
}

/* AFFINE or INSTANCE_NORM with random per-channel weight and bias. */
static inline int tg_channelwise(opc_graph *g, opc_op op, const char *name, int in, int c,
                                 opc_act act, unsigned *seed)
{
    opc_error err;
    opc_layer *l = tg_layer(g, op, name, 1, &in);
    l->eps = 1e-3f;
    float *w = opc_graph_new_weight(g, &l->weight, 1, &c, &err);
    float *b = opc_graph_new_weight(g, &l->bias, 1, &c, &err);
    for (int i = 0; i < c; i++) {
        w[i] = 0.5f + 0.5f * (tg_rand(seed) + 1.0f);
        b[i] = 0.2f * tg_rand(seed);
    }
    tg_set_act(g, l, act, c, 0, seed);
    return l->output;
}

/* Resize (bilinear) to size_ref's H x W (size_ref >= 0) or by an integer factor. */
static inline int tg_resize(opc_graph *g, const char *name, int in, int size_ref, int factor)
{
    opc_layer *l = tg_layer(g, OPC_OP_RESIZE, name, 1, &in);
    l->size_ref = size_ref;
    l->resize_factor = factor;
    return l->output;
}

/* The same with another mode and an activation. */
static inline int tg_resize_mode(opc_graph *g, const char *name, int in, int size_ref, int factor,
                                 opc_resize_mode mode, opc_act act, int c, unsigned *seed)
{
    int out = tg_resize(g, name, in, size_ref, factor);
    opc_layer *l = &g->layers[g->n_layers - 1];
    l->resize_mode = mode;
    tg_set_act(g, l, act, c, 0, seed);
    return out;
}

/* Ends the graph with a 1x1 conv to COCO's 57 channels and makes it the output "maps" of
 * a "paf" head. */
static inline void tg_head(opc_graph *g, int in, int in_c, unsigned *seed)
{
    const opc_paf_topology *t = opc_paf_topology_builtin("coco");
    tg_conv_spec s = {.cout = t->total_channels, .kh = 1, .kw = 1};
    opc_error err;
    if (opc_convert_paf_output(g, t, tg_conv(g, "head", in, in_c, s, seed), &err) != OPC_OK) {
        fprintf(stderr, "test graph: %s\n", err.msg);
        exit(1);
    }
}

/* Writes g to dir/name.opc and opens it; exits on failure (a broken test, not a result). */
static inline opc_model *tg_open(const opc_graph *g, const char *dir, const char *name)
{
    char path[8400];
    opc_error err;
    snprintf(path, sizeof path, "%s/%s.opc", dir, name);
    opc_model *m = NULL;
    if (opc_model_write(g, path, &err) != OPC_OK || !(m = opc_model_open(path, &err))) {
        fprintf(stderr, "test graph %s: %s\n", name, err.msg);
        exit(1);
    }
    return m;
}

static inline void tg_input(opc_tensor *t, int c, int h, int w, unsigned seed)
{
    opc_error err;
    if (opc_tensor_alloc(t, 1, c, h, w, &err) != OPC_OK)
        exit(1);
    tg_fill(t->data, opc_tensor_count(t), 1.0f, &seed);
}

static inline opc_net *tg_net(const opc_model *m, opc_engine e, int threads)
{
    opc_error err;
    opc_net_options o = {threads, e};
    opc_net *n = opc_net_create(m, &o, &err);
    if (!n) {
        fprintf(stderr, "net: %s\n", err.msg);
        exit(1);
    }
    return n;
}

#endif
