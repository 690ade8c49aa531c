/* Converted model files (.opc): a JSON header describing the network graph, its named
 * outputs, the head that turns them into people, the keypoint set and the input
 * preprocessing, followed by 64-byte-aligned float32 weights. Opening maps the file
 * read-only; weights are used in place. Models describe themselves, so every family
 * runs through the same code. */
#ifndef OPENPOSE_C_MODEL_H
#define OPENPOSE_C_MODEL_H

#include <stddef.h>

#include "error.h"
#include "keypoints.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct opc_model opc_model;

/* How an image becomes the network input (see the network inputs of openpose-c/image.h). */
typedef struct opc_preprocess {
    char channel_order[4];  /* "BGR" or "RGB": channel c of the input is channel_order[c] */
    float scale[3];         /* input = pixel (0..255) * scale[c] + offset[c] */
    float offset[3];
    int nhwc;               /* the source framework fed NHWC; forward's .npy inputs use it */
    int stride;             /* the outputs are 1/stride of the input (8 for OpenPose) */
    char placement[OPC_NAME_LEN]; /* "top_left" (OpenPose), "letterbox" (PoseNet), "crop"
                                     (top-down: one view per person box) */
    char size_rule[OPC_NAME_LEN]; /* "multiple": net sides are multiples of size_step;
                                     "plus_one": (side - 1) is (PoseNet's rule) */
    int size_step;
    int net_width;          /* default net resolution; -1 = from the image's aspect ratio */
    int net_height;
    float crop_padding;     /* "crop": the square crop's side over the box's longer side */
} opc_preprocess;

/* What the model's outputs mean: the decoder family that turns them into people and its
 * parameters, a JSON object that the family's decoder reads (and checks) when an
 * estimator is made. */
typedef struct opc_head {
    char decoder[OPC_NAME_LEN]; /* "paf" (OpenPose), "posenet", "heatmap" (top-down) */
    const char *params;         /* JSON object text, owned by the model */
} opc_head;

opc_model *opc_model_open(const char *path, opc_error *err);
void opc_model_close(opc_model *m);

const char *opc_model_name(const opc_model *m);
const char *opc_model_source(const opc_model *m);
const opc_preprocess *opc_model_preprocess(const opc_model *m);
/* The keypoint set the model finds. */
const opc_keypoint_set *opc_model_keypoints(const opc_model *m);
const opc_head *opc_model_head(const opc_model *m);

/* The network's outputs, by name (a one-output network's is usually "maps"). */
int opc_model_num_outputs(const opc_model *m);
const char *opc_model_output_name(const opc_model *m, int i);
/* The index of the output called name, or -1. */
int opc_model_output_index(const opc_model *m, const char *name);

/* Channels of the network input (C of 1 x C x H x W). */
int opc_model_input_channels(const opc_model *m);

/* Layer i (0 <= i < opc_model_stats' layers) as `info` lists it: names owned by the model. */
typedef struct opc_layer_desc {
    const char *name;
    const char *op;   /* "conv", "maxpool", "concat", "add", "act", ... */
    const char *act;  /* fused activation: "none", "relu", "elu", ... */
} opc_layer_desc;
int opc_model_layer(const opc_model *m, int i, opc_layer_desc *d, opc_error *err);

/* Static figures for an input of net_w x net_h. */
typedef struct opc_model_stats {
    int layers;
    size_t params;          /* float32 weights */
    double macs;            /* multiply-accumulates of one forward */
    int out_c, out_h, out_w;/* the first output's shape */
} opc_model_stats;
int opc_model_stats_at(const opc_model *m, int net_w, int net_h, opc_model_stats *st,
                       opc_error *err);

#ifdef __cplusplus
}
#endif
#endif
