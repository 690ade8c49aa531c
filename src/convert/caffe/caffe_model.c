/* caffemodel wire format: NetParameter { layer = 100: LayerParameter { name = 1, blobs = 7 },
 * layers = 2: V1LayerParameter { name = 4, blobs = 6 } }, BlobProto { num/channels/height/
 * width = 1..4, data = 5 (float), shape = 7: BlobShape { dim = 1 (int64) },
 * double_data = 8 }. Every length is checked against the mapping before use. */
#include "convert/caffe/caffe_model.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convert/common/limits.h"
#include "convert/common/protobuf.h"
#include "openpose-c/error.h"

typedef struct {
    const char *path;
    const uint8_t *base;
    opc_error *err;
} ctx;

static int malformed(const ctx *c, const uint8_t *at, const char *what)
{
    return opc_fail(c->err, OPC_ERR_FORMAT,
                    "%s: malformed %s at byte %zu (truncated or not a caffemodel)", c->path, what,
                    (size_t)(at - c->base));
}

static int add_dim(const ctx *c, caffe_blob_data *b, uint64_t v, const char *layer)
{
    if (b->ndim == CAFFE_BLOB_MAX_DIMS || v > (uint64_t)OPC_CONVERT_MAX_BLOB_ELEMS)
        return opc_fail(c->err, OPC_ERR_FORMAT,
                        "%s: layer '%.80s': blob shape has too many or invalid dims", c->path,
                        layer);
    b->shape[b->ndim++] = (int64_t)v;
    return OPC_OK;
}

/* BlobShape { repeated int64 dim = 1 }, packed or not. */
static int read_shape(const ctx *c, const pb_field *sf, caffe_blob_data *b, const char *layer)
{
    pb_reader r = pb_sub(sf);
    pb_field f;
    int rc;
    const uint8_t *at = r.p;
    b->ndim = 0;
    for (; (rc = pb_next(&r, &f)) == 1; at = r.p) {
        if (f.number != 1)
            continue;
        if (f.wire == PB_VARINT) {
            if ((rc = add_dim(c, b, f.value, layer)) != OPC_OK)
                return rc;
        } else if (f.wire == PB_BYTES) {
            pb_reader vals = pb_sub(&f);
            uint64_t v;
            int k;
            while ((k = pb_varint(&vals, &v)) == 1)
                if ((rc = add_dim(c, b, v, layer)) != OPC_OK)
                    return rc;
            if (k < 0)
                return malformed(c, vals.p, "blob shape");
        } else {
            return malformed(c, at, "blob shape");
        }
    }
    return rc < 0 ? malformed(c, at, "blob shape") : OPC_OK;
}

