/* edvardHua's top-down networks (hourglass, CPM; shared models/edvardhua) converted and
 * run: the model describes itself as a top-down one (heatmap head, keypoint set aic14 with
 * its mirror pairs, crops of 192x192, BGR 0..255); its outputs on the 5 stored crops equal
 * the networks' outputs under TensorFlow's semantics (out_tf_*, an independent float64
 * interpreter) within 1e-5 relative L2 and 1e-4 max abs, on the fast engine at 1 and 2
 * threads and the reference engine, and so do the stored intermediate blobs; and those
 * outputs decode to the keypoints of keypoints.json: exactly where the reference's maximum
 * is clear (one cell, a gap of more than 1e-4, neighbour differences beyond 1e-4), within
 * one cell / a quarter shift where the README says a different summation order may tip it. */
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/convert.h"
#include "openpose-c/files.h"
#include "openpose-c/heatmap.h"
#include "openpose-c/model.h"
#include "openpose-c/net.h"
#include "testutil.h"

static const char *const CROPS[5] = {"p1", "golf", "ski", "apink2_left", "apink2_right"};

static int worst_exact = 0, near_ties = 0;

static void compare(const char *what, const opc_tensor *got, const char *rel)
{
    opc_error err;
    opc_tensor ref = {0};
    if (opc_npy_read(opc_test_shared_path(rel), &ref, &err)) {
        CHECK(0, "%s", err.msg);
        return;
    }
    int same = ref.c == got->c && ref.h == got->h && ref.w == got->w;
    CHECK(same, "%s: %dx%dx%d, reference %dx%dx%d", what, got->c, got->h, got->w, ref.c, ref.h,
          ref.w);
    if (same) {
        opc_diff d = opc_compare(got->data, ref.data, opc_tensor_count(&ref));
        printf("%-44s max|diff| %.2g  relL2 %.2g\n", what, d.max_abs, d.rel_l2);
        CHECK(d.nonfinite == 0 && d.max_abs <= 1e-4 && d.rel_l2 <= 1e-5,
              "%s: max|diff| %g (limit 1e-4), relL2 %g (limit 1e-5)", what, d.max_abs, d.rel_l2);
    }
    opc_tensor_free(&ref);
}

static int read_input(const char *crop, opc_tensor *x, opc_error *err)
{
    char rel[96];
    opc_tensor nhwc = {0};
    snprintf(rel, sizeof rel, "testdata/topdown/input_%s.npy", crop);
    int rc = opc_npy_read(opc_test_shared_path(rel), &nhwc, err);
    if (rc == OPC_OK && opc_test_nhwc_to_nchw(&nhwc, x, err))
        rc = OPC_ERR_NOMEM;
    opc_tensor_free(&nhwc);
    return rc;
}

static void check_model(const char *net, const opc_model *m)
{
    const opc_preprocess *pp = opc_model_preprocess(m);
    const opc_keypoint_set *k = opc_model_keypoints(m);
    int stride = strcmp(net, "hourglass") == 0 ? 4 : 2;
    CHECK(strcmp(opc_model_head(m)->decoder, "heatmap") == 0, "%s: head %s", net,
          opc_model_head(m)->decoder);
    CHECK(strcmp(k->name, "aic14") == 0 && k->num_parts == 14, "%s: keypoints %s", net, k->name);
    /* Mirror pairs: shoulders 2/5, elbows 3/6, wrists 4/7, hips 8/11, knees 9/12, ankles
     * 10/13; head top and neck are their own. */
    static const int FLIP[14] = {0, 1, 5, 6, 7, 2, 3, 4, 11, 12, 13, 8, 9, 10};
    CHECK(memcmp(k->flip, FLIP, sizeof FLIP) == 0, "%s: flip pairs", net);
    CHECK(strcmp(pp->placement, "crop") == 0 && pp->net_width == 192 && pp->net_height == 192 &&
              pp->crop_padding == 1.25f && pp->stride == stride &&
              strcmp(pp->channel_order, "BGR") == 0 && pp->scale[0] == 1 && pp->offset[2] == 0,
          "%s: preprocessing %s %dx%d padding %g stride %d %s", net, pp->placement,
          pp->net_width, pp->net_height, pp->crop_padding, pp->stride, pp->channel_order);
}

