/* The ops' exact semantics, on hand-worked examples (both engines): Caffe's ceil-mode
 * pooling and its window clipping, TF SAME padding (asymmetric: the extra row/column goes
 * after), asymmetric explicit padding, dilation, TF's legacy bilinear resize, instance
 * normalisation on a nearly constant channel, PReLU/ReLU6, ADD and AFFINE. Expected values
 * are worked out by hand in the comments, not computed by engine code. */
#include "engine_graphs.h"

static const char *dir;
static int case_no;

/* in: 1 x c x h x w holding 0, 1, 2, ... (the "ramp") unless values is given. */
static void make_input(opc_tensor *t, int c, int h, int w, const float *values)
{
    opc_error err;
    opc_tensor_alloc(t, 1, c, h, w, &err);
    for (size_t i = 0; i < opc_tensor_count(t); i++)
        t->data[i] = values ? values[i] : (float)i;
}

/* Runs both engines and checks blob `blob` against want (oc x oh x ow), within tol. */
static void expect(opc_graph *g, int blob, const opc_tensor *in, int oc, int oh, int ow,
                   const float *want, double tol)
{
    char name[32];
    snprintf(name, sizeof name, "case%d", ++case_no);
    unsigned seed = 7;
    if (g->n_outputs == 0)
        tg_head(g, blob, tg_blob_c(g, blob, 32, 32), &seed);
    opc_model *m = tg_open(g, dir, name);
    const char *bn = g->blob_names[blob];
    for (int e = 0; e < 2; e++) {
        opc_net *net = tg_net(m, e ? OPC_ENGINE_REFERENCE : OPC_ENGINE_FAST, 2);
        opc_tensor out;
        opc_error err;
        int rc = opc_net_forward_blob(net, in, bn, &out, &err);
        CHECK(rc == OPC_OK, "%s: %s", bn, err.msg);
        if (rc == OPC_OK) {
            CHECK(out.c == oc && out.h == oh && out.w == ow, "%s %s: shape %dx%dx%d, want %dx%dx%d",
                  e ? "reference" : "fast", bn, out.c, out.h, out.w, oc, oh, ow);
            if (out.c == oc && out.h == oh && out.w == ow)
                for (size_t i = 0; i < opc_tensor_count(&out); i++)
                    CHECK(fabs(out.data[i] - want[i]) <= tol, "%s %s[%zu] = %.7g, want %.7g",
                          e ? "reference" : "fast", bn, i, out.data[i], want[i]);
        }
        opc_tensor_free(&out);
        opc_net_free(net);
    }
    opc_model_close(m);
    opc_graph_free(g);
}

/* A one-input-channel conv with the given 3x3-or-smaller weights and bias. */
static int conv_with(opc_graph *g, int in, int kh, int kw, const float *w, float bias,
                     const int pad[4], int pad_same, int stride, int dil)
{
    opc_error err;
    opc_layer *l = tg_layer(g, OPC_OP_CONV, "conv", 1, &in);
    l->kernel[0] = kh;
    l->kernel[1] = kw;
    l->stride[0] = l->stride[1] = stride;
    l->dilation[0] = l->dilation[1] = dil;
    if (pad)
        memcpy(l->pad, pad, sizeof l->pad);
    l->pad_same = pad_same;
    l->out_channels = 1;
    float *p = opc_graph_new_weight(g, &l->weight, 4, (int[]){1, 1, kh, kw}, &err);
    memcpy(p, w, (size_t)kh * kw * sizeof(float));
    *opc_graph_new_weight(g, &l->bias, 1, (int[]){1}, &err) = bias;
    return l->output;
}

