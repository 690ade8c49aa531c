/* The converters' scale folding (fold_scales.c) on graphs built here. A scale (AFFINE or 1x1
 * depthwise conv, no activation) read only by an unpadded, ungrouped 1x1 conv disappears,
 * its blob too (the others renumbered in order, so the graph still validates), and the
 * network computes the same: reference engine, folded against unfolded, rel L2 <= 1e-6 (the
 * fold only rounds the products of weights and scales once more, about 6e-8 each). A scale
 * with an activation, with a second reader, before a padded or grouped conv, read for a
 * resize's size, or being the output, stays. */
#include "convert/common/convert_common.h"
#include "engine_graphs.h"

#define C 16
#define W 20
#define H 17

static const char *dir;

/* conv 3x3 + ReLU from the 8-channel input: a non-linear layer the scales come after. */
static int trunk(opc_graph *g, unsigned *seed)
{
    tg_conv_spec s = {.cout = C, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU};
    return tg_conv(g, "trunk", 0, 8, s, seed);
}

static int affine(opc_graph *g, const char *name, int in, opc_act act, unsigned *seed)
{
    return tg_channelwise(g, OPC_OP_AFFINE, name, in, C, act, seed);
}

static int conv1x1(opc_graph *g, const char *name, int in, int group, unsigned *seed)
{
    tg_conv_spec s = {.cout = C, .kh = 1, .kw = 1, .group = group};
    return tg_conv(g, name, in, C, s, seed);
}

/* Each builds the same graph for the same seed; returns it with the head appended. */
static opc_graph *affine_then_head(unsigned seed)
{
    opc_graph *g = tg_new(8);
    tg_head(g, affine(g, "scale", trunk(g, &seed), OPC_ACT_NONE, &seed), C, &seed);
    return g;
}

static opc_graph *depthwise_then_head(unsigned seed)
{
    opc_graph *g = tg_new(8);
    tg_head(g, conv1x1(g, "scale", trunk(g, &seed), C, &seed), C, &seed);
    return g;
}

/* Two folds, the second into a 1x1 conv that is itself followed by more layers. */
static opc_graph *two_folds(unsigned seed)
{
    opc_graph *g = tg_new(8);
    int s1 = affine(g, "scale1", trunk(g, &seed), OPC_ACT_NONE, &seed);
    int c1 = tg_act(g, "relu1", conv1x1(g, "c1", s1, 1, &seed), OPC_ACT_RELU, C, &seed);
    int s2 = conv1x1(g, "scale2", c1, C, &seed);
    int c2 = conv1x1(g, "c2", s2, 1, &seed);
    tg_head(g, tg_pool(g, "x_pool", c2, 2, 1, NULL, 0, 1), C, &seed);
    return g;
}

/* A fold before a resize that takes its size from a later blob, renumbered. */
static opc_graph *fold_then_resize(unsigned seed)
{
    opc_graph *g = tg_new(8);
    int s = affine(g, "scale", trunk(g, &seed), OPC_ACT_NONE, &seed);
    int c = conv1x1(g, "c", s, 1, &seed);
    int half = tg_pool(g, "x_half", c, 2, 2, NULL, 0, 1);
    tg_head(g, tg_resize(g, "up", half, c, 0), C, &seed);
    return g;
}

/* scale1 -> scale2 -> head: scale2 folds into the head, scale1 (read by a scale) stays. */
static opc_graph *chain(unsigned seed)
{
    opc_graph *g = tg_new(8);
    int s1 = affine(g, "scale1", trunk(g, &seed), OPC_ACT_NONE, &seed);
    tg_head(g, affine(g, "scale2", s1, OPC_ACT_NONE, &seed), C, &seed);
    return g;
}

static opc_graph *activated(unsigned seed)
{
    opc_graph *g = tg_new(8);
    tg_head(g, affine(g, "scale", trunk(g, &seed), OPC_ACT_RELU, &seed), C, &seed);
    return g;
}

static opc_graph *two_readers(unsigned seed)
{
    opc_graph *g = tg_new(8);
    int s = affine(g, "scale", trunk(g, &seed), OPC_ACT_NONE, &seed);
    int c = conv1x1(g, "c", s, 1, &seed);
    tg_head(g, tg_add(g, "sum", 2, (int[]){c, s}, OPC_ACT_NONE, C, &seed), C, &seed);
    return g;
}