/* Our decoding of our own output against keypoints.json's for the reference output. */
static void check_decoding(const char *what, const opc_tensor *out, const cJSON *want)
{
    opc_heatmap_peak p[14];
    opc_heatmap_decode(out, OPC_REFINE_MMPOSE, p);
    for (int k = 0; k < 14; k++) {
        const cJSON *w = cJSON_GetArrayItem(want, k);
        const cJSON *am = cJSON_GetObjectItem(w, "argmax"), *q = cJSON_GetObjectItem(w, "quarter_mmpose");
        const cJSON *lr = cJSON_GetObjectItem(w, "lr_diff"), *ud = cJSON_GetObjectItem(w, "ud_diff");
        int clear = cJSON_GetObjectItem(w, "n_cells_equal_to_max")->valueint == 1 &&
                    cJSON_GetObjectItem(w, "gap_to_second")->valuedouble > 1e-4 &&
                    (cJSON_IsNull(lr) || fabs(lr->valuedouble) > 1e-4) &&
                    (cJSON_IsNull(ud) || fabs(ud->valuedouble) > 1e-4);
        double dx = fabs(p[k].x - cJSON_GetArrayItem(q, 0)->valuedouble);
        double dy = fabs(p[k].y - cJSON_GetArrayItem(q, 1)->valuedouble);
        if (clear) {
            CHECK(p[k].ax == cJSON_GetArrayItem(am, 0)->valueint &&
                      p[k].ay == cJSON_GetArrayItem(am, 1)->valueint && dx == 0 && dy == 0,
                  "%s keypoint %d: (%g, %g), reference (%g, %g)", what, k, p[k].x, p[k].y,
                  cJSON_GetArrayItem(q, 0)->valuedouble, cJSON_GetArrayItem(q, 1)->valuedouble);
            worst_exact++;
        } else {
            CHECK(dx <= 1.25 && dy <= 1.25, "%s keypoint %d (a near tie): (%g, %g), reference "
                  "(%g, %g)", what, k, p[k].x, p[k].y, cJSON_GetArrayItem(q, 0)->valuedouble,
                  cJSON_GetArrayItem(q, 1)->valuedouble);
            near_ties++;
        }
    }
}

