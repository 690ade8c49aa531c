/* modelTopology -> binary GraphDef. protobuf's JSON mapping is undone field by field with
 * the schema below (the NodeDef fields and attribute values TensorFlow's op definitions
 * use): names in lowerCamelCase or as in the .proto, 64-bit integers as strings or numbers,
 * bytes in base64, enums by name, floats as numbers or "NaN"/"Infinity". Unknown keys are
 * skipped, as for unknown protobuf fields. A Const node's value comes from the weights of
 * the same name (tfjs stores none in the graph); a Const with neither is refused, since an
 * empty TensorProto would silently read as zeros. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/common/protobuf.h"
#include "convert/tfjs/tfjs_model.h"

typedef enum { F_STRING, F_BYTES, F_INT, F_FLOAT, F_DOUBLE, F_BOOL, F_DTYPE, F_MESSAGE, F_ATTRS }
    field_kind;

typedef struct message message;
typedef struct {
    const char *json, *proto; /* the two names protobuf's JSON parsers accept */
    uint32_t number;
    field_kind kind;
    int repeated;
    const message *msg;       /* F_MESSAGE */
} field;
struct message {
    const field *fields;
    int count;
};
#define MESSAGE(f) {f, (int)(sizeof f / sizeof f[0])}

static const field DIM_FIELDS[] = {
    {"size", "size", 1, F_INT, 0, NULL},
    {"name", "name", 2, F_STRING, 0, NULL},
};
static const message DIM = MESSAGE(DIM_FIELDS);

static const field SHAPE_FIELDS[] = {
    {"dim", "dim", 2, F_MESSAGE, 1, &DIM},
    {"unknownRank", "unknown_rank", 3, F_BOOL, 0, NULL},
};
static const message SHAPE = MESSAGE(SHAPE_FIELDS);

static const field TENSOR_FIELDS[] = {
    {"dtype", "dtype", 1, F_DTYPE, 0, NULL},
    {"tensorShape", "tensor_shape", 2, F_MESSAGE, 0, &SHAPE},
    {"versionNumber", "version_number", 3, F_INT, 0, NULL},
    {"tensorContent", "tensor_content", 4, F_BYTES, 0, NULL},
    {"floatVal", "float_val", 5, F_FLOAT, 1, NULL},
    {"doubleVal", "double_val", 6, F_DOUBLE, 1, NULL},
    {"intVal", "int_val", 7, F_INT, 1, NULL},
    {"stringVal", "string_val", 8, F_BYTES, 1, NULL},
    {"int64Val", "int64_val", 10, F_INT, 1, NULL},
    {"boolVal", "bool_val", 11, F_BOOL, 1, NULL},
    {"halfVal", "half_val", 13, F_INT, 1, NULL},
};
static const message TENSOR = MESSAGE(TENSOR_FIELDS);

static const field LIST_FIELDS[] = {
    {"s", "s", 2, F_BYTES, 1, NULL},
    {"i", "i", 3, F_INT, 1, NULL},
    {"f", "f", 4, F_FLOAT, 1, NULL},
    {"b", "b", 5, F_BOOL, 1, NULL},
    {"type", "type", 6, F_DTYPE, 1, NULL},
    {"shape", "shape", 7, F_MESSAGE, 1, &SHAPE},
    {"tensor", "tensor", 8, F_MESSAGE, 1, &TENSOR},
};
static const message LIST = MESSAGE(LIST_FIELDS);

static const field ATTR_FIELDS[] = {
    {"list", "list", 1, F_MESSAGE, 0, &LIST},
    {"s", "s", 2, F_BYTES, 0, NULL},
    {"i", "i", 3, F_INT, 0, NULL},
    {"f", "f", 4, F_FLOAT, 0, NULL},
    {"b", "b", 5, F_BOOL, 0, NULL},
    {"type", "type", 6, F_DTYPE, 0, NULL},
    {"shape", "shape", 7, F_MESSAGE, 0, &SHAPE},
    {"tensor", "tensor", 8, F_MESSAGE, 0, &TENSOR},
    {"placeholder", "placeholder", 9, F_STRING, 0, NULL},
};
static const message ATTR = MESSAGE(ATTR_FIELDS);

