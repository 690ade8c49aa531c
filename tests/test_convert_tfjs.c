/* The TensorFlow.js graph-model reader and its mapping onto our graph: weights across shard
 * boundaries, every stored form (float32, uint8/uint16 min/scale, float16, int32 through
 * Math.round), protobuf's JSON spellings, the fused convolutions, PoseNet's heads by name,
 * the real PoseNet MobileNet file, and bad input: each a single line naming the file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "openpose-c/files.h"

#include "convert/tf/tf_map.h"
#include "convert/tfjs/tfjs_model.h"
#include "testutil.h"
#include "tfjs_writer.h"

static char g_dir[512];

static const char *model_path(void)
{
    static char p[600];
    snprintf(p, sizeof p, "%s/model.json", g_dir);
    return p;
}

/* The graph of dir's model.json with the named outputs (NULL on failure, err set). */
static opc_graph *build(const char *const *outputs, int n, opc_error *err)
{
    tf_graphdef gd;
    if (tfjs_read_graphdef(model_path(), &gd, err))
        return NULL;
    tf_ctx c = {.path = model_path(), .gd = &gd, .err = err};
    int blobs[8];
    tf_build_graph(&c, NULL, outputs, n, blobs);
    tf_graphdef_free(&gd);
    return c.g;
}

static void clear_dir(void)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -f %s/*", g_dir);
    CHECK(system(cmd) == 0, "cannot clear %s", g_dir);
}

/* ---- well-formed models ---- */

static void tiny_posenet_across_shards(void)
{
    tj_model m = {0};
    tj_tiny_posenet(&m, TJ_WELL_FORMED);
    clear_dir();
    CHECK(tj_write(&m, g_dir, 3, "") == 0, "write");
    opc_graph *g;
    int blobs[TFJS_POSENET_OUTPUTS], stride = 0;
    opc_error err;
    int rc = tfjs_posenet_graph(model_path(), &g, blobs, &stride, &err);
    CHECK(rc == OPC_OK, "%s", err.msg);
    if (rc) {
        tj_free(&m);
        return;
    }
    CHECK(stride == 2 && g->n_layers == 5, "stride %d, %d layers", stride, g->n_layers);
    CHECK(strcmp(g->blob_names[blobs[0]], "MobilenetV1/heatmap_2/BiasAdd") == 0 &&
              strcmp(g->blob_names[blobs[3]], "MobilenetV1/displacement_bwd_2/BiasAdd") == 0,
          "heads %s, %s", g->blob_names[blobs[0]], g->blob_names[blobs[3]]);
    const opc_layer *c0 = opc_test_layer(g, "MobilenetV1/Conv2d_0/Relu6");
    CHECK(c0 && c0->op == OPC_OP_CONV && c0->act == OPC_ACT_RELU6 && c0->stride[0] == 2 &&
              c0->pad_same && c0->out_channels == 4 && c0->weight.count == 108,
          "first conv mapped wrongly");
    /* w0 is HWIO [3, 3, 3, 4]; ours [out, in, kh, kw]; the test's values are v[i]. */
    int bad = 0;
    for (int o = 0; c0 && o < 4; o++) {
        for (int i = 0; i < 3; i++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 3; x++) {
                    int k = ((y * 3 + x) * 3 + i) * 4 + o;
                    bad += c0->weight.data[((o * 3 + i) * 3 + y) * 3 + x] !=
                           (float)((k * 37 % 101) - 50) / 200.0f;
                }
        bad += c0->bias.data[o] != (float)(((7 + o) * 37 % 101) - 50) / 200.0f;
    }
    CHECK(bad == 0, "%d weights of the first conv differ (a tensor spans two shards)", bad);
    const opc_layer *hm = opc_test_layer(g, "MobilenetV1/heatmap_2/BiasAdd");
    CHECK(hm && hm->act == OPC_ACT_NONE && hm->out_channels == 17, "heatmap head mapped wrongly");
    opc_graph_free(g);
    tj_free(&m);
}

static void half_floats(void)
{
    static const struct {
        uint16_t bits;
        float value;
    } cases[] = {{0x3C00, 1.0f}, {0xC000, -2.0f}, {0x7BFF, 65504.0f}, {0x0001, 0x1p-24f},
                 {0x03FF, 1023 * 0x1p-24f}, {0x0400, 0x1p-14f}, {0x8000, -0.0f},
                 {0x7C00, INFINITY}, {0xFC00, -INFINITY}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float v = tfjs_half_to_float(cases[i].bits);
        CHECK(memcmp(&v, &cases[i].value, 4) == 0, "half 0x%04x -> %g, expected %g",
              cases[i].bits, v, cases[i].value);
    }
    CHECK(isnan(tfjs_half_to_float(0x7E00)), "half NaN");
}

