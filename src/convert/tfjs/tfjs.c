/* TensorFlow.js graph model -> .opc: model.json and its weight shards become a binary
 * GraphDef (tfjs_graph.c, tfjs_weights.c) that the TensorFlow converter maps op by op
 * (convert/tf: one table for both formats). The outputs are PoseNet's four heads, found by
 * their node names among the nodes nothing reads, and checked against each other's shapes. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convert/common/convert_common.h"
#include "convert/tf/tf_map.h"
#include "convert/tfjs/tfjs_model.h"
#include "openpose-c/convert.h"
#include "openpose-c/files.h"
#include "openpose-c/image.h"
#include "openpose-c/posenet.h"

/* model.json: topology and manifest only (weights are in the shards). */
#define MAX_JSON_BYTES ((size_t)256 << 20)

/* PoseNet's heads, by a word in their node names (MobileNet: MobilenetV1/heatmap_2/BiasAdd,
 * MobilenetV1/offset_2/BiasAdd, ...; ResNet50: float_heatmaps, float_short_offsets,
 * resnet_v1_50/displacement_fwd_2/BiasAdd, ...), with their channel counts. */
static const struct {
    const char *output, *word;
    int channels;
} HEADS[TFJS_POSENET_OUTPUTS] = {
    {"heatmaps", "heatmap", OPC_POSENET_PARTS},
    {"offsets", "offset", 2 * OPC_POSENET_PARTS},
    {"displacement_fwd", "displacement_fwd", 2 * OPC_POSENET_EDGES},
    {"displacement_bwd", "displacement_bwd", 2 * OPC_POSENET_EDGES},
};

static int contains_word(const char *name, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = name; *p; p++)
        if (strncasecmp(p, word, n) == 0)
            return 1;
    return 0;
}

/* Each head is the one node nothing reads (Const and NoOp aside) whose name has its word. */
static int find_heads(const tf_graphdef *gd, const char *path, const char **names,
                      opc_error *err)
{
    unsigned char *read = calloc((size_t)gd->n_nodes, 1);
    if (!read)
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
    for (int i = 0; i < gd->n_nodes; i++)
        for (int k = 0; k < gd->nodes[i].n_inputs; k++)
            if (gd->nodes[i].inputs[k] >= 0)
                read[gd->nodes[i].inputs[k]] = 1;
    int rc = OPC_OK;
    for (int h = 0; h < TFJS_POSENET_OUTPUTS && rc == OPC_OK; h++) {
        names[h] = NULL;
        for (int i = 0; i < gd->n_nodes && rc == OPC_OK; i++) {
            const tf_node *n = &gd->nodes[i];
            if (read[i] || strcmp(n->op, "Const") == 0 || strcmp(n->op, "NoOp") == 0 ||
                !contains_word(n->name, HEADS[h].word))
                continue;
            if (names[h])
                rc = opc_fail(err, OPC_ERR_FORMAT,
                              "%s: two output nodes could be the %s: %s and %s", path,
                              HEADS[h].output, names[h], n->name);
            names[h] = n->name;
        }
        if (rc == OPC_OK && !names[h])
            rc = opc_fail(err, OPC_ERR_FORMAT,
                          "%s: no output node has \"%s\" in its name: not a PoseNet graph "
                          "(it needs heatmap, offset, displacement_fwd and displacement_bwd "
                          "outputs)",
                          path, HEADS[h].word);
    }
    free(read);
    return rc;
}

