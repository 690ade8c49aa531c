/* net_layers MODEL INPUT.npy TMPDIR [MAX_MMAC]: every distinct layer of a converted
 * network, each alone in a one-layer graph with the model's own weights, through the fast
 * engine (2 threads) and the reference engine on the activations it really sees: the
 * network is run (fast engine) on INPUT (NCHW, or NHWC where the model says so) and each
 * layer is given its own input blob. The layer's output must agree to relative L2 <= 1e-5
 * and max |diff| <= 1e-4 x max(1, max |reference|), with no NaN. Run by
 * test_engine_net_layers.sh on the full OpenPose networks, MobileNetV2-small, Lightweight
 * OpenPose and the hourglass.
 *
 * Layers count as the same when everything a kernel choice or its arithmetic can depend
 * on is the same: op, kernel, stride, dilation, padding, groups, channels, activation and
 * input size. The reference engine sums in double with plain loops (about 0.25 GMAC/s), so
 * a layer above MAX_MMAC (default 40, under the sanitizers 8) million multiply-accumulates
 * gets the centre of its input, cut smaller (not below its kernel): the channels, which
 * decide the kernel and its blocking, stay the network's; every kernel's small-map
 * geometries are test_engine_ops's.
 * Concatenations, additions and resizes (several inputs, no kernel chosen by shape) are
 * left to the whole-graph tests.
 *
 * Real activations, not noise: on uniform random inputs COCO's F(3x3, 7x7) layers differ
 * from the reference by 1.2e-5 to 1.8e-5 relative, on the network's own activations by
 * 3.5e-6 and 5.2e-6. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_graphs.h"

static opc_weight copy_weight(opc_graph *g, const opc_weight *w)
{
    opc_weight out = {0};
    if (!w->data)
        return out;
    opc_error err;
    float *d = opc_graph_new_weight(g, &out, w->ndim, w->shape, &err);
    if (!d) {
        fprintf(stderr, "net_layers: %s\n", err.msg);
        exit(1);
    }
    memcpy(d, w->data, w->count * sizeof(float));
    return out;
}

/* The layer's multiply-accumulates at input h x w (its output size from the stride). */
static double layer_mmac(const opc_layer *l, int cin, int h, int w)
{
    if (l->op != OPC_OP_CONV)
        return 0.0;
    double oh = (double)h / l->stride[0], ow = (double)w / l->stride[1];
    return (double)l->out_channels * cin / l->group * l->kernel[0] * l->kernel[1] * oh * ow /
           1e6;
}

/* A one-layer copy of l on g's input, then tg_head's 1x1 to the topology's
 * channels (model files need them). Returns the layer's output blob. */
static int one_layer(opc_graph *g, const opc_layer *l, int cout, unsigned *seed)
{
    opc_layer *c = tg_layer(g, l->op, "layer", 1, (int[]){0});
    int out = c->output;
    memcpy(c->kernel, l->kernel, sizeof c->kernel);
    memcpy(c->stride, l->stride, sizeof c->stride);
    memcpy(c->dilation, l->dilation, sizeof c->dilation);
    memcpy(c->pad, l->pad, sizeof c->pad);
    c->pad_same = l->pad_same;
    c->ceil_mode = l->ceil_mode;
    c->group = l->group;
    c->out_channels = l->out_channels;
    c->act = l->act;
    c->eps = l->eps;
    c->weight = copy_weight(g, &l->weight);
    c->bias = copy_weight(g, &l->bias);
    c->slope = copy_weight(g, &l->slope);
    tg_head(g, out, cout, seed);
    return out;
}

/* The h x w centre of channel plane set t, into out. */
static void crop(const opc_tensor *t, int h, int w, opc_tensor *out)
{
    opc_error err;
    if (opc_tensor_alloc(out, 1, t->c, h, w, &err) != OPC_OK)
        exit(1);
    int y0 = (t->h - h) / 2, x0 = (t->w - w) / 2;
    for (int c = 0; c < t->c; c++)
        for (int y = 0; y < h; y++)
            memcpy(out->data + ((size_t)c * h + y) * w,
                   t->data + ((size_t)c * t->h + y0 + y) * t->w + x0, (size_t)w * sizeof(float));
}

/* Runs the one-layer graph through both engines on `in` and checks the layer's output. */
static void check_layer(const char *dir, const opc_graph *g, int blob, const char *what,
                        const opc_tensor *in)
{
    opc_model *m = tg_open(g, dir, "layer");
    opc_net *ref = tg_net(m, OPC_ENGINE_REFERENCE, 1), *fast = tg_net(m, OPC_ENGINE_FAST, 2);
    opc_tensor r = {0}, f = {0};
    const char *name = g->blob_names[blob];
    opc_error err;
    int rc1 = opc_net_forward_blobs(ref, in, 1, &name, &r, &err);
    CHECK(rc1 == OPC_OK, "%s: reference: %s", what, err.msg);
    int rc2 = opc_net_forward_blobs(fast, in, 1, &name, &f, &err);
    CHECK(rc2 == OPC_OK, "%s: fast: %s", what, err.msg);
    if (rc1 == OPC_OK && rc2 == OPC_OK) {
        opc_diff d = opc_compare(f.data, r.data, opc_tensor_count(&r));
        double bound = 1e-4 * (d.max_ref > 1.0 ? d.max_ref : 1.0);
        CHECK(d.rel_l2 <= 1e-5 && d.max_abs <= bound && d.nonfinite == 0,
              "%s: rel %g max %g (bound %g) nonfinite %zu", what, d.rel_l2, d.max_abs, bound,
              d.nonfinite);
        printf("%s: rel %.1e max %.1e\n", what, d.rel_l2, d.max_abs);
    }
    opc_tensor_free(&r);
    opc_tensor_free(&f);
    opc_net_free(ref);
    opc_net_free(fast);
    opc_model_close(m);
}