/* uint8 and uint16 (the tfjs converter's worked examples), float16, an int32 axis through
 * Math.round, and protobuf's other JSON spellings (numbers for int64 and enums, proto field
 * names, base64 without its padding). */
static void quantized_weights(void)
{
    tj_model m = {0};
    tj_placeholder(&m, "image", -1, -1, 1);
    uint8_t q8[3] = {20, 0, 255};
    tj_const(&m, "w8", "DT_FLOAT", 4, (int[]){1, 1, 1, 3});
    tj_weight(&m, "w8", "float32", 4, (int[]){1, 1, 1, 3},
              "{\"dtype\":\"uint8\",\"min\":-0.10196078817,\"scale\":0.0050980394085}", q8, 3);
    uint16_t h[3] = {0x3C00, 0xC000, 0x7BFF};
    tj_const(&m, "b16", "DT_FLOAT", 1, (int[]){3});
    tj_weight(&m, "b16", "float32", 1, (int[]){3}, "{\"dtype\":\"float16\"}", h, 6);
    tj_fused(&m, "c8", "_FusedConv2D", "image", "w8", "b8", 1, "Elu");
    /* c8's bias input is b8, a Const spelled with the proto's own field names. */
    tj_append(&m.nodes, "{\"name\":\"b8\",\"op\":\"Const\",\"attr\":{\"value\":{\"tensor\":{"
                        "\"dtype\":\"DT_FLOAT\",\"tensor_shape\":{\"dim\":[{\"size\":3}]}}}}}");
    float b8[3] = {0.5f, 0, -0.5f};
    tj_weight(&m, "b8", "float32", 1, (int[]){3}, NULL, b8, sizeof b8);
    char scale16[64], min16[64];
    snprintf(scale16, sizeof scale16, "%.17g", 1.3 / 65535);
    snprintf(min16, sizeof min16, "%.17g", -5041 * (1.3 / 65535));
    uint16_t q16[3] = {5041, 0, 65535};
    char quant[200];
    snprintf(quant, sizeof quant, "{\"dtype\":\"uint16\",\"min\":%s,\"scale\":%s}", min16, scale16);
    tj_const(&m, "w16", "DT_FLOAT", 4, (int[]){1, 1, 1, 3});
    tj_weight(&m, "w16", "float32", 4, (int[]){1, 1, 1, 3}, quant, q16, 6);
    tj_fused(&m, "c16", "_FusedConv2D", "image", "w16", "b16", 1, "Sigmoid");
    /* strides as JSON numbers, padding "SAME" in base64 without its padding. */
    tj_append(&m.nodes, "{\"name\":\"c2\",\"op\":\"Conv2D\",\"input\":[\"image\",\"w16\"],"
                        "\"attr\":{\"strides\":{\"list\":{\"i\":[1,2,2,1]}},"
                        "\"padding\":{\"s\":\"U0FNRQ\"},\"T\":{\"type\":1}}}");
    /* ConcatV2 axis: int32 stored as uint8 q = 1, 1 * 0.5 - 2 = -1.5: Math.round -> -1. */
    uint8_t qa = 1;
    tj_const(&m, "axis", "DT_INT32", 0, NULL);
    tj_weight(&m, "axis", "int32", 0, NULL, "{\"dtype\":\"uint8\",\"min\":-2.0,\"scale\":0.5}",
              &qa, 1);
    tj_append(&m.nodes, "{\"name\":\"cat\",\"op\":\"ConcatV2\",\"input\":[\"c8\",\"c16\",\"axis\"],"
                        "\"attr\":{\"N\":{\"i\":\"2\"},\"T\":{\"type\":\"DT_FLOAT\"}}}");
    clear_dir();
    CHECK(tj_write(&m, g_dir, 2, "") == 0, "write");
    opc_error err;
    opc_graph *g = build((const char *const[]){"cat", "c2"}, 2, &err);
    CHECK(g, "%s", err.msg);
    const opc_layer *c8 = g ? opc_test_layer(g, "c8") : NULL;
    const opc_layer *c16 = g ? opc_test_layer(g, "c16") : NULL;
    const opc_layer *c2 = g ? opc_test_layer(g, "c2") : NULL;
    const opc_layer *cat = g ? opc_test_layer(g, "cat") : NULL;
    if (c8 && c16 && c2 && cat) {
        const float w8[3] = {0, -0.10196079f, 1.19803926f}, w16[3] = {0, -0.099996952f,
                                                                      1.200003048f};
        const float b16v[3] = {1.0f, -2.0f, 65504.0f};
        for (int k = 0; k < 3; k++) {
            CHECK(fabsf(c8->weight.data[k] - w8[k]) < 1e-7f, "uint8 weight %d: %.9g", k,
                  c8->weight.data[k]);
            CHECK(fabsf(c16->weight.data[k] - w16[k]) < 1e-7f, "uint16 weight %d: %.9g", k,
                  c16->weight.data[k]);
            CHECK(c16->bias.data[k] == b16v[k], "float16 bias %d: %g", k, c16->bias.data[k]);
            CHECK(c8->bias.data[k] == b8[k], "bias %d: %g", k, c8->bias.data[k]);
        }
        CHECK(c8->act == OPC_ACT_ELU && c8->act_param[0] == 1.0f && c16->act == OPC_ACT_SIGMOID,
              "fused activations %d %d", c8->act, c16->act);
        CHECK(c2->stride[0] == 2 && c2->stride[1] == 2 && c2->pad_same, "Conv2D attributes");
        CHECK(cat->op == OPC_OP_CONCAT && cat->n_inputs == 2, "ConcatV2 on axis -1");
    }
    opc_graph_free(g);
    tj_free(&m);
}

