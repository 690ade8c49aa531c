/* weightsManifest: groups of shard files whose bytes, concatenated, hold the group's
 * weights one after the other in manifest order (tfjs-core io: loadWeights, decodeWeights).
 * A group's shards must hold exactly the bytes its weights need. Quantized weights are
 * expanded as tfjs does: uint8/uint16 q to float32 q * scale + min (in double, then
 * rounded), to int32 Math.round(q * scale + min); float16 to float32 exactly. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "convert/common/limits.h"
#include "convert/tfjs/tfjs_model.h"

#define MAX_DIM ((int64_t)1 << 31)

/* Stored element types: the manifest's dtype (or quantization dtype), its size in the
 * shard, and what it decodes to (0 = only as a quantization of float32/int32). */
typedef struct {
    const char *name;
    int bytes;
    int dtype;
} stored_type;

static const stored_type TYPES[] = {
    {"float32", 4, TF_DT_FLOAT},
    {"int32", 4, TF_DT_INT32},
    {"bool", 1, TF_DT_BOOL},
};

static const stored_type QUANTIZED[] = {
    {"uint8", 1, 0},
    {"uint16", 2, 0},
    {"float16", 2, 0},
};

static const stored_type *type_named(const stored_type *t, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}

float tfjs_half_to_float(uint16_t h)
{
    int e = h >> 10 & 0x1f, m = h & 0x3ff;
    float v = e == 0 ? ldexpf((float)m, -24)                       /* subnormal, zero */
              : e == 31 ? (m ? NAN : INFINITY)
                        : ldexpf((float)(m | 0x400), e - 25);
    return h & 0x8000 ? -v : v;
}

/* JavaScript's Math.round (halves up). */
static double js_round(double v)
{
    double f = floor(v);
    return v - f >= 0.5 ? f + 1.0 : f;
}

/* A manifest entry before its bytes are read. */
typedef struct {
    tfjs_weight *w;
    const stored_type *stored;   /* how its elements are stored */
    int quantized;
    double min, scale;           /* uint8/uint16 */
} entry;

static int entry_fail(opc_error *err, const char *json_path, int group, int k, const char *name,
                      const char *what)
{
    return opc_fail(err, OPC_ERR_FORMAT, "%s: weightsManifest group %d, weight %d (%s): %s",
                    json_path, group, k, name ? name : "unnamed", what);
}

/* name, shape, dtype and quantization of entry k of a group. */
static int parse_entry(const cJSON *spec, int group, int k, const char *json_path, entry *e,
                       opc_error *err)
{
    tfjs_weight *w = e->w;
    w->name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "name"));
    if (!w->name || !w->name[0])
        return entry_fail(err, json_path, group, k, NULL, "no name");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(spec, "shape"), *d;
    if (!cJSON_IsArray(shape) || cJSON_GetArraySize(shape) > TF_MAX_DIMS)
        return entry_fail(err, json_path, group, k, w->name, "shape missing or over 8 dims");
    w->count = 1;
    cJSON_ArrayForEach(d, shape) {
        double v = cJSON_IsNumber(d) ? d->valuedouble : -1;
        if (!(v >= 0 && v < MAX_DIM && v == floor(v)))
            return entry_fail(err, json_path, group, k, w->name,
                              "a dimension is not a whole number 0..2^31");
        w->dims[w->ndim++] = (int64_t)v;
        if (v > 0 && w->count > OPC_CONVERT_MAX_PROTOBUF_BYTES / (size_t)v)
            return entry_fail(err, json_path, group, k, w->name, "over 2^31 elements");
        w->count *= (size_t)v;
    }
    const char *dtype = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "dtype"));
    const stored_type *t = type_named(TYPES, sizeof TYPES / sizeof TYPES[0], dtype);
    if (!t) {
        char why[160];
        snprintf(why, sizeof why, "dtype %.40s (float32, int32 and bool are supported)",
                 dtype ? dtype : "missing");
        return entry_fail(err, json_path, group, k, w->name, why);
    }
    w->dtype = t->dtype;
    e->stored = t;
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(spec, "quantization");
    if (!q)
        return OPC_OK;
    const char *qtype = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, "dtype"));
    e->stored = type_named(QUANTIZED, sizeof QUANTIZED / sizeof QUANTIZED[0], qtype);
    e->quantized = 1;
    if (!e->stored) {
        char why[160];
        snprintf(why, sizeof why, "quantization dtype %.40s (uint8, uint16 and float16 are "
                 "supported)", qtype ? qtype : "missing");
        return entry_fail(err, json_path, group, k, w->name, why);
    }
    int half = strcmp(e->stored->name, "float16") == 0;
    if (t->dtype == TF_DT_BOOL || (half && t->dtype != TF_DT_FLOAT))
        return entry_fail(err, json_path, group, k, w->name,
                          "float16 applies to float32 weights only, uint8/uint16 to float32 "
                          "and int32");
    if (!half) {
        const cJSON *mn = cJSON_GetObjectItemCaseSensitive(q, "min");
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(q, "scale");
        if (!cJSON_IsNumber(mn) || !cJSON_IsNumber(sc) || !isfinite(mn->valuedouble) ||
            !isfinite(sc->valuedouble))
            return entry_fail(err, json_path, group, k, w->name,
                              "uint8/uint16 quantization without a finite min and scale");
        e->min = mn->valuedouble;
        e->scale = sc->valuedouble;
    }
    return OPC_OK;
}

