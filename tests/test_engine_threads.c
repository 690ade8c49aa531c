/* Results do not depend on the thread count: the fast engine with 2 and 3 threads against
 * 1 thread, every blob of a graph using every kernel. Our own loops split outputs, never
 * sums, so the kernels other than the GEMMs must agree bit for bit; OpenBLAS may block
 * its GEMMs differently per thread count, which is allowed up to 1e-5 relative. */
#include "engine_graphs.h"

static void compare_threads(const char *dir, const opc_graph *g, const char *name, int h,
                            int w, int exact)
{
    opc_model *m = tg_open(g, dir, name);
    opc_tensor in;
    tg_input(&in, g->input_channels, h, w, 5);
    int n = g->n_blobs - 1;
    const char *const *names = (const char *const *)g->blob_names + 1;
    opc_tensor *r = calloc((size_t)n, sizeof *r), *t = calloc((size_t)n, sizeof *t);
    opc_net *one = tg_net(m, OPC_ENGINE_FAST, 1);
    opc_error err;
    CHECK(opc_net_forward_blobs(one, &in, n, names, r, &err) == OPC_OK, "%s", err.msg);
    for (int threads = 2; threads <= 3; threads++) {
        opc_net *many = tg_net(m, OPC_ENGINE_FAST, threads);
        int ok = opc_net_forward_blobs(many, &in, n, names, t, &err) == OPC_OK;
        CHECK(ok, "%s", err.msg);
        for (int b = 0; b < n && ok && r[b].data; b++) {
            opc_diff d = opc_compare(t[b].data, r[b].data, opc_tensor_count(&r[b]));
            if (exact && strcmp(names[b], "head") != 0) /* the head is a GEMM */
                CHECK(d.max_abs == 0 && !d.nonfinite, "%s, %d threads, %s: max %g", name,
                      threads, names[b], d.max_abs);
            else
                CHECK(d.rel_l2 <= 1e-5 && !d.nonfinite, "%s, %d threads, %s: rel %g", name,
                      threads, names[b], d.rel_l2);
        }
        for (int b = 0; b < n; b++)
            opc_tensor_free(&t[b]);
        opc_net_free(many);
    }
    for (int b = 0; b < n; b++)
        opc_tensor_free(&r[b]);
    free(r);
    free(t);
    opc_net_free(one);
    opc_tensor_free(&in);
    opc_model_close(m);
}