static const field NODE_FIELDS[] = {
    {"name", "name", 1, F_STRING, 0, NULL},
    {"op", "op", 2, F_STRING, 0, NULL},
    {"input", "input", 3, F_STRING, 1, NULL},
    {"device", "device", 4, F_STRING, 0, NULL},
    {"attr", "attr", 5, F_ATTRS, 0, NULL},
};
static const message NODE = MESSAGE(NODE_FIELDS);

/* DataType names, by value (types.proto). */
static const char *const DTYPES[] = {
    "DT_INVALID", "DT_FLOAT", "DT_DOUBLE", "DT_INT32", "DT_UINT8", "DT_INT16", "DT_INT8",
    "DT_STRING", "DT_COMPLEX64", "DT_INT64", "DT_BOOL", "DT_QINT8", "DT_QUINT8", "DT_QINT32",
    "DT_BFLOAT16", "DT_QINT16", "DT_QUINT16", "DT_UINT16", "DT_COMPLEX128", "DT_HALF",
    "DT_RESOURCE", "DT_VARIANT", "DT_UINT32", "DT_UINT64",
};

typedef struct {
    pb_writer *out;
    const tfjs_weights *w;
    const char *path;
    opc_error *err;
    int node;               /* index, for messages */
    const char *node_name;
    char why[200];          /* the reason of a failed value */
} ctx;

static int value_fail(ctx *c, const char *key, const char *what)
{
    snprintf(c->why, sizeof c->why, "%.60s: %s", key, what);
    return -1;
}

/* ---- scalar values ---- */

static int b64_digit(int ch)
{
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+' || ch == '-') return 62;  /* standard and URL-safe alphabets */
    if (ch == '/' || ch == '_') return 63;
    return -1;
}

/* Decodes base64 text (padding optional) into out (room for 3/4 of its length). */
static long base64_decode(const char *s, unsigned char *out)
{
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '=')
        n--;
    if (n % 4 == 1)
        return -1;
    long len = 0;
    uint32_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        int d = b64_digit((unsigned char)s[i]);
        if (d < 0)
            return -1;
        acc = acc << 6 | (uint32_t)d;
        if (i % 4 == 3) {
            out[len++] = (unsigned char)(acc >> 16);
            out[len++] = (unsigned char)(acc >> 8);
            out[len++] = (unsigned char)acc;
        }
    }
    if (n % 4 == 2)
        out[len++] = (unsigned char)(acc >> 4);
    else if (n % 4 == 3) {
        out[len++] = (unsigned char)(acc >> 10);
        out[len++] = (unsigned char)(acc >> 2);
    }
    return len;
}

/* A 64-bit integer: a JSON number that is whole, or a string of decimal digits. */
static int int_value(const cJSON *v, int64_t *out)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!(d == floor(d) && fabs(d) <= 9007199254740992.0))
            return -1;
        *out = (int64_t)d;
        return 0;
    }
    const char *s = cJSON_GetStringValue(v);
    if (!s || !*s)
        return -1;
    int neg = *s == '-';
    uint64_t u = 0;
    for (const char *p = s + neg; *p; p++) {
        if (*p < '0' || *p > '9' || u > (UINT64_MAX - 9) / 10)
            return -1;
        u = u * 10 + (uint64_t)(*p - '0');
    }
    if (s[neg] == 0 || u > (uint64_t)INT64_MAX + neg)
        return -1;
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return 0;
}

static int double_value(const cJSON *v, double *out)
{
    const char *s = cJSON_GetStringValue(v);
    if (cJSON_IsNumber(v))
        *out = v->valuedouble;
    else if (s && strcmp(s, "NaN") == 0)
        *out = NAN;
    else if (s && strcmp(s, "Infinity") == 0)
        *out = INFINITY;
    else if (s && strcmp(s, "-Infinity") == 0)
        *out = -INFINITY;
    else
        return -1;
    return 0;
}

static int dtype_value(const cJSON *v, int *out)
{
    const char *s = cJSON_GetStringValue(v);
    for (int i = 0; s && i < (int)(sizeof DTYPES / sizeof DTYPES[0]); i++)
        if (strcmp(s, DTYPES[i]) == 0) {
            *out = i;
            return 0;
        }
    int64_t i;
    if (!s && int_value(v, &i) == 0 && i >= 0 && i < 1000) {
        *out = (int)i;
        return 0;
    }
    return -1;
}

