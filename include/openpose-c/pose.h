/* From network output to people: bicubic upsampling of the maps, NMS, PAF scoring and
 * greedy assembly, as CMU OpenPose does it. Pure computation over arrays; single-threaded,
 * so results never depend on the thread count.
 *
 * Coordinates. Keypoints are in image pixels in OpenPose's convention: pixel i covers
 * [i, i+1), so the centre of the top-left pixel is (0.5, 0.5). Internally a peak found at
 * net-input pixel index p is reported at p * scale + 0.5, exactly as OpenPose does (it adds
 * 0.5/scale in net pixels before scaling). The maps' cell g covers net pixels [8g, 8g+8)
 * under cv::resize's half-pixel mapping, which is also how OpenPose's training draws its
 * targets, so a keypoint drawn at (x, y) in this convention comes back at (x, y). */
#ifndef OPENPOSE_C_POSE_H
#define OPENPOSE_C_POSE_H

#include "error.h"
#include "tensor.h"
#include "topology.h"

#ifdef __cplusplus
extern "C" {
#endif

/* OpenPose's two ways of joining limbs into people (see src/decode/paf/assemble.c). Both find
 * every person in rendered ground truth. Global is the default: it is what OpenPose's GPU
 * build, the one most of its users run, computes; it can merge partial people through any
 * limb (a person whose neck-nose limb failed still gets its head through the ear-shoulder
 * limbs), and on real photos it scored a little higher than the sequential one. */
typedef enum {
    OPC_ASSEMBLY_GLOBAL = 0,     /* all limbs' connections sorted together, partial people
                                    merged (OpenPose's CUDA build; the default) */
    OPC_ASSEMBLY_SEQUENTIAL = 1  /* limb by limb in pair order, no merging, fill-only pairs
                                    (OpenPose's CPU build) */
} opc_assembly;

/* Upper bound accepted for max_peaks (OpenPose uses 127). */
#define OPC_MAX_PEAKS_LIMIT 4096

typedef struct opc_parse_params {
    float nms_threshold;     /* a peak must exceed this */
    float inter_threshold;   /* per-sample PAF threshold */
    float inter_min_above;   /* share of samples that must pass it (strictly more than) */
    int min_parts;           /* a person needs at least this many counted parts */
    float min_score;         /* ... and total score / counted parts at least this */
    int max_peaks;           /* per part, first in row-major order (127) */
    int number_people_max;   /* keep the best N people; <= 0 = all */
    opc_assembly assembly;
    int part_candidates;     /* also return every NMS peak */
    int maximize_positives;  /* OpenPose's flag: besides the lower thresholds that
                                opc_parse_params_default sets, it turns off the rule that
                                uncounted parts (BODY_25's feet) do not count */
} opc_parse_params;

/* OpenPose's defaults for the topology (from its table); maximize_positives selects the
 * values of OpenPose's flag of that name. */
void opc_parse_params_default(opc_parse_params *p, const opc_topology *t,
                              int maximize_positives);
/* Checks that every field is finite and in range (thresholds >= 0, inter_min_above in
 * [0, 1], max_peaks in 1..OPC_MAX_PEAKS_LIMIT, a known assembly). */
int opc_parse_params_validate(const opc_parse_params *p, opc_error *err);

/* The people found in one image. Keypoints are (x, y, score) per part in image pixels;
 * a missing part is (0, 0, 0). People are sorted by score, best first (OpenPose itself
 * leaves them in assembly order). The score is OpenPose's: the sum of the person's peak
 * and connection scores divided by parts + pairs of the topology. */
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

/* Resizes each of n network outputs (1 x C x h_i x w_i, same C) to net_w x net_h with
 * OpenPose's bicubic interpolation (cv::resize INTER_CUBIC) and averages them (n > 1 is
 * multi-scale, as OpenPose's resizeAndMerge; n at most OPC_MAX_SCALES of image.h) into
 * *out (allocated 1 x C x net_h x net_w). */
int opc_maps_resize_merge(const opc_tensor *const *maps, int n, int net_w, int net_h,
                          opc_tensor *out, opc_error *err);

/* Parses maps already at net-input resolution (1 x C x net_h x net_w, C = the topology's
 * total_channels). scale maps net pixels to image pixels (image = net * scale); OpenPose's
 * is min((W-1)/(net_w-1), (H-1)/(net_h-1)) for a W x H image (opc_net_to_image_scale);
 * it must lie in [1e-6, 1e6]. Maps of 0 x 0 give nobody. */
int opc_parse_maps(const opc_topology *t, const opc_parse_params *p, const opc_tensor *maps,
                   float scale, opc_people *out, opc_error *err);

/* Both steps for one network output: the same result as opc_maps_resize_merge followed by
 * opc_parse_maps (identical arithmetic), but it upsamples only the part heatmaps and reads
 * the PAFs at the sampled pixels only, so it is several times faster. */
int opc_parse(const opc_topology *t, const opc_parse_params *p, const opc_tensor *net_output,
              int net_w, int net_h, float scale, opc_people *out, opc_error *err);

/* OpenPose's net-to-image scale for a W x H image parsed at net_w x net_h (1 when a side
 * is a single pixel, where OpenPose's formula divides by zero). */
float opc_net_to_image_scale(int image_w, int image_h, int net_w, int net_h);

#ifdef __cplusplus
}
#endif
#endif
