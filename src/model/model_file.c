/* The .opc model file: a 64-byte binary header, a JSON description (cJSON) and the
 * weights, each tensor 64-byte aligned, so the file can be mapped and used in place.
 *
 *   0  magic "OPCMODEL"        8  u32 version (2)       12 u32 reserved (0)
 *  16  u64 json offset (64)   24  u64 json size        32  u64 data offset
 *  40  u64 data size          48  u64 file size        56  reserved
 *
 * All integers and floats are little-endian. Weight offsets in the JSON are relative to
 * the data offset. Nothing read from the file is trusted: every size, offset, index and
 * shape is checked before use. */
#include <assert.h>
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "openpose-c/error.h"
#include "openpose-c/files.h"
#include "model/graph.h"
#include "model/limits.h"

#define MAGIC "OPCMODEL"
#define VERSION OPC_MODEL_FORMAT_VERSION
#define HEADER_SIZE 64
#define ALIGN 64

struct opc_model {
    opc_graph *graph;
    void *map;
    size_t map_size;
};

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}
static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* ---- writing ---------------------------------------------------------------------- */

static cJSON *int_array(const int *v, int n)
{
    return cJSON_CreateIntArray(v, n);
}

static cJSON *float_array(const float *v, int n)
{
    return cJSON_CreateFloatArray(v, n);
}

/* Adds {"shape": [...], "offset": N} for w and advances *offset (in bytes, aligned). */
static void add_weight(cJSON *obj, const char *key, const opc_weight *w, uint64_t *offset)
{
    if (!w->data)
        return;
    cJSON *o = cJSON_AddObjectToObject(obj, key);
    cJSON_AddItemToObject(o, "shape", int_array(w->shape, w->ndim));
    cJSON_AddNumberToObject(o, "offset", (double)*offset);
    *offset += (w->count * sizeof(float) + ALIGN - 1) / ALIGN * ALIGN;
}

static cJSON *topology_json(const opc_topology *t)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", t->name);
    cJSON *parts = cJSON_AddArrayToObject(o, "parts");
    for (int i = 0; i < t->num_parts; i++)
        cJSON_AddItemToArray(parts, cJSON_CreateString(t->part_names[i]));
    cJSON_AddNumberToObject(o, "heatmap_channels", t->heatmap_channels);
    cJSON_AddNumberToObject(o, "background", t->background);
    cJSON_AddNumberToObject(o, "paf_offset", t->paf_offset);
    cJSON *pairs = cJSON_AddArrayToObject(o, "pairs");
    cJSON *maps = cJSON_AddArrayToObject(o, "paf_channels");
    cJSON *fill = cJSON_AddArrayToObject(o, "fill_only_pairs");
    for (int i = 0; i < t->num_pairs; i++) {
        cJSON_AddItemToArray(pairs, int_array(t->pairs[i], 2));
        cJSON_AddItemToArray(maps, int_array(t->paf_channels[i], 2));
        if (t->pair_fill_only[i])
            cJSON_AddItemToArray(fill, cJSON_CreateNumber(i));
    }
    cJSON *unc = cJSON_AddArrayToObject(o, "uncounted_parts");
    for (int i = 0; i < t->num_parts; i++)
        if (t->part_uncounted[i])
            cJSON_AddItemToArray(unc, cJSON_CreateNumber(i));
    cJSON_AddItemToObject(o, "coco17", int_array(t->coco17, 17));
    cJSON *d = cJSON_AddObjectToObject(o, "defaults");
    cJSON_AddNumberToObject(d, "nms_threshold", t->nms_threshold);
    cJSON_AddNumberToObject(d, "inter_threshold", t->inter_threshold);
    cJSON_AddNumberToObject(d, "inter_min_above", t->inter_min_above);
    cJSON_AddNumberToObject(d, "min_parts", t->min_parts);
    cJSON_AddNumberToObject(d, "min_score", t->min_score);
    cJSON *dm = cJSON_AddObjectToObject(o, "defaults_maximize_positives");
    cJSON_AddNumberToObject(dm, "nms_threshold", t->maxpos_nms_threshold);
    cJSON_AddNumberToObject(dm, "inter_threshold", t->maxpos_inter_threshold);
    cJSON_AddNumberToObject(dm, "inter_min_above", t->maxpos_inter_min_above);
    cJSON_AddNumberToObject(dm, "min_parts", t->maxpos_min_parts);
    cJSON_AddNumberToObject(dm, "min_score", t->maxpos_min_score);
    cJSON *rp = cJSON_AddArrayToObject(o, "render_pairs");
    for (int i = 0; i < t->num_render_pairs; i++)
        cJSON_AddItemToArray(rp, int_array(t->render_pairs[i], 2));
    cJSON *col = cJSON_AddArrayToObject(o, "colors");
    for (int i = 0; i < t->num_parts; i++) {
        int c[3] = {t->colors[i][0], t->colors[i][1], t->colors[i][2]};
        cJSON_AddItemToArray(col, int_array(c, 3));
    }
    return o;
}

/* ---- layer attributes: one row per attribute (the op table says which a layer has) ---- */