static opc_graph *padded_reader(unsigned seed)
{
    opc_graph *g = tg_new(8);
    int s = affine(g, "scale", trunk(g, &seed), OPC_ACT_NONE, &seed);
    tg_conv_spec p = {.cout = C, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}};
    tg_head(g, tg_conv(g, "padded", s, C, p, &seed), C, &seed);
    return g;
}

static opc_graph *grouped_reader(unsigned seed)
{
    opc_graph *g = tg_new(8);
    int s = affine(g, "scale", trunk(g, &seed), OPC_ACT_NONE, &seed);
    tg_head(g, conv1x1(g, "grouped", s, 4, &seed), C, &seed);
    return g;
}

/* The scale gives a resize its size besides feeding a 1x1 conv. */
static opc_graph *size_ref(unsigned seed)
{
    opc_graph *g = tg_new(8);
    int s = affine(g, "scale", trunk(g, &seed), OPC_ACT_NONE, &seed);
    int half = tg_pool(g, "x_half", conv1x1(g, "c", s, 1, &seed), 2, 2, NULL, 0, 1);
    tg_head(g, tg_resize(g, "up", half, s, 0), C, &seed);
    return g;
}

/* The output itself is a scale of the head. */
static opc_graph *scale_is_output(unsigned seed)
{
    opc_graph *g = tg_new(8);
    tg_head(g, trunk(g, &seed), C, &seed);
    g->outputs[0].blob = tg_channelwise(g, OPC_OP_AFFINE, "out_scale", g->outputs[0].blob,
                                    opc_paf_topology_builtin("coco")->total_channels,
                                    OPC_ACT_NONE, &seed);
    return g;
}

static const opc_tensor *forward(opc_net *n, const opc_tensor *in)
{
    const opc_tensor *out = NULL;
    opc_error err;
    CHECK(opc_net_forward(n, in, &out, &err) == OPC_OK, "%s", err.msg);
    return out;
}

static void check(const char *name, opc_graph *(*build)(unsigned), int removed)
{
    opc_graph *plain = build(7), *folded = build(7);
    opc_error err;
    char pname[64], fname[64];
    CHECK(opc_convert_fold_scales(folded, &err) == OPC_OK, "%s: %s", name, err.msg);
    CHECK(plain->n_layers - folded->n_layers == removed &&
              plain->n_blobs - folded->n_blobs == removed,
          "%s: %d of %d layers and %d of %d blobs left, expected %d fewer", name,
          folded->n_layers, plain->n_layers, folded->n_blobs, plain->n_blobs, removed);
    CHECK(opc_graph_validate(folded, W, H, NULL, &err) == OPC_OK, "%s: %s", name, err.msg);
    snprintf(pname, sizeof pname, "%s_plain", name);
    snprintf(fname, sizeof fname, "%s_folded", name);
    opc_model *mp = tg_open(plain, dir, pname), *mf = tg_open(folded, dir, fname);
    opc_net *np = tg_net(mp, OPC_ENGINE_REFERENCE, 1), *nf = tg_net(mf, OPC_ENGINE_REFERENCE, 1);
    opc_tensor in;
    tg_input(&in, 8, H, W, 3);
    const opc_tensor *a = forward(np, &in), *b = forward(nf, &in);
    if (a && b) {
        opc_diff d = opc_compare(b->data, a->data, opc_tensor_count(a));
        CHECK(opc_tensor_count(a) == opc_tensor_count(b) && d.rel_l2 <= 1e-6 && !d.nonfinite,
              "%s: folded differs, rel L2 %g", name, d.rel_l2);
    }
    opc_tensor_free(&in);
    opc_net_free(np);
    opc_net_free(nf);
    opc_model_close(mp);
    opc_model_close(mf);
    opc_graph_free(plain);
    opc_graph_free(folded);
}

int main(void)
{
    dir = opc_test_tmpdir("fold_scales");
    check("affine_then_head", affine_then_head, 1);
    check("depthwise_then_head", depthwise_then_head, 1);
    check("two_folds", two_folds, 2);
    check("fold_then_resize", fold_then_resize, 1);
    check("chain", chain, 1);
    check("activated", activated, 0);
    check("two_readers", two_readers, 0);
    check("padded_reader", padded_reader, 0);
    check("grouped_reader", grouped_reader, 0);
    check("size_ref", size_ref, 0);
    check("scale_is_output", scale_is_output, 0);
    return opc_test_result();
}
