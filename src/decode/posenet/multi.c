/* decodeMultiplePoses (multi_pose/decode_multiple_poses.ts, build_part_with_score_queue.ts,
 * decode_pose.ts, util.ts): PersonLab's fast greedy decoding, step for step. Arithmetic
 * on positions and scores is in double, as JavaScript does it. */
#include <stdlib.h>

#include "decode/posenet/posenet_internal.h"

enum { LOCAL_MAXIMUM_RADIUS = 1, OFFSET_REFINE_STEPS = 2 };

/* No score in the clipped 3x3 window of the same keypoint is strictly greater. */
static int local_maximum(const opc_tensor *s, int k, double score, int y, int x)
{
    int y0 = y - LOCAL_MAXIMUM_RADIUS < 0 ? 0 : y - LOCAL_MAXIMUM_RADIUS;
    int y1 = y + LOCAL_MAXIMUM_RADIUS + 1 > s->h ? s->h : y + LOCAL_MAXIMUM_RADIUS + 1;
    int x0 = x - LOCAL_MAXIMUM_RADIUS < 0 ? 0 : x - LOCAL_MAXIMUM_RADIUS;
    int x1 = x + LOCAL_MAXIMUM_RADIUS + 1 > s->w ? s->w : x + LOCAL_MAXIMUM_RADIUS + 1;
    for (int yy = y0; yy < y1; yy++)
        for (int xx = x0; xx < x1; xx++)
            if (pn_at(s, k, yy, xx) > score)
                return 0;
    return 1;
}

/* buildPartWithScoreQueue: cells in row-major order, keypoints innermost. */
static void build_queue(const opc_tensor *s, double threshold, pn_heap *h)
{
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++)
            for (int k = 0; k < OPC_POSENET_PARTS; k++) {
                double score = pn_at(s, k, y, x);
                if (score < threshold || !local_maximum(s, k, score, y, x))
                    continue;
                pn_heap_push(h, (pn_candidate){score, y, x, k});
            }
}

/* The package's squaredDistance and withinNmsRadiusOfCorrespondingPoint. */
static int within_nms_radius(const opc_posenet_pose *poses, int n, double r2, double y,
                             double x, int k)
{
    for (int i = 0; i < n; i++) {
        double dy = y - poses[i].keypoints[k].y, dx = x - poses[i].keypoints[k].x;
        if (dy * dy + dx * dx <= r2)
            return 1;
    }
    return 0;
}

/* traverseToTargetKeypoint: follow the displacement of `edge` from the source's nearest
 * cell, then twice move to the target's offset at the nearest cell; the score is read at
 * the final position's nearest cell. */
static opc_posenet_keypoint traverse(const opc_posenet_maps *m, int edge,
                                     const opc_posenet_keypoint *source, int target,
                                     const opc_tensor *disp)
{
    const opc_tensor *s = m->scores;
    int cy = pn_near(source->y, m->stride, s->h), cx = pn_near(source->x, m->stride, s->w);
    double y = source->y + pn_at(disp, edge, cy, cx);
    double x = source->x + pn_at(disp, OPC_POSENET_EDGES + edge, cy, cx);
    for (int i = 0; i < OFFSET_REFINE_STEPS; i++) {
        cy = pn_near(y, m->stride, s->h);
        cx = pn_near(x, m->stride, s->w);
        y = (double)cy * m->stride + pn_at(m->offsets, target, cy, cx);
        x = (double)cx * m->stride + pn_at(m->offsets, OPC_POSENET_PARTS + target, cy, cx);
    }
    cy = pn_near(y, m->stride, s->h);
    cx = pn_near(x, m->stride, s->w);
    return (opc_posenet_keypoint){y, x, pn_at(s, target, cy, cx)};
}

/* decodePose: the root, then backward along the chain (last edge first) to the parents,
 * then forward (first edge first) to the children. */
static void decode_pose(const opc_posenet_maps *m, const pn_candidate *root, double root_y,
                        double root_x, opc_posenet_pose *pose)
{
    int known[OPC_POSENET_PARTS] = {0};
    pose->keypoints[root->id] = (opc_posenet_keypoint){root_y, root_x, root->score};
    known[root->id] = 1;
    for (int e = OPC_POSENET_EDGES - 1; e >= 0; e--) {
        int parent = OPC_POSENET_CHAIN[e][0], child = OPC_POSENET_CHAIN[e][1];
        if (known[child] && !known[parent]) {
            pose->keypoints[parent] =
                traverse(m, e, &pose->keypoints[child], parent, m->displacement_bwd);
            known[parent] = 1;
        }
    }
    for (int e = 0; e < OPC_POSENET_EDGES; e++) {
        int parent = OPC_POSENET_CHAIN[e][0], child = OPC_POSENET_CHAIN[e][1];
        if (known[parent] && !known[child]) {
            pose->keypoints[child] =
                traverse(m, e, &pose->keypoints[parent], child, m->displacement_fwd);
            known[child] = 1;
        }
    }
}

int opc_posenet_decode_multi(const opc_posenet_maps *m, const opc_posenet_params *p,
                             opc_posenet_pose *poses, int *count, opc_error *err)
{
    *count = 0;
    int rc = opc_posenet_params_validate(p, err);
    if (rc || (rc = opc_posenet_maps_check(m, 1, err)))
        return rc;
    const opc_tensor *s = m->scores;
    size_t cells = (size_t)s->h * (size_t)s->w * OPC_POSENET_PARTS;
    pn_heap h = {malloc(cells * sizeof *h.items), -1};
    if (!h.items)
        return opc_fail(err, OPC_ERR_NOMEM, "PoseNet decoder: out of memory for %zu candidates",
                        cells);
    build_queue(s, p->score_threshold, &h);
    double r2 = p->nms_radius * p->nms_radius;
    int n = 0;
    while (n < p->max_detections && h.last >= 0) {
        pn_candidate root = pn_heap_pop(&h);
        double y = (double)root.y * m->stride + pn_at(m->offsets, root.id, root.y, root.x);
        double x = (double)root.x * m->stride +
                   pn_at(m->offsets, OPC_POSENET_PARTS + root.id, root.y, root.x);
        if (within_nms_radius(poses, n, r2, y, x, root.id))
            continue;
        opc_posenet_pose *pose = &poses[n];
        decode_pose(m, &root, y, x, pose);
        /* getInstanceScore: keypoints near an earlier pose's same keypoint do not count. */
        double sum = 0.0;
        for (int k = 0; k < OPC_POSENET_PARTS; k++)
            if (!within_nms_radius(poses, n, r2, pose->keypoints[k].y, pose->keypoints[k].x, k))
                sum += pose->keypoints[k].score;
        pose->score = sum / OPC_POSENET_PARTS;
        n++;
    }
    free(h.items);
    *count = n;
    return OPC_OK;
}