int main(void)
{
    const char *dir = opc_test_tmpdir("engine_threads");
    unsigned seed = 11;
    /* Every kernel, sizes big enough that OpenBLAS threads its GEMMs. */
    opc_graph *g = tg_new(8);
    int a = tg_conv(g, "a", 0, 8, (tg_conv_spec){.cout = 32, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU}, &seed);
    int p = tg_pool(g, "p", a, 2, 2, NULL, 0, 1);
    int b = tg_conv(g, "b", p, 32, (tg_conv_spec){.cout = 32, .kh = 1, .kw = 1, .act = OPC_ACT_PRELU}, &seed);
    int c = tg_conv(g, "c", b, 32, (tg_conv_spec){.cout = 32, .kh = 3, .kw = 3, .group = 32, .pad_same = 1, .act = OPC_ACT_RELU6}, &seed);
    int d = tg_conv(g, "d", c, 32, (tg_conv_spec){.cout = 16, .kh = 3, .kw = 3, .group = 4, .pad = {1, 1, 1, 1}}, &seed);
    int n = tg_channelwise(g, OPC_OP_INSTANCE_NORM, "n", d, 16, OPC_ACT_RELU, &seed);
    int f = tg_channelwise(g, OPC_OP_AFFINE, "f", n, 16, OPC_ACT_NONE, &seed);
    int s = tg_add(g, "s", 2, (int[]){f, d}, OPC_ACT_RELU, 16, &seed);
    int u = tg_resize(g, "u", s, a, 0);
    int k = tg_concat(g, "k", 2, (int[]){u, a});
    /* Winograd with few output channels: blocks of tile rows, one thread each. */
    int e = tg_conv(g, "e", k, 48, (tg_conv_spec){.cout = 16, .kh = 7, .kw = 7, .pad = {3, 3, 3, 3}}, &seed);
    int w3 = tg_conv(g, "w3", k, 48, (tg_conv_spec){.cout = 24, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU}, &seed);
    int ew = tg_concat(g, "ew", 2, (int[]){e, w3});
    tg_head(g, ew, 40, &seed);
    compare_threads(dir, g, "all_kernels", 48, 64, 0);
    opc_graph_free(g);

    /* No GEMM but the head: depthwise, pooling, elementwise, resize, concat are
     * bit-identical. The first depthwise has 53 rows: cut in 2 and 3 parts between the
     * threads, 1 part at 1 thread. */
    g = tg_new(12);
    int dw1 = tg_conv(g, "dw1", 0, 12, (tg_conv_spec){.cout = 12, .kh = 3, .kw = 3, .group = 12, .pad_same = 1, .act = OPC_ACT_RELU6}, &seed);
    c = tg_conv(g, "dw", dw1, 12, (tg_conv_spec){.cout = 12, .kh = 3, .kw = 3, .group = 12, .sh = 2, .sw = 2, .pad_same = 1, .act = OPC_ACT_PRELU}, &seed);
    p = tg_pool(g, "p", c, 3, 2, (int[]){1, 1, 1, 1}, 0, 1);
    n = tg_channelwise(g, OPC_OP_INSTANCE_NORM, "n", p, 12, OPC_ACT_RELU6, &seed);
    f = tg_channelwise(g, OPC_OP_AFFINE, "f", n, 12, OPC_ACT_NONE, &seed);
    s = tg_add(g, "s", 2, (int[]){f, p}, OPC_ACT_NONE, 12, &seed);
    int r = tg_act(g, "r", s, OPC_ACT_RELU, 12, &seed);
    u = tg_resize(g, "u", r, c, 0);
    k = tg_concat(g, "k", 2, (int[]){u, c});
    tg_head(g, k, 24, &seed);
    compare_threads(dir, g, "no_gemm", 53, 45, 1);
    opc_graph_free(g);

    /* The project's own GEMMs are bit-identical too: every output is one sum in order,
     * whatever the slices or blocks. The Winograd layers have 100 output channels: at 2
     * and 3 threads each block is shared (input channels split for the input transform,
     * output channel groups for the rest), at 1 thread it is one thread's; the 1x1 (400
     * inputs) runs on conv_1x1_gemm in pixel slices. */
    g = tg_new(400);
    int g1 = tg_conv(g, "g1x1", 0, 400, (tg_conv_spec){.cout = 100, .kh = 1, .kw = 1, .act = OPC_ACT_RELU}, &seed);
    int w7 = tg_conv(g, "w7", g1, 100, (tg_conv_spec){.cout = 100, .kh = 7, .kw = 7, .pad = {3, 3, 3, 3}, .act = OPC_ACT_PRELU}, &seed);
    w3 = tg_conv(g, "w3", w7, 100, (tg_conv_spec){.cout = 100, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU}, &seed);
    tg_head(g, w3, 100, &seed);
    compare_threads(dir, g, "own_gemms", 23, 29, 1);
    opc_graph_free(g);

    /* The direct kernel of few input taps: bands of rows shared out, bit-identical. */
    g = tg_new(3);
    c = tg_conv(g, "rows", 0, 3, (tg_conv_spec){.cout = 20, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pad_same = 1, .act = OPC_ACT_RELU6}, &seed);
    tg_head(g, c, 20, &seed);
    compare_threads(dir, g, "rows", 301, 90, 1);
    opc_graph_free(g);
    return opc_test_result();
}
