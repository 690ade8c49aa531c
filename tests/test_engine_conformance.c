/* Conformance with OpenCV's dnn on the mini OpenPose networks (../shared/testdata/engine):
 * each Caffe mini net (COCO, also from its legacy-dims caffemodel; BODY_25; MPI 4-stage) is
 * converted, run by BOTH engines on the real input, and its output and every intermediate
 * blob OpenCV saved are compared. Thresholds from the issue: relative L2 <= 2e-5 and max
 * |diff| <= 1e-4; PyTorch float32 and OpenCV already differ by up to 6e-6 relative and 1e-5
 * absolute here (engine/tolerances.json), and real bugs give 1e-1 and more (README). */
#include "engine_graphs.h"
#include "openpose-c/convert.h"

#define REL_L2 2e-5
#define MAX_ABS 1e-4

typedef struct {
    const char *net;         /* folder under testdata/engine */
    const char *caffemodel;  /* in that folder */
    const char *input;       /* under testdata/engine */
    const char *blobs[8];    /* saved blobs: <name>.npy holds blob <name>; NULL-terminated */
    const char *output;      /* the saved final output (the graph's output blob) */
    int engines;             /* 2: fast and reference; 1: fast only */
} conformance_case;

static const conformance_case CASES[] = {
    {"coco", "mini.caffemodel", "input.npy",
     {"pool1_stage1", "conv4_4_CPM", "conv5_5_CPM_L1", "conv5_5_CPM_L2", "concat_stage2",
      "Mconv7_stage6_L1", NULL},
     "output.npy", 2},
    /* The same weights in legacy blob dims: this checks the converter, one engine is enough. */
    {"coco", "mini_legacy.caffemodel", "input.npy", {"conv4_4_CPM", NULL}, "output.npy", 1},
    /* 75 x 100: Caffe's ceil-mode pooling gives 10 x 13 outputs where floor gives 9 x 12. */
    {"coco", "mini.caffemodel", "input_odd.npy", {NULL}, "output_odd.npy", 2},
    {"body_25", "mini.caffemodel", "input.npy",
     {"pool1_stage1", "conv4_4_CPM", "Mconv1_stage0_L2_concat", "Mconv7_stage0_L2",
      "concat_stage0_L1", "Mconv7_stage0_L1", NULL},
     "output.npy", 2},
    {"mpi_4", "mini.caffemodel", "input.npy",
     {"pool1_stage1", "conv4_4_CPM", "conv5_5_CPM_L1", "conv5_5_CPM_L2", "concat_stage2", NULL},
     "output.npy", 2},
};

static void compare(const char *what, const opc_tensor *got, const char *ref_path)
{
    opc_tensor ref;
    opc_error err;
    int rc = opc_npy_read(ref_path, &ref, &err);
    CHECK(rc == OPC_OK, "%s", err.msg);
    if (rc != OPC_OK)
        return;
    CHECK(got->c == ref.c && got->h == ref.h && got->w == ref.w, "%s: %dx%dx%d, OpenCV %dx%dx%d",
          what, got->c, got->h, got->w, ref.c, ref.h, ref.w);
    if (got->c == ref.c && got->h == ref.h && got->w == ref.w) {
        opc_diff d = opc_compare(got->data, ref.data, opc_tensor_count(&ref));
        CHECK(d.rel_l2 <= REL_L2 && d.max_abs <= MAX_ABS && !d.nonfinite,
              "%s: rel L2 %.3g, max abs %.3g (of %.3g)", what, d.rel_l2, d.max_abs, d.max_ref);
        if (getenv("OPC_TEST_VERBOSE"))
            fprintf(stderr, "%-48s rel L2 %.2e  max abs %.2e\n", what, d.rel_l2, d.max_abs);
    }
    opc_tensor_free(&ref);
}

static void run_case(const conformance_case *c, const char *dir)
{
    char rel[256], model[8400], what[256];
    opc_error err;
    snprintf(rel, sizeof rel, "testdata/engine/%s/mini.prototxt", c->net);
    const char *proto = opc_test_shared_path(rel);
    snprintf(rel, sizeof rel, "testdata/engine/%s/%s", c->net, c->caffemodel);
    const char *weights = opc_test_shared_path(rel);
    snprintf(model, sizeof model, "%s/%s_%s.opc", dir, c->net, c->caffemodel);
    int rc = opc_convert_caffe(proto, weights, model, NULL, &err);
    CHECK(rc == OPC_OK, "convert %s: %s", c->net, err.msg);
    opc_model *m = rc == OPC_OK ? opc_model_open(model, &err) : NULL;
    CHECK(rc != OPC_OK || m, "%s", err.msg);
    snprintf(rel, sizeof rel, "testdata/engine/%s", c->input);
    opc_tensor in;
    rc = opc_npy_read(opc_test_shared_path(rel), &in, &err);
    CHECK(rc == OPC_OK, "%s", err.msg);
    if (!m || rc != OPC_OK) {
        opc_model_close(m);
        return;
    }
    /* The saved blobs, then the output blob, all from one forward. */
    const opc_graph *g = opc_model_graph(m);
    const char *names[9];
    int n = 0;
    while (c->blobs[n]) {
        names[n] = c->blobs[n];
        n++;
    }
    names[n++] = g->blob_names[g->outputs[0].blob];
    static const struct {
        opc_engine e;
        const char *name;
        int threads;
    } ENGINES[] = {{OPC_ENGINE_FAST, "fast", 2}, {OPC_ENGINE_REFERENCE, "reference", 1}};
    for (int e = 0; e < c->engines; e++) {
        opc_net *net = tg_net(m, ENGINES[e].e, ENGINES[e].threads);
        opc_tensor blobs[9];
        rc = opc_net_forward_blobs(net, &in, n, names, blobs, &err);
        CHECK(rc == OPC_OK, "%s: %s", c->net, err.msg);
        for (int k = 0; k < n && rc == OPC_OK; k++) {
            int last = k == n - 1;
            snprintf(what, sizeof what, "%s/%s %s, %s: %s", c->net, c->caffemodel, c->input,
                     ENGINES[e].name, last ? "output" : names[k]);
            if (last)
                snprintf(rel, sizeof rel, "testdata/engine/%s/%s", c->net, c->output);
            else
                snprintf(rel, sizeof rel, "testdata/engine/%s/%s.npy", c->net, names[k]);
            compare(what, &blobs[k], opc_test_shared_path(rel));
        }
        /* opc_net_forward gives the same output (same kernels, same data). */
        const opc_tensor *out;
        if (rc == OPC_OK && e == 0) {
            rc = opc_net_forward(net, &in, &out, &err);
            CHECK(rc == OPC_OK && opc_tensor_count(out) == opc_tensor_count(&blobs[n - 1]) &&
                      !memcmp(out->data, blobs[n - 1].data, opc_tensor_count(out) * sizeof(float)),
                  "%s: opc_net_forward differs from opc_net_forward_blobs", c->net);
        }
        for (int k = 0; k < n; k++)
            opc_tensor_free(&blobs[k]);
        opc_net_free(net);
    }
    opc_tensor_free(&in);
    opc_model_close(m);
}

int main(void)
{
    opc_test_shared();
    const char *dir = opc_test_tmpdir("engine_conformance");
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        run_case(&CASES[i], dir);
    return opc_test_result();
}
