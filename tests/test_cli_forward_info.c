/* The forward and info commands: results written as .npy equal the library's, NHWC models
 * take 1xHxWxC input, and bad input (wrong channel count, unknown blob, a file that is not
 * .npy, a missing model, bad options) gives a one-line error naming the culprit, the
 * right exit status (1 failure, 2 usage) and no output file. */
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine_graphs.h"

static const char *bin, *dir;

/* Runs "$OPC_BIN args" with stdout and stderr captured; returns the exit status. */
static int run(const char *args, char *out, size_t out_n, char *errtxt, size_t err_n)
{
    char cmd[65536], o[8400], e[8400];
    snprintf(o, sizeof o, "%s/stdout.txt", dir);
    snprintf(e, sizeof e, "%s/stderr.txt", dir);
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>'%s'", bin, args, o, e);
    int st = system(cmd);
    const char *paths[2] = {o, e};
    char *bufs[2] = {out, errtxt};
    size_t ns[2] = {out_n, err_n};
    for (int i = 0; i < 2; i++) {
        if (!bufs[i])
            continue;
        FILE *f = fopen(paths[i], "r");
        size_t n = f ? fread(bufs[i], 1, ns[i] - 1, f) : 0;
        bufs[i][n] = 0;
        if (f)
            fclose(f);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* The command must fail with status want, print one line on stderr containing needle, and
 * not create out_path. */
static void expect_error(const char *args, int want, const char *needle, const char *out_path)
{
    char err[4096];
    int st = run(args, NULL, 0, err, sizeof err);
    CHECK(st == want, "%s: exit %d, want %d", args, st, want);
    char *nl = strchr(err, '\n');
    CHECK(nl && nl[1] == 0, "%s: stderr is not one line: %s", args, err);
    CHECK(strstr(err, needle) != NULL, "%s: stderr lacks '%s': %s", args, needle, err);
    if (out_path)
        CHECK(!exists(out_path), "%s: wrote %s anyway", args, out_path);
}

static opc_graph *tiny(int nhwc)
{
    unsigned seed = 21;
    opc_graph *g = tg_new(3);
    g->preprocess.nhwc = nhwc;
    int a = tg_conv(g, "mid", 0, 3, (tg_conv_spec){.cout = 4, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU}, &seed);
    tg_head(g, a, 4, &seed);
    return g;
}

static void write_npy(const char *path, const opc_tensor *t)
{
    opc_error err;
    if (opc_npy_write(path, t, &err) != OPC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
}

static void expect_same_npy(const char *path, const opc_tensor *want, const char *what)
{
    opc_tensor t;
    opc_error err;
    int rc = opc_npy_read(path, &t, &err);
    CHECK(rc == OPC_OK, "%s: %s", what, err.msg);
    if (rc != OPC_OK)
        return;
    CHECK(t.n == 1 && t.c == want->c && t.h == want->h && t.w == want->w, "%s: shape", what);
    if (t.c == want->c && t.h == want->h && t.w == want->w) {
        opc_diff d = opc_compare(t.data, want->data, opc_tensor_count(want));
        /* The same engine on the same data, but a CLI run may use a different thread
         * count than the library call below: GEMM blocking may differ by rounding. */
        CHECK(d.rel_l2 <= 1e-6, "%s: rel %g", what, d.rel_l2);
    }
    opc_tensor_free(&t);
}

int main(void)
{
    bin = getenv("OPC_BIN");
    if (!bin) {
        fprintf(stderr, "SKIP: OPC_BIN is not set\n");
        return 77;
    }
    dir = opc_test_tmpdir("cli_forward_info");
    char model[8400], nhwc_model[8400], in_path[8400], nhwc_in[8400], out[8400], args[40000];
    opc_graph *g = tiny(0), *gh = tiny(1);
    opc_model *m = tg_open(g, dir, "tiny"), *mh = tg_open(gh, dir, "tiny_nhwc");
    snprintf(model, sizeof model, "%s/tiny.opc", dir);
    snprintf(nhwc_model, sizeof nhwc_model, "%s/tiny_nhwc.opc", dir);
    snprintf(in_path, sizeof in_path, "%s/in.npy", dir);
    snprintf(nhwc_in, sizeof nhwc_in, "%s/in_nhwc.npy", dir);
    snprintf(out, sizeof out, "%s/out.npy", dir);

    /* Input 1x3x10x12, and the same as 1x10x12x3. */
    opc_tensor in, in_t;
    tg_input(&in, 3, 10, 12, 77);
    opc_error err;
    opc_tensor_alloc(&in_t, 1, 10, 12, 3, &err);
    for (int c = 0; c < 3; c++)
        for (int p = 0; p < 120; p++)
            in_t.data[p * 3 + c] = in.data[c * 120 + p];
    write_npy(in_path, &in);
    write_npy(nhwc_in, &in_t);

    /* What the library computes. */
    opc_net *net = tg_net(m, OPC_ENGINE_FAST, 1);
    const opc_tensor *want;
    opc_tensor mid;
    CHECK(opc_net_forward_blob(net, &in, "mid", &mid, &err) == OPC_OK, "%s", err.msg);
    CHECK(opc_net_forward(net, &in, &want, &err) == OPC_OK, "%s", err.msg);

    snprintf(args, sizeof args, "forward '%s' '%s' -o '%s'", model, in_path, out);
    CHECK(run(args, NULL, 0, NULL, 0) == 0, "%s", args);
    expect_same_npy(out, want, "forward");
    snprintf(args, sizeof args, "forward '%s' '%s' -o '%s' --engine reference --threads 2", model, in_path, out);
    CHECK(run(args, NULL, 0, NULL, 0) == 0, "%s", args);
    opc_tensor r;
    if (opc_npy_read(out, &r, &err) == OPC_OK) {
        opc_diff d = opc_compare(r.data, want->data, opc_tensor_count(want));
        CHECK(d.rel_l2 <= 1e-5, "reference engine via CLI: rel %g", d.rel_l2);
        opc_tensor_free(&r);
    }
    snprintf(args, sizeof args, "forward --blob mid '%s' '%s' --output '%s' --repeat 2", model, in_path, out);
    CHECK(run(args, NULL, 0, NULL, 0) == 0, "%s", args);
    expect_same_npy(out, &mid, "forward --blob mid");
    snprintf(args, sizeof args, "forward '%s' '%s' -o '%s'", nhwc_model, nhwc_in, out);
    CHECK(run(args, NULL, 0, NULL, 0) == 0, "%s", args);
    expect_same_npy(out, want, "forward of an NHWC model");

    /* Failures. */
    unlink(out);
    snprintf(args, sizeof args, "forward '%s' '%s' -o '%s'", model, nhwc_in, out);
    expect_error(args, 1, "in_nhwc.npy", out);  /* 10 channels for an NCHW 3-channel model */
    snprintf(args, sizeof args, "forward '%s' '%s' -o '%s'", nhwc_model, in_path, out);
    expect_error(args, 1, "in.npy", out);       /* NCHW data for an NHWC model: 12 != 3 */
    snprintf(args, sizeof args, "forward '%s' '%s' -o '%s' --blob nosuch", model, in_path, out);
    expect_error(args, 1, "nosuch", out);
    snprintf(args, sizeof args, "forward '%s' '%s' -o '%s'", model, model, out);
    expect_error(args, 1, "tiny.opc", out);     /* a model file is not .npy */
    snprintf(args, sizeof args, "forward '%s/none.opc' '%s' -o '%s'", dir, in_path, out);
    expect_error(args, 1, "none.opc", out);
    snprintf(args, sizeof args, "forward '%s' '%s' -o '%s'", in_path, in_path, out);
    expect_error(args, 1, "in.npy", out);       /* an .npy is not a model */
    snprintf(args, sizeof args, "forward '%s' '%s/none.npy' -o '%s'", model, dir, out);
    expect_error(args, 1, "none.npy", out);
    snprintf(args, sizeof args, "forward '%s' '%s' -o '%s/nodir/out.npy'", model, in_path, dir);
    expect_error(args, 1, "nodir", NULL);
    snprintf(args, sizeof args, "forward '%s' '%s'", model, in_path);
    expect_error(args, 2, "-o", NULL);
    snprintf(args, sizeof args, "forward '%s' -o '%s'", model, out);
    expect_error(args, 2, "required", out);
    snprintf(args, sizeof args, "forward '%s' '%s' -o '%s' --engine turbo", model, in_path, out);
    expect_error(args, 2, "turbo", out);
    snprintf(args, sizeof args, "forward '%s' '%s' -o '%s' --threads -3", model, in_path, out);
    expect_error(args, 2, "-3", out);
    snprintf(args, sizeof args, "forward '%s' '%s' -o '%s' --frobnicate", model, in_path, out);
    expect_error(args, 2, "--frobnicate", out);
    snprintf(args, sizeof args, "forward '%s' '%s' -o '%s' --blob", model, in_path, out);
    expect_error(args, 2, "--blob", out);

    /* info. */
    char text[8192];
    snprintf(args, sizeof args, "info '%s' --net-resolution 64x48", model);
    CHECK(run(args, text, sizeof text, NULL, 0) == 0, "%s", args);
    /* 3x3 conv 3->4 and 1x1 conv 4->57 at 64x48: (4*27 + 57*4) * 3072 = 1032192 MACs;
     * parameters 4*27 + 4 + 57*4 + 57 = 397. */
    CHECK(strstr(text, "MACs 1.0 M,") && strstr(text, "output 57x48x64"), "info: %s", text);
    CHECK(strstr(text, "parameters:   397 "), "info: %s", text);
    CHECK(strstr(text, "conv 2") && strstr(text, "relu 1") && strstr(text, "coco"), "info: %s", text);
    snprintf(args, sizeof args, "info '%s'", nhwc_model);
    CHECK(run(args, text, sizeof text, NULL, 0) == 0, "%s", args);
    CHECK(strstr(text, "NHWC") && strstr(text, "at 32x32:"), "info: %s", text);
    snprintf(args, sizeof args, "info '%s' --net-resolution 64", model);
    expect_error(args, 2, "64", NULL);
    snprintf(args, sizeof args, "info '%s' --net-resolution 0x5", model);
    expect_error(args, 2, "0x5", NULL);
    snprintf(args, sizeof args, "info '%s/none.opc'", dir);
    expect_error(args, 1, "none.opc", NULL);
    snprintf(args, sizeof args, "info '%s'", in_path);
    expect_error(args, 1, "in.npy", NULL);
    expect_error("info", 2, "MODEL", NULL);
    CHECK(run("forward --help", text, sizeof text, NULL, 0) == 0 && strstr(text, "--blob"),
          "forward --help");
    CHECK(run("info --help", text, sizeof text, NULL, 0) == 0 && strstr(text, "--net-resolution"),
          "info --help");

    opc_tensor_free(&mid);
    opc_tensor_free(&in);
    opc_tensor_free(&in_t);
    opc_net_free(net);
    opc_model_close(m);
    opc_model_close(mh);
    opc_graph_free(g);
    opc_graph_free(gh);
    return opc_test_result();
}
