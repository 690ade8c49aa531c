/* The three conformance mini nets (COCO, BODY_25, MPI 4-stage) convert: the layer kinds
 * match the prototxt's, every conv/PReLU weight is bit-identical to the caffemodel's (read
 * here by a separate decoder), the reference blobs exist under their Caffe names with
 * the shapes of OpenCV's .npy files, parameter and MAC counts match the data's README,
 * the topology is inferred, and the legacy-dims caffemodel gives the same file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/files.h"
#include "model/graph.h"
#include "openpose-c/convert.h"
#include "openpose-c/tensor.h"
#include "testutil.h"

/* ---- a minimal caffemodel decoder (layer=100 {name=1, blobs=7 {data=5 packed}}) --- */

typedef struct {
    const uint8_t *p, *end;
} cur;

static uint64_t varint(cur *c)
{
    uint64_t v = 0;
    for (int s = 0; c->p < c->end; s += 7) {
        uint8_t b = *c->p++;
        v |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80))
            break;
    }
    return v;
}

/* Next field: number, and for length-delimited ones the payload. Fails the test on any
 * other wire type (the minis use only varints and bytes). */
static int next_field(cur *c, uint32_t *num, cur *payload)
{
    if (c->p >= c->end)
        return 0;
    uint64_t key = varint(c);
    *num = (uint32_t)(key >> 3);
    if ((key & 7) == 0) {
        varint(c);
        payload->p = payload->end = NULL;
    } else if ((key & 7) == 2) {
        uint64_t n = varint(c);
        if (n > (uint64_t)(c->end - c->p))
            return 0;
        payload->p = c->p;
        payload->end = c->p + n;
        c->p += n;
    } else {
        return 0;
    }
    return 1;
}

/* Blob k of layer `name`: its packed floats (count in *n), or NULL. */
static const uint8_t *find_blob(const uint8_t *data, size_t size, const char *name, int k,
                                size_t *n)
{
    cur net = {data, data + size}, layer, f, blob, g;
    uint32_t num;
    while (next_field(&net, &num, &layer)) {
        if (num != 100)
            continue;
        int is_it = 0, blob_no = 0;
        cur l = layer;
        while (next_field(&l, &num, &f)) {
            if (num == 1)
                is_it = (size_t)(f.end - f.p) == strlen(name) && !memcmp(f.p, name, strlen(name));
            else if (num == 7 && is_it && blob_no++ == k) {
                blob = f;
                while (next_field(&blob, &num, &g))
                    if (num == 5) {
                        *n = (size_t)(g.end - g.p) / 4;
                        return g.p;
                    }
            }
        }
    }
    return NULL;
}

static int equals_blob(const opc_weight *w, const uint8_t *data, size_t size, const char *name,
                       int k)
{
    size_t n = 0;
    const uint8_t *b = find_blob(data, size, name, k, &n);
    /* the floats are little-endian; so is every machine this project builds on */
    return b && w->data && w->count == n && memcmp(w->data, b, n * 4) == 0;
}

/* ---- the prototxt's layer kinds, counted from its text -------------------------------- */

static int count_type(const char *text, const char *type)
{
    char pat[64];
    snprintf(pat, sizeof pat, "type: \"%s\"", type);
    int n = 0;
    for (const char *p = strstr(text, pat); p; p = strstr(p + 1, pat))
        n++;
    return n;
}

typedef struct {
    const char *dir, *topology;
    size_t params; /* the data's README */
    double mmacs;  /* conv MACs at 128x96, README (rounded to 0.1 M) */
} mini;

static const mini MINIS[] = {
    {"coco", "coco", 1217438, 271.5},
    {"body_25", "body25", 459340, 125.5},
    {"mpi_4", "mpi", 721800, 176.4},
};

