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
#include "openpose-c/keypoints.h"
#include "openpose-c/model.h"

#define OPC_MAX_INPUTS 16

/* The ops. Everything about one op (name, inputs, stored attributes, shape inference,
 * multiply-accumulates, whether it may run in place) is its row of the op table
 * (model/ops.c); its kernels are rows of the engine's tables (engine/kernel_tables.c). */
typedef enum {
    OPC_OP_CONV,           /* convolution (any kernel/stride/pad/dilation/group) + bias + act */
    OPC_OP_MAXPOOL,        /* max pooling; Caffe ceil rounding or floor; TF SAME */
    OPC_OP_CONCAT,         /* along channels */
    OPC_OP_ADD,            /* elementwise sum of 2+ blobs of one shape, + act */
    OPC_OP_ACT,            /* standalone activation */
    OPC_OP_INSTANCE_NORM,  /* per-channel mean/variance over H,W of this input, then
                              weight * x_hat + bias, + act (TF FusedBatchNorm, is_training) */
    OPC_OP_AFFINE,         /* per-channel weight * x + bias, + act (unfolded BN / Scale) */
    OPC_OP_RESIZE,         /* resize by a factor or to another blob's size (resize_mode) */
    OPC_OP_FAKE_QUANTIZE,  /* OpenVINO's FakeQuantize (int8 emulation): levels steps between
                              per-channel or shared limits, weight [4, C or 1] (below) */
    OPC_OP_COUNT
} opc_op;

/* Activations, fused into any layer or standalone (OPC_OP_ACT); the same arithmetic in both
 * engines (engine/act.h). Names and parameter counts: model/ops.c. */
typedef enum {
    OPC_ACT_NONE,
    OPC_ACT_RELU,
    OPC_ACT_RELU6,
    OPC_ACT_PRELU,    /* slope per channel or shared: the layer's slope weight */
    OPC_ACT_ELU,      /* x > 0 ? x : alpha (e^x - 1); act_param[0] = alpha */
    OPC_ACT_SIGMOID,  /* 1 / (1 + e^-x) */
    OPC_ACT_CLAMP,    /* min(max(x, act_param[0]), act_param[1]) */
    OPC_ACT_COUNT
} opc_act;

/* How OPC_OP_RESIZE samples its input. */
typedef enum {
    OPC_RESIZE_BILINEAR, /* TensorFlow's legacy rule: src = dst * in / out, lerp x then y */
    OPC_RESIZE_NEAREST,  /* src = floor(dst * in / out) (asymmetric, floor: every common
                            convention agrees on integer factors) */
    OPC_RESIZE_COUNT
} opc_resize_mode;

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

    opc_act act;                 /* any op but CONCAT and MAXPOOL */
    float act_param[2];          /* ELU alpha; CLAMP min, max */
    float eps;                   /* INSTANCE_NORM */
    int size_ref;                /* RESIZE: take H,W from this blob, or -1 */
    int resize_factor;           /* RESIZE when size_ref == -1 */
    opc_resize_mode resize_mode; /* RESIZE */
    int levels;                  /* FAKE_QUANTIZE */

    opc_weight weight;           /* CONV [out, in/group, kh, kw]; NORM/AFFINE [c];
                                    FAKE_QUANTIZE [4, c or 1]: input low, input high,
                                    output low, output high */
    opc_weight bias;             /* CONV [out]; NORM/AFFINE [c]; optional */
    opc_weight slope;            /* PReLU slopes [c] when act == OPC_ACT_PRELU */
} opc_layer;

#define OPC_MAX_OUTPUTS 8

typedef struct opc_graph_output {
    char *name;                  /* owned */
    int blob;
} opc_graph_output;

