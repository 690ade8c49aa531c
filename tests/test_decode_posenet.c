/* PoseNet decoders against the posenet package itself: on the 17 synthetic cases of
 * testdata/posenet/decoder (ties, rounding, borders, NMS boundaries, the heap's order of
 * equal scores) and on the TensorFlow.js outputs of the photo cases in real/, both decoders
 * must give the package's poses exactly: same number, same order, the same doubles. Also
 * the sigmoid (bit for bit with tfjs's) and the decoders' argument checks. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "posenet_ref.h"
#include "testutil.h"

/* Decodes maps with the reference's settings and compares; returns the differences. */
static void check_single(const char *name, const opc_posenet_maps *m, const cJSON *ref)
{
    opc_posenet_pose pose;
    opc_error err;
    int rc = opc_posenet_decode_single(m, &pose, &err);
    CHECK(rc == OPC_OK, "%s single: %s", name, err.msg);
    pn_ref_diff d = {0, 0};
    CHECK(rc || pn_ref_pose_diff(ref, &pose, &d) == 0, "%s single: reference malformed", name);
    CHECK(d.position == 0 && d.score == 0, "%s single: position off by %g, score by %g", name,
          d.position, d.score);
}

static void check_multi(const char *name, const opc_posenet_maps *m, const cJSON *cfg,
                        const cJSON *poses)
{
    opc_posenet_params p = {
        (int)pn_ref_num(cfg, "maxDetections"), pn_ref_num(cfg, "scoreThreshold"),
        pn_ref_num(cfg, "nmsRadius")};
    static opc_posenet_pose got[OPC_POSENET_MAX_DETECTIONS];
    int n = -1;
    opc_error err;
    int rc = opc_posenet_decode_multi(m, &p, got, &n, &err);
    CHECK(rc == OPC_OK, "%s multi: %s", name, err.msg);
    int want = cJSON_GetArraySize(poses);
    CHECK(n == want, "%s multi (max %d, threshold %g, radius %g): %d poses, expected %d", name,
          p.max_detections, p.score_threshold, p.nms_radius, n, want);
    pn_ref_diff d = {0, 0};
    for (int i = 0; i < n && i < want; i++)
        CHECK(pn_ref_pose_diff(cJSON_GetArrayItem(poses, i), &got[i], &d) == 0,
              "%s: reference pose %d malformed", name, i);
    CHECK(d.position == 0 && d.score == 0,
          "%s multi (max %d, threshold %g, radius %g): position off by %g, score by %g", name,
          p.max_detections, p.score_threshold, p.nms_radius, d.position, d.score);
}

static int synthetic_cases(void)
{
    char dir[512], path[1024];
    snprintf(dir, sizeof dir, "%s", opc_test_shared_path("testdata/posenet/decoder"));
    snprintf(path, sizeof path, "%s/index.json", dir);
    cJSON *index = pn_ref_json(path);
    CHECK(index, "%s unreadable", path);
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(index, "cases"), *c;
    int count = 0;
    cJSON_ArrayForEach(c, cases) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "case"));
        snprintf(path, sizeof path, "%s/%s.json", dir, name);
        cJSON *ref = pn_ref_json(path);
        opc_tensor t[4];
        opc_posenet_maps m;
        int stride = (int)pn_ref_num(ref, "output_stride");
        if (!ref || pn_ref_maps(dir, name, stride, t, &m)) {
            CHECK(0, "%s: reference unreadable", name);
            cJSON_Delete(ref);
            continue;
        }
        check_single(name, &m, cJSON_GetObjectItemCaseSensitive(ref, "single"));
        const cJSON *run;
        cJSON_ArrayForEach(run, cJSON_GetObjectItemCaseSensitive(ref, "multi"))
            check_multi(name, &m, cJSON_GetObjectItemCaseSensitive(run, "config"),
                        cJSON_GetObjectItemCaseSensitive(run, "poses"));
        pn_ref_free(t);
        cJSON_Delete(ref);
        count++;
    }
    cJSON_Delete(index);
    return count;
}

/* The photo cases with tensors: the sigmoid of the stored logits, then both decoders on
 * the scores tfjs handed the package. */
