/* PoseNet end to end against TensorFlow.js and the posenet package (testdata/posenet/real):
 * the shared MobileNetV1 model converted with opc_convert_tfjs; for every photo case our
 * forward's four outputs as the estimator made them from the photo (within the README's
 * tolerance: logits max abs 1e-3, offsets and displacements 5e-3, rel L2 5e-5), and the
 * people through the estimator (every case with the package's defaults; at 257x257 also
 * the single-person decoder and a loose multi-person setting), against the package's poses
 * in image pixels (+0.5: our pixel-centre convention), sorted by score: the same people,
 * keypoints within 2e-3 px x the image scale, scores within 5e-5. The forward from a stored
 * input equals tfjs's too. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/convert.h"
#include "openpose-c/estimate.h"
#include "openpose-c/posenet.h"
#include "posenet_ref.h"
#include "testutil.h"

static const char *const MAP_FILES[4] = {"heatmap", "offsets", "displacement_fwd",
                                         "displacement_bwd"};
static const double MAX_ABS[4] = {1e-3, 5e-3, 5e-3, 5e-3};

static double g_worst_map[4], g_worst_rel, g_worst_px, g_worst_score;
static int g_people, g_cases;

/* Our outputs (model order: heatmaps, offsets, fwd, bwd) against the stored tensors. */
static void check_outputs(const char *name, const char *dir, const char *ref_case,
                          const opc_tensor *outs)
{
    for (int k = 0; k < 4; k++) {
        opc_tensor ref;
        if (pn_ref_tensor(dir, ref_case, MAP_FILES[k], &ref)) {
            CHECK(0, "%s: %s unreadable", name, MAP_FILES[k]);
            continue;
        }
        CHECK(outs[k].c == ref.c && outs[k].h == ref.h && outs[k].w == ref.w,
              "%s %s: %dx%dx%d, tfjs %dx%dx%d", name, MAP_FILES[k], outs[k].c, outs[k].h,
              outs[k].w, ref.c, ref.h, ref.w);
        if (opc_tensor_count(&outs[k]) == opc_tensor_count(&ref)) {
            opc_diff d = opc_compare(outs[k].data, ref.data, opc_tensor_count(&ref));
            CHECK(d.max_abs <= MAX_ABS[k] && d.rel_l2 <= 5e-5, "%s %s: max abs %g, rel L2 %g",
                  name, MAP_FILES[k], d.max_abs, d.rel_l2);
            if (d.max_abs > g_worst_map[k])
                g_worst_map[k] = d.max_abs;
            if (d.rel_l2 > g_worst_rel)
                g_worst_rel = d.rel_l2;
        }
        opc_tensor_free(&ref);
    }
}

/* Indices of the reference poses best first, ties in their order (as our people are). */
static void by_score(const cJSON *poses, int *order, int n)
{
    for (int i = 0; i < n; i++) {
        double s = pn_ref_num(cJSON_GetArrayItem(poses, i), "score");
        int j = i;
        while (j > 0 && pn_ref_num(cJSON_GetArrayItem(poses, order[j - 1]), "score") < s) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

static void check_people(const char *what, const cJSON *poses, const opc_people *p,
                         double scale)
{
    int n = cJSON_GetArraySize(poses);
    CHECK(p->count == n && p->num_parts == 17, "%s: %d people, tfjs %d", what, p->count, n);
    int order[64];
    if (n > 64 || p->count != n)
        return;
    by_score(poses, order, n);
    for (int i = 0; i < n; i++) {
        const cJSON *ref = cJSON_GetArrayItem(poses, order[i]);
        const cJSON *kps = cJSON_GetObjectItemCaseSensitive(ref, "keypoints");
        double ds = fabs(pn_ref_num(ref, "score") - p->scores[i]);
        CHECK(ds <= 5e-5, "%s person %d: score %g, tfjs %g", what, i, p->scores[i],
              pn_ref_num(ref, "score"));
        g_worst_score = ds > g_worst_score ? ds : g_worst_score;
        for (int k = 0; k < 17; k++) {
            const cJSON *kp = cJSON_GetArrayItem(kps, k);
            const float *ours = p->keypoints + ((size_t)i * 17 + k) * 3;
            double dx = fabs(ours[0] - (pn_ref_num(kp, "x") + 0.5));
            double dy = fabs(ours[1] - (pn_ref_num(kp, "y") + 0.5));
            double d = dx > dy ? dx : dy, dk = fabs(ours[2] - pn_ref_num(kp, "score"));
            CHECK(d <= 2e-3 * scale + 1e-3 && dk <= 5e-5,
                  "%s person %d keypoint %d: (%g, %g, %g), tfjs (%g, %g, %g) + 0.5", what, i,
                  k, ours[0], ours[1], ours[2], pn_ref_num(kp, "x"), pn_ref_num(kp, "y"),
                  pn_ref_num(kp, "score"));
            g_worst_px = d > g_worst_px ? d : g_worst_px;
            g_worst_score = dk > g_worst_score ? dk : g_worst_score;
        }
        g_people++;
    }
}

/* Runs the estimator with the case's size and one decoder setting. */
static void run_case(const opc_model *m, const char *name, const char *dir, const cJSON *ref,
                     const opc_image *img, const char *what, int single, const cJSON *cfg,
                     const cJSON *poses)
{
    opc_estimator_options o;
    opc_estimator_options_default(&o, m);
    const cJSON *hw = cJSON_GetObjectItemCaseSensitive(ref, "input_hw");
    o.input.net_height = cJSON_GetArrayItem(hw, 0)->valueint;
    o.input.net_width = cJSON_GetArrayItem(hw, 1)->valueint;
    o.decode.posenet.single = single;
    if (cfg) {
        o.decode.posenet.multi.max_detections = (int)pn_ref_num(cfg, "maxDetections");
        o.decode.posenet.multi.score_threshold = pn_ref_num(cfg, "scoreThreshold");
        o.decode.posenet.multi.nms_radius = pn_ref_num(cfg, "nmsRadius");
    }
    opc_error err;
    opc_estimator *e = opc_estimator_create(m, &o, &err);
    CHECK(e, "%s: %s", name, err.msg);
    if (!e)
        return;
    opc_people p;
    int rc = opc_estimate(e, img, &p, &err);
    CHECK(rc == OPC_OK, "%s: %s", name, err.msg);
    char label[256];
    snprintf(label, sizeof label, "%s %s", name, what);
    double scale = fmax(pn_ref_num(ref, "scale_x"), pn_ref_num(ref, "scale_y"));
    if (rc == OPC_OK)
        check_people(label, poses, &p, scale);
    const opc_tensor *outs;
    int n_out = 0;
    int views = opc_estimator_outputs(e, &outs, &n_out);
    if (!single && cfg == NULL && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ref, "tensors_written"))) {
        CHECK(views == 1 && n_out == 4, "%s: %d views of %d outputs", name, views, n_out);
        if (views == 1 && n_out == 4)
            check_outputs(name, dir, name, outs);
    }
    opc_people_free(&p);
    opc_estimator_free(e);
}

