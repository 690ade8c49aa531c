/* OpenPose's decoder, the first row of the decoder table: part heatmaps and Part Affinity
 * Fields to people, as CMU OpenPose does it (bicubic upsampling of the maps, NMS, PAF
 * line integrals, greedy assembly). A topology says which output channel is which part
 * and limb, and holds OpenPose's rules and defaults for it; models with a "paf" head carry
 * one. Pure computation over arrays; single-threaded, so results never depend on the thread
 * count.
 *
 * Coordinates (openpose-c/people.h). A peak found at net-input pixel index p is reported at
 * p * scale + 0.5, exactly as OpenPose does (it adds 0.5/scale in net pixels before
 * scaling). The maps' cell g covers net pixels [8g, 8g+8) under cv::resize's half-pixel
 * mapping, which is also how OpenPose's training draws its targets, so a keypoint drawn at
 * (x, y) in this convention comes back at (x, y). */
#ifndef OPENPOSE_C_PAF_H
#define OPENPOSE_C_PAF_H

#include "error.h"
#include "keypoints.h"
#include "people.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which output channel is which part and limb, and the parser's rules and defaults. */
typedef struct opc_paf_topology {
    char name[OPC_NAME_LEN];          /* "coco", "body25", "mpi", "mpi4" */
    char keypoints[OPC_NAME_LEN];     /* the keypoint set it finds ("coco18", ...) */
    int num_parts;                    /* keypoints, background excluded */
    int num_pairs;
    int pairs[OPC_MAX_PAIRS][2];      /* limb i joins part pairs[i][0] -> pairs[i][1] */
    int paf_channels[OPC_MAX_PAIRS][2]; /* x and y channel of limb i, counted from paf_offset */
    int heatmap_channels;             /* part heatmaps + background */
    int background;                   /* channel of the background heatmap, -1 if none */
    int paf_offset;                   /* first PAF channel in the network output */
    int total_channels;               /* heatmap_channels + 2 * num_pairs */

    /* Parser rules (OpenPose's bodyPartConnector). */
    unsigned char pair_fill_only[OPC_MAX_PAIRS]; /* limb only fills parts, never starts a person */
    unsigned char part_uncounted[OPC_MAX_PARTS]; /* part does not count toward min parts (feet) */

    /* Parser defaults (OpenPose's poseParameters.cpp). */
    float nms_threshold;
    float inter_threshold;
    float inter_min_above;
    int min_parts;
    float min_score;
    /* The same under OpenPose's maximize_positives flag (lower thresholds; MPI keeps its NMS
     * and inter thresholds). */
    float maxpos_nms_threshold;
    float maxpos_inter_threshold;
    float maxpos_inter_min_above;
    int maxpos_min_parts;
    float maxpos_min_score;
} opc_paf_topology;

/* Built-in topologies by name: "coco" (keypoint set coco18), "body25", "mpi", "mpi4"
 * (mpi15; the 4-stage network's defaults). Returns NULL for an unknown name. */
const opc_paf_topology *opc_paf_topology_builtin(const char *name);
/* The names accepted above, NULL-terminated. */
const char *const *opc_paf_topology_names(void);
/* Checks internal consistency (indices in range, channel counts, defaults). */
int opc_paf_topology_validate(const opc_paf_topology *t, opc_error *err);

/* The topology of a model whose head is "paf" (an error for other models). */
struct opc_model;
int opc_model_paf_topology(const struct opc_model *m, opc_paf_topology *t, opc_error *err);

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
void opc_parse_params_default(opc_parse_params *p, const opc_paf_topology *t,
                              int maximize_positives);
/* Checks that every field is finite and in range (thresholds >= 0, inter_min_above in
 * [0, 1], max_peaks in 1..OPC_MAX_PEAKS_LIMIT, a known assembly). */
int opc_parse_params_validate(const opc_parse_params *p, opc_error *err);

/* Resizes each of n network outputs (1 x C x h_i x w_i, same C) to net_w x net_h with
 * OpenPose's bicubic interpolation (cv::resize INTER_CUBIC) and averages them (n > 1 is
 * multi-scale, as OpenPose's resizeAndMerge; n at most 8) into
 * *out (allocated 1 x C x net_h x net_w). */
int opc_maps_resize_merge(const opc_tensor *const *maps, int n, int net_w, int net_h,
                          opc_tensor *out, opc_error *err);

/* Parses maps already at net-input resolution (1 x C x net_h x net_w, C = the topology's
 * total_channels). scale maps net pixels to image pixels (image = net * scale); OpenPose's
 * is min((W-1)/(net_w-1), (H-1)/(net_h-1)) for a W x H image (opc_net_to_image_scale);
 * it must lie in [1e-6, 1e6]. Maps of 0 x 0 give nobody. */
int opc_parse_maps(const opc_paf_topology *t, const opc_parse_params *p, const opc_tensor *maps,
                   float scale, opc_people *out, opc_error *err);

/* Both steps for one network output: the same result as opc_maps_resize_merge followed by
 * opc_parse_maps (identical arithmetic), but it upsamples only the part heatmaps and reads
 * the PAFs at the sampled pixels only, so it is several times faster. */
int opc_parse(const opc_paf_topology *t, const opc_parse_params *p, const opc_tensor *net_output,
              int net_w, int net_h, float scale, opc_people *out, opc_error *err);

/* OpenPose's net-to-image scale for a W x H image parsed at net_w x net_h (1 when a side
 * is a single pixel, where OpenPose's formula divides by zero). */
float opc_net_to_image_scale(int image_w, int image_h, int net_w, int net_h);

#ifdef __cplusplus
}
#endif
#endif