static int read_blob(const ctx *c, const pb_field *bf, caffe_blob_data *b, const char *layer)
{
    pb_reader r = pb_sub(bf);
    pb_field f;
    int64_t legacy[4] = {1, 1, 1, 1};
    int has_shape = 0, has_legacy = 0, rc;
    memset(b, 0, sizeof *b);
    b->msg = bf->data;
    b->msg_len = bf->len;
    const uint8_t *at = r.p;
    for (; (rc = pb_next(&r, &f)) == 1; at = r.p) {
        if (f.number >= 1 && f.number <= 4 && f.wire == PB_VARINT) {
            int64_t v = (int32_t)f.value;
            if (v < 0)
                return opc_fail(c->err, OPC_ERR_FORMAT, "%s: layer '%.80s': negative blob dim",
                                c->path, layer);
            legacy[f.number - 1] = v;
            has_legacy = 1;
        } else if (f.number == 5 && f.wire == PB_BYTES) {
            long n = pb_packed_float_count(&f);
            if (n < 0)
                return malformed(c, f.data, "packed float data");
            b->count += (size_t)n;
        } else if (f.number == 5 && f.wire == PB_FIXED32) {
            b->count++;
        } else if (f.number == 5) {
            return malformed(c, at, "blob data");
        } else if (f.number == 7 && f.wire == PB_BYTES) {
            if ((rc = read_shape(c, &f, b, layer)) != OPC_OK)
                return rc;
            has_shape = 1;
        } else if (f.number == 8) {
            return opc_fail(c->err, OPC_ERR_UNSUPPORTED,
                            "%s: layer '%.80s' stores double_data (float64); only float32 "
                            "caffemodels are supported",
                            c->path, layer);
        }
    }
    if (rc < 0)
        return malformed(c, at, "blob");
    if (!has_shape && has_legacy) {
        b->ndim = 4;
        memcpy(b->shape, legacy, sizeof legacy);
    }
    int64_t n = 1;
    for (int i = 0; i < b->ndim; i++) {
        n *= b->shape[i];
        if (n > OPC_CONVERT_MAX_BLOB_ELEMS)
            return opc_fail(c->err, OPC_ERR_FORMAT, "%s: layer '%.80s': blob is too large", c->path,
                            layer);
    }
    if ((size_t)n != b->count) {
        char s[96];
        caffe_blob_shape_str(b, s, sizeof s);
        return opc_fail(c->err, OPC_ERR_FORMAT,
                        "%s: layer '%.80s': blob of shape %s holds %zu floats, not %lld", c->path,
                        layer, s, b->count, (long long)n);
    }
    return OPC_OK;
}

/* One LayerParameter (v1 = 0) or V1LayerParameter (v1 = 1). */
static int read_layer(const ctx *c, const pb_field *lf, int v1, caffe_model_layer *l)
{
    const uint32_t name_field = v1 ? 4 : 1, blobs_field = v1 ? 6 : 7;
    pb_reader r = pb_sub(lf);
    pb_field f;
    int rc, n_blobs = 0;
    const uint8_t *name = NULL;
    size_t name_len = 0;
    const uint8_t *at = r.p;
    for (; (rc = pb_next(&r, &f)) == 1; at = r.p) {
        if (f.number == name_field && f.wire == PB_BYTES) {
            name = f.data;
            name_len = f.len;
        } else if (f.number == blobs_field && f.wire == PB_BYTES) {
            if (++n_blobs > OPC_CONVERT_MAX_BLOBS)
                return opc_fail(c->err, OPC_ERR_FORMAT, "%s: a layer with more than %d blobs",
                                c->path, OPC_CONVERT_MAX_BLOBS);
        } else if (v1 && f.number == 1) {
            return opc_fail(c->err, OPC_ERR_UNSUPPORTED,
                            "%s: pre-2014 (V0) layer format is not supported", c->path);
        }
    }
    if (rc < 0)
        return malformed(c, at, "layer");
    for (size_t i = 0; i < name_len; i++)
        if (name[i] < 0x20 || name[i] == 0x7f) /* never in a real model; keeps messages one line */
            return malformed(c, name + i, "layer name");
    l->name = malloc(name_len + 1);
    l->blobs = calloc((size_t)n_blobs + 1, sizeof *l->blobs);
    if (!l->name || !l->blobs)
        return opc_fail(c->err, OPC_ERR_NOMEM, "%s: out of memory", c->path);
    if (name_len)
        memcpy(l->name, name, name_len);
    l->name[name_len] = 0;
    r = pb_sub(lf);
    while (pb_next(&r, &f) == 1)
        if (f.number == blobs_field && f.wire == PB_BYTES) {
            rc = read_blob(c, &f, &l->blobs[l->n_blobs], l->name);
            if (rc != OPC_OK)
                return rc;
            l->n_blobs++;
        }
    return OPC_OK;
}