/* The network alone on the input tfjs was given (the fast engine; the reference engine is
 * held to it by test_engine_ops and test_engine_net_layers). */
static void forward_from_stored_input(const opc_model *m, const char *dir, const char *name)
{
    opc_net_options no = {1, OPC_ENGINE_FAST};
    opc_error err;
    opc_net *net = opc_net_create(m, &no, &err);
    opc_tensor in;
    CHECK(net && pn_ref_tensor(dir, name, "input", &in) == 0, "%s: %s", name, err.msg);
    if (!net)
        return;
    const opc_tensor *outs[4];
    int rc = opc_net_forward_all(net, &in, outs, &err);
    CHECK(rc == OPC_OK, "%s: %s", name, err.msg);
    opc_tensor copy[4];
    for (int k = 0; rc == OPC_OK && k < 4; k++)
        copy[k] = *outs[k];
    char label[128];
    snprintf(label, sizeof label, "%s (stored input)", name);
    if (rc == OPC_OK)
        check_outputs(label, dir, name, copy);
    opc_tensor_free(&in);
    opc_net_free(net);
}

int main(void)
{
    opc_test_shared();
    char model[1024], dir[512], path[1024];
    snprintf(model, sizeof model, "%s/posenet.opc", opc_test_tmpdir("estimate_posenet"));
    snprintf(dir, sizeof dir, "%s", opc_test_shared_path("testdata/posenet/real"));
    opc_error err;
    int rc = opc_convert_tfjs(opc_test_shared_path("models/posenet/mobilenet_v1_075/model.json"),
                              model, NULL, &err);
    CHECK(rc == OPC_OK, "%s", err.msg);
    opc_model *m = rc ? NULL : opc_model_open(model, &err);
    CHECK(m, "%s", err.msg);
    snprintf(path, sizeof path, "%s/index.json", dir);
    cJSON *index = pn_ref_json(path);
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(index, "cases")) {
        if (!m)
            break;
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "case"));
        snprintf(path, sizeof path, "%s/%s.json", dir, name);
        cJSON *ref = pn_ref_json(path);
        const char *file = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(ref, "image"), "file"));
        opc_image img;
        rc = opc_image_load(opc_test_shared_path(file + strlen("shared/")), &img, &err);
        CHECK(rc == OPC_OK, "%s", err.msg);
        /* Every case with the package's defaults; the single-person decoder and the loose
         * setting at 257x257 only (each estimator run is a forward, slow in sanitizer builds). */
        int small = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ref, "input_hw"), 0)
                        ->valueint == 257;
        if (rc == OPC_OK) {
            const cJSON *single = cJSON_GetObjectItemCaseSensitive(ref, "single");
            cJSON *one = cJSON_CreateArray();
            cJSON_AddItemReferenceToArray(one, cJSON_GetObjectItemCaseSensitive(single, "image"));
            if (small)
                run_case(m, name, dir, ref, &img, "single", 1, NULL, one);
            cJSON_Delete(one);
            const cJSON *run;
            int k = 0;
            /* multi[0] is the package's defaults: run it with ours (NULL), the rest as set. */
            cJSON_ArrayForEach(run, cJSON_GetObjectItemCaseSensitive(ref, "multi")) {
                const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(run, "config");
                if (!k || small)
                    run_case(m, name, dir, ref, &img, k ? "multi loose" : "multi default", 0,
                             k ? cfg : NULL, cJSON_GetObjectItemCaseSensitive(run, "image"));
                k++;
            }
            opc_image_free(&img);
            g_cases++;
        }
        cJSON_Delete(ref);
    }
    cJSON_Delete(index);
    if (m)
        forward_from_stored_input(m, dir, "apink2_257x257");
    opc_model_close(m);
    CHECK(g_cases == 18, "%d photo cases, expected 18", g_cases);
    printf("posenet end to end: %d cases, %d people; outputs max abs %.2g / %.2g / %.2g / %.2g, "
           "rel L2 %.2g; worst keypoint %.2g px, score %.2g\n",
           g_cases, g_people, g_worst_map[0], g_worst_map[1], g_worst_map[2], g_worst_map[3],
           g_worst_rel, g_worst_px, g_worst_score);
    return opc_test_result();
}