/* The heads' shapes at an r x r input: channels as PoseNet's, one grid. */
static int head_shapes(const opc_graph *g, const int *blobs, int r, const char *path, int *grid,
                       opc_error *err)
{
    opc_shape *shapes = calloc((size_t)g->n_blobs, sizeof *shapes);
    if (!shapes)
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
    opc_error why;
    int rc = opc_graph_infer_shapes(g, r, r, shapes, &why);
    if (rc)
        rc = opc_fail(err, rc, "%s: at %dx%d: %s", path, r, r, why.msg);
    for (int h = 0; h < TFJS_POSENET_OUTPUTS && rc == OPC_OK; h++) {
        opc_shape s = shapes[blobs[h]], s0 = shapes[blobs[0]];
        if (s.c != HEADS[h].channels || s.h != s0.h || s.w != s0.w)
            rc = opc_fail(err, OPC_ERR_FORMAT,
                          "%s: %s %s is %dx%dx%d at a %dx%d input; PoseNet's is %dx%dx%d (the "
                          "grid of %s)",
                          path, HEADS[h].output, g->blob_names[blobs[h]], s.c, s.h, s.w, r, r,
                          HEADS[h].channels, s0.h, s0.w, g->blob_names[blobs[0]]);
    }
    *grid = shapes[blobs[0]].h;
    free(shapes);
    return rc;
}

/* The output stride: an input of (g - 1) * stride + 1 pixels gives g cells, checked at two
 * sizes. */
static int find_stride(const opc_graph *g, const int *blobs, const char *path, int *stride,
                       opc_error *err)
{
    int grid, grid2, rc = head_shapes(g, blobs, 257, path, &grid, err);
    if (rc)
        return rc;
    *stride = grid > 1 && 256 % (grid - 1) == 0 ? 256 / (grid - 1) : 0;
    if (*stride && (rc = head_shapes(g, blobs, 2 * 256 + 1, path, &grid2, err)))
        return rc;
    if (!*stride || grid2 != 512 / *stride + 1)
        return opc_fail(err, OPC_ERR_FORMAT,
                        "%s: a 257x257 input gives a %dx%d grid: no output stride fits", path,
                        grid, grid);
    return OPC_OK;
}

/* model.json's directory, where its shards are. */
static void json_dir(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, cap, ".");
    else if (slash == path)
        snprintf(dir, cap, "/");
    else
        snprintf(dir, cap, "%.*s", (int)(slash - path), path);
}

int tfjs_read_graphdef(const char *json_path, tf_graphdef *gd, opc_error *err)
{
    unsigned char *text;
    size_t size;
    int rc = opc_read_file(json_path, MAX_JSON_BYTES, &text, &size, err);
    if (rc)
        return rc;
    cJSON *root = cJSON_ParseWithLength((const char *)text, size);
    free(text);
    if (!root)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: not JSON (or nested too deeply)", json_path);
    const char *format = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "format"));
    const cJSON *topology = cJSON_GetObjectItemCaseSensitive(root, "modelTopology");
    if (format && strcmp(format, "graph-model") != 0)
        rc = opc_fail(err, OPC_ERR_UNSUPPORTED,
                      "%s: format \"%.40s\": only TensorFlow.js graph models (\"graph-model\") "
                      "are supported",
                      json_path, format);
    else if (!cJSON_IsObject(topology))
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: no modelTopology object: not a TensorFlow.js "
                      "graph model", json_path);
    char dir[4096];
    json_dir(json_path, dir, sizeof dir);
    tfjs_weights w = {0};
    pb_writer pb = {0};
    if (rc == OPC_OK &&
        !(rc = tfjs_weights_read(cJSON_GetObjectItemCaseSensitive(root, "weightsManifest"), dir,
                                 json_path, &w, err)) &&
        !(rc = tfjs_graphdef(topology, &w, json_path, &pb, err))) {
        rc = tf_graphdef_parse(gd, pb.data, pb.len, json_path, err);
        pb.data = NULL; /* the graph's now */
    }
    pb_write_free(&pb);
    tfjs_weights_free(&w);
    cJSON_Delete(root);
    return rc;
}

int tfjs_posenet_graph(const char *json_path, opc_graph **g, int *blobs, int *stride,
                       opc_error *err)
{
    tf_graphdef gd;
    *g = NULL;
    int rc = tfjs_read_graphdef(json_path, &gd, err);
    if (rc)
        return rc;
    const char *heads[TFJS_POSENET_OUTPUTS];
    tf_ctx c = {.path = json_path, .gd = &gd, .err = err};
    if (!(rc = find_heads(&gd, json_path, heads, err)) &&
        !(rc = tf_build_graph(&c, NULL, heads, TFJS_POSENET_OUTPUTS, blobs)) &&
        (rc = find_stride(c.g, blobs, json_path, stride, err))) {
        opc_graph_free(c.g);
        c.g = NULL;
    }
    tf_graphdef_free(&gd);
    *g = c.g;
    return rc;
}

