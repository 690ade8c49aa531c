/* Keypoint accuracy metrics as MMPose defines them (mmpose/evaluation/functional/
 * keypoint_eval.py and metrics/keypoint_2d_metrics.py): PCK at a threshold under a
 * per-instance normaliser, its area under the curve (AUC), the mean end-point error (EPE)
 * and the normalised mean error (NME); MPII's PCKh with its joint groups and both means;
 * and the instance files `openpose-c eval` reads them from.
 *
 * Arrays: N instances of K keypoints; pred and gt hold N x K x 2 doubles (x, y), mask
 * N x K flags (nonzero = the keypoint counts), norm N x 2 per-axis normalisers. */
#ifndef OPENPOSE_C_METRICS_H
#define OPENPOSE_C_METRICS_H

#include "error.h"
#include "keypoints.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct opc_keypoint_pairs {
    int n, k;
    const double *pred, *gt;      /* n x k x 2 */
    const unsigned char *mask;    /* n x k */
} opc_keypoint_pairs;

/* MMPose's normalised distance of keypoint j of instance i: |(pred - gt) / norm| with
 * the division per axis, or -1 when the keypoint does not count: masked, or its instance
 * has a normaliser component equal to 0 (the whole instance is skipped). A component
 * below 0 counts as 1e6 (MMPose replaces every one <= 0 after the skip). */
double opc_keypoint_distance(const opc_keypoint_pairs *p, const double *norm, int i, int j);

/* PCK at thr (keypoint_pck_accuracy): acc[j] = share of the counted instances whose
 * distance is < thr (strictly), -1 when none counts; *avg = the plain mean of the
 * acc[j] >= 0 (0 when none), *cnt = how many there are. acc has k entries; avg and cnt
 * may be NULL. */
void opc_keypoint_pck(const opc_keypoint_pairs *p, const double *norm, double thr,
                      double *acc, double *avg, int *cnt);

/* keypoint_auc: norm (f, f) for every instance, the mean of PCK's avg over the
 * thresholds i / num_thrs, i = 0 .. num_thrs - 1 (so at most (num_thrs - 1) / num_thrs).
 * num_thrs >= 1, norm_factor > 0. */
double opc_keypoint_auc(const opc_keypoint_pairs *p, double norm_factor, int num_thrs);

/* keypoint_epe: the mean pixel distance over the masked-in keypoints (0 if none). */
double opc_keypoint_epe(const opc_keypoint_pairs *p);

/* keypoint_nme: the mean normalised distance over the keypoints that count (0 if none). */
double opc_keypoint_nme(const opc_keypoint_pairs *p, const double *norm);

/* ---- MPII PCKh ---- */

/* The MPII rules (Tompson et al.'s and bearpaw's eval_PCKh, MMPose's MpiiPCKAccuracy):
 * a visible joint is correct when its distance is < thr head sizes (strictly); joints
 * are found by name (MPII's and AI Challenger's names: head_top, upper_neck or neck,
 * left_/right_ shoulder, elbow, wrist, hip, knee, ankle, pelvis, thorax). */
enum { OPC_PCKH_HEAD, OPC_PCKH_SHOULDER, OPC_PCKH_ELBOW, OPC_PCKH_WRIST, OPC_PCKH_HIP,
       OPC_PCKH_KNEE, OPC_PCKH_ANKLE, OPC_PCKH_NUM_GROUPS };

typedef struct opc_pckh_result {
    int k;
    int visible[OPC_MAX_PARTS];     /* instances where joint j counts */
    int correct[OPC_MAX_PARTS];
    double pckh[OPC_MAX_PARTS];     /* 100 * correct / visible; -1 when nothing is visible */
    /* Head = head_top; the others the mean of the left and right joint; -1 when the set
     * lacks a joint of the group or one of them is never visible. */
    double groups[OPC_PCKH_NUM_GROUPS];
    /* Over the joints except pelvis and thorax (MPII's 14 of 16), those visible at least
     * once: the plain mean of their PCKh (eval_PCKh.py/.m's "Mean") and the visible-count
     * weighted one, 100 * sum correct / sum visible (MMPose's "PCK"); -1 if none. */
    double mean, mean_weighted;
    int mean_joints;                /* joints in those means */
} opc_pckh_result;

