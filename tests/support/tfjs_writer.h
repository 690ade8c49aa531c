/* Test helper: writes small TensorFlow.js graph models (model.json + shard files) the way
 * the tfjs converter lays them out, independently of our reader: nodes as protobuf's JSON
 * (int64 as strings, bytes in base64, enums by name), Const values in the weightsManifest,
 * weights concatenated in manifest order and cut into shards. Header-only. */
#ifndef OPC_TEST_TFJS_WRITER_H
#define OPC_TEST_TFJS_WRITER_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *nodes, *weights;     /* JSON array bodies */
    unsigned char *bin;
    size_t bin_n;
} tj_model;

static inline void tj_append(char **s, const char *fmt, ...)
{
    char piece[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(piece, sizeof piece, fmt, ap);
    va_end(ap);
    size_t n = *s ? strlen(*s) : 0;
    *s = realloc(*s, n + strlen(piece) + 2);
    if (n)
        (*s)[n++] = ',';
    strcpy(*s + n, piece);
}

static inline void tj_free(tj_model *m)
{
    free(m->nodes);
    free(m->weights);
    free(m->bin);
    memset(m, 0, sizeof *m);
}

/* Standard base64 with padding. */
static inline void tj_base64(const char *s, char *out)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s), o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)s[i] << 16 | (i + 1 < n ? (unsigned char)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? (unsigned char)s[i + 2] : 0);
        out[o++] = A[v >> 18 & 63];
        out[o++] = A[v >> 12 & 63];
        out[o++] = i + 1 < n ? A[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? A[v & 63] : '=';
    }
    out[o] = 0;
}

