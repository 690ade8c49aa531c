/* People: what every decoder finds in one image, in image pixels, in the model's keypoint
 * set (openpose-c/keypoints.h).
 *
 * Coordinates. Keypoints are in image pixels with pixel i covering [i, i+1), so the centre
 * of the top-left pixel is (0.5, 0.5) (OpenPose's convention; decoders of other families
 * convert theirs to it). */
#ifndef OPENPOSE_C_PEOPLE_H
#define OPENPOSE_C_PEOPLE_H

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The people found in one image. Keypoints are (x, y, score) per part; a missing part is
 * (0, 0, 0). People are sorted by score, best first. */
typedef struct opc_people {
    int num_parts;
    int count;
    float *keypoints;        /* count x num_parts x 3 */
    float *scores;           /* count */
    /* Decoders that keep every candidate (OpenPose's part_candidates): every peak of every
     * part, (x, y, score). */
    int *candidate_counts;   /* num_parts, or NULL */
    float **candidates;      /* num_parts arrays of candidate_counts[i] x 3, or NULL */
} opc_people;

void opc_people_free(opc_people *p);

/* Keypoint coordinates (OpenPose's --keypoint_scale 0, 3, 4). */
typedef enum {
    OPC_KEYPOINTS_PIXELS = 0,   /* image pixels */
    OPC_KEYPOINTS_UNIT = 1,     /* x / (width - 1), y / (height - 1): 0..1 */
    OPC_KEYPOINTS_SIGNED = 2    /* the same mapped to -1..1 */
} opc_keypoint_scale;

/* Converts pixel keypoints of an img_w x img_h image to another scale; missing parts
 * stay (0, 0, 0), unlike OpenPose, which moves them too. */
void opc_people_rescale(opc_people *p, int img_w, int img_h, opc_keypoint_scale to);

#ifdef __cplusplus
}
#endif
#endif