/* Every blob of the network on input x (fast engine): blobs[0] is x itself. */
static opc_tensor *all_blobs(const opc_model *m, const opc_graph *net, const opc_tensor *x)
{
    int n = net->n_blobs - 1;
    opc_tensor *b = calloc((size_t)net->n_blobs, sizeof *b);
    opc_net *fast = tg_net(m, OPC_ENGINE_FAST, 2);
    opc_error err;
    if (!b || opc_net_forward_blobs(fast, x, n, (const char *const *)net->blob_names + 1, b + 1,
                                    &err) != OPC_OK) {
        fprintf(stderr, "net_layers: forward: %s\n", b ? err.msg : "no memory");
        exit(1);
    }
    opc_net_free(fast);
    b[0] = *x;
    return b;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: net_layers MODEL INPUT.npy TMPDIR [MAX_MMAC]\n");
        return 2;
    }
    /* Under the sanitizers smaller crops: the same kernels run, on a fifth of the work. */
    double max_mmac = argc == 5 ? atof(argv[4]) : opc_test_sanitized() ? 8.0 : 40.0;
    opc_error err;
    opc_tensor x = {0}, raw = {0};
    opc_model *m = opc_model_open(argv[1], &err);
    if (!m || opc_npy_read(argv[2], &raw, &err) != OPC_OK) {
        fprintf(stderr, "net_layers: %s\n", err.msg);
        return 1;
    }
    const opc_graph *net = opc_model_graph(m);
    if (!net->preprocess.nhwc)
        x = raw;
    else if (opc_test_nhwc_to_nchw(&raw, &x, &err) != 0)
        return 1;
    opc_shape *shapes = calloc((size_t)net->n_blobs, sizeof *shapes);
    char (*seen)[160] = calloc((size_t)net->n_layers, sizeof *seen);
    if (!shapes || !seen || opc_graph_infer_shapes(net, x.h, x.w, shapes, &err) != OPC_OK) {
        fprintf(stderr, "net_layers: %s: %s\n", argv[1], shapes && seen ? err.msg : "no memory");
        return 1;
    }
    opc_tensor *blobs = all_blobs(m, net, &x);
    int n_seen = 0;
    unsigned seed = 99u;
    for (int i = 0; i < net->n_layers; i++) {
        const opc_layer *l = &net->layers[i];
        if (l->n_inputs != 1 || l->op == OPC_OP_CONCAT || l->op == OPC_OP_RESIZE)
            continue;
        opc_shape is = shapes[l->inputs[0]], os = shapes[l->output];
        char key[160];
        snprintf(key, sizeof key, "%d k%dx%d s%dx%d d%dx%d p%d,%d,%d,%d%s%s g%d %d->%d a%d %dx%d",
                 l->op, l->kernel[0], l->kernel[1], l->stride[0], l->stride[1], l->dilation[0],
                 l->dilation[1], l->pad[0], l->pad[1], l->pad[2], l->pad[3],
                 l->pad_same ? " same" : "", l->ceil_mode ? " ceil" : "", l->group, is.c, os.c,
                 l->act, is.w, is.h);
        int dup = 0;
        for (int k = 0; k < n_seen && !dup; k++)
            dup = !strcmp(seen[k], key);
        if (dup)
            continue;
        memcpy(seen[n_seen++], key, sizeof key);
        int h = is.h, w = is.w, min_h = l->kernel[0] * l->dilation[0],
            min_w = l->kernel[1] * l->dilation[1];
        while (layer_mmac(l, is.c, h, w) > max_mmac && (h > min_h || w > min_w)) {
            h = h * 3 / 4 > min_h ? h * 3 / 4 : min_h;
            w = w * 3 / 4 > min_w ? w * 3 / 4 : min_w;
        }
        h = h < is.h ? h : is.h;
        w = w < is.w ? w : is.w;
        opc_graph *g = tg_new(is.c);
        int blob = one_layer(g, l, os.c, &seed);
        opc_tensor in;
        crop(&blobs[l->inputs[0]], h, w, &in);
        char what[400];
        snprintf(what, sizeof what, "%s [%s] at %dx%d", l->name, key, w, h);
        check_layer(argv[3], g, blob, what, &in);
        opc_tensor_free(&in);
        opc_graph_free(g);
    }
    printf("%s: %d distinct layers of %d checked\n", argv[1], n_seen, net->n_layers);
    for (int b = 1; b < net->n_blobs; b++)
        opc_tensor_free(&blobs[b]);
    free(blobs);
    if (x.data != raw.data)
        opc_tensor_free(&x);
    opc_tensor_free(&raw);
    free(seen);
    free(shapes);
    opc_model_close(m);
    return opc_test_failures ? 1 : 0;
}