typedef enum { A_INTS, A_BOOL, A_INT, A_FLOAT, A_BLOB, A_RESIZE_MODE } attr_type;

static const struct {
    unsigned bit;
    const char *key;
    attr_type type;
    int n;          /* A_INTS: how many */
    int lo, hi;     /* integer range */
    int def;        /* A_INT: value when absent */
    size_t offset;  /* of the field in opc_layer */
} ATTRS[] = {
    {OPC_ATTR_KERNEL, "kernel", A_INTS, 2, 1, 64, 0, offsetof(opc_layer, kernel)},
    {OPC_ATTR_STRIDE, "stride", A_INTS, 2, 1, 64, 0, offsetof(opc_layer, stride)},
    {OPC_ATTR_DILATION, "dilation", A_INTS, 2, 1, 64, 0, offsetof(opc_layer, dilation)},
    {OPC_ATTR_PAD, "pad", A_INTS, 4, 0, 64, 0, offsetof(opc_layer, pad)},
    {OPC_ATTR_PAD_SAME, "pad_same", A_BOOL, 0, 0, 1, 0, offsetof(opc_layer, pad_same)},
    {OPC_ATTR_CEIL_MODE, "ceil_mode", A_BOOL, 0, 0, 1, 0, offsetof(opc_layer, ceil_mode)},
    {OPC_ATTR_GROUP, "group", A_INT, 0, 1, 65536, 1, offsetof(opc_layer, group)},
    {OPC_ATTR_OUT_CHANNELS, "out_channels", A_INT, 0, 0, 65536, 0,
     offsetof(opc_layer, out_channels)},
    {OPC_ATTR_EPS, "eps", A_FLOAT, 0, 0, 0, 0, offsetof(opc_layer, eps)},
    {OPC_ATTR_SIZE_LIKE, "size_like", A_BLOB, 0, 0, 0, 0, offsetof(opc_layer, size_ref)},
    {OPC_ATTR_FACTOR, "factor", A_INT, 0, 0, 64, 0, offsetof(opc_layer, resize_factor)},
    {OPC_ATTR_RESIZE_MODE, "mode", A_RESIZE_MODE, 0, 0, 0, 0, offsetof(opc_layer, resize_mode)},
};
static_assert(sizeof ATTRS / sizeof ATTRS[0] == OPC_ATTR_COUNT, "one row per attribute");

#define FIELD(l, a, type) ((type *)((char *)(l) + ATTRS[a].offset))

static void write_attrs(cJSON *o, const opc_graph *g, const opc_layer *l)
{
    unsigned has = opc_op_info_of(l->op)->attrs;
    for (int a = 0; a < OPC_ATTR_COUNT; a++) {
        if (!(has & ATTRS[a].bit))
            continue;
        const char *key = ATTRS[a].key;
        switch (ATTRS[a].type) {
        case A_INTS:
            cJSON_AddItemToObject(o, key, int_array(FIELD(l, a, const int), ATTRS[a].n));
            break;
        case A_BOOL:
            cJSON_AddBoolToObject(o, key, *FIELD(l, a, const int));
            break;
        case A_INT:
            cJSON_AddNumberToObject(o, key, *FIELD(l, a, const int));
            break;
        case A_FLOAT:
            cJSON_AddNumberToObject(o, key, *FIELD(l, a, const float));
            break;
        case A_BLOB:
            if (*FIELD(l, a, const int) >= 0)
                cJSON_AddStringToObject(o, key, g->blob_names[*FIELD(l, a, const int)]);
            break;
        case A_RESIZE_MODE:
            cJSON_AddStringToObject(o, key, opc_resize_mode_name(*FIELD(l, a, const opc_resize_mode)));
            break;
        }
    }
    if (l->act != OPC_ACT_NONE) {
        cJSON_AddStringToObject(o, "act", opc_act_name(l->act));
        int n = opc_act_info_of(l->act)->n_params;
        if (n)
            cJSON_AddItemToObject(o, "act_params", float_array(l->act_param, n));
    }
}