static void pooling(void)
{
    opc_tensor in;
    /* 5x5 ramp (x[r][c] = 5r + c), 2x2/2 ceil: rows and columns {0,1} {2,3} {4}. */
    make_input(&in, 1, 5, 5, NULL);
    opc_graph *g = tg_new(1);
    expect(g, tg_pool(g, "pool", 0, 2, 2, NULL, 0, 1), &in, 1, 3, 3,
           (float[]){6, 8, 9, 16, 18, 19, 21, 23, 24}, 0);
    /* The same in floor mode drops the last row and column. */
    g = tg_new(1);
    expect(g, tg_pool(g, "pool", 0, 2, 2, NULL, 0, 0), &in, 1, 2, 2, (float[]){6, 8, 16, 18}, 0);
    /* 2x2/2 pad 1 ceil on 5: ceil(5/2)+1 = 4 windows, but the 4th would start at 6 - 1 = 5,
     * past the image, so Caffe keeps 3: rows {0} {1,2} {3,4}. */
    g = tg_new(1);
    expect(g, tg_pool(g, "pool", 0, 2, 2, (int[]){1, 1, 1, 1}, 0, 1), &in, 1, 3, 3,
           (float[]){0, 2, 4, 10, 12, 14, 20, 22, 24}, 0);
    opc_tensor_free(&in);

    /* 4x4 ramp (x = 4r + c), 3x3/2 pad 1 ceil: 3 windows, rows {0,1} {1,2,3} {3}. */
    make_input(&in, 1, 4, 4, NULL);
    g = tg_new(1);
    expect(g, tg_pool(g, "pool", 0, 3, 2, (int[]){1, 1, 1, 1}, 0, 1), &in, 1, 3, 3,
           (float[]){5, 7, 7, 13, 15, 15, 13, 15, 15}, 0);
    /* TF SAME 3x3/2 on 4: 2 outputs, total pad 1, all of it after: rows {0,1,2} {2,3}. */
    g = tg_new(1);
    expect(g, tg_pool(g, "pool", 0, 3, 2, NULL, 1, 0), &in, 1, 2, 2, (float[]){10, 11, 14, 15}, 0);
    opc_tensor_free(&in);

    /* Padding never wins: on an all-negative input, a padded window's max is still an
     * image value. 3x3/1 pad 1 on [[-1,-2],[-3,-4]]: every window sees all four -> -1. */
    make_input(&in, 1, 2, 2, (float[]){-1, -2, -3, -4});
    g = tg_new(1);
    expect(g, tg_pool(g, "pool", 0, 3, 1, (int[]){1, 1, 1, 1}, 0, 0), &in, 1, 2, 2,
           (float[]){-1, -1, -1, -1}, 0);
    opc_tensor_free(&in);
}

static void convolution(void)
{
    opc_tensor in;
    make_input(&in, 1, 4, 4, NULL); /* x = 4r + c */
    /* TF SAME 3x3/2 on 4x4: pad 0 before, 1 after. Tap (0,0) reads x[2oy][2ox]. */
    opc_graph *g = tg_new(1);
    expect(g, conv_with(g, 0, 3, 3, (float[]){1, 0, 0, 0, 0, 0, 0, 0, 0}, 0, NULL, 1, 2, 1), &in,
           1, 2, 2, (float[]){0, 2, 8, 10}, 0);
    /* Tap (2,2) reads x[2oy+2][2ox+2]: only (0,0) is inside -> x[2][2] = 10. */
    g = tg_new(1);
    expect(g, conv_with(g, 0, 3, 3, (float[]){0, 0, 0, 0, 0, 0, 0, 0, 1}, 0, NULL, 1, 2, 1), &in,
           1, 2, 2, (float[]){10, 0, 0, 0}, 0);
    opc_tensor_free(&in);

    /* 1x1 conv, weight 1, bias 0.5, pads top 1, left 0, bottom 0, right 2 on [[1,2],[3,4]]:
     * 3x4, the padded cells are just the bias. */
    make_input(&in, 1, 2, 2, (float[]){1, 2, 3, 4});
    g = tg_new(1);
    expect(g, conv_with(g, 0, 1, 1, (float[]){1}, 0.5f, (int[]){1, 0, 0, 2}, 0, 1, 1), &in, 1, 3, 4,
           (float[]){.5f, .5f, .5f, .5f, 1.5f, 2.5f, .5f, .5f, 3.5f, 4.5f, .5f, .5f}, 0);
    opc_tensor_free(&in);

    /* 3x3 of ones, dilation 2, no pad on the 5x5 ramp: one output, the sum of x at rows
     * and columns {0,2,4}: 3 * 5 * (0+2+4) + 3 * (0+2+4) = 108. */
    make_input(&in, 1, 5, 5, NULL);
    g = tg_new(1);
    expect(g, conv_with(g, 0, 3, 3, (float[]){1, 1, 1, 1, 1, 1, 1, 1, 1}, 0, NULL, 0, 1, 2), &in,
           1, 1, 1, (float[]){108}, 0);
    opc_tensor_free(&in);
}

