/* Lightweight OpenPose (Open Model Zoo's human-pose-estimation-0001, the FP16-INT8 IR)
 * converted and run by our engine, against the outputs and intermediates of an independent
 * float64 interpreter of the IR (testdata/lwopenpose/float/: int8 weights dequantized,
 * activation FakeQuantize skipped) at every size given, 456x256 (the IR's own), 656x368
 * and 312x200 (not a multiple of 16): outputs within 1e-4 relative L2 and 1e-4 max abs,
 * intermediates within 1e-4 relative L2 and 1e-5 x max|ref|, as the data's README
 * recommends. The same results on 1 and 2 threads; outputs of ceil(H/8) x ceil(W/8) at odd
 * sizes. With --keep-fake-quantize, the int8/
 * outputs (FakeQuantize as OpenVINO's opset1 defines it) within the README's float32 tier:
 * float32 layers flip some roundings of the 63 FakeQuantize layers, which cascade (PAFs rel
 * L2 <= 0.07, heatmaps <= 0.02, max abs <= 0.15; concat_stage2 0.08 and 0.3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/convert.h"
#include "openpose-c/net.h"
#include "testutil.h"

#define LW_DIR "models/lwopenpose/human-pose-estimation-0001/FP16-INT8/"
#define REF_DIR "testdata/lwopenpose/"

/* Differences of got from the .npy at ref_rel, checked against the bounds. */
static void compare(const char *what, const opc_tensor *got, const char *ref_rel, double rel_bound,
                    double abs_bound, int abs_relative)
{
    opc_error err;
    opc_tensor ref = {0};
    if (opc_npy_read(opc_test_shared_path(ref_rel), &ref, &err)) {
        CHECK(0, "%s", err.msg);
        return;
    }
    int same = ref.n == 1 && ref.c == got->c && ref.h == got->h && ref.w == got->w;
    CHECK(same, "%s: %dx%dx%d, reference %dx%dx%d", what, got->c, got->h, got->w, ref.c, ref.h,
          ref.w);
    if (same) {
        opc_diff d = opc_compare(got->data, ref.data, opc_tensor_count(&ref));
        double bound = abs_relative ? abs_bound * d.max_ref : abs_bound;
        printf("%-36s relL2 %.3g  max|diff| %.3g  (bound %.3g, max|ref| %.3g)\n", what, d.rel_l2,
               d.max_abs, bound, d.max_ref);
        CHECK(d.nonfinite == 0 && d.rel_l2 <= rel_bound && d.max_abs <= bound,
              "%s: relL2 %g (limit %g), max %g (limit %g), %zu non-finite", what, d.rel_l2,
              rel_bound, d.max_abs, bound, d.nonfinite);
    }
    opc_tensor_free(&ref);
}

/* input_<tag>.npy (BGR 0..255) with the model's preprocessing applied, as the image
 * command applies it. */
static int read_input(const opc_model *m, const char *tag, opc_tensor *x, opc_error *err)
{
    char rel[128];
    snprintf(rel, sizeof rel, REF_DIR "input_%s.npy", tag);
    int rc = opc_npy_read(opc_test_shared_path(rel), x, err);
    if (rc)
        return rc;
    const opc_preprocess *p = opc_model_preprocess(m);
    size_t plane = (size_t)x->h * x->w;
    for (int c = 0; c < x->c && c < 3; c++)
        for (size_t i = 0; i < plane; i++)
            x->data[c * plane + i] = x->data[c * plane + i] * p->scale[c] + p->offset[c];
    return OPC_OK;
}

static const char *const OUTPUTS[] = {"Mconv7_stage2_L1", "Mconv7_stage2_L2"};
static const char *const INTERMEDIATES[] = {"relu5_5/sep", "relu4_4_CPM", "conv5_5_CPM_L1",
                                            "conv5_5_CPM_L2"};

static void check_case(opc_net *net, opc_net *net1, const opc_model *m, const char *tag,
                       int with_intermediates)
{
    opc_error err;
    opc_tensor x = {0}, got[6] = {{0}}, one[2] = {{0}};
    const char *names[6];
    int n = 0;
    for (int k = 0; k < 2; k++)
        names[n++] = OUTPUTS[k];
    for (int k = 0; with_intermediates && k < 4; k++)
        names[n++] = INTERMEDIATES[k];
    int rc = read_input(m, tag, &x, &err);
    if (rc == OPC_OK)
        rc = opc_net_forward_blobs(net, &x, n, names, got, &err);
    CHECK(rc == OPC_OK, "%s: %s", tag, err.msg);
    for (int k = 0; rc == OPC_OK && k < n; k++) {
        char what[128], rel[160], file[64];
        snprintf(what, sizeof what, "%s %s", tag, names[k]);
        snprintf(file, sizeof file, "%s", names[k]);
        for (char *s = file; *s; s++)
            if (*s == '/')
                *s = '-';
        snprintf(rel, sizeof rel, REF_DIR "float/%s_%s.npy", tag, file);
        if (k < 2)
            compare(what, &got[k], rel, 1e-4, 1e-4, 0);
        else
            compare(what, &got[k], rel, 1e-4, 1e-5, 1);
    }
    /* one thread: the same outputs within 1e-5 relative */
    if (rc == OPC_OK && net1) {
        rc = opc_net_forward_blobs(net1, &x, 2, names, one, &err);
        CHECK(rc == OPC_OK, "%s, 1 thread: %s", tag, err.msg);
        for (int k = 0; rc == OPC_OK && k < 2; k++) {
            opc_diff d = opc_compare(one[k].data, got[k].data, opc_tensor_count(&got[k]));
            CHECK(d.rel_l2 <= 1e-5, "%s %s: 1 vs 2 threads differ by %g relative", tag,
                  names[k], d.rel_l2);
            opc_tensor_free(&one[k]);
        }
    }
    for (int k = 0; k < n; k++)
        opc_tensor_free(&got[k]);
    opc_tensor_free(&x);
}