static inline void tj_dims(char *out, size_t cap, int ndim, const int *dims)
{
    size_t n = (size_t)snprintf(out, cap, "[");
    for (int i = 0; i < ndim; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s{\"size\":\"%d\"}", i ? "," : "", dims[i]);
    snprintf(out + n, cap - n, "]");
}

static inline void tj_placeholder(tj_model *m, const char *name, int h, int w, int c)
{
    char d[256];
    tj_dims(d, sizeof d, 4, (int[]){1, h, w, c});
    tj_append(&m->nodes,
              "{\"name\":\"%s\",\"op\":\"Placeholder\",\"attr\":{\"shape\":{\"shape\":{\"dim\":%s}},"
              "\"dtype\":{\"type\":\"DT_FLOAT\"}}}",
              name, d);
}

/* A Const node (no value, as tfjs writes them). */
static inline void tj_const(tj_model *m, const char *name, const char *dtype, int ndim,
                            const int *dims)
{
    char d[512];
    tj_dims(d, sizeof d, ndim, dims);
    tj_append(&m->nodes,
              "{\"name\":\"%s\",\"op\":\"Const\",\"attr\":{\"value\":{\"tensor\":{\"dtype\":\"%s\","
              "\"tensorShape\":{\"dim\":%s}}},\"dtype\":{\"type\":\"%s\"}}}",
              name, dtype, d, dtype);
}

/* A manifest entry and its stored bytes; quant is NULL or the quantization object's JSON. */
static inline void tj_weight(tj_model *m, const char *name, const char *dtype, int ndim,
                             const int *dims, const char *quant, const void *bytes, size_t n)
{
    char shape[256];
    size_t k = (size_t)snprintf(shape, sizeof shape, "[");
    for (int i = 0; i < ndim; i++)
        k += (size_t)snprintf(shape + k, sizeof shape - k, i ? ",%d" : "%d", dims[i]);
    snprintf(shape + k, sizeof shape - k, "]");
    tj_append(&m->weights, "{\"name\":\"%s\",\"shape\":%s,\"dtype\":\"%s\"%s%s}", name, shape,
              dtype, quant ? ",\"quantization\":" : "", quant ? quant : "");
    m->bin = realloc(m->bin, m->bin_n + n + 1);
    memcpy(m->bin + m->bin_n, bytes, n);
    m->bin_n += n;
}

/* A float32 Const with its weight. */
static inline void tj_const_f32(tj_model *m, const char *name, int ndim, const int *dims,
                                const float *v)
{
    size_t count = 1;
    for (int i = 0; i < ndim; i++)
        count *= (size_t)dims[i];
    tj_const(m, name, "DT_FLOAT", ndim, dims);
    tj_weight(m, name, "float32", ndim, dims, NULL, v, count * sizeof *v);
}

/* A _FusedConv2D (or FusedDepthwiseConv2dNative) reading in, w, b with fused_ops BiasAdd and
 * act (NULL for none), SAME padding. */
static inline void tj_fused(tj_model *m, const char *name, const char *op, const char *in,
                            const char *w, const char *b, int stride, const char *act)
{
    char bias[16], a[32], same[16], nhwc[16];
    tj_base64("BiasAdd", bias);
    tj_base64(act ? act : "", a);
    tj_base64("SAME", same);
    tj_base64("NHWC", nhwc);
    char ops[80];
    snprintf(ops, sizeof ops, act ? "\"%s\",\"%s\"" : "\"%s\"", bias, a);
    tj_append(&m->nodes,
              "{\"name\":\"%s\",\"op\":\"%s\",\"input\":[\"%s\",\"%s\",\"%s\"],\"attr\":{"
              "\"fused_ops\":{\"list\":{\"s\":[%s]}},\"num_args\":{\"i\":\"1\"},"
              "\"padding\":{\"s\":\"%s\"},\"data_format\":{\"s\":\"%s\"},\"T\":{\"type\":"
              "\"DT_FLOAT\"},\"strides\":{\"list\":{\"i\":[\"1\",\"%d\",\"%d\",\"1\"]}},"
              "\"dilations\":{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}},\"explicit_paddings\":"
              "{\"list\":{}},\"epsilon\":{\"f\":0}}}",
              name, op, in, w, b, ops, same, nhwc, stride, stride);
}

static inline int tj_save(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(p, 1, n, f) == n;
    if (f)
        fclose(f);
    return ok ? 0 : -1;
}

/* Writes dir/model.json and the weights cut into `shards` files of equal size (the last
 * takes the rest), named group1-shard<i>of<n>.bin. extra: more top-level JSON members
 * (with a leading comma) or "". */
static inline int tj_write(const tj_model *m, const char *dir, int shards, const char *extra)
{
    char path[1024], paths[1024] = "";
    size_t per = m->bin_n / (size_t)shards, at = 0, k = 0;
    for (int i = 0; i < shards; i++) {
        char name[64];
        snprintf(name, sizeof name, "group1-shard%dof%d.bin", i + 1, shards);
        size_t n = i == shards - 1 ? m->bin_n - at : per;
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (tj_save(path, m->bin + at, n))
            return -1;
        at += n;
        k += (size_t)snprintf(paths + k, sizeof paths - k, "%s\"%s\"", i ? "," : "", name);
    }
    size_t cap = strlen(m->nodes) + strlen(m->weights ? m->weights : "") + strlen(paths) +
                 strlen(extra) + 512;
    char *json = malloc(cap);
    snprintf(json, cap,
             "{\"format\":\"graph-model\",\"generatedBy\":\"test\",\"convertedBy\":\"test\","
             "\"modelTopology\":{\"node\":[%s],\"library\":{},\"versions\":{}},"
             "\"weightsManifest\":[{\"paths\":[%s],\"weights\":[%s]}]%s}",
             m->nodes, paths, m->weights ? m->weights : "", extra);
    snprintf(path, sizeof path, "%s/model.json", dir);
    int rc = tj_save(path, json, strlen(json));
    free(json);
    return rc;
}

/* How tj_tiny_posenet departs from a well-formed PoseNet (all -1: it does not). */
typedef struct {
    int skip;             /* leaves out this head */
    int head;             /* this head has */
    int channels;         /* this many output channels */
    int in_channels;      /* and its filter this many input channels (the trunk has 4) */
} tj_variant;

#define TJ_WELL_FORMED ((tj_variant){-1, -1, -1, -1})

/* A tiny PoseNet: image (3 channels) -> 3x3 stride-2 conv to 4 channels + Relu6 -> the four
 * 1x1 heads (17, 34, 32, 32 channels) named as PoseNet's MobileNet ones. Weights are small
 * deterministic values. */
static inline void tj_tiny_posenet(tj_model *m, tj_variant var)
{
    static const char *const heads[4] = {"heatmap_2", "offset_2", "displacement_fwd_2",
                                         "displacement_bwd_2"};
    static const int channels[4] = {17, 34, 32, 32};
    float v[4096];
    for (int i = 0; i < 4096; i++)
        v[i] = (float)((i * 37 % 101) - 50) / 200.0f;
    tj_placeholder(m, "image", -1, -1, 3);
    tj_const_f32(m, "w0", 4, (int[]){3, 3, 3, 4}, v);
    tj_const_f32(m, "b0", 1, (int[]){4}, v + 7);
    tj_fused(m, "MobilenetV1/Conv2d_0/Relu6", "_FusedConv2D", "image", "w0", "b0", 2, "Relu6");
    for (int h = 0; h < 4; h++) {
        if (h == var.skip)
            continue;
        char w[32], b[32], name[96];
        int co = h == var.head ? var.channels : channels[h];
        int ci = h == var.head && var.in_channels > 0 ? var.in_channels : 4;
        snprintf(w, sizeof w, "hw%d", h);
        snprintf(b, sizeof b, "hb%d", h);
        snprintf(name, sizeof name, "MobilenetV1/%s/BiasAdd", heads[h]);
        tj_const_f32(m, w, 4, (int[]){1, 1, ci, co}, v + h * 11);
        tj_const_f32(m, b, 1, (int[]){co}, v + h * 13);
        tj_fused(m, name, "_FusedConv2D", "MobilenetV1/Conv2d_0/Relu6", w, b, 1, NULL);
    }
}

#endif
