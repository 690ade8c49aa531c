/* Caffe converter on small hand-written nets with hand-written caffemodels: every layer
 * type and parameter form, in-place layers, folding of BatchNorm/Scale/activations (into
 * the layer before, or a Scale into the 1x1 convolution after), every
 * blob encoding, and the weights arriving bit for bit (or, when folded, as the formula
 * computed here says). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "caffe_writer.h"
#include "model/graph.h"
#include "openpose-c/convert.h"
#include "testutil.h"

static const char *dir;

static const char *path_in(const char *name)
{
    static char bufs[4][4300];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

/* Deterministic values, distinct per salt, exactly representable. */
static float *values(size_t n, int salt)
{
    float *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (float)((int)((i * 37 + (size_t)salt * 11) % 101) - 50) / 64.0f;
    return v;
}

static int same_floats(const opc_weight *w, const float *ref, size_t n)
{
    return w->data && w->count == n && memcmp(w->data, ref, n * sizeof(float)) == 0;
}

static const char *out_name(const opc_graph *g, const opc_layer *l)
{
    return l ? g->blob_names[l->output] : "";
}

/* conv -> BatchNorm -> Scale -> ReLU, all in place: one conv with everything folded. */
static void test_folding(void)
{
    write_text(path_in("fold.prototxt"),
               "name: \"fold\"\n"
               "input: \"data\"\n"
               "input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n"
               "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"c\"\n"
               "  convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }\n"
               "layer { name: \"bn\" type: \"BatchNorm\" bottom: \"c\" top: \"c\"\n"
               "  batch_norm_param { use_global_stats: true eps: 0.001 } }\n"
               "layer { name: \"sc\" type: \"Scale\" bottom: \"c\" top: \"c\"\n"
               "  scale_param { bias_term: true } }\n"
               "layer { name: \"relu\" type: \"ReLU\" bottom: \"c\" top: \"c\" }\n"
               "layer { name: \"out\" type: \"Convolution\" bottom: \"c\" top: \"out\"\n"
               "  convolution_param { num_output: 44 kernel_size: 1 bias_term: false } }\n");
    float *w = values(4 * 3 * 3 * 3, 1), *b = values(4, 2), *mean = values(4, 3);
    float var[4] = {0.5f, 1.0f, 2.0f, 4.0f}, factor[1] = {2.0f};
    float *gamma = values(4, 4), *beta = values(4, 5), *w2 = values(44 * 4, 6);
    pbw_buf net = {0}, blobs = {0};
    cw_blob(&blobs, 7, 4, (int[]){4, 3, 3, 3}, w, 0);
    cw_blob(&blobs, 7, 1, (int[]){4}, b, 0);
    cw_layer(&net, "conv", "Convolution", &blobs, 0);
    blobs.n = 0;
    cw_blob(&blobs, 7, 1, (int[]){4}, mean, 0);
    cw_blob(&blobs, 7, 1, (int[]){4}, var, 0);
    cw_blob(&blobs, 7, 1, (int[]){1}, factor, 0);
    cw_layer(&net, "bn", "BatchNorm", &blobs, 0);
    blobs.n = 0;
    cw_blob(&blobs, 7, 1, (int[]){4}, gamma, 0);
    cw_blob(&blobs, 7, 1, (int[]){4}, beta, 0);
    cw_layer(&net, "sc", "Scale", &blobs, 0);
    cw_layer(&net, "relu", "ReLU", NULL, 0);
    blobs.n = 0;
    cw_blob(&blobs, 7, 4, (int[]){44, 4, 1, 1}, w2, 0);
    cw_layer(&net, "out", "Convolution", &blobs, 0);
    cw_save(&net, path_in("fold.caffemodel"));

    opc_error err;
    int rc = opc_convert_caffe(path_in("fold.prototxt"), path_in("fold.caffemodel"),
                               path_in("fold.opc"), NULL, &err);
    CHECK(rc == OPC_OK, "%s", err.msg);
    opc_model *m = rc == OPC_OK ? opc_model_open(path_in("fold.opc"), &err) : NULL;
    if (m) {
        const opc_graph *g = opc_model_graph(m);
        CHECK(g->n_layers == 2, "layers %d", g->n_layers);
        CHECK(strcmp(opc_test_topology_name(m), "mpi") == 0, "44 channels -> mpi");
        const opc_layer *c = &g->layers[0], *o = &g->layers[1];
        CHECK(c->op == OPC_OP_CONV && c->act == OPC_ACT_RELU, "conv+relu");
        CHECK(strcmp(out_name(g, c), "c") == 0, "folded conv writes 'c' (%s)", out_name(g, c));
        CHECK(strcmp(opc_test_in_name(g, o, 0), "c") == 0 && strcmp(out_name(g, o), "out") == 0,
              "out");
        CHECK(o->bias.data == NULL && same_floats(&o->weight, w2, 44 * 4), "linear conv weights");
        double max_err = 0;
        for (int k = 0; k < 4; k++) {
            double s = gamma[k] / sqrt((double)var[k] / factor[0] + 0.001);
            double bias = ((double)b[k] - mean[k] / factor[0]) * s + beta[k];
            max_err = fmax(max_err, fabs(c->bias.data[k] - bias));
            for (int i = 0; i < 27; i++)
                max_err = fmax(max_err, fabs(c->weight.data[k * 27 + i] - w[k * 27 + i] * s));
        }
        CHECK(max_err < 1e-5, "folded weights off by %g", max_err);
        CHECK(strcmp(opc_model_source(m), "caffe: fold.prototxt") == 0, "source %s",
              opc_model_source(m));
        CHECK(strcmp(opc_model_name(m), "fold") == 0, "name from the output file: %s",
              opc_model_name(m));
        const opc_preprocess *p = opc_model_preprocess(m);
        CHECK(strcmp(p->channel_order, "BGR") == 0 && p->scale[0] == 1.0f / 256 && p->scale[2] == 1.0f / 256 &&
                  p->offset[0] == -0.5f && p->offset[2] == -0.5f && p->stride == 8 &&
                  p->net_width == -1 && p->net_height == 368,
              "OpenPose preprocessing");
    }
    opc_model_close(m);
    free(w), free(b), free(mean), free(gamma), free(beta), free(w2);
    free(net.p), free(blobs.p);
}

