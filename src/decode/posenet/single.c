/* decodeSinglePose (single_pose/decode_single_pose.ts, argmax2d.ts): the best cell of each
 * keypoint plus its offset. */
#include "decode/posenet/posenet_internal.h"

int opc_posenet_decode_single(const opc_posenet_maps *m, opc_posenet_pose *pose,
                              opc_error *err)
{
    int rc = opc_posenet_maps_check(m, 0, err);
    if (rc)
        return rc;
    const opc_tensor *s = m->scores;
    double total = 0.0;
    for (int k = 0; k < OPC_POSENET_PARTS; k++) {
        /* tfjs's argMax keeps the first of equal maxima: it replaces only on a greater value. */
        const float *plane = s->data + (size_t)k * (size_t)s->h * (size_t)s->w;
        size_t best = 0, n = (size_t)s->h * (size_t)s->w;
        for (size_t i = 1; i < n; i++)
            if (plane[i] > plane[best])
                best = i;
        int y = (int)(best / (size_t)s->w), x = (int)(best % (size_t)s->w);
        opc_posenet_keypoint *kp = &pose->keypoints[k];
        /* The package adds the cell position and the offset as float32 tensors. */
        kp->y = (float)((float)(y * m->stride) + pn_at(m->offsets, k, y, x));
        kp->x = (float)((float)(x * m->stride) + pn_at(m->offsets, OPC_POSENET_PARTS + k, y, x));
        kp->score = plane[best];
        total += kp->score;
    }
    pose->score = total / OPC_POSENET_PARTS;
    return OPC_OK;
}
