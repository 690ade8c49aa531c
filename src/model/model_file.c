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
#include "core/json.h"
#include "decode/decoder.h"
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

static cJSON *pairs_json(const int (*pairs)[2], int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, int_array(pairs[i], 2));
    return a;
}

static cJSON *keypoints_json(const opc_keypoint_set *k)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", k->name);
    cJSON *parts = cJSON_AddArrayToObject(o, "parts");
    for (int i = 0; i < k->num_parts; i++)
        cJSON_AddItemToArray(parts, cJSON_CreateString(k->part_names[i]));
    cJSON_AddItemToObject(o, "skeleton", pairs_json(k->skeleton, k->num_skeleton));
    cJSON *col = cJSON_AddArrayToObject(o, "colors");
    for (int i = 0; i < k->num_parts; i++) {
        int c[3] = {k->colors[i][0], k->colors[i][1], k->colors[i][2]};
        cJSON_AddItemToArray(col, int_array(c, 3));
    }
    cJSON_AddItemToObject(o, "coco17", int_array(k->coco17, 17));
    cJSON_AddItemToObject(o, "sigmas", float_array(k->sigmas, k->num_parts));
    cJSON_AddItemToObject(o, "flip", int_array(k->flip, k->num_parts));
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
    {OPC_ATTR_LEVELS, "levels", A_INT, 0, 2, 65536, 256, offsetof(opc_layer, levels)},
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
    cJSON *outs = cJSON_AddArrayToObject(root, "outputs");
    for (int k = 0; k < g->n_outputs; k++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", g->outputs[k].name);
        cJSON_AddStringToObject(o, "blob", g->blob_names[g->outputs[k].blob]);
        cJSON_AddItemToArray(outs, o);
    }

    const opc_preprocess *p = &g->preprocess;
    cJSON *pp = cJSON_AddObjectToObject(root, "preprocess");
    cJSON_AddStringToObject(pp, "channel_order", p->channel_order);
    cJSON_AddItemToObject(pp, "scale", float_array(p->scale, 3));
    cJSON_AddItemToObject(pp, "offset", float_array(p->offset, 3));
    cJSON_AddBoolToObject(pp, "nhwc", p->nhwc);
    cJSON_AddNumberToObject(pp, "stride", p->stride);
    cJSON_AddStringToObject(pp, "placement", p->placement);
    cJSON_AddStringToObject(pp, "size_rule", p->size_rule);
    cJSON_AddNumberToObject(pp, "size_step", p->size_step);
    int res[2] = {p->net_width, p->net_height};
    cJSON_AddItemToObject(pp, "net_resolution", int_array(res, 2));
    if (p->crop_padding > 0)
        cJSON_AddNumberToObject(pp, "crop_padding", p->crop_padding);

    cJSON_AddItemToObject(root, "keypoints", keypoints_json(&g->keypoints));
    cJSON *head = cJSON_AddObjectToObject(root, "head");
    cJSON_AddStringToObject(head, "decoder", g->head.decoder);
    cJSON *params = cJSON_Parse(g->head.params);
    cJSON_AddItemToObject(head, "params", params ? params : cJSON_CreateObject());

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

/* The graph at its default net resolution and its head, checked by the decoder the head
 * names, as every model is before it is written or once it is read. */
static int check_model(const opc_graph *g, const char *where, opc_error *err)
{
    const opc_preprocess *p = &g->preprocess;
    int net_w = p->net_width > 0 ? p->net_width : p->net_height;
    opc_shape *shapes = calloc((size_t)g->n_blobs, sizeof *shapes);
    if (!shapes)
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", where);
    int rc = opc_graph_validate(g, net_w, p->net_height, shapes, err);
    if (rc == OPC_OK) {
        const char *names[OPC_MAX_OUTPUTS];
        int channels[OPC_MAX_OUTPUTS];
        for (int k = 0; k < g->n_outputs; k++) {
            names[k] = g->outputs[k].name;
            channels[k] = shapes[g->outputs[k].blob].c;
        }
        opc_decoder_model dm = {&g->head, &g->keypoints, g->n_outputs, names, channels,
                                p->stride, where};
        rc = opc_decoder_check(&dm, err);
    }
    free(shapes);
    return rc;
}

int opc_model_write(const opc_graph *g, const char *path, opc_error *err)
{
    opc_error verr;
    int rc = check_model(g, g->name ? g->name : "model", &verr);
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
    opc_json_ctx j;             /* messages "<path>: ..." */
    const unsigned char *data;  /* start of the weight section */
    uint64_t data_size;
} reader;

