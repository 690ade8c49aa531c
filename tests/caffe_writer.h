/* Test helper: a tiny caffemodel writer, independent of the converter, that can emit
 * every encoding the converter must read (current and V1 layers, shape or legacy dims,
 * packed or unpacked values). Header-only so each test stays one program. */
#ifndef OPC_TEST_CAFFE_WRITER_H
#define OPC_TEST_CAFFE_WRITER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t *p;
    size_t n, cap;
} cw_buf;

enum {
    CW_LEGACY = 1,        /* num/channels/height/width, left-padded to 4-D */
    CW_UNPACKED_DATA = 2, /* one fixed32 field per float */
    CW_UNPACKED_DIMS = 4, /* one varint field per dim */
    CW_DOUBLE = 8         /* double_data instead of data */
};

static inline void cw_put(cw_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static inline void cw_varint(cw_buf *b, uint64_t v)
{
    uint8_t t[10];
    size_t n = 0;
    while (v >= 0x80) {
        t[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    t[n++] = (uint8_t)v;
    cw_put(b, t, n);
}

static inline void cw_tag(cw_buf *b, uint32_t field, int wire)
{
    cw_varint(b, (uint64_t)field << 3 | (unsigned)wire);
}

static inline void cw_bytes(cw_buf *b, uint32_t field, const void *p, size_t n)
{
    cw_tag(b, field, 2);
    cw_varint(b, n);
    cw_put(b, p, n);
}

static inline void cw_f32(cw_buf *b, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    uint8_t t[4] = {(uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24)};
    cw_put(b, t, 4);
}

/* Appends one BlobProto (as field `field` of the layer in `layer`). */
static inline void cw_blob(cw_buf *layer, uint32_t field, int ndim, const int *shape,
                           const float *data, int flags)
{
    cw_buf blob = {0}, tmp = {0};
    size_t count = 1;
    for (int i = 0; i < ndim; i++)
        count *= (size_t)shape[i];
    if (flags & CW_LEGACY) {
        for (int i = 0; i < 4; i++) {
            int d = i < 4 - ndim ? 1 : shape[i - (4 - ndim)];
            cw_tag(&blob, (uint32_t)i + 1, 0);
            cw_varint(&blob, (uint64_t)d);
        }
    } else {
        cw_buf shp = {0};
        if (flags & CW_UNPACKED_DIMS) {
            for (int i = 0; i < ndim; i++) {
                cw_tag(&shp, 1, 0);
                cw_varint(&shp, (uint64_t)shape[i]);
            }
        } else {
            for (int i = 0; i < ndim; i++)
                cw_varint(&tmp, (uint64_t)shape[i]);
            cw_bytes(&shp, 1, tmp.p, tmp.n);
        }
        cw_bytes(&blob, 7, shp.p, shp.n);
        free(shp.p);
    }
    if (flags & CW_DOUBLE) {
        cw_buf d = {0};
        for (size_t i = 0; i < count; i++) {
            double v = data[i];
            cw_put(&d, &v, 8);
        }
        cw_bytes(&blob, 8, d.p, d.n);
        free(d.p);
    } else if (flags & CW_UNPACKED_DATA) {
        for (size_t i = 0; i < count; i++) {
            cw_tag(&blob, 5, 5);
            cw_f32(&blob, data[i]);
        }
    } else {
        cw_buf d = {0};
        for (size_t i = 0; i < count; i++)
            cw_f32(&d, data[i]);
        cw_bytes(&blob, 5, d.p, d.n);
        free(d.p);
    }
    cw_bytes(layer, field, blob.p, blob.n);
    free(blob.p);
    free(tmp.p);
}

/* A layer with its blobs already in body: LayerParameter (v1 = 0) or V1LayerParameter. */
static inline void cw_layer(cw_buf *net, const char *name, const char *type, const cw_buf *blobs,
                            int v1)
{
    cw_buf l = {0};
    if (v1) {
        cw_bytes(&l, 4, name, strlen(name));
        cw_tag(&l, 5, 0);
        cw_varint(&l, 4); /* V1 type enum: CONVOLUTION; ignored by the reader */
    } else {
        cw_bytes(&l, 1, name, strlen(name));
        cw_bytes(&l, 2, type, strlen(type));
    }
    if (blobs)
        cw_put(&l, blobs->p, blobs->n);
    cw_bytes(net, v1 ? 2 : 100, l.p, l.n);
    free(l.p);
}

static inline int cw_save(const cw_buf *b, const char *path)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(b->p, 1, b->n, f) == b->n;
    if (f)
        ok &= fclose(f) == 0;
    return ok;
}

#endif
