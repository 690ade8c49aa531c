/* Model file: a built graph survives write + open unchanged (layers, weights, outputs,
 * keypoint set, head, preprocessing); corrupt files and heads that do not fit the outputs
 * are refused with a one-line reason and never crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "convert/common/convert_common.h"
#include "model/graph.h"
#include "openpose-c/files.h"
#include "openpose-c/net.h"
#include "testutil.h"

/* A tiny two-conv network with the COCO topology's output width, one output "maps". */
static opc_graph *tiny_graph(void)
{
    opc_error err;
    const opc_paf_topology *t = opc_paf_topology_builtin("coco");
    opc_graph *g = opc_graph_new("image", 3);
    g->name = opc_graph_strdup(g, "tiny");
    g->source = opc_graph_strdup(g, "test");
    g->preprocess = opc_convert_openpose_preprocess(1.0f / 256, -0.5f, 0, 8, -1, 64);
    opc_layer *l = opc_graph_add_layer(g, OPC_OP_CONV, "c1", "c1", &err);
    l->inputs[l->n_inputs++] = 0;
    l->kernel[0] = l->kernel[1] = 3;
    l->pad[0] = l->pad[1] = l->pad[2] = l->pad[3] = 1;
    l->stride[0] = l->stride[1] = 8;
    l->out_channels = 8;
    l->act = OPC_ACT_PRELU;
    float *w = opc_graph_new_weight(g, &l->weight, 4, (int[]){8, 3, 3, 3}, &err);
    for (size_t i = 0; i < l->weight.count; i++)
        w[i] = (float)i * 0.01f;
    float *s = opc_graph_new_weight(g, &l->slope, 1, (int[]){8}, &err);
    for (int i = 0; i < 8; i++)
        s[i] = 0.25f;
    opc_layer *m = opc_graph_add_layer(g, OPC_OP_CONV, "c2", "out", &err);
    m->inputs[m->n_inputs++] = 1;
    m->kernel[0] = m->kernel[1] = 1;
    m->out_channels = t->total_channels;
    w = opc_graph_new_weight(g, &m->weight, 4, (int[]){t->total_channels, 8, 1, 1}, &err);
    for (size_t i = 0; i < m->weight.count; i++)
        w[i] = -(float)i;
    float *b = opc_graph_new_weight(g, &m->bias, 1, (int[]){t->total_channels}, &err);
    for (int i = 0; i < t->total_channels; i++)
        b[i] = (float)i;
    if (opc_convert_paf_output(g, t, 2, &err) != OPC_OK)
        CHECK(0, "%s", err.msg);
    return g;
}

/* Lightweight OpenPose's layout: the heatmaps and the PAFs are two outputs, from two convs
 * on one trunk. heat_c and paf_c are their channel counts (19 and 38 fit COCO). */
static opc_graph *two_output_graph(int heat_c, int paf_c)
{
    opc_error err;
    opc_graph *g = opc_graph_new("image", 3);
    g->name = opc_graph_strdup(g, "two");
    g->source = opc_graph_strdup(g, "test");
    g->preprocess = opc_convert_openpose_preprocess(1.0f / 256, -0.5f, 0, 8, -1, 64);
    g->preprocess.size_step = 8;
    const char *names[2] = {"heat", "paf"};
    int channels[2] = {heat_c, paf_c};
    for (int k = 0; k < 2; k++) {
        opc_layer *l = opc_graph_add_layer(g, OPC_OP_CONV, names[k], names[k], &err);
        l->inputs[l->n_inputs++] = 0;
        l->kernel[0] = l->kernel[1] = 1;
        l->stride[0] = l->stride[1] = 8;
        l->out_channels = channels[k];
        float *w = opc_graph_new_weight(g, &l->weight, 4, (int[]){channels[k], 3, 1, 1}, &err);
        for (size_t i = 0; i < l->weight.count; i++)
            w[i] = (float)i * (k ? -0.5f : 0.25f);
        opc_graph_add_output(g, k ? "pafs" : "heatmaps", l->output, &err);
    }
    opc_convert_set_paf_head(g, opc_paf_topology_builtin("coco"), "heatmaps", "pafs", &err);
    return g;
}

/* Two outputs written and read back as they were, and a head whose outputs' channels do
 * not fit its topology refused when writing. */
