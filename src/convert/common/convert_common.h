/* What every converter does the same way once it has a graph: choose the topology and
 * name the model. */
#ifndef OPC_CONVERT_COMMON_H
#define OPC_CONVERT_COMMON_H

#include "model/graph.h"

/* The file name part of a path. */
const char *opc_base_name(const char *path);

/* Sets g->topology to the named built-in topology, or (name NULL) to the one whose
 * channel count equals the output's; fails when none or the counts disagree. in_path and
 * out_blob only go into messages. */
int opc_convert_pick_topology(opc_graph *g, const char *name, int channels, const char *in_path,
                              const char *out_blob, opc_error *err);

/* g->name = given_name, else the output file's name without its extension;
 * g->source = "<framework>: <input file name>" (the directory stays out, so converting
 * equal files gives equal models). */
int opc_convert_set_names(opc_graph *g, const char *framework, const char *in_path,
                          const char *out_path, const char *given_name, opc_error *err);

/* Folds y = s * x + t (per channel; s NULL = 1, t NULL = 0) into the layer l writing x:
 * its weight (channel-major, [channels, ...]) scaled, its bias (made when absent) scaled and
 * shifted, in one float arithmetic for every converter. */
int opc_convert_fold_affine(opc_graph *g, opc_layer *l, const float *s, const float *t,
                            int channels, opc_error *err);

/* Folds every per-channel scale (AFFINE, or 1x1 depthwise CONV, without activation) whose
 * only reader is an unpadded, ungrouped 1x1 CONV into that CONV, and removes it
 * (fold_scales.c). */
int opc_convert_fold_scales(opc_graph *g, opc_error *err);

#endif