/* conv -> ReLU -> Scale (with bias) -> 1x1 conv: the Scale cannot fold into the conv
 * before it (the ReLU is between) and folds into the one after: W diag(s), W t + b. */
static void test_scale_into_next(void)
{
    write_text(path_in("next.prototxt"),
               "input: \"data\"\n"
               "input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n"
               "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"c\"\n"
               "  convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }\n"
               "layer { name: \"relu\" type: \"ReLU\" bottom: \"c\" top: \"c\" }\n"
               "layer { name: \"sc\" type: \"Scale\" bottom: \"c\" top: \"s\"\n"
               "  scale_param { bias_term: true } }\n"
               "layer { name: \"out\" type: \"Convolution\" bottom: \"s\" top: \"out\"\n"
               "  convolution_param { num_output: 44 kernel_size: 1 } }\n");
    float *w = values(4 * 3 * 3 * 3, 1), *b = values(4, 2), *gamma = values(4, 4);
    float *beta = values(4, 5), *w2 = values(44 * 4, 6), *b2 = values(44, 7);
    pbw_buf net = {0}, blobs = {0};
    cw_blob(&blobs, 7, 4, (int[]){4, 3, 3, 3}, w, 0);
    cw_blob(&blobs, 7, 1, (int[]){4}, b, 0);
    cw_layer(&net, "conv", "Convolution", &blobs, 0);
    cw_layer(&net, "relu", "ReLU", NULL, 0);
    blobs.n = 0;
    cw_blob(&blobs, 7, 1, (int[]){4}, gamma, 0);
    cw_blob(&blobs, 7, 1, (int[]){4}, beta, 0);
    cw_layer(&net, "sc", "Scale", &blobs, 0);
    blobs.n = 0;
    cw_blob(&blobs, 7, 4, (int[]){44, 4, 1, 1}, w2, 0);
    cw_blob(&blobs, 7, 1, (int[]){44}, b2, 0);
    cw_layer(&net, "out", "Convolution", &blobs, 0);
    cw_save(&net, path_in("next.caffemodel"));

    opc_error err;
    int rc = opc_convert_caffe(path_in("next.prototxt"), path_in("next.caffemodel"),
                               path_in("next.opc"), NULL, &err);
    CHECK(rc == OPC_OK, "%s", err.msg);
    opc_model *m = rc == OPC_OK ? opc_model_open(path_in("next.opc"), &err) : NULL;
    if (m) {
        const opc_graph *g = opc_model_graph(m);
        const opc_layer *o = opc_test_layer(g, "out");
        CHECK(g->n_layers == 2 && g->n_blobs == 3 && o && o->output == g->outputs[0].blob &&
                  strcmp(opc_test_in_name(g, o, 0), "c") == 0,
              "Scale not folded into out: %d layers", g->n_layers);
        double max_err = 0;
        for (int j = 0; o && j < 44; j++) {
            double bias = b2[j];
            for (int k = 0; k < 4; k++) {
                bias += (double)w2[j * 4 + k] * beta[k];
                max_err = fmax(max_err, fabs(o->weight.data[j * 4 + k] - w2[j * 4 + k] * gamma[k]));
            }
            max_err = fmax(max_err, fabs(o->bias.data[j] - bias));
        }
        CHECK(max_err < 1e-6, "folded weights off by %g", max_err);
    }
    opc_model_close(m);
    free(w), free(b), free(gamma), free(beta), free(w2), free(b2);
    free(net.p), free(blobs.p);
}