/* The shape of each reference .npy must be the shape of the graph blob of that name. */
static void check_reference_blobs(const opc_graph *g, const char *dir, const char *name)
{
    static const char *const BLOBS[] = {
        "pool1_stage1",
        "conv4_4_CPM",
        "conv5_5_CPM_L1",
        "conv5_5_CPM_L2",
        "concat_stage2",
        "Mconv7_stage6_L1",
        "Mconv1_stage0_L2_concat",
        "Mconv7_stage0_L2",
        "concat_stage0_L1",
        "Mconv7_stage0_L1",
        "output",
        "output_odd",
    };
    opc_shape *shapes = calloc((size_t)g->n_blobs, sizeof *shapes);
    opc_shape *odd = calloc((size_t)g->n_blobs, sizeof *odd);
    opc_error err;
    CHECK(opc_graph_infer_shapes(g, 96, 128, shapes, &err) == OPC_OK, "%s", err.msg);
    CHECK(opc_graph_infer_shapes(g, 75, 100, odd, &err) == OPC_OK, "%s", err.msg);
    int found = 0;
    for (size_t i = 0; i < sizeof BLOBS / sizeof BLOBS[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "testdata/engine/%s/%s.npy", dir, BLOBS[i]);
        opc_tensor t;
        if (opc_npy_read(opc_test_shared_path(rel), &t, &err) != OPC_OK)
            continue; /* not every net has every reference */
        found++;
        int is_out = strncmp(BLOBS[i], "output", 6) == 0;
        int b = is_out ? g->outputs[0].blob : opc_graph_find_blob(g, BLOBS[i]);
        const opc_shape *s = strcmp(BLOBS[i], "output_odd") == 0 ? odd : shapes;
        CHECK(b >= 0, "%s: no blob %s", name, BLOBS[i]);
        if (b >= 0)
            CHECK(s[b].c == t.c && s[b].h == t.h && s[b].w == t.w,
                  "%s: blob %s is %dx%dx%d, OpenCV's is %dx%dx%d", name, BLOBS[i], s[b].c, s[b].h,
                  s[b].w, t.c, t.h, t.w);
        opc_tensor_free(&t);
    }
    CHECK(found >= 5, "%s: only %d reference blobs found", name, found);
    free(shapes);
    free(odd);
}

