/* PoseNet's decoders (TensorFlow.js @tensorflow-models/posenet 2.x), reproduced to the
 * bit: from the four network outputs to poses, as the package's decodeSinglePose and
 * decodeMultiplePoses compute them. Pure computation over tensors; single-threaded.
 *
 * The outputs, on a grid of H x W cells for a net input of (H-1)*stride+1 x ... pixels:
 *   scores            1 x 17 x H x W  sigmoid of the heatmap logits (opc_posenet_scores),
 *                                     keypoint k in COCO order
 *   offsets           1 x 34 x H x W  channel k: y offset of keypoint k, 17 + k: its x offset
 *   displacement_fwd  1 x 32 x H x W  channel e: y, 16 + e: x displacement along edge e of the
 *   displacement_bwd                  pose chain, parent to child (fwd) or child to parent (bwd)
 * (our NCHW layout; the package's tensors are H x W x C with the same channels). Offsets and
 * displacements are in net-input pixels; cell (y, x) sits at (y * stride, x * stride).
 *
 * Poses come out in net-input pixels as JavaScript has them: multi-person positions and
 * pose scores are doubles computed from the float32 tensor values in the package's order
 * (cell * stride + offset, then + displacement, ...); single-person positions are float32
 * sums (the package adds with tensor ops); keypoint scores are tensor values. JavaScript's
 * Math.round (halves up), the strict > of the local-maximum test, < for the score
 * threshold, <= for the NMS radius and the package's max-heap (which orders equal scores
 * its own way) are all kept, so the same tensors give the same poses in the same order. */
#ifndef OPENPOSE_C_POSENET_H
#define OPENPOSE_C_POSENET_H

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OPC_POSENET_PARTS 17
#define OPC_POSENET_EDGES 16
/* Upper bound accepted for max_detections. */
#define OPC_POSENET_MAX_DETECTIONS 10000

/* The pose chain: edge e joins parent OPC_POSENET_CHAIN[e][0] to child [e][1] (part ids
 * in COCO order), a tree rooted at the nose in topological order. */
extern const int OPC_POSENET_CHAIN[OPC_POSENET_EDGES][2];

typedef struct opc_posenet_maps {
    const opc_tensor *scores;
    const opc_tensor *offsets;
    const opc_tensor *displacement_fwd;  /* the multi-person decoder only */
    const opc_tensor *displacement_bwd;  /* the multi-person decoder only */
    int stride;                          /* output stride: 8, 16, 32 */
} opc_posenet_maps;

typedef struct opc_posenet_keypoint {
    double y, x;        /* net-input pixels; not clamped (may lie outside the input) */
    double score;       /* the float32 score at the keypoint's cell */
} opc_posenet_keypoint;

typedef struct opc_posenet_pose {
    double score;       /* multi: sum of the scores of the keypoints not within the NMS
                           radius of an earlier pose's same keypoint, / 17; single: mean */
    opc_posenet_keypoint keypoints[OPC_POSENET_PARTS];
} opc_posenet_pose;

/* The multi-person decoder's settings, with the package's defaults. */
typedef struct opc_posenet_params {
    int max_detections;      /* at most this many poses (5) */
    double score_threshold;  /* a root candidate needs a score >= this (0.5); poses are
                                never filtered by their own score */
    double nms_radius;       /* net-input pixels (20) */
} opc_posenet_params;

void opc_posenet_params_default(opc_posenet_params *p);

/* What an estimator's "posenet" decoder does (opc_decode_options.posenet). */
typedef struct opc_posenet_options {
    int single;                 /* decodeSinglePose (one person) instead of the multi-person
                                   decoder */
    opc_posenet_params multi;   /* the multi-person decoder's settings */
} opc_posenet_options;

/* Multi-person with the package's defaults. */
void opc_posenet_options_default(opc_posenet_options *o);
/* max_detections in 1..OPC_POSENET_MAX_DETECTIONS, score_threshold in [0, 1], nms_radius
 * finite and > 0 (the package's own checks). */
int opc_posenet_params_validate(const opc_posenet_params *p, opc_error *err);

/* Checks the maps: 17 score channels, 34 offset channels, 32 displacement channels when
 * need_displacements, one H x W grid with both sides >= 1, a stride of 1..1024. */
int opc_posenet_maps_check(const opc_posenet_maps *m, int need_displacements, opc_error *err);

/* Sigmoid of the heatmap logits as TensorFlow.js computes it: 1 / (1 + exp(-x)) in double,
 * rounded to float32. scores must have logits' size; it may be logits itself. */
void opc_posenet_scores(const opc_tensor *logits, opc_tensor *scores);

/* decodeSinglePose: per keypoint the first cell (row-major) of its highest score, plus
 * that cell's offset; the pose score is the mean of the 17 scores. */
int opc_posenet_decode_single(const opc_posenet_maps *m, opc_posenet_pose *pose,
                              opc_error *err);

/* decodeMultiplePoses: candidates are the 3x3 local maxima (strictly greater neighbours
 * exclude, windows clipped at the borders) scoring >= score_threshold, taken best first;
 * a root within nms_radius of the same keypoint of an earlier pose is skipped, else the
 * pose is grown along the chain (backward then forward, two offset refinements a step).
 * poses has room for p->max_detections; *count receives how many were found. */
int opc_posenet_decode_multi(const opc_posenet_maps *m, const opc_posenet_params *p,
                             opc_posenet_pose *poses, int *count, opc_error *err);

#ifdef __cplusplus
}
#endif
#endif
