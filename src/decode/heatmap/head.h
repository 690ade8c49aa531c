/* The "heatmap" head's parameters in a model file: which output holds the maps (one per
 * keypoint of the model's set, in its order), the quarter-cell rule the network was
 * trained for, and whether the flip test shifts the mirrored maps back one cell. */
#ifndef OPC_DECODE_HEATMAP_HEAD_H
#define OPC_DECODE_HEATMAP_HEAD_H

#include "openpose-c/heatmap.h"
#include "openpose-c/keypoints.h"

typedef struct opc_heatmap_head {
    char heatmaps[OPC_NAME_LEN];   /* output name */
    opc_heatmap_options defaults;  /* refine rule, flip shift */
} opc_heatmap_head;

/* The params JSON object text (malloc'd), or NULL when out of memory. */
char *opc_heatmap_head_json(const opc_heatmap_head *h);
/* Reads and validates params (where names them in messages). */
int opc_heatmap_head_read(const char *params, const char *where, opc_heatmap_head *h,
                          opc_error *err);
/* "none", "mmpose", "newell"; -1 for another name. */
int opc_heatmap_refine_from_name(const char *name);
const char *opc_heatmap_refine_name(opc_heatmap_refine r);

#endif