static cJSON *graph_json(const opc_graph *g, uint64_t *data_size)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", "openpose-c model");
    cJSON_AddNumberToObject(root, "version", VERSION);
    cJSON_AddStringToObject(root, "name", g->name ? g->name : "");
    cJSON_AddStringToObject(root, "source", g->source ? g->source : "");
    cJSON *in = cJSON_AddObjectToObject(root, "input");
    cJSON_AddStringToObject(in, "blob", g->blob_names[0]);
    cJSON_AddNumberToObject(in, "channels", g->input_channels);
    cJSON_AddStringToObject(root, "output", g->blob_names[g->output_blob]);

    const opc_preprocess *p = &g->preprocess;
    cJSON *pp = cJSON_AddObjectToObject(root, "preprocess");
    cJSON_AddStringToObject(pp, "channel_order", p->channel_order);
    cJSON_AddNumberToObject(pp, "scale", p->scale);
    cJSON_AddItemToObject(pp, "offset", float_array(p->offset, 3));
    cJSON_AddBoolToObject(pp, "nhwc", p->nhwc);
    cJSON_AddNumberToObject(pp, "stride", p->stride);
    int res[2] = {p->net_width, p->net_height};
    cJSON_AddItemToObject(pp, "net_resolution", int_array(res, 2));

    cJSON_AddItemToObject(root, "topology", topology_json(&g->topology));

    uint64_t offset = 0;
    cJSON *layers = cJSON_AddArrayToObject(root, "layers");
    for (int i = 0; i < g->n_layers; i++) {
        const opc_layer *l = &g->layers[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", l->name);
        cJSON_AddStringToObject(o, "op", opc_op_name(l->op));
        cJSON *ins = cJSON_AddArrayToObject(o, "inputs");
        for (int k = 0; k < l->n_inputs; k++)
            cJSON_AddItemToArray(ins, cJSON_CreateString(g->blob_names[l->inputs[k]]));
        cJSON_AddStringToObject(o, "output", g->blob_names[l->output]);
        write_attrs(o, g, l);
        add_weight(o, "weight", &l->weight, &offset);
        add_weight(o, "bias", &l->bias, &offset);
        add_weight(o, "slope", &l->slope, &offset);
        cJSON_AddItemToArray(layers, o);
    }
    *data_size = offset;
    return root;
}

static void write_weight(FILE *f, const opc_weight *w)
{
    static const unsigned char zeros[ALIGN];
    if (!w->data)
        return;
    size_t bytes = w->count * sizeof(float);
    fwrite(w->data, sizeof(float), w->count, f);
    fwrite(zeros, 1, (ALIGN - bytes % ALIGN) % ALIGN, f);
}

int opc_model_write(const opc_graph *g, const char *path, opc_error *err)
{
    int net_w = g->preprocess.net_width > 0 ? g->preprocess.net_width : g->preprocess.net_height;
    opc_error verr;
    int rc = opc_graph_validate(g, net_w, g->preprocess.net_height, &verr);
    if (rc != OPC_OK)
        return opc_fail(err, rc, "%s: refusing to write an invalid model: %s", path, verr.msg);
    uint64_t data_size = 0;
    cJSON *root = graph_json(g, &data_size);
    char *json = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!json)
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
    uint64_t json_size = strlen(json);
    uint64_t data_offset = (HEADER_SIZE + json_size + ALIGN - 1) / ALIGN * ALIGN;
    /* What opc_model_open would refuse is not written. */
    if (json_size > OPC_MODEL_MAX_JSON_BYTES ||
        data_offset + data_size > OPC_MODEL_MAX_FILE_BYTES) {
        free(json);
        return opc_fail(err, OPC_ERR_FORMAT,
                        "%s: the model would exceed the limits of %llu bytes (%llu of header)",
                        path, (unsigned long long)OPC_MODEL_MAX_FILE_BYTES,
                        (unsigned long long)OPC_MODEL_MAX_JSON_BYTES);
    }
    unsigned char hdr[HEADER_SIZE] = {0};
    memcpy(hdr, MAGIC, 8);
    put_u32(hdr + 8, VERSION);
    put_u64(hdr + 16, HEADER_SIZE);
    put_u64(hdr + 24, json_size);
    put_u64(hdr + 32, data_offset);
    put_u64(hdr + 40, data_size);
    put_u64(hdr + 48, data_offset + data_size);

    opc_atomic_file af;
    rc = opc_atomic_open(&af, path, err);
    if (rc != OPC_OK) {
        free(json);
        return rc;
    }
    fwrite(hdr, 1, HEADER_SIZE, af.f);
    fwrite(json, 1, json_size, af.f);
    free(json);
    fprintf(af.f, "%*s", (int)(data_offset - HEADER_SIZE - json_size), "");
    /* A failed write sets the stream's error flag (checked here to stop early on a full
     * disk); the commit reports it. */
    for (int i = 0; !ferror(af.f) && i < g->n_layers; i++) {
        const opc_layer *l = &g->layers[i];
        write_weight(af.f, &l->weight);
        write_weight(af.f, &l->bias);
        write_weight(af.f, &l->slope);
    }
    return opc_atomic_commit(&af, err);
}

/* ---- reading ---------------------------------------------------------------------- */

typedef struct {
    const char *path;
    opc_error *err;
    const unsigned char *data;  /* start of the weight section */
    uint64_t data_size;
} reader;

static int bad(reader *r, const char *fmt, const char *what)
{
    char buf[400];
    snprintf(buf, sizeof buf, fmt, what);
    return opc_fail(r->err, OPC_ERR_FORMAT, "%s: %s", r->path, buf);
}

/* Reads an integer member in [lo, hi]; absent -> def (or failure if def is INT32_MIN). */
static int get_int(reader *r, const cJSON *o, const char *key, int def, int lo, int hi, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        if (def == INT32_MIN)
            return bad(r, "missing field \"%s\"", key);
        *out = def;
        return OPC_OK;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo ||
        v->valuedouble > hi)
        return bad(r, "field \"%s\" is not an integer in range", key);
    *out = (int)v->valuedouble;
    return OPC_OK;
}

static int get_float(reader *r, const cJSON *o, const char *key, float def, float *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        *out = def;
        return OPC_OK;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return bad(r, "field \"%s\" is not a number", key);
    *out = (float)v->valuedouble;
    return OPC_OK;
}