static void test_two_outputs(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/two.opc", dir);
    opc_error err;
    opc_graph *g = two_output_graph(19, 38);
    CHECK(opc_model_write(g, path, &err) == OPC_OK, "%s", err.msg);
    opc_graph_free(g);
    opc_model *m = opc_model_open(path, &err);
    CHECK(m != NULL, "%s", err.msg);
    if (m) {
        CHECK(opc_model_num_outputs(m) == 2 && !strcmp(opc_model_output_name(m, 0), "heatmaps") &&
                  !strcmp(opc_model_output_name(m, 1), "pafs") &&
                  opc_model_output_index(m, "pafs") == 1 && opc_model_output_index(m, "x") == -1,
              "outputs");
        CHECK(!strcmp(opc_model_head(m)->decoder, "paf") &&
                  !strcmp(opc_model_keypoints(m)->name, "coco18") &&
                  opc_model_preprocess(m)->size_step == 8,
              "head, keypoints, size step");
        opc_net *net = opc_net_create(m, NULL, &err);
        opc_tensor in;
        opc_tensor_alloc(&in, 1, 3, 32, 40, &err);
        for (size_t i = 0; i < opc_tensor_count(&in); i++)
            in.data[i] = (float)(i % 7) - 3;
        const opc_tensor *outs[2] = {0};
        CHECK(net && opc_net_forward_all(net, &in, outs, &err) == OPC_OK, "%s", err.msg);
        CHECK(outs[0] && outs[1] && outs[0]->c == 19 && outs[1]->c == 38 && outs[0]->h == 4 &&
                  outs[1]->w == 5 && outs[0]->data != outs[1]->data,
              "two outputs from one forward");
        opc_tensor_free(&in);
        opc_net_free(net);
        opc_model_close(m);
    }
    g = two_output_graph(18, 38); /* no background heatmap: the topology needs 19 */
    CHECK(opc_model_write(g, path, &err) != OPC_OK && strstr(err.msg, "channels"),
          "a head that does not fit its outputs was written: %s", err.msg);
    opc_graph_free(g);
}

static int same_weight(const opc_weight *a, const opc_weight *b)
{
    if (a->count != b->count || a->ndim != b->ndim)
        return 0;
    return a->count == 0 || memcmp(a->data, b->data, a->count * sizeof(float)) == 0;
}

static void expect_refused(const char *path, const char *what)
{
    opc_error err = {{0}};
    opc_model *m = opc_model_open(path, &err);
    CHECK(m == NULL, "%s: a corrupt model was accepted", what);
    CHECK(strstr(err.msg, path) != NULL, "%s: message does not name the file: %s", what, err.msg);
    CHECK(strchr(err.msg, '\n') == NULL, "%s: message is not one line", what);
    opc_model_close(m);
}

