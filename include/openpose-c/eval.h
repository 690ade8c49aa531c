/* COCO keypoint evaluation: the 10 OKS-based AP/AR numbers of pycocotools'
 * COCOeval(iouType='keypoints') with its default parameters (17 COCO sigmas, at most 20
 * detections per image, OKS thresholds .50:.05:.95, 101 recall points, areas all /
 * medium / large, crowd and keypoint-less GT ignored), computed the same way. */
#ifndef OPENPOSE_C_EVAL_H
#define OPENPOSE_C_EVAL_H

#include <stddef.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OPC_COCO_NUM_STATS 10

/* Evaluates a results file against ground truth; stats receives, in pycocotools' order,
 * AP, AP50, AP75, APm, APl, AR, AR50, AR75, ARm, ARl. A stat with no GT in its area range
 * is -1, as in pycocotools.
 *
 * gt_path: a COCO keypoints dataset (object with "images", "categories", "annotations";
 *   each annotation has id, image_id, category_id, keypoints [x,y,v]*17, num_keypoints,
 *   area, bbox, and optionally iscrowd). Annotations of images or categories that the
 *   file does not list are left out, as pycocotools does.
 * results_path: a JSON array of {"image_id", "category_id", "keypoints": [x,y,s]*17,
 *   "score"}; other fields are ignored, except that when the first entry has a non-empty
 *   "bbox" every detection's area is bbox w*h instead of its keypoints' extent (as
 *   pycocotools' loadRes). An image_id that GT does not list is an error; a category_id
 *   it does not list drops the entry (both as pycocotools). An empty array evaluates to
 *   AP = AR = 0 (pycocotools cannot load one).
 * Both files are at most 512 MiB. "-" reads one of them from standard input. */
int opc_coco_eval(const char *gt_path, const char *results_path,
                  double stats[OPC_COCO_NUM_STATS], opc_error *err);

/* Short name of stat i: "AP", "AP50", "AP75", "APm", "APl", "AR", ..., "ARl". */
const char *opc_coco_stat_name(int i);

/* The line pycocotools' summarize() prints for stat i, without a newline, e.g.
 * " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets= 20 ] = 0.861". */
void opc_coco_summary_line(int i, double value, char *buf, size_t size);

/* ---- PCK and EPE per matched person, beside the AP ---- */

/* COCO-17 keypoint k's name ("nose", "left_eye", ..., "right_ankle"), NULL out of range. */
const char *opc_coco_keypoint_name(int k);

typedef struct opc_coco_pck_options {
    double thr;                    /* PCK threshold (<= 0: 0.2) */
    double match_oks;              /* OKS a detection needs to match a person (<= 0: 0.5) */
    unsigned char keypoints[17];   /* the COCO-17 keypoints scored (nonzero); all 0 = all */
} opc_coco_pck_options;

/* Each person of GT (not crowd, with labelled keypoints) is matched to at most one
 * detection as COCOeval matches at one OKS threshold: detections in score order (the 20
 * best of an image), each taking the unmatched person of highest OKS >= match_oks, here
 * computed over the scored keypoints only (so a model that lacks some keypoints is not
 * held back by them). On matched pairs, keypoint k counts where GT labels it (v > 0); it
 * is correct when |pred - gt| / size < thr, size = the longer side of the GT box clipped
 * to the image as MMPose's COCO loader does (x1 = clip(x, 0, W-1), x2 = clip(x+w, 0, W-1)).
 * A keypoint the detection does not have (v <= 0, as our writer marks parts it did not
 * find or its model lacks) is counted and wrong, and left out of the EPE. */
typedef struct opc_coco_pck {
    double thr;
    int gt_persons, matched;
    int counted[17], correct[17];
    double acc[17];                /* correct / counted, -1 when nothing counted */
    double pck;                    /* the plain mean of the acc[k] >= 0 (MMPose's PCK) */
    int keypoints_counted;         /* how many keypoints that mean covers */
    double epe;                    /* mean pixel distance over counted keypoints the
                                      detections have (0 if none) */
    long epe_keypoints, missing;   /* keypoints in the EPE; counted keypoints without a
                                      prediction */
} opc_coco_pck;

/* opc_coco_eval (stats as there), and PCK / EPE per matched person into *pck. */
int opc_coco_eval_pck(const char *gt_path, const char *results_path,
                      double stats[OPC_COCO_NUM_STATS], const opc_coco_pck_options *o,
                      opc_coco_pck *pck, opc_error *err);

/* The per-keypoint table of p and its PCK and EPE lines (text), or (json) one JSON object
 * {"thr", "gt_persons", "matched", "keypoints": [{"name", "counted", "correct", "pck"}],
 * "PCK", "keypoints_counted", "EPE", "EPE_keypoints", "missing_keypoints"}. Allocated
 * (the caller frees it); NULL when out of memory. */
char *opc_coco_pck_report(const opc_coco_pck *p, int json);

#ifdef __cplusplus
}
#endif
#endif