static int photo_cases(void)
{
    char dir[512], path[1024];
    snprintf(dir, sizeof dir, "%s", opc_test_shared_path("testdata/posenet/real"));
    snprintf(path, sizeof path, "%s/index.json", dir);
    cJSON *index = pn_ref_json(path);
    CHECK(index, "%s unreadable", path);
    const cJSON *c;
    int count = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(index, "cases")) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "case"));
        snprintf(path, sizeof path, "%s/%s.json", dir, name);
        cJSON *ref = pn_ref_json(path);
        CHECK(ref, "%s unreadable", path);
        if (!ref || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ref, "tensors_written"))) {
            cJSON_Delete(ref);
            continue;
        }
        opc_tensor t[4], logits;
        opc_posenet_maps m;
        if (pn_ref_maps(dir, name, (int)pn_ref_num(ref, "output_stride"), t, &m) ||
            pn_ref_tensor(dir, name, "heatmap", &logits)) {
            CHECK(0, "%s: tensors unreadable", name);
            cJSON_Delete(ref);
            continue;
        }
        opc_posenet_scores(&logits, &logits);
        CHECK(memcmp(logits.data, t[0].data, opc_tensor_count(&t[0]) * sizeof(float)) == 0,
              "%s: sigmoid of the logits differs from tfjs's scores", name);
        check_single(name, &m,
                     cJSON_GetObjectItemCaseSensitive(
                         cJSON_GetObjectItemCaseSensitive(ref, "single"), "net"));
        const cJSON *run;
        cJSON_ArrayForEach(run, cJSON_GetObjectItemCaseSensitive(ref, "multi"))
            check_multi(name, &m, cJSON_GetObjectItemCaseSensitive(run, "config"),
                        cJSON_GetObjectItemCaseSensitive(run, "net"));
        opc_tensor_free(&logits);
        pn_ref_free(t);
        cJSON_Delete(ref);
        count++;
    }
    cJSON_Delete(index);
    return count;
}

/* Wrong shapes and settings are refused with a message, never read out of bounds. */
static void argument_checks(void)
{
    opc_tensor s, o, f, b;
    opc_error err;
    CHECK(!opc_tensor_alloc(&s, 1, 17, 3, 4, &err) && !opc_tensor_alloc(&o, 1, 34, 3, 4, &err) &&
              !opc_tensor_alloc(&f, 1, 32, 3, 4, &err) && !opc_tensor_alloc(&b, 1, 32, 3, 5, &err),
          "alloc");
    opc_posenet_maps m = {&s, &o, &f, &b, 16};
    opc_posenet_params p;
    opc_posenet_params_default(&p);
    CHECK(p.max_detections == 5 && p.score_threshold == 0.5 && p.nms_radius == 20,
          "defaults %d %g %g", p.max_detections, p.score_threshold, p.nms_radius);
    opc_posenet_pose poses[5];
    int n = -1;
    CHECK(opc_posenet_decode_multi(&m, &p, poses, &n, &err) == OPC_ERR_ARG && n == 0 &&
              strstr(err.msg, "displacement_bwd is 1x32x3x5, expected 1x32x3x4"),
          "grid mismatch: %s", err.msg);
    opc_posenet_pose one;
    CHECK(opc_posenet_decode_single(&m, &one, &err) == OPC_OK, "single needs no displacements");
    m.stride = 0;
    CHECK(opc_posenet_decode_single(&m, &one, &err) == OPC_ERR_ARG, "stride 0 accepted");
    m.stride = 16;
    m.offsets = &f;
    CHECK(opc_posenet_decode_single(&m, &one, &err) == OPC_ERR_ARG && strstr(err.msg, "offsets"),
          "32 offset channels accepted: %s", err.msg);
    opc_posenet_params bad[] = {{0, 0.5, 20}, {OPC_POSENET_MAX_DETECTIONS + 1, 0.5, 20},
                                {5, -0.1, 20}, {5, 1.5, 20}, {5, NAN, 20}, {5, 0.5, 0},
                                {5, 0.5, INFINITY}, {5, 0.5, NAN}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(opc_posenet_params_validate(&bad[i], &err) == OPC_ERR_ARG, "bad params %zu accepted",
              i);
    opc_tensor_free(&s);
    opc_tensor_free(&o);
    opc_tensor_free(&f);
    opc_tensor_free(&b);
}

int main(void)
{
    argument_checks();
    opc_test_shared();
    int synthetic = synthetic_cases(), photos = photo_cases();
    CHECK(synthetic == 17 && photos == 11, "%d synthetic and %d photo cases, expected 17 and 11",
          synthetic, photos);
    printf("posenet decoders: %d synthetic and %d photo cases, single and multi, exact\n",
           synthetic, photos);
    return opc_test_result();
}
