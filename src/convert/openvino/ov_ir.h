/* Reading an OpenVINO IR (version 10 or 11): the .xml's layers (id, name, type, the
 * attributes of their <data> element, their port ids) and edges, parsed with expat; the
 * .bin's bytes; constants decoded from them in double. Port <dim>s are not read: shapes
 * are recomputed from the weights for any input size. Nothing read is trusted: every
 * reference is checked, and each problem is one line "<file>[:<line>]: <reason>". */
#ifndef OPC_CONVERT_OV_IR_H
#define OPC_CONVERT_OV_IR_H

#include <stddef.h>
#include <stdint.h>

#include "openpose-c/error.h"

#define OV_MAX_DIMS 8

typedef struct ov_attr {
    const char *key, *value;
} ov_attr;

typedef struct ov_layer {
    int id;
    int line;                  /* of its <layer> element, for messages */
    const char *name, *type, *version;
    int n_attrs;
    const ov_attr *attrs;      /* of its <data> element */
    int n_inputs, n_outputs;
    const int *in_ports;       /* port ids in document order */
    const int *out_ports;
    int *src;                  /* per input: the layer (index) that feeds it */
    int *src_port;             /* ... and which of its outputs (index into out_ports) */
} ov_layer;

typedef struct ov_ir {
    const char *path;          /* the .xml, for messages */
    int version;               /* 10 or 11 */
    int n_layers;
    ov_layer *layers;          /* in document order */
    /* storage behind the pointers above */
    ov_attr *attr_store;
    int *port_store, *src_store;
    char **blocks;             /* copied strings */
    int n_blocks;
} ov_ir;

/* Reads and checks the .xml at path: the root <net> of version 10 or 11, unique layer ids,
 * every edge between an existing output port and an existing input port, every input
 * port fed by exactly one edge. */
int ov_ir_read(ov_ir *ir, const char *path, opc_error *err);
void ov_ir_free(ov_ir *ir);
/* The value of attribute key of l's <data>, or NULL. */
const char *ov_attr_get(const ov_layer *l, const char *key);

/* A constant: its shape and its values in double (exact for every element type read). */
typedef struct ov_tensor {
    int ndim;
    int64_t dims[OV_MAX_DIMS];
    size_t count;
    double *v;
} ov_tensor;

void ov_tensor_free(ov_tensor *t);
/* Fresh storage for count values of the given shape; -1 when out of memory or when the
 * count passes max_count. */
int ov_tensor_alloc(ov_tensor *t, int ndim, const int64_t *dims, size_t max_count);

/* The element types a Const may have ("f32", "f16", "i8", ...): byte size, or 0 when
 * unknown; is_float says whether it is a floating-point type. */
int ov_elem_size(const char *type, int *is_float);
/* Decodes count elements of type from p (little-endian) into v. */
void ov_elem_decode(const char *type, const uint8_t *p, size_t count, double *v);
/* Parses a shape attribute ("" = scalar, "1,3,1,1"); 0 ok, -1 malformed. */
int ov_parse_shape(const char *s, int *ndim, int64_t *dims);
/* Parses a list of at most cap integers ("2,2"); 0 ok, -1 malformed or too many. */
int ov_parse_ints(const char *s, int64_t *v, int cap, int *n);

#endif
