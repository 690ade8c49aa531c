/* Keypoint topologies: which part each heatmap is, which PAF channels hold which limb,
 * and the parser's topology-dependent rules and defaults. One table per topology
 * (COCO-18, BODY_25, MPI-15); models carry a copy in their header. */
#ifndef OPENPOSE_C_TOPOLOGY_H
#define OPENPOSE_C_TOPOLOGY_H

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OPC_MAX_PARTS 80
#define OPC_MAX_PAIRS 96
#define OPC_NAME_LEN 32

typedef struct opc_topology {
    char name[OPC_NAME_LEN];          /* "coco", "body25", "mpi", "mpi4" */
    int num_parts;                    /* keypoints, background excluded */
    char part_names[OPC_MAX_PARTS][OPC_NAME_LEN];
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
    int coco17[17];                   /* COCO-17 keypoint k is part coco17[k], -1 if absent */

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

    /* Rendering (OpenPose's poseParametersRender.hpp): limbs drawn and part colours (RGB). */
    int num_render_pairs;
    int render_pairs[OPC_MAX_PAIRS][2];
    unsigned char colors[OPC_MAX_PARTS][3];
} opc_topology;

/* Built-in tables by name: "coco", "body25", "mpi", "mpi4" (MPI-15, 4-stage network
 * defaults). Returns NULL for an unknown name. */
const opc_topology *opc_topology_builtin(const char *name);
/* The names accepted above, NULL-terminated. */
const char *const *opc_topology_names(void);
/* Checks internal consistency (indices in range, channel counts). */
int opc_topology_validate(const opc_topology *t, opc_error *err);

#ifdef __cplusplus
}
#endif
#endif
