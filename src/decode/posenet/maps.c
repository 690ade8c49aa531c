/* The pose chain, the checks every decoder makes on its maps, and the sigmoid. */
#include <math.h>

#include "decode/posenet/posenet_internal.h"

/* posenet's poseChain (keypoints.ts), by part id. */
const int OPC_POSENET_CHAIN[OPC_POSENET_EDGES][2] = {
    {0, 1}, {1, 3}, {0, 2}, {2, 4}, {0, 5}, {5, 7}, {7, 9}, {5, 11},
    {11, 13}, {13, 15}, {0, 6}, {6, 8}, {8, 10}, {6, 12}, {12, 14}, {14, 16},
};

static int check_one(const opc_tensor *t, const char *what, int channels, int h, int w,
                     opc_error *err)
{
    if (!t || !t->data)
        return opc_fail(err, OPC_ERR_ARG, "PoseNet decoder: no %s tensor", what);
    if (t->n != 1 || t->c != channels || t->h != h || t->w != w)
        return opc_fail(err, OPC_ERR_ARG,
                        "PoseNet decoder: %s is %dx%dx%dx%d, expected 1x%dx%dx%d", what, t->n,
                        t->c, t->h, t->w, channels, h, w);
    return OPC_OK;
}

int opc_posenet_maps_check(const opc_posenet_maps *m, int need_displacements, opc_error *err)
{
    const opc_tensor *s = m->scores;
    if (!s || !s->data)
        return opc_fail(err, OPC_ERR_ARG, "PoseNet decoder: no scores tensor");
    if (s->h < 1 || s->w < 1)
        return opc_fail(err, OPC_ERR_ARG, "PoseNet decoder: empty %dx%d grid", s->w, s->h);
    if (m->stride < 1 || m->stride > 1024)
        return opc_fail(err, OPC_ERR_ARG, "PoseNet decoder: output stride %d out of range "
                        "(1..1024)", m->stride);
    int rc = check_one(s, "scores", OPC_POSENET_PARTS, s->h, s->w, err);
    if (!rc)
        rc = check_one(m->offsets, "offsets", 2 * OPC_POSENET_PARTS, s->h, s->w, err);
    if (!rc && need_displacements)
        rc = check_one(m->displacement_fwd, "displacement_fwd", 2 * OPC_POSENET_EDGES, s->h,
                       s->w, err);
    if (!rc && need_displacements)
        rc = check_one(m->displacement_bwd, "displacement_bwd", 2 * OPC_POSENET_EDGES, s->h,
                       s->w, err);
    return rc;
}

void opc_posenet_scores(const opc_tensor *logits, opc_tensor *scores)
{
    size_t n = opc_tensor_count(logits);
    for (size_t i = 0; i < n; i++)
        scores->data[i] = (float)(1.0 / (1.0 + exp(-(double)logits->data[i])));
}
