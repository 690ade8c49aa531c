/* From network output to people: bicubic upsampling of the maps, NMS, PAF scoring and
 * greedy assembly, as CMU OpenPose does it. Pure computation over arrays. */
#ifndef OPENPOSE_C_POSE_H
#define OPENPOSE_C_POSE_H

#include "error.h"
#include "tensor.h"
#include "topology.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    OPC_ASSEMBLY_GLOBAL = 0,     /* all limbs' connections sorted together, people merged
                                    (OpenPose's CUDA build) */
    OPC_ASSEMBLY_SEQUENTIAL = 1  /* limb by limb, no merging (OpenPose's CPU build) */
} opc_assembly;

typedef struct opc_parse_params {
    float nms_threshold;     /* a peak must exceed this */
    float inter_threshold;   /* per-sample PAF threshold */
    float inter_min_above;   /* share of samples that must pass it */
    int min_parts;           /* a person needs at least this many parts */
    float min_score;         /* ... and total score / parts at least this */
    int max_peaks;           /* per part (127) */
    int number_people_max;   /* keep the best N people; -1 = all */
    opc_assembly assembly;
    int part_candidates;     /* also return every NMS peak */
} opc_parse_params;

/* OpenPose's defaults for the topology; maximize_positives lowers the thresholds as
 * OpenPose's flag of that name does. */
void opc_parse_params_default(opc_parse_params *p, const opc_topology *t,
                              int maximize_positives);

/* The people found in one image. Keypoints are (x, y, score) per part in image pixels;
 * a missing part is (0, 0, 0). People are sorted by score, best first. */
typedef struct opc_people {
    int num_parts;
    int count;
    float *keypoints;        /* count x num_parts x 3 */
    float *scores;           /* count */
    /* With part_candidates: every peak of every part, (x, y, score), image pixels. */
    int *candidate_counts;   /* num_parts, or NULL */
    float **candidates;      /* num_parts arrays of candidate_counts[i] x 3, or NULL */
} opc_people;

void opc_people_free(opc_people *p);

/* Resizes each of n network outputs (1 x C x h_i x w_i) to net_w x net_h with OpenPose's
 * bicubic interpolation and averages them (n > 1 is multi-scale) into *out (allocated). */
int opc_maps_resize_merge(const opc_tensor *const *maps, int n, int net_w, int net_h,
                          opc_tensor *out, opc_error *err);

/* Parses maps already at net-input resolution (1 x C x net_h x net_w). scale maps net
 * pixels to image pixels (image = net * scale). */
int opc_parse_maps(const opc_topology *t, const opc_parse_params *p, const opc_tensor *maps,
                   float scale, opc_people *out, opc_error *err);

/* Both steps for one network output: resize to net_w x net_h, then parse. */
int opc_parse(const opc_topology *t, const opc_parse_params *p, const opc_tensor *net_output,
              int net_w, int net_h, float scale, opc_people *out, opc_error *err);

#ifdef __cplusplus
}
#endif
#endif