typedef struct opc_graph {
    char *name;
    char *source;
    int n_blobs;
    char **blob_names;
    int n_layers;
    opc_layer *layers;
    int input_channels;          /* blob 0 */
    int n_outputs;               /* the network's outputs, named */
    opc_graph_output outputs[OPC_MAX_OUTPUTS];
    opc_keypoint_set keypoints;  /* what the people found consist of */
    opc_head head;               /* which decoder reads the outputs; params owned */
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
/* Appends an output called name (unique) reading blob. */
int opc_graph_add_output(opc_graph *g, const char *name, int blob, opc_error *err);
/* Sets the head: decoder family and its parameters (JSON object text, copied). */
int opc_graph_set_head(opc_graph *g, const char *decoder, const char *params, opc_error *err);
/* Allocates graph-owned storage for a weight of the given shape and returns it. */
float *opc_graph_new_weight(opc_graph *g, opc_weight *w, int ndim, const int *shape,
                            opc_error *err);
/* Copies a string into graph-owned storage. */
char *opc_graph_strdup(opc_graph *g, const char *s);
/* Takes ownership of a malloc'd block. */
int opc_graph_own(opc_graph *g, void *p);

/* Checks structure (ids, order, parameters, weight shapes, outputs, keypoint set,
 * preprocessing) and runs shape inference at net_w x net_h. shapes (n_blobs entries, or
 * NULL) receives the blob shapes. The head is the decoders' to check
 * (decode/decoder.h, opc_decoder_check). */
int opc_graph_validate(const opc_graph *g, int net_w, int net_h, opc_shape *shapes,
                       opc_error *err);
/* Shape of every blob for an input of c x h x w; shapes has n_blobs entries. Fails with a
 * message naming the first layer whose shapes do not fit. */
int opc_graph_infer_shapes(const opc_graph *g, int h, int w, opc_shape *shapes, opc_error *err);
/* The padding a CONV/MAXPOOL layer applies to an input of in_h x in_w (resolves pad_same). */
void opc_layer_pads(const opc_layer *l, int in_h, int in_w, int pad[4]);
/* Multiply-accumulates of one layer given the inferred shapes. */
double opc_layer_macs(const opc_graph *g, const opc_layer *l, const opc_shape *shapes);

/* ---- the op table (model/ops.c) ---- */

/* Attributes a layer may have, as the model file stores them (model/ops.c: the key, type
 * and range of each); an op's row lists those it uses. */
enum {
    OPC_ATTR_KERNEL = 1 << 0,
    OPC_ATTR_STRIDE = 1 << 1,
    OPC_ATTR_DILATION = 1 << 2,
    OPC_ATTR_PAD = 1 << 3,
    OPC_ATTR_PAD_SAME = 1 << 4,
    OPC_ATTR_CEIL_MODE = 1 << 5,
    OPC_ATTR_GROUP = 1 << 6,
    OPC_ATTR_OUT_CHANNELS = 1 << 7,
    OPC_ATTR_EPS = 1 << 8,
    OPC_ATTR_SIZE_LIKE = 1 << 9,
    OPC_ATTR_FACTOR = 1 << 10,
    OPC_ATTR_RESIZE_MODE = 1 << 11,
    OPC_ATTR_LEVELS = 1 << 12,
    OPC_ATTR_COUNT = 13
};
#define OPC_ATTR_WINDOW                                                                    \
    (OPC_ATTR_KERNEL | OPC_ATTR_STRIDE | OPC_ATTR_DILATION | OPC_ATTR_PAD | OPC_ATTR_PAD_SAME)

typedef struct opc_op_info {
    const char *name;      /* in model files and messages */
    int min_inputs, max_inputs;
    unsigned attrs;        /* OPC_ATTR_* the layer carries */
    int act;               /* may carry an activation */
    /* Op-specific checks of the layer's parameters and weights, before shapes (NULL: none). */
    int (*check)(const opc_graph *g, const opc_layer *l, const unsigned char *written,
                 opc_error *err);
    /* The output shape from the input shapes, or a message naming the layer. */
    int (*shape)(const opc_graph *g, const opc_layer *l, const opc_shape *shapes,
                 opc_shape *out, opc_error *err);
    /* Multiply-accumulates at these shapes (NULL: counted as 0, memory-bound ops). */
    double (*macs)(const opc_layer *l, const opc_shape *shapes);
    /* Elementwise: reads each element of its first input before writing the same element
     * of its output, so the memory plan may put the output over that input. */
    int in_place;
} opc_op_info;

typedef struct opc_act_info {
    const char *name;
    int n_params;          /* act_param values the model file stores */
} opc_act_info;

/* The row of op (NULL for an out-of-range value), of activation act, of resize mode m. */
const opc_op_info *opc_op_info_of(opc_op op);
const opc_act_info *opc_act_info_of(opc_act act);
const char *opc_op_name(opc_op op);
const char *opc_act_name(opc_act act);
const char *opc_resize_mode_name(opc_resize_mode m);
/* Lookups by name: the enum value, or -1. */
int opc_op_by_name(const char *name);
int opc_act_by_name(const char *name);
int opc_resize_mode_by_name(const char *name);

/* Model files; a file of another format version is refused (convert the network again). */
#define OPC_MODEL_FORMAT_VERSION 2
int opc_model_write(const opc_graph *g, const char *path, opc_error *err);
/* The graph inside an open model (weights point into the mapping). */
const opc_graph *opc_model_graph(const opc_model *m);

#endif
