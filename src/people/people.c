/* The people of one image: freeing them, and OpenPose's keypoint scales. */
#include "openpose-c/people.h"

#include <stdlib.h>
#include <string.h>

void opc_people_free(opc_people *p)
{
    if (!p)
        return;
    free(p->keypoints);
    free(p->scores);
    if (p->candidates)
        for (int k = 0; k < p->num_parts; k++)
            free(p->candidates[k]);
    free(p->candidates);
    free(p->candidate_counts);
    memset(p, 0, sizeof *p);
}

static void rescale_points(float *kp, int n, float sx, float sy, float off)
{
    for (int i = 0; i < n; i++)
        if (kp[3 * i + 2] > 0) {
            kp[3 * i] = kp[3 * i] * sx + off;
            kp[3 * i + 1] = kp[3 * i + 1] * sy + off;
        }
}

void opc_people_rescale(opc_people *p, int img_w, int img_h, opc_keypoint_scale to)
{
    if (to == OPC_KEYPOINTS_PIXELS)
        return;
    /* OpenPose's KeypointScaler: x / (width - 1), times 2 minus 1 for -1..1. */
    float k = to == OPC_KEYPOINTS_SIGNED ? 2.f : 1.f, off = to == OPC_KEYPOINTS_SIGNED ? -1.f : 0.f;
    float sx = k / (img_w > 1 ? img_w - 1 : 1), sy = k / (img_h > 1 ? img_h - 1 : 1);
    rescale_points(p->keypoints, p->count * p->num_parts, sx, sy, off);
    if (p->candidates)
        for (int j = 0; j < p->num_parts; j++)
            rescale_points(p->candidates[j], p->candidate_counts[j], sx, sy, off);
}