/* ---- bad input ---- */

/* Replaces the first occurrence of from in dir/model.json by to. */
static void edit_json(const char *from, const char *to)
{
    unsigned char *text;
    size_t n;
    opc_error err;
    CHECK(opc_read_file(model_path(), 1 << 24, &text, &n, &err) == 0, "%s", err.msg);
    char *at = strstr((char *)text, from);
    CHECK(at, "'%s' not in model.json", from);
    if (at) {
        size_t head = (size_t)(at - (char *)text);
        char *out = malloc(n + strlen(to) + 1);
        memcpy(out, text, head);
        strcpy(out + head, to);
        strcat(out, at + strlen(from));
        tj_save(model_path(), out, strlen(out));
        free(out);
    }
    free(text);
}

static void shard_size(int shard, long delta)
{
    char p[700];
    snprintf(p, sizeof p, "%s/group1-shard%dof3.bin", g_dir, shard);
    FILE *f = fopen(p, "r+b");
    CHECK(f, "no %s", p);
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    CHECK(truncate(p, n + delta) == 0, "truncate %s", p);
}

/* A fresh tiny PoseNet, damaged by `damage`, must fail with one line holding want (and
 * naming a file). */
static void expect_failure(const char *what, tj_variant var, void (*damage)(void),
                           const char *want)
{
    tj_model m = {0};
    tj_tiny_posenet(&m, var);
    clear_dir();
    tj_write(&m, g_dir, 3, "");
    tj_free(&m);
    if (damage)
        damage();
    opc_graph *g = NULL;
    int blobs[TFJS_POSENET_OUTPUTS], stride;
    opc_error err = {{0}};
    int rc = tfjs_posenet_graph(model_path(), &g, blobs, &stride, &err);
    CHECK(rc != OPC_OK && !g, "%s: accepted", what);
    CHECK(rc == OPC_OK || (strstr(err.msg, want) && !strchr(err.msg, '\n') &&
                           strstr(err.msg, g_dir)),
          "%s: message '%s' lacks '%s' or the file", what, err.msg, want);
    opc_graph_free(g);
}

