/* Reading a TensorFlow.js graph model (internal to the tfjs converter): model.json's
 * weightsManifest and its shard files into decoded weights (tfjs_weights.c), and its
 * modelTopology, protobuf's JSON form of a GraphDef, back into the binary GraphDef the
 * TensorFlow converter reads, with each Const's value taken from the weights
 * (tfjs_graph.c). Nothing in the files is trusted: every size is checked before use. */
#ifndef OPC_CONVERT_TFJS_MODEL_H
#define OPC_CONVERT_TFJS_MODEL_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "convert/common/pb_writer.h"
#include "convert/tf/tf_graphdef.h"
#include "model/graph.h"
#include "openpose-c/error.h"

/* One weight, decoded to what a TensorProto's tensor_content holds: little-endian float32
 * (float32 and every quantized form of it), int32, or one byte per bool. */
typedef struct tfjs_weight {
    const char *name;        /* in the JSON document */
    int dtype;               /* TF_DT_FLOAT, TF_DT_INT32, TF_DT_BOOL */
    int ndim;
    int64_t dims[TF_MAX_DIMS];
    size_t count;
    unsigned char *data;     /* count * element size bytes */
    size_t bytes;
} tfjs_weight;

typedef struct tfjs_weights {
    int count;
    tfjs_weight *w;          /* sorted by name */
} tfjs_weights;

/* Reads the shards of every group of manifest (paths relative to dir) and decodes the
 * weights. Errors: "<json_path>: <reason>" (or the shard's path). */
int tfjs_weights_read(const cJSON *manifest, const char *dir, const char *json_path,
                      tfjs_weights *w, opc_error *err);
void tfjs_weights_free(tfjs_weights *w);
/* The weight called name, or NULL. */
const tfjs_weight *tfjs_weight_find(const tfjs_weights *w, const char *name);

/* Float16 bits to float32 (exact: every half is a float). */
float tfjs_half_to_float(uint16_t h);

/* Encodes modelTopology's nodes as a binary GraphDef into out. Errors: "<json_path>:
 * <reason>". */
int tfjs_graphdef(const cJSON *topology, const tfjs_weights *w, const char *json_path,
                  pb_writer *out, opc_error *err);

/* model.json and its shards as a parsed binary GraphDef (free with tf_graphdef_free). */
int tfjs_read_graphdef(const char *json_path, tf_graphdef *gd, opc_error *err);

/* PoseNet's four heads, in opc_posenet_maps order (heatmaps, offsets, displacement_fwd,
 * displacement_bwd). */
#define TFJS_POSENET_OUTPUTS 4

/* The graph of a PoseNet model.json: its heads' blobs (blobs[TFJS_POSENET_OUTPUTS]) and
 * output stride. The caller frees *g. */
int tfjs_posenet_graph(const char *json_path, opc_graph **g, int *blobs, int *stride,
                       opc_error *err);

#endif
