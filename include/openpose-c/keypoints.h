/* Keypoint sets: which body parts a model finds, in which order, how they are drawn, how
 * they map to COCO's 17 keypoints and how COCO's OKS weighs them. A set is apart from any
 * decoder: OpenPose's PAF networks, PoseNet and top-down heatmap networks each name the set
 * their outputs follow, and every writer works from the set alone. Models carry a copy in
 * their file; the built-in ones are below. */
#ifndef OPENPOSE_C_KEYPOINTS_H
#define OPENPOSE_C_KEYPOINTS_H

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OPC_MAX_PARTS 80
#define OPC_MAX_PAIRS 96
#define OPC_NAME_LEN 32

typedef struct opc_keypoint_set {
    char name[OPC_NAME_LEN];             /* "coco18", "body25", "mpi15", "coco17", ... */
    int num_parts;
    char part_names[OPC_MAX_PARTS][OPC_NAME_LEN];
    int num_skeleton;
    int skeleton[OPC_MAX_PAIRS][2];      /* the limbs drawn, part to part */
    unsigned char colors[OPC_MAX_PARTS][3]; /* each part's colour when drawn, RGB */
    int coco17[17];                      /* COCO-17 keypoint k is part coco17[k]; -1: the
                                            set has no such part */
    float sigmas[OPC_MAX_PARTS];         /* COCO's OKS sigma of each part; 0: none */
    int flip[OPC_MAX_PARTS];             /* the part's mirror image (left <-> right);
                                            itself for parts on the middle line */
} opc_keypoint_set;

/* Built-in sets by name: "coco18" (OpenPose's COCO: 17 COCO parts + neck), "body25"
 * (OpenPose's BODY_25: adds mid-hip and feet), "mpi15" (MPII's 14 + chest), "coco17"
 * (COCO's own order, as PoseNet and MMPose's COCO models output). NULL for another name. */
const opc_keypoint_set *opc_keypoint_set_builtin(const char *name);
/* The names accepted above, NULL-terminated. */
const char *const *opc_keypoint_set_names(void);
/* Checks indices and numbers (parts in range, skeleton and flip consistent, sigmas >= 0). */
int opc_keypoint_set_validate(const opc_keypoint_set *k, opc_error *err);

#ifdef __cplusplus
}
#endif
#endif
