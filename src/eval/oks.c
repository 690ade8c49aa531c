/* Object keypoint similarity, as pycocotools' computeOks. */
#include <math.h>

#include "eval/coco_data.h"

/* COCO's per-keypoint sigmas (times 10), in COCO-17 order. */
static const double SIGMA_X10[OPC_COCO_KPTS] = {.26, .25, .25, .35, .35, .79, .79, .72, .72,
                                                .62, .62, 1.07, 1.07, .87, .87, .89, .89};

/* DBL_EPSILON is numpy's spacing(1): it only keeps a zero area from dividing by zero. */
#define AREA_EPS 2.220446049250313e-16

double opc_coco_oks(const opc_coco_gt *g, const double dt_kp[3 * OPC_COCO_KPTS])
{
    return opc_coco_oks_of(g, dt_kp, NULL);
}

double opc_coco_oks_of(const opc_coco_gt *g, const double dt_kp[3 * OPC_COCO_KPTS],
                       const unsigned char *keep)
{
    int labelled = 0;
    for (int k = 0; k < OPC_COCO_KPTS; k++)
        labelled += g->kp[3 * k + 2] > 0 && (!keep || keep[k]);
    /* A GT without labelled keypoints measures how far each predicted keypoint lies
     * outside its box grown by one box size on every side. */
    double x0 = g->bbox[0] - g->bbox[2], x1 = g->bbox[0] + g->bbox[2] * 2;
    double y0 = g->bbox[1] - g->bbox[3], y1 = g->bbox[1] + g->bbox[3] * 2;
    double sum = 0;
    for (int k = 0; k < OPC_COCO_KPTS; k++) {
        double xd = dt_kp[3 * k], yd = dt_kp[3 * k + 1], dx, dy;
        if (keep && !keep[k])
            continue;
        if (labelled) {
            if (!(g->kp[3 * k + 2] > 0))
                continue;
            dx = xd - g->kp[3 * k];
            dy = yd - g->kp[3 * k + 1];
        } else {
            dx = fmax(0, x0 - xd) + fmax(0, xd - x1);
            dy = fmax(0, y0 - yd) + fmax(0, yd - y1);
        }
        double sigma = SIGMA_X10[k] / 10.0;
        double var = (sigma * 2) * (sigma * 2);
        /* Same operations in the same order as pycocotools, so rounding agrees too. */
        double e = (dx * dx + dy * dy) / var / (g->area + AREA_EPS) / 2;
        sum += exp(-e);
    }
    int kept = OPC_COCO_KPTS;
    for (int k = 0; keep && k < OPC_COCO_KPTS; k++)
        kept -= !keep[k];
    return sum / (labelled ? labelled : kept);
}

size_t opc_coco_cell_oks(const opc_coco_data *d, const opc_coco_cell *c, size_t max_dets,
                         double *oks)
{
    size_t rows = c->dt_end - c->dt_begin, cols = c->gt_end - c->gt_begin;
    if (rows > max_dets)
        rows = max_dets;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            oks[i * cols + j] = opc_coco_oks(&d->gt[c->gt_begin + j], d->dt[c->dt_begin + i].kp);
    return rows;
}