/* Every other layer type and parameter form; the caffemodel uses V1 layers and every
 * blob encoding. */
static const char STRUCTURE[] =
    "layer { name: \"input\" type: \"Input\" top: \"data\"\n"
    "  input_param { shape { dim: 1 dim: 3 dim: 16 dim: 16 } } }\n"
    "layer { name: \"a\" type: \"Convolution\" bottom: \"data\" top: \"a\"\n"
    "  convolution_param { num_output: 4 kernel_h: 3 kernel_w: 1 pad_h: 1 pad_w: 0\n"
    "    stride_h: 2 stride_w: 1 } }\n"
    "layer { name: \"split\" type: \"Split\" bottom: \"a\" top: \"a1\" top: \"a2\" }\n"
    "layer { name: \"relu_a\" type: \"ReLU\" bottom: \"a\" top: \"a\" }\n"
    "layer { name: \"drop\" type: \"Dropout\" bottom: \"a1\" top: \"d\"\n"
    "  dropout_param { dropout_ratio: 0.5 } }\n"
    "layer { name: \"leaky\" type: \"ReLU\" bottom: \"d\" top: \"l\"\n"
    "  relu_param { negative_slope: 0.125 } }\n"
    "layer { name: \"sum\" type: \"Eltwise\" bottom: \"a\" bottom: \"l\" bottom: \"a2\" top: "
    "\"s\"\n"
    "  eltwise_param { operation: SUM coeff: 1 coeff: 1 coeff: 1.0 } }\n"
    "layer { name: \"s_relu\" type: \"ReLU\" bottom: \"s\" top: \"s\" }\n"
    "layer { name: \"g\" type: \"Convolution\" bottom: \"s\" top: \"g\"\n"
    "  convolution_param { num_output: 4 kernel_size: 3 pad: 2 dilation: 2 group: 2 } }\n"
    "layer { name: \"g_prelu\" type: \"PReLU\" bottom: \"g\" top: \"g\"\n"
    "  prelu_param { channel_shared: true } }\n"
    "layer { name: \"pool\" type: \"Pooling\" bottom: \"g\" top: \"p\"\n"
    "  pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 } }\n"
    "layer { name: \"fpool\" type: \"Pooling\" bottom: \"p\" top: \"fp\"\n"
    "  pooling_param { kernel_h: 1 kernel_w: 2 stride_h: 1 stride_w: 1 round_mode: FLOOR } }\n"
    "layer { name: \"cat1\" type: \"Concat\" bottom: \"fp\" top: \"p1\" }\n"
    "layer { name: \"sc\" type: \"Scale\" bottom: \"p1\" top: \"sc\" }\n"
    "layer { name: \"out\" type: \"Convolution\" bottom: \"sc\" top: \"out\"\n"
    "  convolution_param { num_output: 40 kernel_size: [1, 1] } }\n"
    "layer { name: \"train_only\" type: \"SoftmaxWithLoss\" bottom: \"out\" top: \"loss\"\n"
    "  include { phase: TRAIN } }\n"
    "layer { name: \"cat\" type: \"Concat\" bottom: \"out\" bottom: \"sc\" top: \"final\"\n"
    "  concat_param { axis: 1 } }\n";