/* The stored bytes p of entry e, decoded into e->w->data. */
static void decode(const entry *e, const unsigned char *p)
{
    tfjs_weight *w = e->w;
    for (size_t i = 0; i < w->count; i++) {
        const unsigned char *s = p + i * (size_t)e->stored->bytes;
        uint32_t bits = 0;
        if (!e->quantized) { /* copied as is: already little-endian */
            memcpy(w->data + i * (size_t)e->stored->bytes, s, (size_t)e->stored->bytes);
            continue;
        }
        uint32_t q = e->stored->bytes == 1 ? s[0] : (uint32_t)(s[0] | s[1] << 8);
        if (strcmp(e->stored->name, "float16") == 0) {
            float f = tfjs_half_to_float((uint16_t)q);
            memcpy(&bits, &f, 4);
        } else if (w->dtype == TF_DT_FLOAT) {
            float f = (float)(q * e->scale + e->min);
            memcpy(&bits, &f, 4);
        } else {
            double r = js_round(q * e->scale + e->min);
            int32_t v = r >= INT32_MAX ? INT32_MAX : r <= INT32_MIN ? INT32_MIN : (int32_t)r;
            bits = (uint32_t)v;
        }
        for (int b = 0; b < 4; b++)
            w->data[i * 4 + (size_t)b] = (unsigned char)(bits >> (8 * b));
    }
}

/* dir/path, refusing absolute paths and "..": shards live beside model.json. */
static int shard_path(const char *dir, const char *path, char *out, size_t cap)
{
    if (!path || !path[0] || path[0] == '/' || strstr(path, "..") ||
        (size_t)snprintf(out, cap, "%s/%s", dir, path) >= cap)
        return -1;
    return 0;
}

/* Reads the group's shards into one buffer of exactly need bytes. */
static int read_shards(const cJSON *paths, const char *dir, const char *json_path, int group,
                       size_t need, unsigned char **out, opc_error *err)
{
    char path[4096];
    const cJSON *p;
    size_t have = 0;
    *out = NULL;
    int n = 0;
    cJSON_ArrayForEach(p, paths) { /* sizes first: nothing is read when they disagree */
        struct stat st;
        if (shard_path(dir, cJSON_GetStringValue(p), path, sizeof path))
            return opc_fail(err, OPC_ERR_FORMAT,
                            "%s: weightsManifest group %d: shard path %d is not a file name "
                            "inside the model's folder", json_path, group, n);
        if (stat(path, &st) != 0)
            return opc_fail(err, OPC_ERR_IO, "%s: %s", path, strerror(errno));
        if (!S_ISREG(st.st_mode))
            return opc_fail(err, OPC_ERR_IO, "%s: not a regular file", path);
        if ((uint64_t)st.st_size > OPC_CONVERT_MAX_PROTOBUF_BYTES - have)
            return opc_fail(err, OPC_ERR_FORMAT, "%s: the shards exceed %zu bytes", json_path,
                            (size_t)OPC_CONVERT_MAX_PROTOBUF_BYTES);
        have += (size_t)st.st_size;
        n++;
    }
    if (have != need)
        return opc_fail(err, OPC_ERR_FORMAT,
                        "%s: weightsManifest group %d: its %d shard file%s hold%s %zu bytes, "
                        "its weights take %zu",
                        json_path, group, n, n == 1 ? "" : "s", n == 1 ? "s" : "", have, need);
    unsigned char *buf = malloc(need ? need : 1);
    if (!buf)
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory for %zu bytes of weights",
                        json_path, need);
    size_t at = 0;
    cJSON_ArrayForEach(p, paths) {
        shard_path(dir, cJSON_GetStringValue(p), path, sizeof path);
        FILE *f = fopen(path, "rb");
        size_t got = 0;
        if (f) {
            struct stat st;
            if (fstat(fileno(f), &st) == 0 && (uint64_t)st.st_size <= need - at)
                got = fread(buf + at, 1, (size_t)st.st_size, f);
            int ok = got == (size_t)st.st_size;
            fclose(f);
            if (!ok)
                f = NULL;
        }
        if (!f) {
            free(buf);
            return opc_fail(err, OPC_ERR_IO, "%s: cannot read it whole (changed while read?)",
                            path);
        }
        at += got;
    }
    if (at != need) {
        free(buf);
        return opc_fail(err, OPC_ERR_IO, "%s: the shards changed while read", json_path);
    }
    *out = buf;
    return OPC_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const tfjs_weight *)a)->name, ((const tfjs_weight *)b)->name);
}