static int get_bool(reader *r, const cJSON *o, const char *key, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        *out = 0;
        return OPC_OK;
    }
    if (!cJSON_IsBool(v))
        return bad(r, "field \"%s\" is not a boolean", key);
    *out = cJSON_IsTrue(v);
    return OPC_OK;
}

static const char *get_string(reader *r, const cJSON *o, const char *key, int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v && !required)
        return "";
    if (!cJSON_IsString(v) || !v->valuestring) {
        bad(r, "field \"%s\" is missing or not a string", key);
        return NULL;
    }
    return v->valuestring;
}

/* Reads an array of exactly n integers in [lo, hi] (n < 0: any length up to -n). */
static int get_ints(reader *r, const cJSON *o, const char *key, int n, int lo, int hi, int *out,
                    int *count)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsArray(a))
        return bad(r, "field \"%s\" is missing or not an array", key);
    int len = cJSON_GetArraySize(a);
    if (n >= 0 ? len != n : len > -n)
        return bad(r, "field \"%s\" has the wrong length", key);
    int i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, a)
    {
        if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
            v->valuedouble < lo || v->valuedouble > hi)
            return bad(r, "field \"%s\" holds a value out of range", key);
        out[i++] = (int)v->valuedouble;
    }
    if (count)
        *count = len;
    return OPC_OK;
}

static int read_weight(reader *r, const cJSON *lo, const char *key, opc_weight *w)
{
    memset(w, 0, sizeof *w);
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(lo, key);
    if (!o)
        return OPC_OK;
    if (!cJSON_IsObject(o))
        return bad(r, "weight \"%s\" is not an object", key);
    int nd;
    int rc = get_ints(r, o, "shape", -4, 0, OPC_WEIGHT_MAX_DIM, w->shape, &nd);
    if (rc != OPC_OK)
        return rc;
    if (nd < 1)
        return bad(r, "weight \"%s\" has no shape", key);
    uint64_t count = 1;  /* each factor <= 2^24 and count <= 2^28 before it: no overflow */
    for (int i = 0; i < nd; i++) {
        count *= (uint64_t)w->shape[i];
        if (count > OPC_WEIGHT_MAX_ELEMS)
            return bad(r, "weight \"%s\" has more elements than the limit of 2^28", key);
    }
    const cJSON *off = cJSON_GetObjectItemCaseSensitive(o, "offset");
    if (!cJSON_IsNumber(off) || off->valuedouble < 0 || off->valuedouble != floor(off->valuedouble) ||
        off->valuedouble > 9.0e15)
        return bad(r, "weight \"%s\" has no valid offset", key);
    uint64_t offset = (uint64_t)off->valuedouble;
    if (offset % ALIGN)
        return bad(r, "weight \"%s\" is not 64-byte aligned", key);
    if (offset > r->data_size || count * sizeof(float) > r->data_size - offset)
        return bad(r, "weight \"%s\" lies outside the file", key);
    w->ndim = nd;
    w->count = (size_t)count;
    w->data = (const float *)(r->data + offset);
    return OPC_OK;
}

