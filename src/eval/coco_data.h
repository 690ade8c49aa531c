/* COCO keypoint ground truth and results in memory, as pycocotools' COCO and loadRes()
 * see them: validated, filtered to the GT's images and categories, and grouped into
 * cells (category, image) so that evaluation is one pass over sorted arrays. */
#ifndef OPC_EVAL_COCO_DATA_H
#define OPC_EVAL_COCO_DATA_H

#include <stddef.h>

#include "openpose-c/error.h"

#define OPC_COCO_KPTS 17 /* keypoints per person; pycocotools assumes COCO's 17 */

/* pycocotools' default keypoint Params. */
#define OPC_COCO_MAX_DETS 20  /* detections kept per image and category, best first */
#define OPC_COCO_NUM_IOU 10   /* OKS thresholds linspace(.5, .95, 10) */
#define OPC_COCO_NUM_REC 101  /* recall points linspace(0, 1, 101) */
#define OPC_COCO_NUM_AREAS 3  /* all, medium, large */
#define OPC_COCO_MAX_BYTES ((size_t)512 << 20) /* per input file; COCO's largest is 240 MB */
#define OPC_COCO_MAX_VALUES ((size_t)1 << 26)  /* JSON values per file: 4 GiB parsed */

/* numpy.linspace(start, stop, num) to the last bit: i * step + start, the last one stop. */
void opc_coco_linspace(double start, double stop, int num, double *out);

typedef struct opc_coco_gt {
    int cat, img;        /* indices into opc_coco_data's sorted ids */
    int file_index;      /* 0-based position in the GT's "annotations" */
    double id;           /* annotation id (a matched id of 0 counts as unmatched, as in pycocotools) */
    double area;         /* segmentation area: area ranges and OKS scale */
    double bbox[4];      /* x, y, w, h: OKS of GT without labelled keypoints */
    double kp[3 * OPC_COCO_KPTS]; /* x, y, v */
    int iscrowd;
    int ignore;          /* iscrowd or num_keypoints == 0 */
} opc_coco_gt;

typedef struct opc_coco_dt {
    int cat, img;
    int file_index;      /* 0-based position in the results file */
    double score;
    double area;         /* keypoint extent (or bbox area), see opc_coco_load */
    double kp[3 * OPC_COCO_KPTS];
} opc_coco_dt;

/* All GT and detections of one (category, image): gt[gt_begin, gt_end) in file order,
 * dt[dt_begin, dt_end) by score, highest first, ties in file order. */
typedef struct opc_coco_cell {
    int cat, img;
    size_t gt_begin, gt_end, dt_begin, dt_end;
} opc_coco_cell;

typedef struct opc_coco_data {
    int num_images, num_cats;
    double *image_ids;   /* sorted, unique */
    double *image_sizes; /* width, height per image (0, 0 when GT does not say) */
    double *cat_ids;     /* sorted, unique */
    size_t num_gt, num_dt, num_cells;
    opc_coco_gt *gt;     /* sorted by (cat, img), then file order */
    opc_coco_dt *dt;     /* sorted by (cat, img), then score desc, then file order */
    opc_coco_cell *cells; /* sorted by (cat, img); only cells with some GT or detection */
} opc_coco_data;

/* Reads GT (a COCO dataset object with images, categories and annotations) and results
 * (an array of {image_id, category_id, keypoints[51], score}). Errors name the file and
 * the offending entry. */
int opc_coco_load(const char *gt_path, const char *results_path, opc_coco_data *out,
                  opc_error *err);
void opc_coco_data_free(opc_coco_data *d);

/* pycocotools' computeOks for one pair. */
double opc_coco_oks(const opc_coco_gt *g, const double dt_kp[3 * OPC_COCO_KPTS]);

/* The same over the keypoints k with keep[k] != 0 only (keep NULL = all 17). */
double opc_coco_oks_of(const opc_coco_gt *g, const double dt_kp[3 * OPC_COCO_KPTS],
                       const unsigned char *keep);

/* PCK and EPE per matched person (openpose-c/eval.h: opc_coco_eval_pck). */
struct opc_coco_pck;
struct opc_coco_pck_options;
int opc_coco_pck_compute(const opc_coco_data *d, const struct opc_coco_pck_options *o,
                         struct opc_coco_pck *r, opc_error *err);

/* The OKS matrix of one cell: min(detections, max_dets) rows in the cell's score order,
 * GT columns in file order; oks is rows x num_gt, row-major. Returns the row count. */
size_t opc_coco_cell_oks(const opc_coco_data *d, const opc_coco_cell *c, size_t max_dets,
                         double *oks);

#endif
