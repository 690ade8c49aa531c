/* Mapping an OpenVINO IR onto our graph (internal to the OpenVINO converter).
 *
 * The layers that feed the outputs are visited in execution order. A layer whose inputs
 * are all constants is evaluated in double (its "fold" function: int8 weights through
 * Convert, Subtract and Multiply are dequantized so, exactly); any other layer is mapped
 * onto our graph (its "map" function): it becomes a layer, folds into the layer that
 * wrote its input (a bias Add, a per-channel Multiply, an activation, when that layer's
 * output has no other reader), passes its input through (Convert; FakeQuantize unless it
 * is kept), or, between the input and the first other layer, becomes the model's
 * preprocessing (input = pixel * scale + offset). */
#ifndef OPC_CONVERT_OV_MAP_H
#define OPC_CONVERT_OV_MAP_H

#include "convert/openvino/ov_ir.h"
#include "model/graph.h"

typedef enum {
    OV_V_NONE,
    OV_V_CONST,   /* a constant, in t */
    OV_V_BLOB,    /* a tensor of our graph */
    OV_V_INPUT,   /* the network input times scale plus offset, per channel */
} ov_value_kind;

typedef struct ov_value {
    ov_value_kind kind;
    int blob;
    ov_tensor t;
    double scale[3], offset[3];
} ov_value;

typedef struct ov_ctx {
    const ov_ir *ir;
    const char *bin_path;
    const uint8_t *bin;
    size_t bin_size;
    opc_graph *g;
    opc_error *err;
    int keep_fake_quantize;
    size_t max_const;      /* elements a folded constant may have */
    size_t const_live;     /* elements of the constants held now ... */
    size_t const_budget;   /* ... and at most (a constant is freed after its last reader) */
    int *const_uses;       /* per layer: readers of its constant not yet mapped */

    int input;             /* the Parameter (layer index) */
    int ref_w, ref_h;      /* the input size the IR was made for (368x368 if it names none) */
    int *readers;          /* per layer: how many inputs of mapped layers read its value,
                              counted through the layers that pass their input on */
    ov_value *val;         /* per layer */
    int *blob_readers;     /* per blob: readers of the layer that names it now */
    int *blob_layer;       /* per blob: the graph layer writing it, -1 for the input */
    int *blob_channels;    /* per blob */
    int cap_blobs;

    int have_pre;          /* preprocessing set by a first use of the input */
    double pre_scale[3], pre_offset[3];
    int n_outputs;
    int outputs[2];        /* blobs of the Results (or of the layer asked for) */
} ov_ctx;

/* "<xml>:<line>: layer <name> (<type>): <reason>"; returns code. */
int ov_fail(ov_ctx *c, int layer, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Input k of layer as a tensor of our graph (the input's preprocessing is settled when
 * first needed). */
int ov_in_blob(ov_ctx *c, int layer, int k, int *blob);
/* Input k of layer as a constant, or NULL (with the error set) when it is not one. */
const ov_tensor *ov_in_const(ov_ctx *c, int layer, int k);
/* A new layer named after the IR layer, writing a blob of that name. */
opc_layer *ov_new_layer(ov_ctx *c, int layer, opc_op op, int channels);
/* The graph layer writing blob when layer may fold into it: nothing else reads the blob,
 * its op is in ops (a mask of 1 << opc_op) and it has no activation yet; else NULL. */
opc_layer *ov_foldable(ov_ctx *c, int blob, unsigned ops);
/* Records that the IR layer folded into the graph layer writing blob (which takes its
 * name). */
int ov_fold_into(ov_ctx *c, int layer, int blob);
/* Copies a constant into a graph weight of the given shape, refusing NaN and infinity
 * (and values beyond float32). */
int ov_weight(ov_ctx *c, int layer, const char *what, opc_weight *w, int ndim, const int *shape,
              const double *v);
/* Whether t broadcasts onto an N x C x H x W tensor as one value per channel (numpy
 * rules: [], [1], [C,1,1], [1,C,1,1] ...); then v[c] holds the values. */
int ov_per_channel(const ov_tensor *t, int channels, double *v);
/* Storage for a constant computed by layer, within the limits of one constant (max_count,
 * at most c->max_const) and of all held at once; the error names the layer. */
int ov_const_alloc(ov_ctx *c, int layer, ov_tensor *t, int ndim, const int64_t *dims,
                   size_t max_count);
/* Reads integer attribute lists and strings of layer's <data>. */
int ov_attr_pair(ov_ctx *c, int layer, const char *key, int def, int lo, int hi, int v[2]);
int ov_attr_double(ov_ctx *c, int layer, const char *key, int required, double def, double *v);

/* Constant folding (ov_fold.c); errors name the layer. */
int ov_fold_const(ov_ctx *c, int layer, ov_tensor *out);
int ov_fold_convert(ov_ctx *c, int layer, ov_tensor *out);
int ov_fold_arith(ov_ctx *c, int layer, ov_tensor *out);
int ov_fold_fake_quantize(ov_ctx *c, int layer, ov_tensor *out);
int ov_fold_reshape(ov_ctx *c, int layer, ov_tensor *out);

/* One row per IR op type. */
typedef struct ov_op {
    const char *type;
    int min_inputs, max_inputs;
    enum { OV_PASS_NEVER, OV_PASS_ALWAYS, OV_PASS_UNLESS_KEPT } passes;  /* on an activation,
                                              its output is its input 0 */
    int (*fold)(ov_ctx *c, int layer, ov_tensor *out);  /* all inputs constant; NULL: no */
    int (*map)(ov_ctx *c, int layer);                   /* an activation among the inputs */
} ov_op;

const ov_op *ov_op_find(const char *type);
/* The rows, for the README's table and the tests. */
const ov_op *ov_ops(int *count);

#endif