static int read_topology(reader *r, const cJSON *o, opc_topology *t)
{
    memset(t, 0, sizeof *t);
    if (!cJSON_IsObject(o))
        return bad(r, "missing \"%s\" object", "topology");
    const char *name = get_string(r, o, "name", 1);
    if (!name)
        return OPC_ERR_FORMAT;
    snprintf(t->name, sizeof t->name, "%s", name);
    const cJSON *parts = cJSON_GetObjectItemCaseSensitive(o, "parts");
    if (!cJSON_IsArray(parts) || cJSON_GetArraySize(parts) < 1 ||
        cJSON_GetArraySize(parts) >= OPC_MAX_PARTS)
        return bad(r, "topology field \"%s\" is missing or too long", "parts");
    const cJSON *v;
    cJSON_ArrayForEach(v, parts)
    {
        if (!cJSON_IsString(v))
            return bad(r, "topology field \"%s\" holds a non-string", "parts");
        snprintf(t->part_names[t->num_parts++], OPC_NAME_LEN, "%s", v->valuestring);
    }
    int rc;
    if ((rc = get_int(r, o, "heatmap_channels", INT32_MIN, 1, OPC_MAX_PARTS, &t->heatmap_channels)) ||
        (rc = get_int(r, o, "background", INT32_MIN, -1, OPC_MAX_PARTS, &t->background)) ||
        (rc = get_int(r, o, "paf_offset", INT32_MIN, 0, 4 * OPC_MAX_PARTS, &t->paf_offset)))
        return rc;
    const cJSON *pairs = cJSON_GetObjectItemCaseSensitive(o, "pairs");
    const cJSON *maps = cJSON_GetObjectItemCaseSensitive(o, "paf_channels");
    if (!cJSON_IsArray(pairs) || !cJSON_IsArray(maps) ||
        cJSON_GetArraySize(pairs) != cJSON_GetArraySize(maps) ||
        cJSON_GetArraySize(pairs) > OPC_MAX_PAIRS)
        return bad(r, "topology fields \"%s\" and \"paf_channels\" do not match", "pairs");
    const cJSON *pm = maps->child;
    cJSON_ArrayForEach(v, pairs)
    {
        int i = t->num_pairs++;
        int ok = cJSON_IsArray(v) && cJSON_GetArraySize(v) == 2 && cJSON_IsArray(pm) &&
                 cJSON_GetArraySize(pm) == 2;
        for (int k = 0; ok && k < 2; k++) {
            const cJSON *a = cJSON_GetArrayItem(v, k), *b = cJSON_GetArrayItem(pm, k);
            ok = cJSON_IsNumber(a) && cJSON_IsNumber(b) && a->valuedouble >= 0 &&
                 a->valuedouble < OPC_MAX_PARTS && b->valuedouble >= 0 &&
                 b->valuedouble < 2 * OPC_MAX_PAIRS;
            if (ok) {
                t->pairs[i][k] = (int)a->valuedouble;
                t->paf_channels[i][k] = (int)b->valuedouble;
            }
        }
        if (!ok)
            return bad(r, "topology pair %s is malformed", "entry");
        pm = pm->next;
    }
    t->total_channels = t->paf_offset + 2 * t->num_pairs;
    int idx[OPC_MAX_PAIRS], n;
    if ((rc = get_ints(r, o, "fill_only_pairs", -OPC_MAX_PAIRS, 0, OPC_MAX_PAIRS - 1, idx, &n)))
        return rc;
    for (int i = 0; i < n; i++)
        t->pair_fill_only[idx[i]] = 1;
    if ((rc = get_ints(r, o, "uncounted_parts", -OPC_MAX_PAIRS, 0, OPC_MAX_PARTS - 1, idx, &n)))
        return rc;
    for (int i = 0; i < n; i++)
        t->part_uncounted[idx[i]] = 1;
    if ((rc = get_ints(r, o, "coco17", 17, -1, OPC_MAX_PARTS - 1, t->coco17, NULL)))
        return rc;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "defaults");
    if (!cJSON_IsObject(d))
        return bad(r, "topology field \"%s\" is missing", "defaults");
    if ((rc = get_float(r, d, "nms_threshold", 0.05f, &t->nms_threshold)) ||
        (rc = get_float(r, d, "inter_threshold", 0.05f, &t->inter_threshold)) ||
        (rc = get_float(r, d, "inter_min_above", 0.95f, &t->inter_min_above)) ||
        (rc = get_int(r, d, "min_parts", 3, 0, OPC_MAX_PARTS, &t->min_parts)) ||
        (rc = get_float(r, d, "min_score", 0.4f, &t->min_score)))
        return rc;
    /* Optional (older files lack it): OpenPose's generic maximize_positives values. */
    const cJSON *dm = cJSON_GetObjectItemCaseSensitive(o, "defaults_maximize_positives");
    if (dm && !cJSON_IsObject(dm))
        return bad(r, "topology field \"%s\" is malformed", "defaults_maximize_positives");
    if ((rc = get_float(r, dm, "nms_threshold", 0.02f, &t->maxpos_nms_threshold)) ||
        (rc = get_float(r, dm, "inter_threshold", 0.01f, &t->maxpos_inter_threshold)) ||
        (rc = get_float(r, dm, "inter_min_above", 0.75f, &t->maxpos_inter_min_above)) ||
        (rc = get_int(r, dm, "min_parts", 2, 0, OPC_MAX_PARTS, &t->maxpos_min_parts)) ||
        (rc = get_float(r, dm, "min_score", 0.05f, &t->maxpos_min_score)))
        return rc;
    const cJSON *rp = cJSON_GetObjectItemCaseSensitive(o, "render_pairs");
    if (!cJSON_IsArray(rp) || cJSON_GetArraySize(rp) > OPC_MAX_PAIRS)
        return bad(r, "topology field \"%s\" is missing or too long", "render_pairs");
    cJSON_ArrayForEach(v, rp)
    {
        int pr[2];
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2)
            return bad(r, "topology field \"%s\" is malformed", "render_pairs");
        for (int k = 0; k < 2; k++) {
            const cJSON *a = cJSON_GetArrayItem(v, k);
            if (!cJSON_IsNumber(a) || a->valuedouble < 0 || a->valuedouble >= OPC_MAX_PARTS)
                return bad(r, "topology field \"%s\" is malformed", "render_pairs");
            pr[k] = (int)a->valuedouble;
        }
        t->render_pairs[t->num_render_pairs][0] = pr[0];
        t->render_pairs[t->num_render_pairs][1] = pr[1];
        t->num_render_pairs++;
    }
    const cJSON *col = cJSON_GetObjectItemCaseSensitive(o, "colors");
    if (!cJSON_IsArray(col) || cJSON_GetArraySize(col) > OPC_MAX_PARTS)
        return bad(r, "topology field \"%s\" is missing or too long", "colors");
    int ci = 0;
    cJSON_ArrayForEach(v, col)
    {
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 3)
            return bad(r, "topology field \"%s\" is malformed", "colors");
        for (int k = 0; k < 3; k++) {
            const cJSON *a = cJSON_GetArrayItem(v, k);
            if (!cJSON_IsNumber(a) || a->valuedouble < 0 || a->valuedouble > 255)
                return bad(r, "topology field \"%s\" is malformed", "colors");
            t->colors[ci][k] = (unsigned char)a->valuedouble;
        }
        ci++;
    }
    return OPC_OK;
}