static void missing_shard(void)
{
    char p[700];
    snprintf(p, sizeof p, "%s/group1-shard2of3.bin", g_dir);
    unlink(p);
}
static void short_shard(void) { shard_size(3, -1); }
static void long_shard(void) { shard_size(1, 1); }
static void float64(void) { edit_json("\"dtype\":\"float32\"", "\"dtype\":\"float64\""); }
static void int4(void)
{
    edit_json("\"dtype\":\"float32\"}", "\"dtype\":\"float32\",\"quantization\":{\"dtype\":\"int4\"}}");
}
static void no_min(void)
{
    edit_json("\"dtype\":\"float32\"}", "\"dtype\":\"float32\",\"quantization\":{\"dtype\":\"uint8\"}}");
}
static void unknown_op(void) { edit_json("\"op\":\"_FusedConv2D\"", "\"op\":\"Tanh\""); }
static void fused_tanh(void) { edit_json("\"UmVsdTY=\"", "\"VGFuaA==\""); }
static void const_shape(void) { edit_json("{\"size\":\"3\"},{\"size\":\"3\"},{\"size\":\"3\"}", "{\"size\":\"3\"},{\"size\":\"3\"},{\"size\":\"2\"}"); }
static void const_without_weight(void) { edit_json("\"name\":\"b0\",\"shape\"", "\"name\":\"b0x\",\"shape\""); }
static void not_json(void) { edit_json("{\"format\"", "[\"format\""); }
static void layers_model(void) { edit_json("\"graph-model\"", "\"layers-model\""); }
static void outside_path(void) { edit_json("\"group1-shard1of3.bin\"", "\"../group1-shard1of3.bin\""); }
static void twice(void) { edit_json("\"name\":\"b0\",\"shape\"", "\"name\":\"w0\",\"shape\""); }
static void bad_int(void) { edit_json("\"i\":[\"1\",\"2\"", "\"i\":[\"1\",\"x\""); }
static void bad_base64(void) { edit_json("\"U0FNRQ==\"", "\"U0F!RQ==\""); }
static void bad_shape(void) { edit_json("\"shape\":[3,3,3,4]", "\"shape\":[3,3,3,-4]"); }
static void two_heatmaps(void) { edit_json("\"MobilenetV1/offset_2/BiasAdd\"", "\"MobilenetV1/heatmap_3/BiasAdd\""); }
static void bad_inputs(void)
{
    const tj_variant W = TJ_WELL_FORMED;
    expect_failure("missing shard", W, missing_shard, "group1-shard2of3.bin: No such file");
    expect_failure("short shard", W, short_shard, "hold");
    expect_failure("long shard", W, long_shard, "its weights take");
    expect_failure("dtype float64", W, float64, "dtype float64");
    expect_failure("quantization int4", W, int4, "quantization dtype int4");
    expect_failure("uint8 without min", W, no_min, "without a finite min and scale");
    expect_failure("unknown op", W, unknown_op, "unsupported op");
    expect_failure("fused Tanh", W, fused_tanh, "fused activation Tanh");
    expect_failure("Const shape", W, const_shape, "its shape is not the weight's");
    expect_failure("Const without weight", W, const_without_weight, "no weight of this name");
    expect_failure("not JSON", W, not_json, "not JSON");
    expect_failure("layers-model", W, layers_model, "only TensorFlow.js graph models");
    expect_failure("path outside", W, outside_path, "not a file name inside");
    expect_failure("weight twice", W, twice, "appears twice");
    expect_failure("int64 attribute", W, bad_int, "not a whole number");
    expect_failure("base64", W, bad_base64, "not base64");
    expect_failure("negative dimension", W, bad_shape, "not a whole number 0..2^31");
    expect_failure("two heatmaps", W, two_heatmaps, "two output nodes could be the heatmaps");
    expect_failure("missing head", (tj_variant){3, -1, -1, -1}, NULL,
                   "no output node has \"displacement_bwd\"");
    expect_failure("16 heatmaps", (tj_variant){-1, 0, 16, -1}, NULL, "PoseNet's is 17x");
    expect_failure("shapes do not chain", (tj_variant){-1, 1, 34, 8}, NULL, "at 257x257");
    clear_dir();
    opc_graph *g;
    int blobs[4], stride;
    opc_error err;
    CHECK(tfjs_posenet_graph(model_path(), &g, blobs, &stride, &err) == OPC_ERR_IO &&
              strstr(err.msg, "model.json"),
          "missing model.json: %s", err.msg);
}

/* The real PoseNet MobileNetV1 0.75: 13 separable blocks + the first conv + 4 heads. */
static void real_posenet(void)
{
    opc_graph *g;
    int blobs[4], stride = 0;
    opc_error err;
    const char *path = opc_test_shared_path("models/posenet/mobilenet_v1_075/model.json");
    int rc = tfjs_posenet_graph(path, &g, blobs, &stride, &err);
    CHECK(rc == OPC_OK, "%s", err.msg);
    if (rc)
        return;
    size_t params = 0;
    int relu6 = 0;
    for (int i = 0; i < g->n_layers; i++) {
        params += g->layers[i].weight.count + g->layers[i].bias.count;
        relu6 += g->layers[i].act == OPC_ACT_RELU6;
    }
    CHECK(g->n_layers == 31 && relu6 == 27 && stride == 16 && params == 1258195,
          "%d layers, %d Relu6, stride %d, %zu parameters", g->n_layers, relu6, stride, params);
    CHECK(strcmp(g->blob_names[blobs[1]], "MobilenetV1/offset_2/BiasAdd") == 0,
          "offsets are %s", g->blob_names[blobs[1]]);
    opc_graph_free(g);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "%s", opc_test_tmpdir("tfjs"));
    half_floats();
    tiny_posenet_across_shards();
    quantized_weights();
    bad_inputs();
    opc_test_shared();
    real_posenet();
    printf("tfjs: shards, quantized weights, JSON spellings, PoseNet heads, 21 bad inputs, "
           "the real PoseNet file\n");
    return opc_test_result();
}
