/* Mapping a TensorFlow graph onto our graph (internal to the TensorFlow converter).
 *
 * The nodes that feed the outputs are visited in execution order; each becomes a layer,
 * folds into the layer that wrote its input (BiasAdd, stored-statistics FusedBatchNorm,
 * Relu, Relu6 when that layer's output has no other reader), or becomes a value the
 * following nodes use (constants, a Shape, the [H, W] slice of a Shape). */
#ifndef OPC_CONVERT_TF_MAP_H
#define OPC_CONVERT_TF_MAP_H

#include "convert/tf/tf_graphdef.h"
#include "model/graph.h"
#include "openpose-c/convert.h"

typedef enum {
    TF_V_NONE,
    TF_V_BLOB,   /* a tensor of our graph */
    TF_V_CONST,  /* a Const node: read with tf_in_const */
    TF_V_SHAPE,  /* Shape(blob): [N, H, W, C] */
    TF_V_HW,     /* [H, W] of blob */
} tf_value_kind;

typedef struct tf_value {
    tf_value_kind kind;
    int blob;
} tf_value;

typedef struct tf_ctx {
    const char *path;
    const tf_graphdef *gd;
    opc_graph *g;
    opc_error *err;
    int input;             /* node index */
    int n_outputs;
    int *outputs;          /* node indices (past Identity nodes) */
    int *readers;          /* per node: how many data inputs of the nodes that feed the
                              output read it (seen through Identity) */
    tf_value *val;         /* per node */
    int *blob_readers;     /* per blob: readers of the node that names it now */
    int *blob_layer;       /* per blob: the layer writing it, -1 for the input */
    int ref_w, ref_h;      /* input size the graph was built for; 0 = unknown */
} tf_ctx;

/* "<file>: node <name> (<op>): <reason>"; returns code. */
int tf_node_fail(tf_ctx *c, int node, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The node behind data input k of node (through Identity nodes); fails when the input
 * does not exist or is not output 0 of its node. */
int tf_source(tf_ctx *c, int node, int k, int *src);
/* Data input k as a blob of our graph. */
int tf_in_blob(tf_ctx *c, int node, int k, int *blob);
/* Data input k as a constant of the given type class (TF_DT_FLOAT, or TF_DT_INT64 for
 * any integer type), decoded into t (free with tf_tensor_free). */
int tf_in_const(tf_ctx *c, int node, int k, int dtype, tf_tensor *t);
/* A new layer named after node, writing a blob named after node. */
opc_layer *tf_new_layer(tf_ctx *c, int node, opc_op op);
/* The layer writing blob when a node reading it may fold into it: the blob has no other
 * reader, the layer's op is in ops (a mask of 1 << opc_op) and it has no activation. */
opc_layer *tf_foldable(tf_ctx *c, int blob, unsigned ops);
/* Records that node folded into the layer writing blob (the blob takes node's name). */
int tf_fold_into(tf_ctx *c, int node, int blob);

/* Builds c->g from c->gd (c->path, gd, err and, when known, ref_w/ref_h set): the nodes
 * that feed the n_outputs nodes called outputs[], from the input node (in_name, else the
 * one Placeholder that feeds them). Output k's blob is called outputs[k] (also through an
 * Identity) and its id goes to blobs[k] (the caller names the graph's outputs). On failure
 * c->g is NULL. A fixed-size Placeholder sets ref_w/ref_h. */
int tf_build_graph(tf_ctx *c, const char *in_name, const char *const *outputs, int n_outputs,
                   int *blobs);

/* The mapping of one op, or NULL when the op is not supported. */
typedef int (*tf_map_fn)(tf_ctx *c, int node);
tf_map_fn tf_op_mapper(const char *op);

#endif