/* ---- fields ---- */

static int encode_message(ctx *c, const message *m, const cJSON *obj);

/* One value of field f. */
static int encode_one(ctx *c, const field *f, const cJSON *v, const char *key)
{
    pb_writer *o = c->out;
    switch (f->kind) {
    case F_STRING: {
        const char *s = cJSON_GetStringValue(v);
        if (!s)
            return value_fail(c, key, "not a string");
        pb_write_bytes(o, f->number, s, strlen(s));
        return 0;
    }
    case F_BYTES: {
        const char *s = cJSON_GetStringValue(v);
        if (!s)
            return value_fail(c, key, "not a base64 string");
        unsigned char *b = malloc(strlen(s) / 4 * 3 + 3);
        long n = b ? base64_decode(s, b) : -1;
        if (n >= 0)
            pb_write_bytes(o, f->number, b, (size_t)n);
        free(b);
        return n < 0 ? value_fail(c, key, b ? "not base64" : "out of memory") : 0;
    }
    case F_INT: {
        int64_t i;
        if (int_value(v, &i))
            return value_fail(c, key, "not a whole number");
        pb_write_uint(o, f->number, (uint64_t)i);
        return 0;
    }
    case F_FLOAT:
    case F_DOUBLE: {
        double d;
        if (double_value(v, &d))
            return value_fail(c, key, "not a number");
        if (f->kind == F_FLOAT)
            pb_write_float(o, f->number, (float)d);
        else
            pb_write_double(o, f->number, d);
        return 0;
    }
    case F_BOOL:
        if (!cJSON_IsBool(v))
            return value_fail(c, key, "not true or false");
        pb_write_uint(o, f->number, cJSON_IsTrue(v));
        return 0;
    case F_DTYPE: {
        int t;
        if (dtype_value(v, &t))
            return value_fail(c, key, "not a DataType");
        pb_write_uint(o, f->number, (uint64_t)t);
        return 0;
    }
    case F_MESSAGE: {
        if (!cJSON_IsObject(v))
            return value_fail(c, key, "not an object");
        size_t mark = pb_write_begin(o, f->number);
        int rc = encode_message(c, f->msg, v);
        pb_write_end(o, mark);
        return rc;
    }
    case F_ATTRS:
        break; /* encode_node writes the attribute map */
    }
    return 0;
}

static const field *find_field(const message *m, const char *key)
{
    for (int i = 0; i < m->count; i++)
        if (strcmp(key, m->fields[i].json) == 0 || strcmp(key, m->fields[i].proto) == 0)
            return &m->fields[i];
    return NULL;
}

static int encode_message(ctx *c, const message *m, const cJSON *obj)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, obj) {
        const field *f = v->string ? find_field(m, v->string) : NULL;
        if (!f)
            continue;
        const char *name = v->string;
        if (!f->repeated) {
            if (encode_one(c, f, v, name))
                return -1;
            continue;
        }
        if (!cJSON_IsArray(v))
            return value_fail(c, name, "not an array");
        const cJSON *e;
        cJSON_ArrayForEach(e, v)
            if (encode_one(c, f, e, name))
                return -1;
    }
    return 0;
}

/* ---- Const values from the weights ---- */

/* The JSON tensor's dtype and shape, where stated, must be the weight's. */
static int check_weight(ctx *c, const cJSON *tensor, const tfjs_weight *w)
{
    int t;
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(tensor, "dtype");
    if (dt && (dtype_value(dt, &t) || t != w->dtype))
        return value_fail(c, "value", "its dtype is not the weight's in weightsManifest");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(tensor, "tensorShape");
    if (!shape)
        return 0;
    const cJSON *dims = cJSON_GetObjectItemCaseSensitive(shape, "dim"), *d;
    int k = 0, bad = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(shape, "unknownRank"));
    cJSON_ArrayForEach(d, dims) {
        int64_t size = 0; /* protobuf's JSON leaves out a size of 0 */
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(d, "size");
        bad |= k >= w->ndim || (s && int_value(s, &size)) || (size != -1 && size != w->dims[k]);
        k++;
    }
    if (bad || k != w->ndim)
        return value_fail(c, "value", "its shape is not the weight's in weightsManifest");
    return 0;
}