static void test_structure(void)
{
    write_text(path_in("struct.prototxt"), STRUCTURE);
    float *wa = values(4 * 3 * 3, 1), *ba = values(4, 2), *wg = values(4 * 2 * 9, 3);
    float *bg = values(4, 4), slope[1] = {0.3f}, *sc = values(4, 5), *wo = values(40 * 4, 6);
    float *bo = values(40, 7);
    pbw_buf net = {0}, blobs = {0};
    cw_layer(&net, "relu_a", "ReLU", NULL, 1);
    cw_blob(&blobs, 6, 4, (int[]){4, 3, 3, 1}, wa, CW_LEGACY);
    cw_blob(&blobs, 6, 1, (int[]){4}, ba, CW_LEGACY); /* 1x1x1x4 */
    cw_layer(&net, "a", "Convolution", &blobs, 1);
    blobs.n = 0;
    cw_blob(&blobs, 6, 4, (int[]){4, 2, 3, 3}, wg, CW_UNPACKED_DATA | CW_UNPACKED_DIMS);
    cw_blob(&blobs, 6, 1, (int[]){4}, bg, CW_UNPACKED_DATA);
    cw_layer(&net, "g", "Convolution", &blobs, 1);
    blobs.n = 0;
    cw_blob(&blobs, 6, 0, NULL, slope, 0); /* Caffe stores a shared slope as a scalar */
    cw_layer(&net, "g_prelu", "PReLU", &blobs, 1);
    blobs.n = 0;
    cw_blob(&blobs, 6, 1, (int[]){4}, sc, 0);
    cw_layer(&net, "sc", "Scale", &blobs, 1);
    blobs.n = 0;
    cw_blob(&blobs, 6, 4, (int[]){40, 4, 1, 1}, wo, 0);
    cw_blob(&blobs, 6, 1, (int[]){40}, bo, 0);
    cw_layer(&net, "out", "Convolution", &blobs, 1);
    cw_layer(&net, "not_in_the_prototxt", "Convolution", &blobs, 1); /* ignored, as Caffe does */
    cw_save(&net, path_in("struct.caffemodel"));

    opc_error err;
    opc_convert_options opt = {
        .topology = "mpi4", .name = "structure", .net_width = 64, .net_height = 48};
    int rc = opc_convert_caffe(path_in("struct.prototxt"), path_in("struct.caffemodel"),
                               path_in("struct.opc"), &opt, &err);
    CHECK(rc == OPC_OK, "%s", err.msg);
    opc_model *m = rc == OPC_OK ? opc_model_open(path_in("struct.opc"), &err) : NULL;
    if (!m)
        goto done;
    const opc_graph *g = opc_model_graph(m);
    /* a, relu_a, leaky, sum, g, pool, fpool, sc, out, cat */
    CHECK(g->n_layers == 10, "layers %d", g->n_layers);
    CHECK(strcmp(opc_model_name(m), "structure") == 0, "--name");
    CHECK(strcmp(opc_test_topology_name(m), "mpi4") == 0, "--topology");
    CHECK(opc_model_preprocess(m)->net_width == 64 && opc_model_preprocess(m)->net_height == 48,
          "net resolution");
    CHECK(strcmp(g->blob_names[0], "data") == 0, "input from the Input layer");
    CHECK(strcmp(g->blob_names[g->outputs[0].blob], "final") == 0, "output");

    const opc_layer *a = opc_test_layer(g, "a");
    CHECK(a && a->op == OPC_OP_CONV && a->act == OPC_ACT_NONE, "a stays linear: its value is "
                                                               "read before the ReLU");
    CHECK(a && a->kernel[0] == 3 && a->kernel[1] == 1 && a->stride[0] == 2 && a->stride[1] == 1 &&
              a->pad[0] == 1 && a->pad[1] == 0 && a->pad[2] == 1 && a->pad[3] == 0,
          "kernel/stride/pad h and w");
    CHECK(a && strcmp(out_name(g, a), "a@a") == 0, "the pre-ReLU value is 'a@a' (%s)",
          out_name(g, a));
    CHECK(a && same_floats(&a->weight, wa, 36) && same_floats(&a->bias, ba, 4),
          "legacy dims, bias 1x1x1x4");
    CHECK(a && a->weight.ndim == 4 && a->weight.shape[0] == 4 && a->weight.shape[2] == 3 &&
              a->weight.shape[3] == 1,
          "weight OIHW");

    const opc_layer *r = opc_test_layer(g, "relu_a");
    CHECK(r && r->op == OPC_OP_ACT && r->act == OPC_ACT_RELU, "standalone ReLU");
    CHECK(r && strcmp(opc_test_in_name(g, r, 0), "a@a") == 0 && strcmp(out_name(g, r), "a") == 0,
          "in-place ReLU output keeps the name 'a'");
    const opc_layer *l = opc_test_layer(g, "leaky");
    CHECK(l && l->op == OPC_OP_ACT && l->act == OPC_ACT_PRELU && l->slope.count == 1 &&
              l->slope.data[0] == 0.125f,
          "leaky ReLU = shared-slope PReLU");
    CHECK(l && strcmp(opc_test_in_name(g, l, 0), "a@a") == 0, "Dropout and Split are aliases");
    const opc_layer *s = opc_test_layer(g, "sum");
    CHECK(s && s->op == OPC_OP_ADD && s->act == OPC_ACT_RELU && s->n_inputs == 3, "sum+relu");
    CHECK(s && strcmp(opc_test_in_name(g, s, 0), "a") == 0 &&
              strcmp(opc_test_in_name(g, s, 1), "l") == 0 &&
              strcmp(opc_test_in_name(g, s, 2), "a@a") == 0,
          "sum inputs: %s %s %s", opc_test_in_name(g, s, 0), opc_test_in_name(g, s, 1),
          opc_test_in_name(g, s, 2));
    const opc_layer *gl = opc_test_layer(g, "g");
    CHECK(gl && gl->group == 2 && gl->dilation[0] == 2 && gl->dilation[1] == 2 && gl->pad[0] == 2 &&
              gl->weight.shape[1] == 2,
          "group/dilation");
    CHECK(gl && gl->act == OPC_ACT_PRELU && gl->slope.count == 1 && gl->slope.data[0] == 0.3f,
          "shared PReLU fused");
    CHECK(gl && same_floats(&gl->weight, wg, 72) && same_floats(&gl->bias, bg, 4),
          "unpacked floats and dims");
    const opc_layer *p = opc_test_layer(g, "pool");
    CHECK(p && p->op == OPC_OP_MAXPOOL && p->ceil_mode == 1 && p->kernel[0] == 3 &&
              p->stride[0] == 2 && p->pad[0] == 1 && p->pad[3] == 1,
          "pool");
    const opc_layer *fp = opc_test_layer(g, "fpool");
    CHECK(fp && fp->ceil_mode == 0 && fp->kernel[0] == 1 && fp->kernel[1] == 2, "floor pool");
    const opc_layer *scl = opc_test_layer(g, "sc");
    CHECK(scl && scl->op == OPC_OP_AFFINE && scl->bias.data == NULL &&
              same_floats(&scl->weight, sc, 4) && strcmp(opc_test_in_name(g, scl, 0), "fp") == 0,
          "Scale after a pool stays an affine layer reading through the 1-input concat");
    const opc_layer *o = opc_test_layer(g, "out");
    CHECK(o && same_floats(&o->weight, wo, 160) && same_floats(&o->bias, bo, 40),
          "kernel_size list");
    const opc_layer *c = opc_test_layer(g, "cat");
    CHECK(c && c->op == OPC_OP_CONCAT && strcmp(opc_test_in_name(g, c, 0), "out") == 0 &&
              strcmp(opc_test_in_name(g, c, 1), "sc") == 0,
          "concat");
    CHECK(opc_test_layer(g, "train_only") == NULL, "TRAIN-phase layer left out");
    opc_model_stats st;
    CHECK(opc_model_stats_at(m, 16, 16, &st, &err) == OPC_OK && st.out_c == 44 && st.out_h == 5 &&
              st.out_w == 8,
          "output %dx%dx%d", st.out_c, st.out_h, st.out_w);
    opc_model_close(m);
done:
    free(wa), free(ba), free(wg), free(bg), free(sc), free(wo), free(bo);
    free(net.p), free(blobs.p);
}

int main(void)
{
    dir = opc_test_tmpdir("caffe_layers");
    test_folding();
    test_scale_into_next();
    test_structure();
    return opc_test_result();
}
