/* TensorProto decoding (float32, int32, int64 constants) with every size checked
 * against the bytes present before anything is allocated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/tf/tf_graphdef.h"
#include "openpose-c/error.h"

enum { TP_DTYPE = 1, TP_SHAPE = 2, TP_CONTENT = 4, TP_FLOAT_VAL = 5, TP_INT_VAL = 7,
       TP_INT64_VAL = 10 };

const char *tf_dtype_name(int dtype)
{
    static const char *const names[] = {
        "invalid", "float32", "float64", "int32", "uint8", "int16", "int8", "string",
        "complex64", "int64", "bool", "qint8", "quint8", "qint32", "bfloat16", "qint16",
        "quint16", "uint16", "complex128", "float16", "resource", "variant", "uint32", "uint64",
    };
    if (dtype >= 0 && dtype < (int)(sizeof names / sizeof names[0]))
        return names[dtype];
    if (dtype > 100 && dtype - 100 < (int)(sizeof names / sizeof names[0]))
        return "reference"; /* *_REF types of non-frozen graphs */
    return "unknown";
}

int tf_shape_decode(pb_reader r, int64_t *dims, int *ndim)
{
    pb_field d;
    int rc, unknown_rank = 0;
    *ndim = 0;
    while ((rc = pb_next(&r, &d)) == 1) {
        if (d.number == 3 && d.wire == PB_VARINT)
            unknown_rank = d.value != 0;
        if (d.number != 2)
            continue;
        if (d.wire != PB_BYTES || *ndim >= TF_MAX_DIMS)
            return -1;
        pb_reader dr = pb_sub(&d);
        pb_field s;
        int64_t size = 0;
        while ((rc = pb_next(&dr, &s)) == 1)
            if (s.number == 1 && s.wire == PB_VARINT)
                size = (int64_t)s.value;
        if (rc < 0)
            return -1;
        dims[(*ndim)++] = size;
    }
    if (rc < 0)
        return -1;
    if (unknown_rank)
        *ndim = -1;
    return 1;
}

static void shape_string(const tf_tensor *t, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < t->ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, i ? ", %lld" : "%lld", (long long)t->dims[i]);
    if (n < cap)
        snprintf(buf + n, cap - n, "]");
}

/* The repeated value field of a dtype and its element size in tensor_content. */
static int value_field(int dtype, size_t *elem)
{
    switch (dtype) {
    case TF_DT_FLOAT: *elem = 4; return TP_FLOAT_VAL;
    case TF_DT_INT32: *elem = 4; return TP_INT_VAL;
    case TF_DT_INT64: *elem = 8; return TP_INT64_VAL;
    default: return 0;
    }
}

/* Counts (out == NULL) or stores the values of one occurrence of the value field. */
static int read_values(const pb_field *f, int dtype, tf_tensor *t, size_t *n)
{
    if (dtype == TF_DT_FLOAT) {
        if (f->wire == PB_FIXED32) {
            if (t->f)
                t->f[*n] = pb_float(f);
            (*n)++;
            return 1;
        }
        if (f->wire != PB_BYTES || f->len % 4)
            return -1;
        if (t->f)
            pb_packed_floats(f, t->f + *n, f->len / 4);
        *n += f->len / 4;
        return 1;
    }
    if (f->wire == PB_VARINT) {
        if (t->i)
            t->i[*n] = dtype == TF_DT_INT32 ? (int32_t)f->value : (int64_t)f->value;
        (*n)++;
        return 1;
    }
    if (f->wire != PB_BYTES)
        return -1;
    pb_reader p = pb_sub(f);
    uint64_t x;
    int rc;
    while ((rc = pb_varint(&p, &x)) == 1) {
        if (t->i)
            t->i[*n] = dtype == TF_DT_INT32 ? (int32_t)x : (int64_t)x;
        (*n)++;
    }
    return rc < 0 ? -1 : 1;
}

/* Pass over the message: counts values (t->f, t->i NULL) or stores them. */
static int scan_values(pb_reader r, int field, tf_tensor *t, size_t *n)
{
    pb_field f;
    int rc;
    *n = 0;
    while ((rc = pb_next(&r, &f)) == 1)
        if ((int)f.number == field && read_values(&f, t->dtype, t, n) < 0)
            return -1;
    return rc;
}

