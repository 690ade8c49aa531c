/* The network graph shared by the converters (which build it), the model file
 * (which stores and loads it) and the engine (which runs it).
 *
 * Blobs are SSA values named by strings: every blob is written by exactly one layer
 * (blob 0, the input, by none). Layers are stored in execution order, and a layer may
 * only read blobs written by earlier layers, which makes the graph acyclic by
 * construction. All tensors are NCHW float32 with batch 1. */
#ifndef OPC_MODEL_GRAPH_H
#define OPC_MODEL_GRAPH_H

#include <stddef.h>

#include "openpose-c/error.h"
#include "openpose-c/model.h"
#include "openpose-c/topology.h"

#define OPC_MAX_INPUTS 16

typedef enum {
    OPC_OP_CONV,           /* convolution (any kernel/stride/pad/dilation/group) + bias + act */
    OPC_OP_MAXPOOL,        /* max pooling; Caffe ceil rounding or floor; TF SAME */
    OPC_OP_CONCAT,         /* along channels */
    OPC_OP_ADD,            /* elementwise sum of 2+ blobs of one shape, + act */
    OPC_OP_ACT,            /* standalone activation (relu, relu6, prelu) */
    OPC_OP_INSTANCE_NORM,  /* per-channel mean/variance over H,W of this input, then
                              weight * x_hat + bias, + act (TF FusedBatchNorm, is_training) */
    OPC_OP_AFFINE,         /* per-channel weight * x + bias, + act (unfolded BN / Scale) */
    OPC_OP_RESIZE_BILINEAR,/* bilinear resize, TF legacy rule (src = dst * in / out) */
    OPC_OP_COUNT
} opc_op;

typedef enum { OPC_ACT_NONE, OPC_ACT_RELU, OPC_ACT_RELU6, OPC_ACT_PRELU } opc_act;

/* A weight tensor: data is owned by the graph's arena or points into a mapped file. */
typedef struct opc_weight {
    const float *data;  /* NULL = absent */
    int ndim;
    int shape[4];
    size_t count;
} opc_weight;

typedef struct opc_layer {
    const char *name;
    opc_op op;
    int n_inputs;
    int inputs[OPC_MAX_INPUTS];  /* blob ids */
    int output;                  /* blob id */

    /* CONV and MAXPOOL */
    int kernel[2];               /* h, w */
    int stride[2];
    int dilation[2];
    int pad[4];                  /* top, left, bottom, right */
    int pad_same;                /* TF SAME: pad computed from the input size, extra after */
    int ceil_mode;               /* MAXPOOL: Caffe's ceil rounding */
    int group;                   /* CONV: groups; group == in == out channels is depthwise */
    int out_channels;            /* CONV */

    opc_act act;                 /* CONV, ADD, ACT, INSTANCE_NORM, AFFINE */
    float eps;                   /* INSTANCE_NORM */
    int size_ref;                /* RESIZE_BILINEAR: take H,W from this blob, or -1 */
    int resize_factor;           /* RESIZE_BILINEAR when size_ref == -1 */

    opc_weight weight;           /* CONV [out, in/group, kh, kw]; NORM/AFFINE [c] */
    opc_weight bias;             /* CONV [out]; NORM/AFFINE [c]; optional */
    opc_weight slope;            /* PReLU slopes [c] when act == OPC_ACT_PRELU */
} opc_layer;

typedef struct opc_graph {
    char *name;
    char *source;
    int n_blobs;
    char **blob_names;
    int n_layers;
    opc_layer *layers;
    int input_channels;          /* blob 0 */
    int output_blob;
    opc_topology topology;
    opc_preprocess preprocess;

    /* Ownership: every string and weight the graph owns is in this list. */
    void **owned;
    int n_owned, cap_owned;
    int cap_blobs, cap_layers;
} opc_graph;

typedef struct opc_shape {
    int c, h, w;
} opc_shape;

/* Building (converters, tests). The graph starts with blob 0 named input_name. */
opc_graph *opc_graph_new(const char *input_name, int input_channels);
void opc_graph_free(opc_graph *g);
/* Returns the id of the blob called name, or -1. */
int opc_graph_find_blob(const opc_graph *g, const char *name);
/* Appends a layer writing a new blob called output_name (which must not exist yet);
 * returns NULL (with err set) on failure. Fields other than name/op/output are zeroed
 * except stride/dilation/group = 1, size_ref = -1. */
opc_layer *opc_graph_add_layer(opc_graph *g, opc_op op, const char *name,
                               const char *output_name, opc_error *err);
/* Allocates graph-owned storage for a weight of the given shape and returns it. */
float *opc_graph_new_weight(opc_graph *g, opc_weight *w, int ndim, const int *shape,
                            opc_error *err);
/* Copies a string into graph-owned storage. */
char *opc_graph_strdup(opc_graph *g, const char *s);
/* Takes ownership of a malloc'd block. */
int opc_graph_own(opc_graph *g, void *p);

/* Checks structure (ids, order, parameters, weight shapes, topology vs output channels)
 * and runs shape inference at net_w x net_h. */
int opc_graph_validate(const opc_graph *g, int net_w, int net_h, opc_error *err);
/* Shape of every blob for an input of c x h x w; shapes has n_blobs entries. Fails with a
 * message naming the first layer whose shapes do not fit. */
int opc_graph_infer_shapes(const opc_graph *g, int h, int w, opc_shape *shapes, opc_error *err);
/* The padding a CONV/MAXPOOL layer applies to an input of in_h x in_w (resolves pad_same). */
void opc_layer_pads(const opc_layer *l, int in_h, int in_w, int pad[4]);
/* Multiply-accumulates of one layer given the inferred shapes. */
double opc_layer_macs(const opc_graph *g, const opc_layer *l, const opc_shape *shapes);
const char *opc_op_name(opc_op op);
const char *opc_act_name(opc_act act);

/* Model files. */
int opc_model_write(const opc_graph *g, const char *path, opc_error *err);
/* The graph inside an open model (weights point into the mapping). */
const opc_graph *opc_model_graph(const opc_model *m);

#endif
