/* Reading a TensorFlow frozen GraphDef (.pb): the nodes with their names, ops and
 * inputs, their attributes on demand, and constant tensors. Everything read from the
 * file is bounds-checked; nothing is trusted.
 *
 * Wire schema used (graph.proto, node_def.proto, attr_value.proto, tensor.proto):
 *   GraphDef    { repeated NodeDef node = 1; }
 *   NodeDef     { string name = 1; string op = 2; repeated string input = 3;
 *                 string device = 4; map<string, AttrValue> attr = 5; }
 *   AttrValue   { ListValue list = 1; bytes s = 2; int64 i = 3; float f = 4; bool b = 5;
 *                 DataType type = 6; TensorShapeProto shape = 7; TensorProto tensor = 8; }
 *   ListValue   { repeated bytes s = 2; repeated int64 i = 3 [packed]; ... }
 *   TensorProto { DataType dtype = 1; TensorShapeProto tensor_shape = 2;
 *                 bytes tensor_content = 4; repeated float float_val = 5 [packed];
 *                 repeated int32 int_val = 7 [packed]; repeated int64 int64_val = 10; }
 *   TensorShapeProto { repeated Dim dim = 2 { int64 size = 1; } bool unknown_rank = 3; } */
#ifndef OPC_CONVERT_TF_GRAPHDEF_H
#define OPC_CONVERT_TF_GRAPHDEF_H

#include <stddef.h>
#include <stdint.h>

#include "convert/common/protobuf.h"
#include "openpose-c/error.h"

enum { TF_DT_FLOAT = 1, TF_DT_DOUBLE = 2, TF_DT_INT32 = 3, TF_DT_INT64 = 9, TF_DT_BOOL = 10 };
#define TF_MAX_DIMS 8

typedef struct tf_node {
    const char *name;
    const char *op;
    int n_inputs;               /* data inputs; control inputs ("^x") are dropped */
    const char **input_names;   /* "x" of "x:1" */
    int *inputs;                /* node index of each input, -1 when no node has the name */
    int *ports;                 /* the 1 of "x:1" (output index of that node) */
    const uint8_t *def;         /* the NodeDef message, for attributes */
    size_t def_len;
} tf_node;

typedef struct tf_name_index {
    const char *name;
    int node;
} tf_name_index;

typedef struct tf_graphdef {
    unsigned char *buf;         /* the file */
    size_t size;
    int n_nodes;
    tf_node *nodes;
    tf_name_index *by_name;     /* sorted by name */
    char *strings;              /* NUL-terminated copies of all names */
    const char **input_names;   /* the nodes' input arrays point into these three */
    int *inputs, *ports;
} tf_graphdef;

/* Reads and indexes path. Errors are "<path>: <reason>". */
int tf_graphdef_read(tf_graphdef *gd, const char *path, opc_error *err);
/* The same for a GraphDef already in memory (buf, malloc'd, is the graph's from now on,
 * also on failure); path names it in messages. */
int tf_graphdef_parse(tf_graphdef *gd, unsigned char *buf, size_t size, const char *path,
                      opc_error *err);
void tf_graphdef_free(tf_graphdef *gd);
/* Index of the node called name, or -1. */
int tf_graphdef_find(const tf_graphdef *gd, const char *name);

/* Attributes. Each returns 1 when found, 0 when absent, -1 when malformed or of
 * another kind than asked; the errors carry only the reason (the caller names the
 * file and the node). */
int tf_attr(const tf_node *n, const char *key, pb_reader *value);
int tf_attr_int(const tf_node *n, const char *key, int64_t *v);
int tf_attr_float(const tf_node *n, const char *key, float *v);
int tf_attr_bool(const tf_node *n, const char *key, int *v);
int tf_attr_type(const tf_node *n, const char *key, int *dtype);
/* A string attribute copied into buf (NUL-terminated); -1 also when it does not fit. */
int tf_attr_string(const tf_node *n, const char *key, char *buf, size_t cap);
/* Entry k of a list(string) attribute, copied into buf (NUL-terminated); 0 when the list
 * has no entry k (or the attribute is absent), -1 when malformed or it does not fit. */
int tf_attr_list_string(const tf_node *n, const char *key, int k, char *buf, size_t cap);
/* A list(int) attribute: at most cap values; -1 also when there are more. */
int tf_attr_ints(const tf_node *n, const char *key, int64_t *v, int cap, int *count);
/* A shape attribute: dims (-1 = unknown); *ndim = -1 for an unknown rank. */
int tf_attr_shape(const tf_node *n, const char *key, int64_t *dims, int *ndim);
/* A tensor attribute: the TensorProto message (decode with tf_tensor_decode). */
int tf_attr_tensor(const tf_node *n, const char *key, pb_reader *tensor);

/* A TensorShapeProto: 1 ok, -1 malformed or more than TF_MAX_DIMS dims. */
int tf_shape_decode(pb_reader r, int64_t *dims, int *ndim);

/* A decoded constant tensor. */
typedef struct tf_tensor {
    int dtype;
    int ndim;
    int64_t dims[TF_MAX_DIMS];
    size_t count;
    float *f;                   /* TF_DT_FLOAT */
    int64_t *i;                 /* TF_DT_INT32, TF_DT_INT64 */
} tf_tensor;

/* Decodes a TensorProto of at most max_count elements. Values come from tensor_content
 * (exactly count elements) or from the repeated *_val field, which TensorFlow pads with
 * its last value (a single value broadcasts; none means zeros). On failure err holds
 * the reason only. */
int tf_tensor_decode(pb_reader msg, size_t max_count, tf_tensor *t, opc_error *err);
void tf_tensor_free(tf_tensor *t);
const char *tf_dtype_name(int dtype);

#endif