/* int8 mode: every case's outputs, and apink2's concat_stage2. */
static void check_int8(opc_net *net, const opc_model *m, const char *tag)
{
    opc_error err;
    opc_tensor x = {0}, got[3] = {{0}};
    const char *names[3] = {"Mconv7_stage2_L1", "Mconv7_stage2_L2", "concat_stage2"};
    int n = strcmp(tag, "apink2_456x256") == 0 ? 3 : 2;
    int rc = read_input(m, tag, &x, &err);
    if (rc == OPC_OK)
        rc = opc_net_forward_blobs(net, &x, n, names, got, &err);
    CHECK(rc == OPC_OK, "%s int8: %s", tag, err.msg);
    for (int k = 0; rc == OPC_OK && k < n; k++) {
        char what[128], rel[160];
        snprintf(what, sizeof what, "%s int8 %s", tag, names[k]);
        snprintf(rel, sizeof rel, REF_DIR "int8/%s_%s.npy", tag, names[k]);
        compare(what, &got[k], rel, k == 0 ? 0.07 : k == 1 ? 0.02 : 0.08, k == 2 ? 0.3 : 0.15, 0);
    }
    for (int k = 0; k < n; k++)
        opc_tensor_free(&got[k]);
    opc_tensor_free(&x);
}

static const char *const PHOTOS[] = {"apink2", "coco192", "p1", "ski"};

static void test_int8(const char *xml, const char *model)
{
    opc_error err;
    opc_convert_options copt = {.topology = "coco", .keep_fake_quantize = 1};
    if (opc_convert_openvino(xml, NULL, model, &copt, &err)) {
        CHECK(0, "--keep-fake-quantize: %s", err.msg);
        return;
    }
    opc_model *m = opc_model_open(model, &err);
    opc_net *net = m ? opc_net_create(m, &(opc_net_options){.threads = 2}, &err) : NULL;
    CHECK(net != NULL, "%s", err.msg);
    for (int i = 0; net && i < opc_test_cases(4); i++) {
        char tag[64];
        snprintf(tag, sizeof tag, "%s_456x256", PHOTOS[i]);
        check_int8(net, m, tag);
        snprintf(tag, sizeof tag, "%s_656x368", PHOTOS[i]);
        check_int8(net, m, tag);
    }
    if (net)
        check_int8(net, m, "p1_312x200");
    opc_net_free(net);
    opc_model_close(m);
}

int main(void)
{
    char xml[4200], model[4200];
    /* a copy: the shared-path buffers are reused */
    snprintf(xml, sizeof xml, "%s", opc_test_shared_path(LW_DIR "human-pose-estimation-0001.xml"));
    snprintf(model, sizeof model, "%s/lw.opc", opc_test_tmpdir("convert_openvino_lwopenpose"));
    opc_error err;
    opc_convert_options copt = {.topology = "coco"};
    if (opc_convert_openvino(xml, NULL, model, &copt, &err)) {
        CHECK(0, "%s", err.msg);
        return opc_test_result();
    }
    opc_model *m = opc_model_open(model, &err);
    CHECK(m != NULL, "%s", err.msg);
    opc_net *net = m ? opc_net_create(m, &(opc_net_options){.threads = 2}, &err) : NULL;
    opc_net *net1 = m ? opc_net_create(m, &(opc_net_options){.threads = 1}, &err) : NULL;
    CHECK(net && net1, "%s", err.msg);
    for (int i = 0; net && net1 && i < opc_test_cases(4); i++) {
        char tag[64];
        snprintf(tag, sizeof tag, "%s_456x256", PHOTOS[i]);
        check_case(net, i == 0 ? net1 : NULL, m, tag, 1);
        snprintf(tag, sizeof tag, "%s_656x368", PHOTOS[i]);
        check_case(net, NULL, m, tag, 0);
    }
    if (net && net1)
        check_case(net, net1, m, "p1_312x200", 0);
    /* Any input size: the output is ceil(H/8) x ceil(W/8) (the data's README, checked with
     * its interpreter), whatever the IR's own 456x256. */
    static const int odd[][4] = {{313, 201, 40, 26}, {131, 97, 17, 13}, {8, 8, 1, 1}};
    for (int i = 0; net && i < 3; i++) {
        opc_tensor x = {0};
        const opc_tensor *out[2];
        int rc = opc_tensor_alloc(&x, 1, 3, odd[i][1], odd[i][0], &err);
        if (rc == OPC_OK)
            rc = opc_net_forward_all(net, &x, out, &err);
        CHECK(rc == OPC_OK && out[0]->w == odd[i][2] && out[0]->h == odd[i][3] &&
                  out[1]->w == odd[i][2] && out[1]->h == odd[i][3] && out[0]->c == 19 &&
                  out[1]->c == 38,
              "%dx%d: %s", odd[i][0], odd[i][1], rc ? err.msg : "wrong output size");
        opc_tensor_free(&x);
    }
    opc_net_free(net);
    opc_net_free(net1);
    opc_model_close(m);
    test_int8(xml, model);
    return opc_test_result();
}