/* The input normalisation of PoseNet's backbones (the package's MobileNet.preprocessInput
 * and ResNet.preprocessInput): x / 127.5 - 1, or the ImageNet RGB means subtracted. ResNet
 * graphs are told by their node names (resnet_v1_50/...). */
static void posenet_preprocess(const tf_graphdef *gd, int stride, int net_w, int net_h,
                               opc_preprocess *pp)
{
    int resnet = 0;
    for (int i = 0; i < gd->n_nodes && !resnet; i++)
        resnet = strncmp(gd->nodes[i].name, "resnet_v1", 9) == 0;
    *pp = (opc_preprocess){.channel_order = "RGB", .nhwc = 1, .stride = stride,
                           .placement = "letterbox", .size_rule = "plus_one",
                           .size_step = stride, .net_width = net_w, .net_height = net_h};
    static const float means[3] = {-123.15f, -115.90f, -103.06f};
    for (int c = 0; c < 3; c++) {
        pp->scale[c] = resnet ? 1.0f : 1.0f / 127.5f;
        pp->offset[c] = resnet ? means[c] : -1.0f;
    }
}

/* The default net resolution: the one asked for, else the package's 257 x 257, each side
 * made valid for the stride as the package does. */
static int net_size(const opc_convert_options *opt, int stride, const char *path, int *w,
                    int *h, opc_error *err)
{
    int rw = opt && opt->net_width ? opt->net_width : 257;
    int rh = opt && opt->net_height ? opt->net_height : 257;
    if (rw < 1 || rh < 1 || rw > OPC_MAX_NET_SIDE || rh > OPC_MAX_NET_SIDE)
        return opc_fail(err, OPC_ERR_ARG, "%s: net resolution %dx%d: PoseNet needs both sides, "
                        "1 to %d", path, rw, rh, OPC_MAX_NET_SIDE);
    *w = rw % stride == 1 || stride == 1 ? rw : rw / stride * stride + 1;
    *h = rh % stride == 1 || stride == 1 ? rh : rh / stride * stride + 1;
    return OPC_OK;
}

int opc_convert_tfjs(const char *json_path, const char *out_path,
                     const opc_convert_options *opt, opc_error *err)
{
    tf_graphdef gd;
    int rc = tfjs_read_graphdef(json_path, &gd, err);
    if (rc)
        return rc;
    const char *heads[TFJS_POSENET_OUTPUTS];
    int blobs[TFJS_POSENET_OUTPUTS], stride = 0, w = 0, h = 0;
    tf_ctx c = {.path = json_path, .gd = &gd, .err = err};
    opc_error why;
    if (!(rc = find_heads(&gd, json_path, heads, err)) &&
        !(rc = tf_build_graph(&c, NULL, heads, TFJS_POSENET_OUTPUTS, blobs)) &&
        !(rc = find_stride(c.g, blobs, json_path, &stride, err)) &&
        !(rc = net_size(opt, stride, json_path, &w, &h, err))) {
        for (int k = 0; k < TFJS_POSENET_OUTPUTS && rc == OPC_OK; k++)
            rc = opc_graph_add_output(c.g, HEADS[k].output, blobs[k], &why);
        if (rc == OPC_OK)
            rc = opc_graph_set_head(c.g, "posenet", "{}", &why);
        if (rc)
            opc_fail(err, rc, "%s: %s", json_path, why.msg);
    }
    if (rc == OPC_OK) {
        c.g->keypoints = *opc_keypoint_set_builtin("coco17");
        posenet_preprocess(&gd, stride, w, h, &c.g->preprocess);
        if (!(rc = opc_convert_set_names(c.g, "tensorflow.js", json_path, out_path,
                                         opt ? opt->name : NULL, err)))
            rc = opc_model_write(c.g, out_path, err);
    }
    opc_graph_free(c.g);
    tf_graphdef_free(&gd);
    return rc;
}