static void resize(void)
{
    opc_tensor in;
    /* x2 of [[0,1],[2,3]]: source coordinate dst/2, upper neighbour clamped, so the last
     * row and column repeat (no half-pixel shift: output (0,0) is exactly input (0,0)). */
    make_input(&in, 1, 2, 2, NULL);
    opc_graph *g = tg_new(1);
    expect(g, tg_resize(g, "up", 0, -1, 2), &in, 1, 4, 4,
           (float[]){0, .5f, 1, 1, 1, 1.5f, 2, 2, 2, 2.5f, 3, 3, 2, 2.5f, 3, 3}, 1e-6);
    opc_tensor_free(&in);

    /* 5x5 with x[r][c] = 10c; 3x3/1 max pool -> rows [20,30,40]; resized back to the
     * input's 5x5 (size_ref): source column c * 3/5 = 0, .6, 1.2, 1.8, 2.4
     * -> 20, 26, 32, 38, 40 (the last clamps to column 2). */
    float ramp[25];
    for (int i = 0; i < 25; i++)
        ramp[i] = (float)(10 * (i % 5));
    make_input(&in, 1, 5, 5, ramp);
    g = tg_new(1);
    int p = tg_pool(g, "pool", 0, 3, 1, NULL, 0, 0);
    float want[25];
    for (int i = 0; i < 25; i++)
        want[i] = (float[]){20, 26, 32, 38, 40}[i % 5];
    expect(g, tg_resize(g, "back", p, 0, 0), &in, 1, 5, 5, want, 1e-5);
    opc_tensor_free(&in);
}

/* Instance norm over 5x7 planes (vector loops and their tails), weight 2, bias 0.5, eps
 * 1e-3. Channel 0 is 1, 2, ..., 35: mean 18, biased variance (35^2 - 1) / 12 = 102.
 * Channels 1 and 2 are 1000 + j / 1024 (exact in float) for j = 0, 1, ..., 33, 35: in
 * that order in channel 1, permuted (entry (13 i + 20) mod 35, first value off the mean)
 * in channel 2. Sum of j 596, of j^2 13754: mean 1000 + 596 / 35 / 1024 (not a float:
 * a float mean would shift every output by up to 1000 * 2^-24 * k), variance
 * (13754 * 35 - 596^2) / 35^2 / 1024^2, where E[x^2] - E[x]^2 in float would be pure
 * rounding noise. y = (x - mean) / sqrt(var + eps) * 2 + 0.5. */
