/* Test helper: a tiny caffemodel writer, independent of the converter, that can emit
 * every encoding the converter must read (current and V1 layers, shape or legacy dims,
 * packed or unpacked values). Header-only so each test stays one program. */
#ifndef OPC_TEST_CAFFE_WRITER_H
#define OPC_TEST_CAFFE_WRITER_H

#include <stdio.h>

#include "pb_writer.h"

enum {
    CW_LEGACY = 1,        /* num/channels/height/width, left-padded to 4-D */
    CW_UNPACKED_DATA = 2, /* one fixed32 field per float */
    CW_UNPACKED_DIMS = 4, /* one varint field per dim */
    CW_DOUBLE = 8         /* double_data instead of data */
};

/* Appends one BlobProto (as field `field` of the layer in `layer`). */
static inline void cw_blob(pbw_buf *layer, uint32_t field, int ndim, const int *shape,
                           const float *data, int flags)
{
    pbw_buf blob = {0};
    size_t count = 1;
    for (int i = 0; i < ndim; i++)
        count *= (size_t)shape[i];
    if (flags & CW_LEGACY) {
        for (int i = 0; i < 4; i++) {
            int d = i < 4 - ndim ? 1 : shape[i - (4 - ndim)];
            pbw_int(&blob, (uint32_t)i + 1, d);
        }
    } else {
        pbw_buf shp = {0};
        if (flags & CW_UNPACKED_DIMS) {
            for (int i = 0; i < ndim; i++)
                pbw_int(&shp, 1, shape[i]);
        } else {
            pbw_buf packed = {0};
            for (int i = 0; i < ndim; i++)
                pbw_varint(&packed, (uint64_t)shape[i]);
            pbw_msg(&shp, 1, &packed);
        }
        pbw_msg(&blob, 7, &shp);
    }
    if (flags & CW_DOUBLE) {
        pbw_buf d = {0};
        for (size_t i = 0; i < count; i++) {
            double v = data[i];
            pbw_put(&d, &v, 8);
        }
        pbw_msg(&blob, 8, &d);
    } else if (flags & CW_UNPACKED_DATA) {
        for (size_t i = 0; i < count; i++)
            pbw_float(&blob, 5, data[i]);
    } else {
        pbw_buf d = {0};
        for (size_t i = 0; i < count; i++)
            pbw_f32(&d, data[i]);
        pbw_msg(&blob, 5, &d);
    }
    pbw_msg(layer, field, &blob);
}

/* A layer with its blobs already in body: LayerParameter (v1 = 0) or V1LayerParameter. */
static inline void cw_layer(pbw_buf *net, const char *name, const char *type,
                            const pbw_buf *blobs, int v1)
{
    pbw_buf l = {0};
    if (v1) {
        pbw_str(&l, 4, name);
        pbw_int(&l, 5, 4); /* V1 type enum: CONVOLUTION; ignored by the reader */
    } else {
        pbw_str(&l, 1, name);
        pbw_str(&l, 2, type);
    }
    if (blobs)
        pbw_put(&l, blobs->p, blobs->n);
    pbw_msg(net, v1 ? 2 : 100, &l);
}

static inline int cw_save(const pbw_buf *b, const char *path)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(b->p, 1, b->n, f) == b->n;
    if (f)
        ok &= fclose(f) == 0;
    return ok;
}

#endif
