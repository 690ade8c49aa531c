/* Test helper: the PoseNet reference data of ../shared/testdata/posenet (made with
 * TensorFlow.js and the posenet package): a case's maps as our NCHW tensors, and its pose
 * lists compared with ours. Header-only so each test stays one program. */
#ifndef OPC_TEST_POSENET_REF_H
#define OPC_TEST_POSENET_REF_H

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/files.h"
#include "openpose-c/posenet.h"
#include "testutil.h"

/* The tensor names of a case's .npy files, in opc_posenet_maps order. */
static const char *const PN_REF_MAPS[4] = {"heatmap_scores", "offsets", "displacement_fwd",
                                           "displacement_bwd"};

static inline cJSON *pn_ref_json(const char *path)
{
    unsigned char *data;
    size_t n;
    opc_error err;
    if (opc_read_file(path, (size_t)64 << 20, &data, &n, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return NULL;
    }
    cJSON *j = cJSON_Parse((const char *)data);
    free(data);
    if (!j)
        fprintf(stderr, "%s: not JSON\n", path);
    return j;
}

/* <dir>/<prefix>_<name>.npy (H x W x C or 1 x H x W x C) as 1 x C x H x W. */
static inline int pn_ref_tensor(const char *dir, const char *prefix, const char *name,
                                opc_tensor *out)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s_%s.npy", dir, prefix, name);
    opc_tensor raw;
    opc_error err;
    if (opc_npy_read(path, &raw, &err) || opc_test_nhwc_to_nchw(&raw, out, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    opc_tensor_free(&raw);
    return 0;
}

/* The four decoder inputs of a case; t[4] are freed with pn_ref_free. */
static inline int pn_ref_maps(const char *dir, const char *prefix, int stride, opc_tensor t[4],
                              opc_posenet_maps *m)
{
    memset(t, 0, 4 * sizeof *t);
    for (int i = 0; i < 4; i++)
        if (pn_ref_tensor(dir, prefix, PN_REF_MAPS[i], &t[i]))
            return -1;
    *m = (opc_posenet_maps){&t[0], &t[1], &t[2], &t[3], stride};
    return 0;
}

static inline void pn_ref_free(opc_tensor t[4])
{
    for (int i = 0; i < 4; i++)
        opc_tensor_free(&t[i]);
}

static inline double pn_ref_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Largest differences seen over a comparison. */
typedef struct {
    double position, score;
} pn_ref_diff;

/* Compares one reference pose {"score", "keypoints": [{"id", "score", "y", "x"}]} with ours
 * (positions mapped by sy, sx, ty, tx: y * sy - ty, x * sx - tx, as scaleAndFlipPoses). */
static inline int pn_ref_pose_diff(const cJSON *ref, const opc_posenet_pose *p, pn_ref_diff *d)
{
    const cJSON *kps = cJSON_GetObjectItemCaseSensitive(ref, "keypoints");
    if (cJSON_GetArraySize(kps) != OPC_POSENET_PARTS)
        return -1;
    double ds = fabs(pn_ref_num(ref, "score") - p->score);
    if (!(ds <= d->score))
        d->score = ds;
    for (int k = 0; k < OPC_POSENET_PARTS; k++) {
        const cJSON *kp = cJSON_GetArrayItem(kps, k);
        if (pn_ref_num(kp, "id") != k)
            return -1;
        double dy = fabs(pn_ref_num(kp, "y") - p->keypoints[k].y);
        double dx = fabs(pn_ref_num(kp, "x") - p->keypoints[k].x);
        double dk = fabs(pn_ref_num(kp, "score") - p->keypoints[k].score);
        if (!(dy <= d->position))
            d->position = dy;
        if (!(dx <= d->position))
            d->position = dx;
        if (!(dk <= d->score))
            d->score = dk;
    }
    return 0;
}

#endif