/* PCKh at thr with norm (n x 2: each instance's head size on both axes). names: the k
 * joint names. p->k must be at most OPC_MAX_PARTS. */
void opc_pckh(const opc_keypoint_pairs *p, const double *norm,
              const char (*names)[OPC_NAME_LEN], double thr, opc_pckh_result *r);

/* "Head", "Shoulder", ..., "Ankle". */
const char *opc_pckh_group_name(int g);

/* ---- instance files ---- */

/* A keypoint-eval instance file ("format": "openpose-c keypoint-eval v1"): per instance
 * the ground truth, its visibility, the prediction, and the normalisers, as
 * ../shared/testdata/metrics/README.md describes:
 *   {"format": "openpose-c keypoint-eval v1", "keypoint_names": [K names],
 *    "gt_coordinate_base": 0|1, "pred_coordinate_base": 0|1,
 *    "instances": [{"gt": [[x, y] x K], "visible": [0|1 x K], "pred": [[x, y] x K],
 *                   "bbox_size": number|null, "head_size": number|null,
 *                   "headbox": [[x1, y1], [x2, y2]] (optional)}, ...]}
 * Other members (ids, image names, notes) are ignored. */
typedef struct opc_keypoint_instances {
    int n, k;
    char (*names)[OPC_NAME_LEN];   /* k */
    int gt_base, pred_base;        /* coordinate base (0, or 1 as MATLAB's) */
    double *gt, *pred;             /* n x k x 2, as stored */
    unsigned char *visible;        /* n x k */
    /* Normalisers, NaN where the file has none. head_size: the file's, or else 0.6 x the
     * head box diagonal (MPII's SC_BIAS rule) when it gives a "headbox". */
    double *bbox_size, *head_size; /* n */
} opc_keypoint_instances;

/* Reads an instance file (at most 512 MiB; "-" = standard input). Every malformed
 * entry is an error naming the file and the instance. */
int opc_keypoint_instances_load(const char *path, opc_keypoint_instances *d, opc_error *err);
void opc_keypoint_instances_free(opc_keypoint_instances *d);

/* ---- the report `openpose-c eval --metric` prints ---- */

typedef enum {
    OPC_METRIC_PCK,   /* PCK@thr under --norm */
    OPC_METRIC_PCKH,  /* MPII PCKh@thr */
    OPC_METRIC_AUC,   /* AUC of PCK, norm_factor pixels, num_thrs thresholds */
    OPC_METRIC_EPE,
    OPC_METRIC_NME,   /* under --norm */
    OPC_METRIC_COUNT
} opc_metric;

typedef enum { OPC_NORM_BBOX, OPC_NORM_HEAD, OPC_NORM_TORSO, OPC_NORM_COUNT } opc_norm_item;

typedef struct opc_metric_options {
    double thr;               /* PCK / PCKh threshold; <= 0 = the metric's default (0.2, 0.5) */
    opc_norm_item norm;       /* PCK and NME normaliser */
    double auc_norm_factor;   /* <= 0 = 30 */
    int auc_num_thrs;         /* <= 0 = 20 */
    /* Compare coordinates as stored, whatever the files' bases, as MMPose's PCKAccuracy,
     * AUC, EPE and NME do; otherwise (and always for PCKh, as MpiiPCKAccuracy adds 1 to
     * 0-based predictions) predictions are moved to the ground truth's base first. */
    int raw_coordinates;
} opc_metric_options;

/* "pck", "pckh", "auc", "epe", "nme" and "bbox", "head", "torso"; -1 for an unknown name. */
int opc_metric_from_name(const char *name);
const char *opc_metric_name(opc_metric m);
int opc_norm_from_name(const char *name);
const char *opc_norm_name(opc_norm_item n);

/* Computes metric m on d and writes its report into *text (allocated; the caller frees
 * it): a per-keypoint table and the summary lines, or (json) one JSON object. Fails, with
 * *text NULL, when the normaliser the metric needs is missing for an instance or the
 * keypoints it needs (torso: left_shoulder and right_hip, MMPose's JHMDB pair) are not in
 * the set. */
int opc_metric_report(const opc_keypoint_instances *d, opc_metric m,
                      const opc_metric_options *o, int json, char **text, opc_error *err);

#ifdef __cplusplus
}
#endif
#endif
