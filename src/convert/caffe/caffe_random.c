/* Deterministic random-weight .caffemodel files for any prototxt the converter accepts, so
 * full-size networks can be converted, run and compared with other engines without the
 * trained weights (openpose-c/convert.h, opc_caffe_random_weights).
 *
 * Weights: convolutions He-normal (std sqrt(2 / fan_in)), biases N(0, 0.01), PReLU
 * slopes 0.25, BatchNorm mean N(0, 0.1) / variance U(0.5, 1.5) / factor 1, Scale
 * 1 + N(0, 0.1) and bias N(0, 0.01). Each layer has its own generator seeded from the
 * seed and the layer name, so a layer's weights do not depend on the rest of the net.
 * legacy_dims writes blob dims as the old num/channels/height/width fields (padded to 4-D
 * with leading 1s) instead of `shape`. The blob layout follows the converter's reading of
 * the prototxt (caffe_net.h). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/caffe/caffe_net.h"
#include "openpose-c/error.h"
#include "openpose-c/convert.h"
#include "openpose-c/files.h"

typedef struct {
    uint64_t state;
    int has_spare; /* Box-Muller makes normals in pairs */
    double spare;
} rng;

/* splitmix64: tiny, good enough for weights, identical on every platform. */
static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double rng_uniform(rng *r)
{
    return ((rng_next(r) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double rng_normal(rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u = rng_uniform(r), v = rng_uniform(r), m = sqrt(-2.0 * log(u));
    r->spare = m * sin(6.283185307179586 * v);
    r->has_spare = 1;
    return m * cos(6.283185307179586 * v);
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

static float random_value(rng *r, caffe_weight_role role, int fan_in)
{
    switch (role) {
    case CAFFE_W_CONV: return (float)(rng_normal(r) * sqrt(2.0 / fan_in));
    case CAFFE_W_BIAS: return (float)(rng_normal(r) * 0.01);
    case CAFFE_W_SLOPE: return 0.25f;
    case CAFFE_W_BN_MEAN: return (float)(rng_normal(r) * 0.1);
    case CAFFE_W_BN_VAR: return (float)(0.5 + rng_uniform(r));
    case CAFFE_W_BN_FACTOR: return 1.0f;
    case CAFFE_W_SCALE: return (float)(1.0 + rng_normal(r) * 0.1);
    case CAFFE_W_SHIFT: return (float)(rng_normal(r) * 0.01);
    }
    return 0.0f;
}

/* ---- protobuf wire writing -------------------------------------------------------- */

enum { WIRE_VARINT = 0, WIRE_BYTES = 2 };

static size_t varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

static size_t put_tag(uint8_t *p, uint32_t field, int wire)
{
    return put_varint(p, (uint64_t)field << 3 | (uint64_t)wire);
}

/* A BlobProto's dims part: shape { dim: packed } or the legacy 4 fields. */
static size_t blob_dims(const caffe_weight_spec *w, int legacy, uint8_t *out)
{
    size_t n = 0;
    if (legacy) {
        int dims[4] = {1, 1, 1, 1};
        for (int i = 0; i < w->ndim; i++)
            dims[4 - w->ndim + i] = w->shape[i];
        for (int i = 0; i < 4; i++) {
            n += put_tag(out + n, (uint32_t)i + 1, WIRE_VARINT);
            n += put_varint(out + n, (uint64_t)dims[i]);
        }
        return n;
    }
    uint8_t packed[64];
    size_t np = 0;
    for (int i = 0; i < w->ndim; i++)
        np += put_varint(packed + np, (uint64_t)w->shape[i]);
    uint8_t shape[80];
    size_t ns = put_tag(shape, 1, WIRE_BYTES);
    ns += put_varint(shape + ns, np);
    memcpy(shape + ns, packed, np);
    ns += np;
    n += put_tag(out, 7, WIRE_BYTES);
    n += put_varint(out + n, ns);
    memcpy(out + n, shape, ns);
    return n + ns;
}

static size_t blob_size(const caffe_weight_spec *w, int legacy)
{
    uint8_t dims[128];
    size_t data = 4 * w->count;
    return blob_dims(w, legacy, dims) + 1 + varint_size(data) + data;
}

static int write_bytes(FILE *f, const void *p, size_t n) { return fwrite(p, 1, n, f) == n; }

static int write_string_field(FILE *f, uint32_t field, const char *s)
{
    uint8_t hdr[16];
    size_t len = strlen(s), n = put_tag(hdr, field, WIRE_BYTES);
    n += put_varint(hdr + n, len);
    return write_bytes(f, hdr, n) && write_bytes(f, s, len);
}

static int write_blob(FILE *f, const caffe_layer *l, const caffe_weight_spec *w, rng *r, int legacy,
                      uint8_t *buf)
{
    uint8_t hdr[160];
    size_t n = put_tag(hdr, 7, WIRE_BYTES); /* LayerParameter.blobs */
    n += put_varint(hdr + n, blob_size(w, legacy));
    n += blob_dims(w, legacy, hdr + n);
    n += put_tag(hdr + n, 5, WIRE_BYTES); /* BlobProto.data, packed floats */
    n += put_varint(hdr + n, 4 * w->count);
    for (size_t i = 0; i < w->count; i++) {
        float v = random_value(r, w->role, l->fan_in);
        uint32_t u;
        memcpy(&u, &v, 4);
        for (int b = 0; b < 4; b++)
            buf[4 * i + (size_t)b] = (uint8_t)(u >> (8 * b)); /* little-endian on any host */
    }
    return write_bytes(f, hdr, n) && write_bytes(f, buf, 4 * w->count);
}

static int write_layer(FILE *f, const caffe_layer *l, uint64_t seed, int legacy, uint8_t *buf)
{
    size_t body = 1 + varint_size(strlen(l->name)) + strlen(l->name) + 1 +
                  varint_size(strlen(l->type)) + strlen(l->type);
    for (int k = 0; k < l->n_weights; k++) {
        size_t b = blob_size(&l->weights[k], legacy);
        body += 1 + varint_size(b) + b;
    }
    uint8_t hdr[16];
    size_t n = put_tag(hdr, 100, WIRE_BYTES); /* NetParameter.layer */
    n += put_varint(hdr + n, body);
    if (!write_bytes(f, hdr, n) || !write_string_field(f, 1, l->name) ||
        !write_string_field(f, 2, l->type))
        return 0;
    rng r = {seed ^ fnv1a(l->name), 0, 0.0};
    for (int k = 0; k < l->n_weights; k++)
        if (!write_blob(f, l, &l->weights[k], &r, legacy, buf))
            return 0;
    return 1;
}

int opc_caffe_random_weights(const char *prototxt, const char *out_path, uint64_t seed,
                             int legacy_dims, int *layers_written, opc_error *err)
{
    caffe_net net;
    int rc = caffe_net_load(&net, prototxt, err);
    if (rc != OPC_OK)
        return rc;
    size_t max_count = 1;
    for (int i = 0; i < net.n_layers; i++)
        for (int k = 0; k < net.layers[i].n_weights; k++)
            if (net.layers[i].weights[k].count > max_count)
                max_count = net.layers[i].weights[k].count;
    uint8_t *buf = malloc(4 * max_count);
    opc_atomic_file af;
    if (!buf) {
        rc = opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", out_path);
    } else if ((rc = opc_atomic_open(&af, out_path, err)) == OPC_OK) {
        int ok = 1, written = 0;
        for (int i = 0; ok && i < net.n_layers; i++)
            if (net.layers[i].n_weights > 0) {
                ok = write_layer(af.f, &net.layers[i], seed, legacy_dims, buf);
                written++;
            }
        if (!ok) {
            opc_atomic_abort(&af);
            rc = opc_fail(err, OPC_ERR_IO, "%s: write failed", out_path);
        } else if ((rc = opc_atomic_commit(&af, err)) == OPC_OK && layers_written) {
            *layers_written = written;
        }
    }
    free(buf);
    caffe_net_free(&net);
    return rc;
}
