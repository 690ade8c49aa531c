/* Converted model files (.opc): a JSON header describing the network graph, its
 * keypoint topology and input preprocessing, followed by 64-byte-aligned float32
 * weights. Opening maps the file read-only; weights are used in place. */
#ifndef OPENPOSE_C_MODEL_H
#define OPENPOSE_C_MODEL_H

#include <stddef.h>

#include "error.h"
#include "topology.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct opc_model opc_model;

/* How an image becomes the network input. */
typedef struct opc_preprocess {
    char channel_order[4];  /* "BGR" or "RGB": channel 0 of the input is channel_order[0] */
    float scale;            /* input = pixel (0..255) * scale + offset[channel] */
    float offset[3];
    int nhwc;               /* the source framework fed NHWC; forward's .npy inputs use it */
    int stride;             /* output maps are 1/stride of the input (8) */
    int net_width;          /* default net resolution; -1 = from the image's aspect ratio */
    int net_height;
} opc_preprocess;

opc_model *opc_model_open(const char *path, opc_error *err);
void opc_model_close(opc_model *m);

const char *opc_model_name(const opc_model *m);
const char *opc_model_source(const opc_model *m);
const opc_topology *opc_model_topology(const opc_model *m);
const opc_preprocess *opc_model_preprocess(const opc_model *m);

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
    int out_c, out_h, out_w;/* output blob shape */
} opc_model_stats;
int opc_model_stats_at(const opc_model *m, int net_w, int net_h, opc_model_stats *st,
                       opc_error *err);

#ifdef __cplusplus
}
#endif
#endif