static int bad(reader *r, const char *fmt, const char *what)
{
    return opc_json_fail(&r->j, fmt, what);
}

static int get_int(reader *r, const cJSON *o, const char *key, int def, int lo, int hi, int *out)
{
    return opc_json_int(&r->j, o, key, def, lo, hi, out);
}

static int get_float(reader *r, const cJSON *o, const char *key, float def, float *out)
{
    return opc_json_float(&r->j, o, key, def, out);
}

static int get_bool(reader *r, const cJSON *o, const char *key, int *out)
{
    return opc_json_bool(&r->j, o, key, out);
}

static const char *get_string(reader *r, const cJSON *o, const char *key, int required)
{
    return opc_json_string(&r->j, o, key, required);
}

static int get_ints(reader *r, const cJSON *o, const char *key, int n, int lo, int hi, int *out,
                    int *count)
{
    return opc_json_ints(&r->j, o, key, n, lo, hi, out, count);
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

static int read_keypoints(reader *r, const cJSON *o, opc_keypoint_set *k)
{
    memset(k, 0, sizeof *k);
    if (!cJSON_IsObject(o))
        return bad(r, "missing \"%s\" object", "keypoints");
    const char *name = get_string(r, o, "name", 1);
    if (!name)
        return OPC_ERR_FORMAT;
    snprintf(k->name, sizeof k->name, "%s", name);
    const cJSON *parts = cJSON_GetObjectItemCaseSensitive(o, "parts");
    if (!cJSON_IsArray(parts) || cJSON_GetArraySize(parts) < 1 ||
        cJSON_GetArraySize(parts) > OPC_MAX_PARTS)
        return bad(r, "keypoints field \"%s\" is missing or holds more than 80 names", "parts");
    const cJSON *v;
    cJSON_ArrayForEach(v, parts)
    {
        if (!cJSON_IsString(v))
            return bad(r, "keypoints field \"%s\" holds a non-string", "parts");
        snprintf(k->part_names[k->num_parts++], OPC_NAME_LEN, "%s", v->valuestring);
    }
    int n = k->num_parts, rc, rgb[OPC_MAX_PARTS][3];
    if ((rc = opc_json_pairs(&r->j, o, "skeleton", OPC_MAX_PAIRS, 0, n - 1, k->skeleton,
                             &k->num_skeleton)) ||
        (rc = get_ints(r, o, "coco17", 17, -1, n - 1, k->coco17, NULL)) ||
        (rc = opc_json_floats(&r->j, o, "sigmas", n, k->sigmas, NULL)) ||
        (rc = get_ints(r, o, "flip", n, 0, n - 1, k->flip, NULL)))
        return rc;
    const cJSON *col = cJSON_GetObjectItemCaseSensitive(o, "colors");
    if (!cJSON_IsArray(col) || cJSON_GetArraySize(col) != n)
        return bad(r, "keypoints field \"%s\" needs one colour a part", "colors");
    int ci = 0;
    cJSON_ArrayForEach(v, col)
    {
        for (int c = 0; c < 3; c++) {
            const cJSON *a = cJSON_IsArray(v) && cJSON_GetArraySize(v) == 3
                                 ? cJSON_GetArrayItem(v, c) : NULL;
            if (!cJSON_IsNumber(a) || a->valuedouble != (int)a->valuedouble ||
                a->valuedouble < 0 || a->valuedouble > 255)
                return bad(r, "keypoints field \"%s\" holds a colour that is not 3 bytes",
                           "colors");
            rgb[ci][c] = (int)a->valuedouble;
        }
        ci++;
    }
    for (int i = 0; i < n; i++)
        for (int c = 0; c < 3; c++)
            k->colors[i][c] = (unsigned char)rgb[i][c];
    return OPC_OK;
}

/* A name field into a fixed buffer of OPC_NAME_LEN bytes. */
static int get_name(reader *r, const cJSON *o, const char *key, char *out)
{
    const char *s = get_string(r, o, key, 1);
    if (!s)
        return OPC_ERR_FORMAT;
    if (strlen(s) >= OPC_NAME_LEN)
        return bad(r, "field \"%s\" is too long", key);
    strcpy(out, s);
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
    if ((rc = opc_json_floats(&r->j, o, "scale", 3, p->scale, NULL)) ||
        (rc = opc_json_floats(&r->j, o, "offset", 3, p->offset, NULL)) ||
        (rc = get_bool(r, o, "nhwc", &p->nhwc)) ||
        (rc = get_int(r, o, "stride", OPC_JSON_REQUIRED, 1, 64, &p->stride)) ||
        (rc = get_name(r, o, "placement", p->placement)) ||
        (rc = get_name(r, o, "size_rule", p->size_rule)) ||
        (rc = get_int(r, o, "size_step", OPC_JSON_REQUIRED, 1, 64, &p->size_step)) ||
        (rc = get_ints(r, o, "net_resolution", 2, -1, 16384, res, NULL)) ||
        (rc = get_float(r, o, "crop_padding", 0, &p->crop_padding)))
        return rc;
    p->net_width = res[0];
    p->net_height = res[1];
    return OPC_OK;
}

static int read_head(reader *r, const cJSON *o, opc_graph *g)
{
    if (!cJSON_IsObject(o))
        return bad(r, "missing \"%s\" object", "head");
    const char *decoder = get_string(r, o, "decoder", 1);
    if (!decoder)
        return OPC_ERR_FORMAT;
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(o, "params");
    if (!cJSON_IsObject(params))
        return bad(r, "head field \"%s\" is not an object", "params");
    char *text = cJSON_PrintUnformatted(params);
    opc_error e;
    int rc = text ? opc_graph_set_head(g, decoder, text, &e) : OPC_ERR_NOMEM;
    free(text);
    if (rc == OPC_ERR_NOMEM)
        return opc_fail(r->err, rc, "%s: out of memory", r->path);
    return rc ? opc_fail(r->err, rc, "%s: %s", r->path, e.msg) : OPC_OK;
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

static int read_outputs(reader *r, const cJSON *a, opc_graph *g)
{
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 || cJSON_GetArraySize(a) > OPC_MAX_OUTPUTS)
        return bad(r, "\"%s\" is not an array of 1 to 8 outputs", "outputs");
    const cJSON *o;
    cJSON_ArrayForEach(o, a)
    {
        const char *name = cJSON_IsObject(o) ? get_string(r, o, "name", 1) : NULL;
        const cJSON *blob = name ? cJSON_GetObjectItemCaseSensitive(o, "blob") : NULL;
        if (!name || !blob)
            return name ? bad(r, "output %s names no blob", name)
                        : bad(r, "an output is not an object with a %s", "name");
        int id = blob_id(r, g, blob, name);
        if (id < 0)
            return OPC_ERR_FORMAT;
        opc_error e;
        if (opc_graph_add_output(g, name, id, &e) != OPC_OK)
            return opc_fail(r->err, OPC_ERR_FORMAT, "%s: %s", r->path, e.msg);
    }
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
        (rc = read_keypoints(r, cJSON_GetObjectItemCaseSensitive(root, "keypoints"),
                             &g->keypoints)) ||
        (rc = read_head(r, cJSON_GetObjectItemCaseSensitive(root, "head"), g))) {
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
    if ((rc = read_outputs(r, cJSON_GetObjectItemCaseSensitive(root, "outputs"), g))) {
        opc_graph_free(g);
        return rc;
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
    reader r = {.path = path, .err = err, .j = {path, err}};
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
    opc_error verr;
    if (check_model(g, path, &verr) != OPC_OK) {
        /* Graph messages name a layer, decoder messages the file already. */
        if (strncmp(verr.msg, path, strlen(path)) == 0)
            *err = verr;
        else
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
const opc_keypoint_set *opc_model_keypoints(const opc_model *m) { return &m->graph->keypoints; }
const opc_head *opc_model_head(const opc_model *m) { return &m->graph->head; }
int opc_model_num_outputs(const opc_model *m) { return m->graph->n_outputs; }
const char *opc_model_output_name(const opc_model *m, int i)
{
    return i >= 0 && i < m->graph->n_outputs ? m->graph->outputs[i].name : NULL;
}
int opc_model_output_index(const opc_model *m, const char *name)
{
    for (int k = 0; k < m->graph->n_outputs; k++)
        if (strcmp(m->graph->outputs[k].name, name) == 0)
            return k;
    return -1;
}
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
        st->out_c = shapes[g->outputs[0].blob].c;
        st->out_h = shapes[g->outputs[0].blob].h;
        st->out_w = shapes[g->outputs[0].blob].w;
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