static int read_preprocess(reader *r, const cJSON *o, opc_preprocess *p)
{
    memset(p, 0, sizeof *p);
    if (!cJSON_IsObject(o))
        return bad(r, "missing \"%s\" object", "preprocess");
    const char *order = get_string(r, o, "channel_order", 1);
    if (!order)
        return OPC_ERR_FORMAT;
    if (strlen(order) != 3)
        return bad(r, "channel order \"%.20s\" is not BGR or RGB", order);
    memcpy(p->channel_order, order, 4);
    int rc, res[2];
    const cJSON *off = cJSON_GetObjectItemCaseSensitive(o, "offset");
    if (!cJSON_IsArray(off) || cJSON_GetArraySize(off) != 3)
        return bad(r, "preprocess field \"%s\" must hold 3 numbers", "offset");
    for (int k = 0; k < 3; k++) {
        const cJSON *a = cJSON_GetArrayItem(off, k);
        if (!cJSON_IsNumber(a) || !isfinite(a->valuedouble))
            return bad(r, "preprocess field \"%s\" must hold 3 numbers", "offset");
        p->offset[k] = (float)a->valuedouble;
    }
    if ((rc = get_float(r, o, "scale", 1.0f, &p->scale)) ||
        (rc = get_bool(r, o, "nhwc", &p->nhwc)) ||
        (rc = get_int(r, o, "stride", 8, 1, 64, &p->stride)) ||
        (rc = get_ints(r, o, "net_resolution", 2, -1, 16384, res, NULL)))
        return rc;
    p->net_width = res[0];
    p->net_height = res[1];
    return OPC_OK;
}

static int blob_id(reader *r, opc_graph *g, const cJSON *v, const char *layer)
{
    if (!cJSON_IsString(v)) {
        bad(r, "layer %s names a blob with a non-string", layer);
        return -1;
    }
    int id = opc_graph_find_blob(g, v->valuestring);
    if (id < 0) {
        char buf[300];
        snprintf(buf, sizeof buf, "layer %.100s reads unknown blob %.100s", layer, v->valuestring);
        bad(r, "%s", buf);
    }
    return id;
}

/* The attributes the op's row lists (absent ones keep opc_graph_add_layer's defaults), and
 * the activation with its parameters. */
static int read_attrs(reader *r, opc_graph *g, const cJSON *o, opc_layer *l)
{
    unsigned has = opc_op_info_of(l->op)->attrs;
    int rc = OPC_OK;
    for (int a = 0; a < OPC_ATTR_COUNT && rc == OPC_OK; a++) {
        if (!(has & ATTRS[a].bit))
            continue;
        const char *key = ATTRS[a].key;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        switch (ATTRS[a].type) {
        case A_INTS:
            rc = get_ints(r, o, key, ATTRS[a].n, ATTRS[a].lo, ATTRS[a].hi, FIELD(l, a, int), NULL);
            break;
        case A_BOOL:
            rc = get_bool(r, o, key, FIELD(l, a, int));
            break;
        case A_INT:
            rc = get_int(r, o, key, ATTRS[a].def, ATTRS[a].lo, ATTRS[a].hi, FIELD(l, a, int));
            break;
        case A_FLOAT:
            rc = get_float(r, o, key, 0, FIELD(l, a, float));
            break;
        case A_BLOB:
            if (v && (*FIELD(l, a, int) = blob_id(r, g, v, l->name)) < 0)
                rc = OPC_ERR_FORMAT;
            break;
        case A_RESIZE_MODE: {
            const char *m = get_string(r, o, key, 1);
            int mode = m ? opc_resize_mode_by_name(m) : -1;
            if (m && mode < 0)
                return bad(r, "unknown resize mode \"%.100s\"", m);
            if (!m)
                return OPC_ERR_FORMAT;
            *FIELD(l, a, opc_resize_mode) = (opc_resize_mode)mode;
            break;
        }
        }
    }
    if (rc != OPC_OK)
        return rc;
    const char *act = get_string(r, o, "act", 0);
    if (!act)
        return OPC_ERR_FORMAT;
    l->act = OPC_ACT_NONE;
    if (*act) {
        int k = opc_act_by_name(act);
        if (k < 0)
            return bad(r, "unknown activation \"%.100s\"", act);
        l->act = (opc_act)k;
        int n = opc_act_info_of(l->act)->n_params;
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "act_params");
        if (n && (!cJSON_IsArray(p) || cJSON_GetArraySize(p) != n))
            return bad(r, "activation %s needs its parameters in \"act_params\"", act);
        for (int i = 0; i < n; i++) {
            const cJSON *x = cJSON_GetArrayItem(p, i);
            if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble))
                return bad(r, "activation %s has a parameter that is not a number", act);
            l->act_param[i] = (float)x->valuedouble;
        }
    }
    return OPC_OK;
}

