/* Internal to reading a prototxt: caffe_net.c walks the net and keeps the blob
 * bindings, caffe_layers.c parses each layer type's parameters. These are the builder's
 * state and the helpers the layer parsers call. */
#ifndef OPC_CONVERT_CAFFE_BUILD_H
#define OPC_CONVERT_CAFFE_BUILD_H

#include "convert/caffe/caffe_net.h"
#include "convert/common/strmap.h"

#define CAFFE_MAX_CHANNELS 65536
#define CAFFE_MAX_WINDOW 64 /* kernel, stride, pad, dilation: the graph's own limits */

typedef struct caffe_builder {
    caffe_net *net;
    const pt_doc *doc;
    opc_error *err;
    strmap blob_of;  /* Caffe blob name -> its current version */
    strmap layer_of; /* layer name -> index */
    int cap_layers, cap_nodes, cap_blobs;
} caffe_builder;

/* The layer being parsed. */
typedef struct caffe_layer_ctx {
    caffe_builder *b;
    int index;
    const pt_node *msg;
    const char **bottoms, **tops;
    int n_bottoms, n_tops;
} caffe_layer_ctx;

static inline caffe_layer *caffe_cur(const caffe_layer_ctx *c)
{
    return &c->b->net->layers[c->index];
}

/* "FILE:LINE: layer 'NAME' (TYPE): reason" */
int caffe_layer_fail(const caffe_layer_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Binds a name to a blob (aliases: Split, Dropout). */
int caffe_bind(caffe_builder *b, const char *name, int blob);
/* The blob bottom k currently names; fails for a name no earlier layer wrote. */
int caffe_bottom_blob(const caffe_layer_ctx *c, int k, int *id);
/* A node of op reading every bottom and writing a new version of the single top, with
 * out_channels (-1: as the first input). */
int caffe_new_node(caffe_layer_ctx *c, opc_op op, int out_channels, caffe_node **node);
/* Appends a weight blob the caffemodel must hold for this layer. */
void caffe_expect_weight(caffe_layer_ctx *c, caffe_weight_role role, int ndim, const int *shape);
/* The channels (dim 1) of a BlobShape message { dim: N dim: C ... }. */
int caffe_read_dims(const caffe_builder *b, const pt_node *shape, int *channels);
/* Declares the net input (blob 0). */
int caffe_declare_input(caffe_builder *b, const char *name, int layer, int channels, int line);

typedef struct caffe_layer_type {
    const char *type;
    caffe_kind kind;
    int min_bottoms, max_bottoms, min_tops, max_tops;
    int (*parse)(caffe_layer_ctx *c);
} caffe_layer_type;

/* The supported layer type called type, or NULL. */
const caffe_layer_type *caffe_find_layer_type(const char *type);

#endif
