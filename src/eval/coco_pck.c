/* PCK and EPE of COCO results per matched person (openpose-c/eval.h: opc_coco_eval_pck). */
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "eval/coco_data.h"
#include "openpose-c/eval.h"

static const char *const KEYPOINT_NAMES[OPC_COCO_KPTS] = {
    "nose",       "left_eye",       "right_eye",      "left_ear",    "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow",  "right_elbow", "left_wrist",
    "right_wrist", "left_hip",      "right_hip",      "left_knee",   "right_knee",
    "left_ankle", "right_ankle"};

const char *opc_coco_keypoint_name(int k)
{
    return k >= 0 && k < OPC_COCO_KPTS ? KEYPOINT_NAMES[k] : NULL;
}

/* MMPose's COCO loader: the box clipped to the image, its longer side. Without the
 * image's size the box is taken as it is. */
static double box_size(const opc_coco_data *d, const opc_coco_gt *g)
{
    double w = d->image_sizes[2 * g->img], h = d->image_sizes[2 * g->img + 1];
    double x1 = g->bbox[0], y1 = g->bbox[1], x2 = x1 + g->bbox[2], y2 = y1 + g->bbox[3];
    if (w > 0 && h > 0) {
        x1 = fmin(fmax(x1, 0), w - 1);
        x2 = fmin(fmax(x2, 0), w - 1);
        y1 = fmin(fmax(y1, 0), h - 1);
        y2 = fmin(fmax(y2, 0), h - 1);
    }
    return fmax(x2 - x1, y2 - y1);
}

/* GT that can be matched: not ignored, with a labelled keypoint among the scored ones. */
static int scorable(const opc_coco_gt *g, const unsigned char *keep)
{
    if (g->ignore)
        return 0;
    for (int k = 0; k < OPC_COCO_KPTS; k++)
        if (keep[k] && g->kp[3 * k + 2] > 0)
            return 1;
    return 0;
}

static void score_pair(const opc_coco_data *d, const opc_coco_gt *g, const double *kp,
                       const unsigned char *keep, double thr, opc_coco_pck *r, double *epe_sum)
{
    double size = box_size(d, g);
    for (int k = 0; k < OPC_COCO_KPTS; k++) {
        if (!keep[k] || !(g->kp[3 * k + 2] > 0))
            continue;
        r->counted[k]++;
        if (!(kp[3 * k + 2] > 0)) {
            r->missing++;
            continue;
        }
        double dist = hypot(kp[3 * k] - g->kp[3 * k], kp[3 * k + 1] - g->kp[3 * k + 1]);
        *epe_sum += dist;
        r->epe_keypoints++;
        /* MMPose: a box of size 0 leaves the person out; a negative one cannot occur
         * after clipping. */
        r->correct[k] += size > 0 && dist / size < thr;
        r->counted[k] -= !(size > 0);
    }
}

