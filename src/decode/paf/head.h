/* The "paf" head's parameters in a model file: the topology (which output channel is which
 * part and limb, OpenPose's rules and defaults) and which outputs hold the heatmaps and the
 * PAFs (one output with both, as CMU's networks, or two, as Lightweight OpenPose). */
#ifndef OPC_DECODE_PAF_HEAD_H
#define OPC_DECODE_PAF_HEAD_H

#include "openpose-c/paf.h"

typedef struct opc_paf_head {
    opc_paf_topology topology;
    char heatmaps[OPC_NAME_LEN]; /* output names; equal when one output holds both */
    char pafs[OPC_NAME_LEN];
} opc_paf_head;

/* The params JSON object text (malloc'd) for topology t reading outputs heatmaps and pafs. */
char *opc_paf_head_json(const opc_paf_topology *t, const char *heatmaps, const char *pafs);
/* Reads and validates params (where names them in messages). */
int opc_paf_head_read(const char *params, const char *where, opc_paf_head *h, opc_error *err);

#endif