int main(void)
{
    const char *dir = opc_test_tmpdir("model_file");
    char path[4200], bad[4200];
    snprintf(path, sizeof path, "%s/tiny.opc", dir);
    snprintf(bad, sizeof bad, "%s/bad.opc", dir);
    opc_error err;
    opc_graph *g = tiny_graph();
    CHECK(opc_graph_validate(g, 64, 64, NULL, &err) == OPC_OK, "%s", err.msg);
    CHECK(opc_model_write(g, path, &err) == OPC_OK, "%s", err.msg);

    opc_model *m = opc_model_open(path, &err);
    CHECK(m != NULL, "%s", err.msg);
    if (m) {
        const opc_graph *h = opc_model_graph(m);
        CHECK(h->n_layers == 2 && h->n_blobs == 3, "layers %d blobs %d", h->n_layers, h->n_blobs);
        for (int i = 0; i < 2 && h->n_layers == 2; i++) {
            CHECK(same_weight(&g->layers[i].weight, &h->layers[i].weight), "weight %d", i);
            CHECK(same_weight(&g->layers[i].bias, &h->layers[i].bias), "bias %d", i);
            CHECK(same_weight(&g->layers[i].slope, &h->layers[i].slope), "slope %d", i);
            CHECK(((uintptr_t)h->layers[i].weight.data & 63) == 0, "weights not aligned");
            CHECK(g->layers[i].act == h->layers[i].act, "act %d", i);
        }
        CHECK(memcmp(&g->keypoints, &h->keypoints, sizeof g->keypoints) == 0,
              "keypoint set differs");
        CHECK(!strcmp(g->head.decoder, h->head.decoder) && !strcmp(g->head.params, h->head.params),
              "head differs: %s %s", h->head.decoder, h->head.params);
        CHECK(h->n_outputs == 1 && !strcmp(h->outputs[0].name, "maps") && h->outputs[0].blob == 2,
              "outputs differ");
        CHECK(memcmp(&g->preprocess, &h->preprocess, sizeof g->preprocess) == 0,
              "preprocess differs");
        opc_model_stats st;
        CHECK(opc_model_stats_at(m, 64, 64, &st, &err) == OPC_OK, "%s", err.msg);
        CHECK(st.out_c == 57 && st.out_h == 8 && st.out_w == 8, "output %dx%dx%d", st.out_c,
              st.out_h, st.out_w);
        CHECK(st.macs == 8.0 * 8 * 8 * 27 + 57.0 * 8 * 8 * 8, "macs %g", st.macs);
        opc_model_close(m);
    }

    /* Corruptions: truncation, bad magic, a header pointing outside the file, broken JSON,
     * a weight offset beyond the data, a layer reading an unknown blob. */
    unsigned char *data;
    size_t size;
    CHECK(opc_read_file(path, 1 << 20, &data, &size, &err) == OPC_OK, "%s", err.msg);
    opc_write_file_atomic(bad, data, size - 100, &err);
    expect_refused(bad, "truncated");
    opc_write_file_atomic(bad, data, 30, &err);
    expect_refused(bad, "header only");
    data[0] = 'X';
    opc_write_file_atomic(bad, data, size, &err);
    expect_refused(bad, "magic");
    data[0] = 'O';
    unsigned char saved = data[24];
    data[24] = 0xff; /* json size */
    data[25] = 0xff;
    data[26] = 0xff;
    opc_write_file_atomic(bad, data, size, &err);
    expect_refused(bad, "json size");
    data[24] = saved;
    data[25] = data[26] = 0;
    char *json = (char *)data + 64;
    char *p = strstr(json, "\"layers\"");
    p[1] = 'X';
    opc_write_file_atomic(bad, data, size, &err);
    expect_refused(bad, "no layers");
    p[1] = 'l';
    p = strstr(json, "\"inputs\":[\"c1\"]");
    CHECK(p != NULL, "layout changed");
    if (p) {
        p[11] = 'z';
        opc_write_file_atomic(bad, data, size, &err);
        expect_refused(bad, "unknown blob");
        p[11] = 'c';
    }
    p = strstr(json, "\"offset\":0");
    CHECK(p != NULL, "layout changed");
    if (p) {
        p[9] = '9';
        opc_write_file_atomic(bad, data, size, &err);
        expect_refused(bad, "misaligned offset");
        p[9] = '0';
    }
    /* The head: a decoder this build lacks, parameters that do not parse, a topology that
     * does not fit the output, an output reading no blob; the keypoint set: a mirror that
     * does not mirror back; an older format version. */
    static const struct {
        const char *from, *to, *what;
    } EDITS[] = {
        {"\"decoder\":\"paf\"", "\"decoder\":\"pqf\"", "unknown decoder"},
        {"\"topology\":\"coco\"", "\"topology\":123456", "head params"},
        {"\"paf_offset\":19", "\"paf_offset\":20", "head does not fit the output"},
        {"\"blob\":\"out\"", "\"blob\":\"ovt\"", "output of no blob"},
        {"\"flip\":[0,1,5", "\"flip\":[0,1,6", "flip not mirrored"},
    };
    for (size_t e = 0; e < sizeof EDITS / sizeof EDITS[0]; e++) {
        p = strstr(json, EDITS[e].from);
        CHECK(p != NULL && strlen(EDITS[e].from) == strlen(EDITS[e].to), "%s: layout changed",
              EDITS[e].what);
        if (!p)
            continue;
        char saved_text[64];
        memcpy(saved_text, p, strlen(EDITS[e].from));
        memcpy(p, EDITS[e].to, strlen(EDITS[e].to));
        opc_write_file_atomic(bad, data, size, &err);
        expect_refused(bad, EDITS[e].what);
        memcpy(p, saved_text, strlen(EDITS[e].from));
    }
    data[8] = 1; /* format version 1 */
    opc_write_file_atomic(bad, data, size, &err);
    expect_refused(bad, "version 1");
    {
        opc_model *old = opc_model_open(bad, &err);
        CHECK(!old && strstr(err.msg, "convert the network again"), "version 1: %s", err.msg);
        opc_model_close(old);
    }
    data[8] = OPC_MODEL_FORMAT_VERSION;
    /* Flip every byte of the JSON in turn: nothing may crash (errors are fine). */
    size_t jlen = strlen(json);
    for (size_t i = 0; i < jlen && i < 4000; i += 7) {
        char c = json[i];
        json[i] = (char)(c ^ 0x5a);
        opc_write_file_atomic(bad, data, size, &err);
        opc_model_close(opc_model_open(bad, &err));
        json[i] = c;
    }
    free(data);
    expect_refused("/nonexistent/model.opc", "missing");
    test_two_outputs(dir);
    opc_graph_free(g);
    return opc_test_result();
}