static int read_layer(reader *r, opc_graph *g, const cJSON *o)
{
    if (!cJSON_IsObject(o))
        return bad(r, "a layer is not an %s", "object");
    const char *name = get_string(r, o, "name", 1);
    const char *opname = name ? get_string(r, o, "op", 1) : NULL;
    const char *out = opname ? get_string(r, o, "output", 1) : NULL;
    if (!out)
        return OPC_ERR_FORMAT;
    int op = opc_op_by_name(opname);
    if (op < 0) {
        char buf[300];
        snprintf(buf, sizeof buf, "layer %.100s has unknown op \"%.100s\"", name, opname);
        return bad(r, "%s", buf);
    }
    opc_error e;
    opc_layer *l = opc_graph_add_layer(g, (opc_op)op, name, out, &e);
    if (!l)
        return opc_fail(r->err, OPC_ERR_FORMAT, "%s: %s", r->path, e.msg);
    const cJSON *ins = cJSON_GetObjectItemCaseSensitive(o, "inputs");
    if (!cJSON_IsArray(ins) || cJSON_GetArraySize(ins) < 1 ||
        cJSON_GetArraySize(ins) > OPC_MAX_INPUTS)
        return bad(r, "layer %s has no valid inputs", name);
    const cJSON *v;
    cJSON_ArrayForEach(v, ins)
    {
        int id = blob_id(r, g, v, name);
        if (id < 0)
            return OPC_ERR_FORMAT;
        l->inputs[l->n_inputs++] = id;
    }
    int rc = read_attrs(r, g, o, l);
    if (rc != OPC_OK)
        return rc;
    if ((rc = read_weight(r, o, "weight", &l->weight)) ||
        (rc = read_weight(r, o, "bias", &l->bias)) ||
        (rc = read_weight(r, o, "slope", &l->slope)))
        return rc;
    return OPC_OK;
}

static int read_graph(reader *r, const cJSON *root, opc_graph **out)
{
    *out = NULL;
    const char *fmt = get_string(r, root, "format", 1);
    if (!fmt || strcmp(fmt, "openpose-c model") != 0)
        return fmt ? bad(r, "header format is \"%s\", not an openpose-c model", fmt)
                   : OPC_ERR_FORMAT;
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(root, "input");
    if (!cJSON_IsObject(in))
        return bad(r, "missing \"%s\" object", "input");
    const char *in_blob = get_string(r, in, "blob", 1);
    int in_c = 0;
    if (!in_blob)
        return OPC_ERR_FORMAT;
    int rc = get_int(r, in, "channels", INT32_MIN, 1, 65536, &in_c);
    if (rc != OPC_OK)
        return rc;
    opc_graph *g = opc_graph_new(in_blob, in_c);
    if (!g)
        return opc_fail(r->err, OPC_ERR_NOMEM, "%s: out of memory", r->path);
    const char *name = get_string(r, root, "name", 0);
    const char *source = name ? get_string(r, root, "source", 0) : NULL;
    if (!source) {
        opc_graph_free(g);
        return OPC_ERR_FORMAT;
    }
    g->name = opc_graph_strdup(g, name);
    g->source = opc_graph_strdup(g, source);
    if ((rc = read_preprocess(r, cJSON_GetObjectItemCaseSensitive(root, "preprocess"),
                              &g->preprocess)) ||
        (rc = read_topology(r, cJSON_GetObjectItemCaseSensitive(root, "topology"),
                            &g->topology))) {
        opc_graph_free(g);
        return rc;
    }
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(root, "layers");
    if (!cJSON_IsArray(layers)) {
        opc_graph_free(g);
        return bad(r, "missing \"%s\" array", "layers");
    }
    const cJSON *lo;
    cJSON_ArrayForEach(lo, layers)
    {
        if ((rc = read_layer(r, g, lo)) != OPC_OK) {
            opc_graph_free(g);
            return rc;
        }
    }
    const char *outname = get_string(r, root, "output", 1);
    if (!outname || (g->output_blob = opc_graph_find_blob(g, outname)) < 0) {
        opc_graph_free(g);
        return outname ? bad(r, "output blob \"%s\" does not exist", outname) : OPC_ERR_FORMAT;
    }
    *out = g;
    return OPC_OK;
}