static void from_content(tf_tensor *t, const uint8_t *p, size_t elem)
{
    for (size_t k = 0; k < t->count; k++, p += elem) {
        uint64_t u = 0;
        for (size_t b = elem; b-- > 0;)
            u = u << 8 | p[b];
        if (t->dtype == TF_DT_FLOAT) {
            uint32_t u32 = (uint32_t)u;
            memcpy(&t->f[k], &u32, sizeof(float));
        } else {
            t->i[k] = t->dtype == TF_DT_INT32 ? (int32_t)(uint32_t)u : (int64_t)u;
        }
    }
}

int tf_tensor_decode(pb_reader msg, size_t max_count, tf_tensor *t, opc_error *err)
{
    memset(t, 0, sizeof *t);
    pb_reader r = msg;
    pb_field f, content = {0};
    int rc, have_shape = 0, have_content = 0;
    while ((rc = pb_next(&r, &f)) == 1) {
        if (f.number == TP_DTYPE && f.wire == PB_VARINT)
            t->dtype = f.value > 1000 ? -1 : (int)f.value;
        else if (f.number == TP_SHAPE && f.wire == PB_BYTES) {
            if (tf_shape_decode(pb_sub(&f), t->dims, &t->ndim) < 0)
                return opc_fail(err, OPC_ERR_FORMAT, "malformed tensor shape");
            have_shape = 1;
        } else if (f.number == TP_CONTENT && f.wire == PB_BYTES) {
            content = f;
            have_content = 1;
        }
    }
    if (rc < 0)
        return opc_fail(err, OPC_ERR_FORMAT, "malformed tensor");
    size_t elem;
    int field = value_field(t->dtype, &elem);
    if (!field)
        return opc_fail(err, OPC_ERR_UNSUPPORTED,
                        "constant of type %s (only float32, int32 and int64 are supported)",
                        tf_dtype_name(t->dtype));
    if (!have_shape || t->ndim < 0)
        return opc_fail(err, OPC_ERR_FORMAT, "constant without a known shape");
    char shape[160];
    shape_string(t, shape, sizeof shape);
    t->count = 1;
    for (int i = 0; i < t->ndim; i++) {
        if (t->dims[i] < 0 || (t->dims[i] > 0 && t->count > max_count / (uint64_t)t->dims[i]))
            return opc_fail(err, OPC_ERR_FORMAT,
                            "constant shape %s is negative or over %zu elements", shape,
                            max_count);
        t->count *= (size_t)t->dims[i];
    }
    size_t n_values = 0;
    if (!have_content && scan_values(msg, field, t, &n_values) < 0)
        return opc_fail(err, OPC_ERR_FORMAT, "malformed constant values");
    if (have_content && content.len != t->count * elem)
        return opc_fail(err, OPC_ERR_FORMAT, "tensor_content has %zu bytes, shape %s needs %zu",
                        content.len, shape, t->count * elem);
    if (n_values > t->count)
        return opc_fail(err, OPC_ERR_FORMAT, "%zu values for shape %s", n_values, shape);
    size_t alloc = t->count ? t->count : 1;
    if (t->dtype == TF_DT_FLOAT)
        t->f = calloc(alloc, sizeof *t->f);
    else
        t->i = calloc(alloc, sizeof *t->i);
    if (!t->f && !t->i)
        return opc_fail(err, OPC_ERR_NOMEM, "out of memory for a constant of shape %s", shape);
    if (have_content) {
        from_content(t, content.data, elem);
        return OPC_OK;
    }
    scan_values(msg, field, t, &n_values);
    /* TensorFlow's rule: missing trailing values repeat the last one (zeros if none). */
    for (size_t k = n_values; k > 0 && k < t->count; k++) {
        if (t->f)
            t->f[k] = t->f[n_values - 1];
        else
            t->i[k] = t->i[n_values - 1];
    }
    return OPC_OK;
}

void tf_tensor_free(tf_tensor *t)
{
    free(t->f);
    free(t->i);
    t->f = NULL;
    t->i = NULL;
}