static int read_net(caffe_model *m, opc_error *err)
{
    ctx c = {m->path, m->map, err};
    pb_reader r = pb_init(m->map, m->size);
    pb_field f;
    int rc, cap = 0;
    const uint8_t *at = r.p;
    for (; (rc = pb_next(&r, &f)) == 1; at = r.p) {
        int v1 = f.number == 2;
        if (f.number != 100 && !v1)
            continue;
        if (f.wire != PB_BYTES)
            return malformed(&c, at, "layer list");
        if (m->n_layers == OPC_CONVERT_MAX_LAYERS)
            return opc_fail(err, OPC_ERR_FORMAT, "%s: more than %d layers", m->path,
                            OPC_CONVERT_MAX_LAYERS);
        if (m->n_layers == cap) {
            int ncap = cap ? 2 * cap : 64;
            caffe_model_layer *n = realloc(m->layers, (size_t)ncap * sizeof *n);
            if (!n)
                return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", m->path);
            m->layers = n;
            cap = ncap;
        }
        caffe_model_layer *l = &m->layers[m->n_layers++];
        memset(l, 0, sizeof *l);
        if ((rc = read_layer(&c, &f, v1, l)) != OPC_OK)
            return rc;
    }
    if (rc < 0)
        return malformed(&c, at, "message");
    if (m->n_layers == 0)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: no layers (is this a caffemodel?)", m->path);
    for (int i = 0; i < m->n_layers; i++)
        if (strmap_put(&m->by_name, m->layers[i].name, i) != 0)
            return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", m->path);
    return OPC_OK;
}

int caffe_model_open(caffe_model *m, const char *path, opc_error *err)
{
    memset(m, 0, sizeof *m);
    m->path = path;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return opc_fail(err, OPC_ERR_IO, "%s: %s", path, strerror(errno));
    struct stat st;
    int rc = OPC_OK;
    if (fstat(fd, &st) != 0)
        rc = opc_fail(err, OPC_ERR_IO, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = opc_fail(err, OPC_ERR_IO, "%s: not a regular file", path);
    else if (st.st_size == 0)
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: empty file", path);
    else if ((uint64_t)st.st_size > OPC_CONVERT_MAX_PROTOBUF_BYTES)
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: larger than the limit of %zu bytes", path,
                      OPC_CONVERT_MAX_PROTOBUF_BYTES);
    if (rc == OPC_OK) {
        m->size = (size_t)st.st_size;
        m->map = mmap(NULL, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m->map == MAP_FAILED) {
            m->map = NULL;
            rc = opc_fail(err, OPC_ERR_IO, "%s: cannot map: %s", path, strerror(errno));
        }
    }
    close(fd);
    if (rc == OPC_OK)
        rc = read_net(m, err);
    if (rc != OPC_OK)
        caffe_model_close(m);
    return rc;
}

void caffe_model_close(caffe_model *m)
{
    for (int i = 0; i < m->n_layers; i++) {
        free(m->layers[i].name);
        free(m->layers[i].blobs);
    }
    free(m->layers);
    strmap_free(&m->by_name);
    if (m->map)
        munmap(m->map, m->size);
    memset(m, 0, sizeof *m);
}

const caffe_model_layer *caffe_model_find(const caffe_model *m, const char *name)
{
    int i = strmap_get(&m->by_name, name);
    return i >= 0 ? &m->layers[i] : NULL;
}

void caffe_blob_read(const caffe_blob_data *blob, float *out)
{
    pb_reader r = pb_init(blob->msg, blob->msg_len);
    pb_field f;
    size_t n = 0;
    /* read_blob already walked this message and counted exactly blob->count floats */
    while (pb_next(&r, &f) == 1 && n < blob->count) {
        if (f.number != 5)
            continue;
        if (f.wire == PB_BYTES) {
            size_t k = (size_t)pb_packed_float_count(&f);
            pb_packed_floats(&f, out + n, k);
            n += k;
        } else if (f.wire == PB_FIXED32) {
            out[n++] = pb_float(&f);
        }
    }
}

void caffe_blob_shape_str(const caffe_blob_data *blob, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = 0;
    if (blob->ndim == 0)
        snprintf(buf, size, "scalar");
    for (int i = 0; i < blob->ndim && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, i ? "x%lld" : "%lld", (long long)blob->shape[i]);
}