opc_model *opc_model_open(const char *path, opc_error *err)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        opc_fail(err, OPC_ERR_IO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        opc_fail(err, OPC_ERR_IO, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    if ((uint64_t)st.st_size > OPC_MODEL_MAX_FILE_BYTES) {
        opc_fail(err, OPC_ERR_FORMAT, "%s: %zu bytes, larger than the limit of %llu", path, size,
                 (unsigned long long)OPC_MODEL_MAX_FILE_BYTES);
        close(fd);
        return NULL;
    }
    if (size < HEADER_SIZE) {
        opc_fail(err, OPC_ERR_FORMAT, "%s: not an openpose-c model (%zu bytes, too short)", path,
                 size);
        close(fd);
        return NULL;
    }
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        opc_fail(err, OPC_ERR_IO, "%s: cannot map: %s", path, strerror(errno));
        return NULL;
    }
    const unsigned char *h = map;
    opc_model *m = NULL;
    cJSON *root = NULL;
    opc_graph *g = NULL;
    reader r = {.path = path, .err = err};
    if (memcmp(h, MAGIC, 8) != 0) {
        opc_fail(err, OPC_ERR_FORMAT, "%s: not an openpose-c model (bad magic)", path);
        goto fail;
    }
    uint32_t version = get_u32(h + 8);
    if (version != VERSION) {
        opc_fail(err, OPC_ERR_FORMAT,
                 "%s: model format version %u, this build reads %d: convert the network again "
                 "(openpose-c convert, or tools/get-models.sh --force NAME)",
                 path, version, VERSION);
        goto fail;
    }
    uint64_t json_off = get_u64(h + 16), json_size = get_u64(h + 24);
    uint64_t data_off = get_u64(h + 32), data_size = get_u64(h + 40);
    uint64_t file_size = get_u64(h + 48);
    if (file_size != size) {
        opc_fail(err, OPC_ERR_FORMAT, "%s: file is %zu bytes but its header says %llu (truncated?)",
                 path, size, (unsigned long long)file_size);
        goto fail;
    }
    if (json_size > OPC_MODEL_MAX_JSON_BYTES) {
        opc_fail(err, OPC_ERR_FORMAT,
                 "%s: model header of %llu bytes, larger than the limit of %llu", path,
                 (unsigned long long)json_size,
                 (unsigned long long)OPC_MODEL_MAX_JSON_BYTES);
        goto fail;
    }
    if (json_off != HEADER_SIZE || json_size == 0 ||
        json_off + json_size > data_off || data_off % ALIGN || data_off > size ||
        data_size > size - data_off) {
        opc_fail(err, OPC_ERR_FORMAT, "%s: header sections point outside the file", path);
        goto fail;
    }
    root = cJSON_ParseWithLength((const char *)h + json_off, (size_t)json_size);
    if (!root) {
        opc_fail(err, OPC_ERR_FORMAT, "%s: model header is not valid JSON", path);
        goto fail;
    }
    r.data = h + data_off;
    r.data_size = data_size;
    if (read_graph(&r, root, &g) != OPC_OK)
        goto fail;
    int net_w = g->preprocess.net_width > 0 ? g->preprocess.net_width : g->preprocess.net_height;
    opc_error verr;
    if (opc_graph_validate(g, net_w, g->preprocess.net_height, &verr) != OPC_OK) {
        opc_fail(err, OPC_ERR_FORMAT, "%s: %s", path, verr.msg);
        goto fail;
    }
    m = calloc(1, sizeof *m);
    if (!m) {
        opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
        goto fail;
    }
    cJSON_Delete(root);
    m->graph = g;
    m->map = map;
    m->map_size = size;
    return m;
fail:
    cJSON_Delete(root);
    opc_graph_free(g);
    munmap(map, size);
    return NULL;
}

void opc_model_close(opc_model *m)
{
    if (!m)
        return;
    opc_graph_free(m->graph);
    munmap(m->map, m->map_size);
    free(m);
}

const opc_graph *opc_model_graph(const opc_model *m) { return m->graph; }
const char *opc_model_name(const opc_model *m) { return m->graph->name; }
const char *opc_model_source(const opc_model *m) { return m->graph->source; }
const opc_topology *opc_model_topology(const opc_model *m) { return &m->graph->topology; }
const opc_preprocess *opc_model_preprocess(const opc_model *m) { return &m->graph->preprocess; }

int opc_model_stats_at(const opc_model *m, int net_w, int net_h, opc_model_stats *st,
                       opc_error *err)
{
    const opc_graph *g = m->graph;
    memset(st, 0, sizeof *st);
    opc_shape *shapes = calloc((size_t)g->n_blobs, sizeof *shapes);
    if (!shapes)
        return opc_fail(err, OPC_ERR_NOMEM, "out of memory");
    int rc = opc_graph_infer_shapes(g, net_h, net_w, shapes, err);
    if (rc == OPC_OK) {
        st->layers = g->n_layers;
        for (int i = 0; i < g->n_layers; i++) {
            const opc_layer *l = &g->layers[i];
            st->params += l->weight.count + l->bias.count + l->slope.count;
            st->macs += opc_layer_macs(g, l, shapes);
        }
        st->out_c = shapes[g->output_blob].c;
        st->out_h = shapes[g->output_blob].h;
        st->out_w = shapes[g->output_blob].w;
    }
    free(shapes);
    return rc;
}

int opc_model_input_channels(const opc_model *m) { return m->graph->input_channels; }

int opc_model_layer(const opc_model *m, int i, opc_layer_desc *d, opc_error *err)
{
    if (i < 0 || i >= m->graph->n_layers)
        return opc_fail(err, OPC_ERR_ARG, "%s: no layer %d", m->graph->name, i);
    const opc_layer *l = &m->graph->layers[i];
    *d = (opc_layer_desc){l->name, opc_op_name(l->op), opc_act_name(l->act)};
    return OPC_OK;
}