const tfjs_weight *tfjs_weight_find(const tfjs_weights *w, const char *name)
{
    tfjs_weight key = {.name = name};
    return w->count ? bsearch(&key, w->w, (size_t)w->count, sizeof key, by_name) : NULL;
}

/* One group: its entries, their bytes, decoded. */
static int read_group(const cJSON *g, int group, const char *dir, const char *json_path,
                      tfjs_weights *w, opc_error *err)
{
    const cJSON *paths = cJSON_GetObjectItemCaseSensitive(g, "paths");
    const cJSON *specs = cJSON_GetObjectItemCaseSensitive(g, "weights"), *spec;
    if (!cJSON_IsArray(paths) || !cJSON_IsArray(specs))
        return opc_fail(err, OPC_ERR_FORMAT,
                        "%s: weightsManifest group %d has no paths or weights array", json_path,
                        group);
    int n = cJSON_GetArraySize(specs), k = 0, rc = OPC_OK;
    if (n > OPC_CONVERT_MAX_NODES - w->count)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: more than %d weights", json_path,
                        OPC_CONVERT_MAX_NODES);
    entry *e = calloc((size_t)n + 1, sizeof *e);
    tfjs_weight *grown = realloc(w->w, ((size_t)w->count + (size_t)n + 1) * sizeof *grown);
    if (grown)
        w->w = grown;
    if (!e || !grown) {
        free(e);
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", json_path);
    }
    size_t need = 0;
    cJSON_ArrayForEach(spec, specs) {
        e[k].w = &w->w[w->count + k];
        memset(e[k].w, 0, sizeof *e[k].w);
        if ((rc = parse_entry(spec, group, k, json_path, &e[k], err)))
            break;
        size_t bytes = e[k].w->count * (size_t)e[k].stored->bytes;
        e[k].w->bytes = e[k].w->count * (e[k].w->dtype == TF_DT_BOOL ? 1 : 4);
        if (bytes > OPC_CONVERT_MAX_PROTOBUF_BYTES - need) {
            rc = opc_fail(err, OPC_ERR_FORMAT, "%s: the weights exceed %zu bytes", json_path,
                          (size_t)OPC_CONVERT_MAX_PROTOBUF_BYTES);
            break;
        }
        need += bytes;
        k++;
    }
    w->count += k;  /* parsed entries are freed with the rest, also on failure */
    unsigned char *buf = NULL;
    if (rc == OPC_OK)
        rc = read_shards(paths, dir, json_path, group, need, &buf, err);
    size_t at = 0;
    for (int i = 0; rc == OPC_OK && i < n; i++) {
        if (!(e[i].w->data = malloc(e[i].w->bytes ? e[i].w->bytes : 1))) {
            rc = opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", json_path);
            break;
        }
        decode(&e[i], buf + at);
        at += e[i].w->count * (size_t)e[i].stored->bytes;
    }
    free(buf);
    free(e);
    return rc;
}

int tfjs_weights_read(const cJSON *manifest, const char *dir, const char *json_path,
                      tfjs_weights *w, opc_error *err)
{
    memset(w, 0, sizeof *w);
    if (!cJSON_IsArray(manifest))
        return opc_fail(err, OPC_ERR_FORMAT, "%s: no weightsManifest array", json_path);
    const cJSON *g;
    int group = 0, rc = OPC_OK;
    cJSON_ArrayForEach(g, manifest) {
        if ((rc = read_group(g, group++, dir, json_path, w, err)))
            break;
    }
    if (rc == OPC_OK && w->count)
        qsort(w->w, (size_t)w->count, sizeof *w->w, by_name);
    for (int i = 1; rc == OPC_OK && i < w->count; i++)
        if (strcmp(w->w[i - 1].name, w->w[i].name) == 0)
            rc = opc_fail(err, OPC_ERR_FORMAT, "%s: weight %s appears twice in weightsManifest",
                          json_path, w->w[i].name);
    if (rc)
        tfjs_weights_free(w);
    return rc;
}

void tfjs_weights_free(tfjs_weights *w)
{
    for (int i = 0; i < w->count; i++)
        free(w->w[i].data);
    free(w->w);
    memset(w, 0, sizeof *w);
}
