/* A Caffe network definition (.prototxt) turned into a graph of nodes over SSA blobs,
 * with the weight blobs every layer expects. Shared by the converter (which fills the
 * weights from a caffemodel) and the random-caffemodel tool (which invents them).
 *
 * In-place layers (top == bottom) get a fresh blob version, so each blob has exactly
 * one writer; the last version of a Caffe blob name keeps the plain name, which is the
 * value every later layer (and anyone fetching the blob by name) sees. Split, Dropout
 * and single-input Concat only rebind names and make no node. */
#ifndef OPC_CONVERT_CAFFE_NET_H
#define OPC_CONVERT_CAFFE_NET_H

#include <stddef.h>

#include "convert/caffe/prototxt.h"
#include "model/graph.h"

typedef enum {
    CAFFE_INPUT,
    CAFFE_CONV,
    CAFFE_RELU,
    CAFFE_PRELU,
    CAFFE_POOL,
    CAFFE_CONCAT,
    CAFFE_ELTWISE,
    CAFFE_SPLIT,
    CAFFE_DROPOUT,
    CAFFE_BATCHNORM,
    CAFFE_SCALE
} caffe_kind;

/* What a stored weight blob is, in the order the caffemodel lists a layer's blobs. */
typedef enum {
    CAFFE_W_CONV,      /* [out, in/group, kh, kw] */
    CAFFE_W_BIAS,      /* [out] */
    CAFFE_W_SLOPE,     /* PReLU [C], or [1] when channel_shared */
    CAFFE_W_BN_MEAN,   /* [C] */
    CAFFE_W_BN_VAR,    /* [C] */
    CAFFE_W_BN_FACTOR, /* [1]: mean and var are stored multiplied by it */
    CAFFE_W_SCALE,     /* [C] */
    CAFFE_W_SHIFT      /* [C] */
} caffe_weight_role;

#define CAFFE_MAX_WEIGHTS 3

typedef struct caffe_weight_spec {
    caffe_weight_role role;
    int ndim;
    int shape[4];
    size_t count;
} caffe_weight_spec;

typedef struct caffe_layer {
    const char *name, *type;
    int line;
    caffe_kind kind;
    int node; /* the node it made, or -1 */
    int n_weights;
    caffe_weight_spec weights[CAFFE_MAX_WEIGHTS];
    int fan_in; /* CONV: inputs per output value (He initialisation) */
} caffe_layer;

/* A graph layer in the making: l.inputs/l.output are blob ids of the caffe_net. */
typedef struct caffe_node {
    opc_layer l;
    int layer;        /* index of the Caffe layer that made it */
    int dead;         /* fused into the node that writes its input */
    float relu_slope; /* ReLU negative_slope (a shared-slope PReLU when non-zero) */
    float bn_eps;     /* BatchNorm */
} caffe_node;

typedef struct caffe_blob {
    const char *name; /* the Caffe blob name */
    int final;        /* the name's last version: the graph calls it name, and
                         earlier versions NAME@LAYER after the layer that wrote them */
    int writer_layer; /* Caffe layer that wrote it, -1 for the net input */
    int writer;       /* node id, -1 for the net input */
    int channels;
    int readers; /* nodes reading it */
} caffe_blob;

typedef struct caffe_net {
    pt_doc *doc;
    const char *path;
    int n_layers;
    caffe_layer *layers;
    int n_nodes;
    caffe_node *nodes;
    int n_blobs; /* blob 0 is the net input */
    caffe_blob *blobs;
    int output; /* the one blob no node reads */
} caffe_net;

/* Parses a prototxt and builds the nodes; errors name the file and line. */
int caffe_net_load(caffe_net *net, const char *prototxt, opc_error *err);
void caffe_net_free(caffe_net *net);
/* "8x3x3x3" */
void caffe_shape_str(const int *shape, int ndim, char *buf, size_t size);

#endif
