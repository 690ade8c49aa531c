#include "convert/common/protobuf.h"

#include <string.h>

int pb_varint(pb_reader *r, uint64_t *v)
{
    if (r->p >= r->end)
        return 0;
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            return -1;
        uint8_t b = *r->p++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 1;
        }
    }
    return -1;
}

int pb_next(pb_reader *r, pb_field *f)
{
    uint64_t key;
    int rc = pb_varint(r, &key);
    if (rc <= 0)
        return rc;
    memset(f, 0, sizeof *f);
    f->number = (uint32_t)(key >> 3);
    f->wire = (int)(key & 7);
    if (f->number == 0 || key >> 3 > 0x1fffffff)
        return -1;
    size_t left = (size_t)(r->end - r->p);
    switch (f->wire) {
    case PB_VARINT:
        return pb_varint(r, &f->value) == 1 ? 1 : -1;
    case PB_FIXED64:
    case PB_FIXED32: { /* little-endian */
        int n = f->wire == PB_FIXED64 ? 8 : 4;
        if (left < (size_t)n)
            return -1;
        for (int i = n - 1; i >= 0; i--)
            f->value = f->value << 8 | r->p[i];
        r->p += n;
        return 1;
    }
    case PB_BYTES: {
        uint64_t len;
        if (pb_varint(r, &len) != 1 || len > (uint64_t)(r->end - r->p))
            return -1;
        f->data = r->p;
        f->len = (size_t)len;
        r->p += len;
        return 1;
    }
    default: /* groups (3, 4) are obsolete and never used by Caffe or TensorFlow */
        return -1;
    }
}

float pb_float(const pb_field *f)
{
    uint32_t u = (uint32_t)f->value;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

long pb_packed_float_count(const pb_field *f)
{
    return f->len % 4 ? -1 : (long)(f->len / 4);
}

void pb_packed_floats(const pb_field *f, float *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = f->data + 4 * i;
        uint32_t u = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        memcpy(&out[i], &u, sizeof(float));
    }
}
