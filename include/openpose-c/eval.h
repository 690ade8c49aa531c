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

#ifdef __cplusplus
}
#endif
#endif
