/* NodeDef attributes, looked up on demand in the node's bytes (nodes have a handful). */
#include <string.h>

#include "convert/tf/tf_graphdef.h"

enum { NODE_ATTR = 5, ENTRY_KEY = 1, ENTRY_VALUE = 2 };
enum { AV_LIST = 1, AV_S = 2, AV_I = 3, AV_F = 4, AV_B = 5, AV_TYPE = 6, AV_SHAPE = 7,
       AV_TENSOR = 8 };

int tf_attr(const tf_node *n, const char *key, pb_reader *value)
{
    pb_reader r = pb_init(n->def, n->def_len);
    pb_field f = {0};
    int rc, found = 0;
    size_t klen = strlen(key);
    while ((rc = pb_next(&r, &f)) == 1) {
        if (f.number != NODE_ATTR)
            continue;
        if (f.wire != PB_BYTES)
            return -1;
        pb_reader e = pb_sub(&f);
        pb_field ef;
        int match = 0;
        pb_reader v = pb_init(NULL, 0);
        while ((rc = pb_next(&e, &ef)) == 1) {
            if (ef.wire != PB_BYTES)
                continue;
            if (ef.number == ENTRY_KEY)
                match = ef.len == klen && memcmp(ef.data, key, klen) == 0;
            else if (ef.number == ENTRY_VALUE)
                v = pb_sub(&ef);
        }
        if (rc < 0)
            return -1;
        if (match) { /* protobuf maps: the last entry for a key wins */
            *value = v;
            found = 1;
        }
    }
    return rc < 0 ? -1 : found;
}

/* The last field `number` of the attribute's AttrValue, which must have wire type `wire`. */
static int attr_field(const tf_node *n, const char *key, uint32_t number, int wire, pb_field *out)
{
    pb_reader v;
    int rc = tf_attr(n, key, &v);
    if (rc <= 0)
        return rc;
    pb_field f = {0};
    int found = 0;
    while ((rc = pb_next(&v, &f)) == 1) {
        if (f.number != number)
            continue;
        if (f.wire != wire)
            return -1;
        *out = f;
        found = 1;
    }
    return rc < 0 || !found ? -1 : 1;
}

int tf_attr_int(const tf_node *n, const char *key, int64_t *v)
{
    pb_field f = {0};
    int rc = attr_field(n, key, AV_I, PB_VARINT, &f);
    if (rc == 1)
        *v = (int64_t)f.value;
    return rc;
}

int tf_attr_float(const tf_node *n, const char *key, float *v)
{
    pb_field f = {0};
    int rc = attr_field(n, key, AV_F, PB_FIXED32, &f);
    if (rc == 1)
        *v = pb_float(&f);
    return rc;
}

int tf_attr_bool(const tf_node *n, const char *key, int *v)
{
    pb_field f = {0};
    int rc = attr_field(n, key, AV_B, PB_VARINT, &f);
    if (rc == 1)
        *v = f.value != 0;
    return rc;
}

int tf_attr_type(const tf_node *n, const char *key, int *dtype)
{
    pb_field f = {0};
    int rc = attr_field(n, key, AV_TYPE, PB_VARINT, &f);
    if (rc == 1)
        *dtype = f.value > 1000 ? -1 : (int)f.value;
    return rc;
}

int tf_attr_string(const tf_node *n, const char *key, char *buf, size_t cap)
{
    pb_field f = {0};
    int rc = attr_field(n, key, AV_S, PB_BYTES, &f);
    if (rc != 1)
        return rc;
    if (f.len >= cap || memchr(f.data, 0, f.len))
        return -1;
    memcpy(buf, f.data, f.len);
    buf[f.len] = 0;
    return 1;
}

int tf_attr_ints(const tf_node *n, const char *key, int64_t *v, int cap, int *count)
{
    pb_field list = {0};
    int rc = attr_field(n, key, AV_LIST, PB_BYTES, &list);
    if (rc != 1)
        return rc;
    pb_reader r = pb_sub(&list);
    pb_field f = {0};
    *count = 0;
    while ((rc = pb_next(&r, &f)) == 1) {
        if (f.number != AV_I)
            continue;
        if (f.wire == PB_VARINT) { /* unpacked */
            if (*count >= cap)
                return -1;
            v[(*count)++] = (int64_t)f.value;
        } else if (f.wire == PB_BYTES) { /* packed */
            pb_reader p = pb_sub(&f);
            uint64_t x;
            while ((rc = pb_varint(&p, &x)) == 1) {
                if (*count >= cap)
                    return -1;
                v[(*count)++] = (int64_t)x;
            }
            if (rc < 0)
                return -1;
        } else {
            return -1;
        }
    }
    return rc < 0 ? -1 : 1;
}

int tf_attr_shape(const tf_node *n, const char *key, int64_t *dims, int *ndim)
{
    pb_field f = {0};
    int rc = attr_field(n, key, AV_SHAPE, PB_BYTES, &f);
    if (rc != 1)
        return rc;
    return tf_shape_decode(pb_sub(&f), dims, ndim);
}

int tf_attr_tensor(const tf_node *n, const char *key, pb_reader *tensor)
{
    pb_field f = {0};
    int rc = attr_field(n, key, AV_TENSOR, PB_BYTES, &f);
    if (rc == 1)
        *tensor = pb_sub(&f);
    return rc;
}

int tf_attr_list_string(const tf_node *n, const char *key, int k, char *buf, size_t cap)
{
    pb_field list = {0};
    int rc = attr_field(n, key, AV_LIST, PB_BYTES, &list);
    if (rc != 1)
        return rc;
    pb_reader r = pb_sub(&list);
    pb_field f = {0};
    int at = 0;
    while ((rc = pb_next(&r, &f)) == 1) {
        if (f.number != AV_S)
            continue;
        if (f.wire != PB_BYTES)
            return -1;
        if (at++ < k)
            continue;
        if (f.len >= cap || memchr(f.data, 0, f.len))
            return -1;
        memcpy(buf, f.data, f.len);
        buf[f.len] = 0;
        return 1;
    }
    return rc < 0 ? -1 : 0;
}