int opc_coco_pck_compute(const opc_coco_data *d, const opc_coco_pck_options *o,
                         opc_coco_pck *r, opc_error *err)
{
    unsigned char keep[OPC_COCO_KPTS];
    int any = 0;
    for (int k = 0; k < OPC_COCO_KPTS; k++)
        any |= o && o->keypoints[k];
    for (int k = 0; k < OPC_COCO_KPTS; k++)
        keep[k] = !any || o->keypoints[k];
    double match = o && o->match_oks > 0 ? o->match_oks : 0.5;
    memset(r, 0, sizeof *r);
    r->thr = o && o->thr > 0 ? o->thr : 0.2;
    unsigned char *taken = malloc(d->num_gt ? d->num_gt : 1);
    if (!taken)
        return opc_fail(err, OPC_ERR_NOMEM, "PCK: out of memory");
    double epe_sum = 0;
    for (size_t c = 0; c < d->num_cells; c++) {
        const opc_coco_cell *cell = &d->cells[c];
        size_t ng = cell->gt_end - cell->gt_begin, nd = cell->dt_end - cell->dt_begin;
        const opc_coco_gt *gt = &d->gt[cell->gt_begin];
        if (nd > OPC_COCO_MAX_DETS)
            nd = OPC_COCO_MAX_DETS;
        for (size_t j = 0; j < ng; j++) {
            taken[j] = !scorable(&gt[j], keep);
            r->gt_persons += !taken[j];
        }
        /* Greedy in score order, as COCOeval: the highest OKS wins, the last of equals. */
        for (size_t i = 0; i < nd; i++) {
            const double *kp = d->dt[cell->dt_begin + i].kp;
            double best = match;
            size_t best_j = ng;
            for (size_t j = 0; j < ng; j++) {
                double oks = taken[j] ? -1 : opc_coco_oks_of(&gt[j], kp, keep);
                if (oks >= best) {
                    best = oks;
                    best_j = j;
                }
            }
            if (best_j == ng)
                continue;
            taken[best_j] = 1;
            r->matched++;
            score_pair(d, &gt[best_j], kp, keep, r->thr, r, &epe_sum);
        }
    }
    free(taken);
    double sum = 0;
    for (int k = 0; k < OPC_COCO_KPTS; k++) {
        r->acc[k] = r->counted[k] ? (double)r->correct[k] / r->counted[k] : -1;
        if (r->counted[k]) {
            sum += r->acc[k];
            r->keypoints_counted++;
        }
    }
    r->pck = r->keypoints_counted ? sum / r->keypoints_counted : 0;
    r->epe = r->epe_keypoints ? epe_sum / (double)r->epe_keypoints : 0;
    return OPC_OK;
}

char *opc_coco_pck_report(const opc_coco_pck *p, int json)
{
    if (json) {
        cJSON *o = cJSON_CreateObject(), *per = cJSON_AddArrayToObject(o, "keypoints");
        cJSON_AddNumberToObject(o, "thr", p->thr);
        cJSON_AddNumberToObject(o, "gt_persons", p->gt_persons);
        cJSON_AddNumberToObject(o, "matched", p->matched);
        for (int k = 0; per && k < OPC_COCO_KPTS; k++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "name", KEYPOINT_NAMES[k]);
            cJSON_AddNumberToObject(e, "counted", p->counted[k]);
            cJSON_AddNumberToObject(e, "correct", p->correct[k]);
            cJSON_AddNumberToObject(e, "pck", p->acc[k]);
            cJSON_AddItemToArray(per, e);
        }
        cJSON_AddNumberToObject(o, "PCK", p->pck);
        cJSON_AddNumberToObject(o, "keypoints_counted", p->keypoints_counted);
        cJSON_AddNumberToObject(o, "EPE", p->epe);
        cJSON_AddNumberToObject(o, "EPE_keypoints", (double)p->epe_keypoints);
        cJSON_AddNumberToObject(o, "missing_keypoints", (double)p->missing);
        char *s = o ? cJSON_PrintUnformatted(o) : NULL;
        cJSON_Delete(o);
        return s;
    }
    opc_strbuf b = {0};
    opc_strbuf_addf(&b, "PCK@%g per matched person (%d of %d persons matched), distances / "
                    "the longer side of the person's box\n", p->thr, p->matched, p->gt_persons);
    opc_strbuf_addf(&b, "%-16s %8s %8s %9s\n", "keypoint", "counted", "correct", "PCK");
    for (int k = 0; k < OPC_COCO_KPTS; k++) {
        if (p->acc[k] < 0)
            opc_strbuf_addf(&b, "%-16s %8d %8d %9s\n", KEYPOINT_NAMES[k], 0, 0, "-");
        else
            opc_strbuf_addf(&b, "%-16s %8d %8d %9.6f\n", KEYPOINT_NAMES[k], p->counted[k],
                            p->correct[k], p->acc[k]);
    }
    opc_strbuf_addf(&b, "PCK@%g: %.6f (mean over the %d keypoints counted)\n", p->thr, p->pck,
                    p->keypoints_counted);
    opc_strbuf_addf(&b, "EPE: %.4f pixels over %ld keypoints (%ld counted keypoints had no "
                    "prediction)\n", p->epe, p->epe_keypoints, p->missing);
    return opc_strbuf_take(&b);
}