static void check_mini(const mini *mn, const char *tmp)
{
    char rel[256], out[4400];
    snprintf(rel, sizeof rel, "testdata/engine/%s/mini.prototxt", mn->dir);
    const char *proto = opc_test_shared_path(rel);
    snprintf(rel, sizeof rel, "testdata/engine/%s/mini.caffemodel", mn->dir);
    const char *model = opc_test_shared_path(rel);
    snprintf(out, sizeof out, "%s/%s.opc", tmp, mn->dir);

    opc_error err;
    opc_convert_options opt = {.name = "mini"};
    int rc = opc_convert_caffe(proto, model, out, &opt, &err);
    CHECK(rc == OPC_OK, "%s: %s", mn->dir, err.msg);
    opc_model *m = rc == OPC_OK ? opc_model_open(out, &err) : NULL;
    unsigned char *text = NULL, *weights = NULL;
    size_t text_size, weights_size;
    if (!m || opc_read_file(proto, 1 << 24, &text, &text_size, &err) != OPC_OK ||
        opc_read_file(model, 1 << 26, &weights, &weights_size, &err) != OPC_OK) {
        CHECK(0, "%s: %s", mn->dir, err.msg);
        goto done;
    }
    const opc_graph *g = opc_model_graph(m);
    CHECK(strcmp(opc_test_topology_name(m), mn->topology) == 0, "%s: topology %s", mn->dir,
          opc_test_topology_name(m));

    int n_conv = count_type((char *)text, "Convolution"),
        n_pool = count_type((char *)text, "Pooling");
    int n_concat = count_type((char *)text, "Concat");
    int kinds[OPC_OP_COUNT] = {0}, checked = 0, prelus = 0;
    for (int i = 0; i < g->n_layers; i++) {
        const opc_layer *l = &g->layers[i];
        kinds[l->op]++;
        if (l->op != OPC_OP_CONV)
            continue;
        CHECK(equals_blob(&l->weight, weights, weights_size, l->name, 0) &&
                  equals_blob(&l->bias, weights, weights_size, l->name, 1),
              "%s: conv %s weights differ from the caffemodel", mn->dir, l->name);
        checked++;
        if (l->act == OPC_ACT_PRELU) { /* BODY_25 names the PReLU after its conv */
            char prelu[256];
            const char *c = strstr(l->name, "conv");
            snprintf(prelu, sizeof prelu, "%.*sprelu%s", (int)(c ? c - l->name : 0), l->name,
                     c ? c + 4 : "");
            CHECK(equals_blob(&l->slope, weights, weights_size, prelu, 0),
                  "%s: slopes of %s differ from layer %s", mn->dir, l->name, prelu);
            prelus++;
        }
    }
    CHECK(kinds[OPC_OP_CONV] == n_conv && checked == n_conv, "%s: %d convs, prototxt has %d",
          mn->dir, kinds[OPC_OP_CONV], n_conv);
    CHECK(kinds[OPC_OP_MAXPOOL] == n_pool, "%s: pools %d vs %d", mn->dir, kinds[OPC_OP_MAXPOOL],
          n_pool);
    CHECK(kinds[OPC_OP_CONCAT] == n_concat, "%s: concats %d vs %d", mn->dir, kinds[OPC_OP_CONCAT],
          n_concat);
    CHECK(g->n_layers == n_conv + n_pool + n_concat,
          "%s: %d layers: every ReLU/PReLU should be fused into its conv", mn->dir, g->n_layers);
    CHECK(prelus == count_type((char *)text, "PReLU"), "%s: %d PReLUs fused, prototxt has %d",
          mn->dir, prelus, count_type((char *)text, "PReLU"));

    opc_model_stats st;
    CHECK(opc_model_stats_at(m, 128, 96, &st, &err) == OPC_OK, "%s", err.msg);
    CHECK(st.params == mn->params, "%s: %zu parameters, README says %zu", mn->dir, st.params,
          mn->params);
    CHECK(st.macs > (mn->mmacs - 0.051) * 1e6 && st.macs < (mn->mmacs + 0.051) * 1e6,
          "%s: %.3f M MACs, README says %.1f M", mn->dir, st.macs * 1e-6, mn->mmacs);
    opc_paf_topology t;
    CHECK(opc_model_paf_topology(m, &t, &err) == OPC_OK && st.out_c == t.total_channels,
          "%s: output channels %d", mn->dir, st.out_c);
    check_reference_blobs(g, mn->dir, mn->dir);
done:
    opc_model_close(m);
    free(text);
    free(weights);
}

/* mini_legacy.caffemodel holds the same floats with legacy dims: same model file. */
static void check_legacy(const char *tmp)
{
    char a[4400], b[4400];
    snprintf(a, sizeof a, "%s/coco.opc", tmp);
    snprintf(b, sizeof b, "%s/coco_legacy.opc", tmp);
    opc_error err;
    opc_convert_options opt = {.name = "mini"};
    int rc = opc_convert_caffe(opc_test_shared_path("testdata/engine/coco/mini.prototxt"),
                               opc_test_shared_path("testdata/engine/coco/mini_legacy.caffemodel"),
                               b, &opt, &err);
    CHECK(rc == OPC_OK, "legacy: %s", err.msg);
    unsigned char *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    if (rc == OPC_OK && opc_read_file(a, 1 << 26, &x, &nx, &err) == OPC_OK &&
        opc_read_file(b, 1 << 26, &y, &ny, &err) == OPC_OK)
        CHECK(nx == ny && nx > 1000000 && memcmp(x, y, nx) == 0,
              "legacy dims give a different model file (%zu vs %zu bytes)", nx, ny);
    else
        CHECK(0, "%s", err.msg);
    free(x);
    free(y);
}

int main(void)
{
    opc_test_shared();
    const char *tmp = opc_test_tmpdir("caffe_minis");
    for (size_t i = 0; i < sizeof MINIS / sizeof MINIS[0]; i++)
        check_mini(&MINIS[i], tmp);
    check_legacy(tmp);
    return opc_test_result();
}