static void write_weight(ctx *c, const tfjs_weight *w)
{
    pb_writer *o = c->out;
    size_t tensor = pb_write_begin(o, 8); /* AttrValue.tensor */
    pb_write_uint(o, 1, (uint64_t)w->dtype);
    size_t shape = pb_write_begin(o, 2);
    for (int k = 0; k < w->ndim; k++) {
        size_t dim = pb_write_begin(o, 2);
        pb_write_uint(o, 1, (uint64_t)w->dims[k]);
        pb_write_end(o, dim);
    }
    pb_write_end(o, shape);
    pb_write_bytes(o, 4, w->data, w->bytes);
    pb_write_end(o, tensor);
}

static int has_values(const cJSON *tensor)
{
    static const char *const keys[] = {"tensorContent", "tensor_content", "floatVal", "float_val",
                                       "intVal", "int_val", "int64Val", "int64_val",
                                       "doubleVal", "double_val", "boolVal", "bool_val",
                                       "halfVal", "half_val", "stringVal", "string_val"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (cJSON_GetObjectItemCaseSensitive(tensor, keys[i]))
            return 1;
    return 0;
}

/* One attribute map entry {key, AttrValue}. */
static int encode_attr(ctx *c, const cJSON *v, int is_const)
{
    if (!cJSON_IsObject(v))
        return value_fail(c, v->string, "not an object");
    size_t entry = pb_write_begin(c->out, 5);
    pb_write_bytes(c->out, 1, v->string, strlen(v->string));
    size_t value = pb_write_begin(c->out, 2);
    int rc = 0;
    if (is_const && strcmp(v->string, "value") == 0) {
        const cJSON *tensor = cJSON_GetObjectItemCaseSensitive(v, "tensor");
        const tfjs_weight *w = tfjs_weight_find(c->w, c->node_name);
        if (w && !(rc = check_weight(c, tensor, w)))
            write_weight(c, w);
        else if (!w && (!cJSON_IsObject(tensor) || !has_values(tensor)))
            rc = value_fail(c, "value", "no weight of this name in weightsManifest");
        else if (!w)
            rc = encode_message(c, &ATTR, v);
    } else {
        rc = encode_message(c, &ATTR, v);
    }
    pb_write_end(c->out, value);
    pb_write_end(c->out, entry);
    return rc;
}

static int encode_node(ctx *c, const cJSON *node)
{
    if (!cJSON_IsObject(node))
        return value_fail(c, "node", "not an object");
    c->node_name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(node, "name"));
    const char *op = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(node, "op"));
    if (!c->node_name || !op)
        return value_fail(c, "node", "no name or op");
    size_t mark = pb_write_begin(c->out, 1); /* GraphDef.node */
    int rc = encode_message(c, &NODE, node);
    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(node, "attr"), *a;
    if (!rc && attrs && !cJSON_IsObject(attrs))
        rc = value_fail(c, "attr", "not an object");
    cJSON_ArrayForEach(a, attrs) {
        if (rc || (rc = encode_attr(c, a, strcmp(op, "Const") == 0)))
            break;
    }
    pb_write_end(c->out, mark);
    return rc;
}

int tfjs_graphdef(const cJSON *topology, const tfjs_weights *w, const char *json_path,
                  pb_writer *out, opc_error *err)
{
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(topology, "node"), *n;
    if (!cJSON_IsArray(nodes))
        return opc_fail(err, OPC_ERR_FORMAT, "%s: modelTopology has no node array", json_path);
    ctx c = {.out = out, .w = w, .path = json_path, .err = err};
    cJSON_ArrayForEach(n, nodes) {
        c.node_name = NULL;
        if (encode_node(&c, n))
            return opc_fail(err, OPC_ERR_FORMAT, "%s: node %d (%s): %s", json_path, c.node,
                            c.node_name ? c.node_name : "unnamed", c.why);
        if (out->failed)
            return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", json_path);
        c.node++;
    }
    return OPC_OK;
}