static void instance_norm(void)
{
    enum { HW = 35 };
    float x[3 * HW], want[3 * HW];
    double eps = (double)1e-3f, k0 = 2 / sqrt(102 + eps);
    double mean_j = 596.0 / 35, var_j = (13754.0 * 35 - 596.0 * 596) / (35.0 * 35);
    double k1 = 2 / sqrt(var_j / 1048576 + eps);
    for (int i = 0; i < HW; i++) {
        int j1 = i < 34 ? i : 35, m = (13 * i + 20) % HW, j2 = m < 34 ? m : 35;
        x[i] = (float)(i + 1);
        x[HW + i] = 1000 + j1 / 1024.f;
        x[2 * HW + i] = 1000 + j2 / 1024.f;
        want[i] = (float)((i + 1 - 18) * k0 + 0.5);
        want[HW + i] = (float)((j1 - mean_j) / 1024 * k1 + 0.5);
        want[2 * HW + i] = (float)((j2 - mean_j) / 1024 * k1 + 0.5);
    }
    opc_tensor in;
    make_input(&in, 3, 5, 7, x);
    opc_graph *g = tg_new(3);
    opc_error err;
    opc_layer *l = tg_layer(g, OPC_OP_INSTANCE_NORM, "norm", 1, (int[]){0});
    l->eps = 1e-3f;
    float *w = opc_graph_new_weight(g, &l->weight, 1, (int[]){3}, &err);
    float *b = opc_graph_new_weight(g, &l->bias, 1, (int[]){3}, &err);
    w[0] = w[1] = w[2] = 2;
    b[0] = b[1] = b[2] = 0.5f;
    expect(g, l->output, &in, 3, 5, 7, want, 2e-6);
    opc_tensor_free(&in);
}

/* Activations, ADD and AFFINE on [-8, -1, 0.5, 7] in two channels (2 x 1 x 2). */
static void elementwise(void)
{
    opc_tensor in;
    make_input(&in, 2, 1, 2, (float[]){-8, -1, 0.5f, 7});
    opc_error err;
    opc_graph *g = tg_new(2);
    opc_layer *l = tg_layer(g, OPC_OP_ACT, "prelu", 1, (int[]){0});
    l->act = OPC_ACT_PRELU;
    float *s = opc_graph_new_weight(g, &l->slope, 1, (int[]){2}, &err);
    s[0] = 0.25f;
    s[1] = -2;
    expect(g, l->output, &in, 2, 1, 2, (float[]){-2, -0.25f, 0.5f, 7}, 0);

    g = tg_new(2);
    l = tg_layer(g, OPC_OP_ACT, "relu6", 1, (int[]){0});
    l->act = OPC_ACT_RELU6;
    expect(g, l->output, &in, 2, 1, 2, (float[]){0, 0, 0.5f, 6}, 0);

    /* relu(x + x + x): [0, 0, 1.5, 21]. */
    g = tg_new(2);
    l = tg_layer(g, OPC_OP_ADD, "add", 3, (int[]){0, 0, 0});
    l->act = OPC_ACT_RELU;
    expect(g, l->output, &in, 2, 1, 2, (float[]){0, 0, 1.5f, 21}, 0);

    /* weight [2, -1], bias [1, 0.5], relu: [0, 0, 0, 0] for channel 1 = relu(-x + .5). */
    g = tg_new(2);
    l = tg_layer(g, OPC_OP_AFFINE, "affine", 1, (int[]){0});
    l->act = OPC_ACT_RELU;
    float *w = opc_graph_new_weight(g, &l->weight, 1, (int[]){2}, &err);
    float *b = opc_graph_new_weight(g, &l->bias, 1, (int[]){2}, &err);
    w[0] = 2, w[1] = -1, b[0] = 1, b[1] = 0.5f;
    expect(g, l->output, &in, 2, 1, 2, (float[]){0, 0, 0, 0}, 0);

    /* Without activation: [-15, -1, 0, -6.5]. */
    g = tg_new(2);
    l = tg_layer(g, OPC_OP_AFFINE, "affine", 1, (int[]){0});
    w = opc_graph_new_weight(g, &l->weight, 1, (int[]){2}, &err);
    b = opc_graph_new_weight(g, &l->bias, 1, (int[]){2}, &err);
    w[0] = 2, w[1] = -1, b[0] = 1, b[1] = 0.5f;
    expect(g, l->output, &in, 2, 1, 2, (float[]){-15, -1, 0, -6.5f}, 0);
    opc_tensor_free(&in);
}

int main(void)
{
    dir = opc_test_tmpdir("engine_semantics");
    pooling();
    convolution();
    resize();
    instance_norm();
    elementwise();
    return opc_test_result();
}
