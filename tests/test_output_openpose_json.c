/* The OpenPose JSON writer: read back with cJSON, the schema (version 1.3, person_id [-1],
 * the empty face/hand/3-D arrays, part_candidates only when present) and the values, which
 * must read back as the very same floats. */
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/output.h"
#include "testutil.h"

static const char *const EMPTY[] = {"face_keypoints_2d", "hand_left_keypoints_2d",
                                    "hand_right_keypoints_2d", "pose_keypoints_3d",
                                    "face_keypoints_3d", "hand_left_keypoints_3d",
                                    "hand_right_keypoints_3d"};

static int floats_equal(const cJSON *arr, const float *v, int n)
{
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != n)
        return 0;
    for (int i = 0; i < n; i++) {
        const cJSON *e = cJSON_GetArrayItem(arr, i);
        if (!cJSON_IsNumber(e) || (float)e->valuedouble != v[i])
            return 0;
    }
    return 1;
}

static cJSON *write_and_read(const opc_people *p, char **text)
{
    opc_error err;
    *text = opc_people_to_openpose_json(p, &err);
    CHECK(*text != NULL, "%s", err.msg);
    if (!*text)
        return NULL;
    const size_t len = strlen(*text);
    CHECK(len > 0 && (*text)[len - 1] == '\n', "no final newline");
    cJSON *root = cJSON_Parse(*text);
    CHECK(root != NULL, "not JSON: %s", *text);
    return root;
}

int main(void)
{
    /* Two people of three parts, the second missing part 1; values that need all their
     * digits, and small and large ones. */
    float kp[2 * 3 * 3] = {123.456789f, 0.1f, 0.987654f, 1e-7f, 65535.5f, 0.5f,
                           1.0f / 3,    2e5f, 0.05f,     0,     0,        0,
                           -0.25f,      7.f,  1.f};
    float scores[2] = {0.75f, 0.25f};
    float c0[6] = {1.5f, 2.5f, 0.9f, 3.25f, 4.75f, 0.1f}, c1[3] = {5, 6, 0.7f};
    float *cands[3] = {c0, c1, c1};
    int counts[3] = {2, 1, 0};
    opc_people p = {3, 2, kp, scores, NULL, NULL};

    char *text;
    cJSON *root = write_and_read(&p, &text);
    if (root) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "version");
        CHECK(cJSON_IsNumber(v) && v->valuedouble == 1.3, "version");
        CHECK(strncmp(text, "{\"version\":1.3,", 15) == 0, "version is not written first");
        const cJSON *people = cJSON_GetObjectItemCaseSensitive(root, "people");
        CHECK(cJSON_IsArray(people) && cJSON_GetArraySize(people) == 2, "people array");
        for (int i = 0; i < 2 && people; i++) {
            const cJSON *q = cJSON_GetArrayItem(people, i);
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(q, "person_id");
            CHECK(cJSON_IsArray(id) && cJSON_GetArraySize(id) == 1 &&
                      cJSON_GetArrayItem(id, 0)->valuedouble == -1,
                  "person_id of %d", i);
            CHECK(floats_equal(cJSON_GetObjectItemCaseSensitive(q, "pose_keypoints_2d"),
                               kp + 9 * i, 9),
                  "pose_keypoints_2d of person %d do not read back exactly", i);
            for (size_t k = 0; k < sizeof EMPTY / sizeof EMPTY[0]; k++) {
                const cJSON *e = cJSON_GetObjectItemCaseSensitive(q, EMPTY[k]);
                CHECK(cJSON_IsArray(e) && cJSON_GetArraySize(e) == 0, "%s of %d", EMPTY[k], i);
            }
            CHECK(cJSON_GetArraySize(q) == 9, "person %d has %d fields", i, cJSON_GetArraySize(q));
        }
        CHECK(!cJSON_GetObjectItemCaseSensitive(root, "part_candidates"),
              "part_candidates written without candidates");
        CHECK(cJSON_GetArraySize(root) == 2, "top level has %d fields", cJSON_GetArraySize(root));
        /* Shortest forms: 0.1f as 0.1, 2e5 as 200000, a missing part as 0,0,0. */
        CHECK(strstr(text, ",0.1,") && strstr(text, ",0.5,") && strstr(text, ",200000,") &&
                  strstr(text, "[0,0,0,-0.25,7,1,0,0,0]"),
              "number format: %s", text);
        cJSON_Delete(root);
    }
    free(text);

    /* With candidates: "part_candidates":[{"0":[...],"1":[...],"2":[]}] after the people. */
    p.candidate_counts = counts;
    p.candidates = cands;
    root = write_and_read(&p, &text);
    if (root) {
        const cJSON *pc = cJSON_GetObjectItemCaseSensitive(root, "part_candidates");
        CHECK(cJSON_IsArray(pc) && cJSON_GetArraySize(pc) == 1, "part_candidates array");
        const cJSON *o = cJSON_GetArrayItem(pc, 0);
        CHECK(cJSON_IsObject(o) && cJSON_GetArraySize(o) == 3, "part_candidates object");
        CHECK(floats_equal(cJSON_GetObjectItemCaseSensitive(o, "0"), c0, 6), "part 0");
        CHECK(floats_equal(cJSON_GetObjectItemCaseSensitive(o, "1"), c1, 3), "part 1");
        CHECK(floats_equal(cJSON_GetObjectItemCaseSensitive(o, "2"), c1, 0), "part 2");
        CHECK(strstr(text, "\"people\"") < strstr(text, "\"part_candidates\""), "order");
        cJSON_Delete(root);
    }
    free(text);

    /* Nobody: an empty people array. Non-finite values (which JSON cannot hold) come out
     * as 0, so the file stays valid. */
    opc_people none = {3, 0, NULL, NULL, NULL, NULL};
    root = write_and_read(&none, &text);
    if (root) {
        CHECK(strcmp(text, "{\"version\":1.3,\"people\":[]}\n") == 0, "empty: %s", text);
        cJSON_Delete(root);
    }
    free(text);
    kp[0] = NAN;
    kp[1] = INFINITY;
    p.candidates = NULL;
    p.candidate_counts = NULL;
    root = write_and_read(&p, &text);
    CHECK(root && strstr(text, "[0,0,0.987654"), "non-finite: %s", text ? text : "");
    cJSON_Delete(root);
    free(text);
    return opc_test_result();
}