static void test_net(const char *net, const cJSON *keypoints)
{
    char pb[128], model[4200], rel[256], what[128];
    snprintf(pb, sizeof pb, "models/edvardhua/%s/model.pb", net);
    snprintf(model, sizeof model, "%s/%s.opc", opc_test_tmpdir("tf_heatmap"), net);
    opc_error err = {{0}};
    if (opc_convert_tf(opc_test_shared_path(pb), model, NULL, &err) != OPC_OK) {
        CHECK(0, "%s", err.msg);
        return;
    }
    opc_model *m = opc_model_open(model, &err);
    if (!m) {
        CHECK(0, "%s", err.msg);
        return;
    }
    check_model(net, m);
    opc_net_options two = {.threads = 2}, one = {.threads = 1},
                    ref = {.threads = 1, .engine = OPC_ENGINE_REFERENCE};
    opc_net *fast = opc_net_create(m, &two, &err), *fast1 = opc_net_create(m, &one, &err),
            *slow = opc_net_create(m, &ref, &err);
    CHECK(fast && fast1 && slow, "%s", err.msg);
    for (int i = 0; fast && fast1 && slow && i < 5; i++) {
        opc_tensor x = {0};
        const opc_tensor *out[1];
        if (read_input(CROPS[i], &x, &err) != OPC_OK || opc_net_forward(fast, &x, out, &err)) {
            CHECK(0, "%s: %s", CROPS[i], err.msg);
            opc_tensor_free(&x);
            continue;
        }
        snprintf(rel, sizeof rel, "testdata/topdown/%s/out_tf_%s.npy", net, CROPS[i]);
        snprintf(what, sizeof what, "%s %s", net, CROPS[i]);
        compare(what, out[0], rel);
        snprintf(what, sizeof what, "%s %s decoded", net, CROPS[i]);
        check_decoding(what, out[0], cJSON_GetObjectItem(cJSON_GetObjectItem(
                                         cJSON_GetObjectItem(keypoints, CROPS[i]), net), "tf"));
        /* The thread count changes nothing (within 1e-5 of the values). */
        opc_tensor keep = {0};
        CHECK(opc_tensor_alloc(&keep, 1, out[0]->c, out[0]->h, out[0]->w, &err) == OPC_OK, "%s",
              err.msg);
        memcpy(keep.data, out[0]->data, opc_tensor_count(&keep) * sizeof(float));
        if (opc_net_forward(fast1, &x, out, &err) == OPC_OK) {
            opc_diff d = opc_compare(out[0]->data, keep.data, opc_tensor_count(&keep));
            CHECK(d.max_abs <= 1e-5 * (d.max_ref > 1 ? d.max_ref : 1),
                  "%s %s: 1 vs 2 threads differ by %g", net, CROPS[i], d.max_abs);
        }
        if (i == 0) { /* the reference engine on one crop (it is slow) */
            snprintf(what, sizeof what, "%s %s, reference engine", net, CROPS[i]);
            if (opc_net_forward(slow, &x, out, &err) == OPC_OK)
                compare(what, out[0], rel);
            else
                CHECK(0, "%s", err.msg);
        }
        opc_tensor_free(&keep);
        opc_tensor_free(&x);
    }
    /* The intermediate blobs stored for p1. */
    static const char *const HG[] = {"Conv2d_0/Relu6", "hourglass_out_0", "hourglass_out_1",
                                     "hourglass_out_2", NULL};
    static const char *const CPM[] = {
        "Conv2d_0/Relu6", "MobilenetV2/concat",
        "Convolutional_Pose_Machine/stage_0_mv1/stage_0_mv1_2_pointwise/Relu",
        "Convolutional_Pose_Machine/stage_5_mv1/stage_5_mv1_2_pointwise/Relu", NULL};
    const char *const *blobs = strcmp(net, "hourglass") == 0 ? HG : CPM;
    opc_tensor x = {0};
    for (int b = 0; fast && blobs[b] && read_input("p1", &x, &err) == OPC_OK; b++) {
        opc_tensor t = {0};
        char name[200]; /* the file's: '/' written as "__" */
        size_t n = 0;
        for (const char *c = blobs[b]; *c && n + 2 < sizeof name; c++)
            if (*c == '/')
                name[n++] = '_', name[n++] = '_';
            else
                name[n++] = *c;
        name[n] = 0;
        snprintf(rel, sizeof rel, "testdata/topdown/%s/inter_tf_p1_%s.npy", net, name);
        snprintf(what, sizeof what, "%s p1 %s", net, blobs[b]);
        if (opc_net_forward_blob(fast, &x, blobs[b], &t, &err) == OPC_OK)
            compare(what, &t, rel);
        else
            CHECK(0, "%s: %s", what, err.msg);
        opc_tensor_free(&t);
        opc_tensor_free(&x);
    }
    opc_net_free(fast);
    opc_net_free(fast1);
    opc_net_free(slow);
    opc_model_close(m);
}

int main(void)
{
    opc_test_shared();
    unsigned char *data;
    size_t size;
    opc_error err;
    if (opc_read_file(opc_test_shared_path("testdata/topdown/keypoints.json"), 1 << 24, &data,
                      &size, &err) != OPC_OK) {
        CHECK(0, "%s", err.msg);
        return opc_test_result();
    }
    cJSON *kp = cJSON_ParseWithLength((const char *)data, size);
    free(data);
    test_net("hourglass", cJSON_GetObjectItem(kp, "crops"));
    test_net("cpm", cJSON_GetObjectItem(kp, "crops"));
    printf("decoded from our outputs: %d keypoints exactly as the reference, %d near ties "
           "within a cell\n", worst_exact, near_ties);
    CHECK(worst_exact >= 2 * 5 * 14 - 20, "only %d keypoints had a clear maximum", worst_exact);
    cJSON_Delete(kp);
    return opc_test_result();
}
