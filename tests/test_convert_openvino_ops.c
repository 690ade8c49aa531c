/* The OpenVINO converter on small IRs written here, one feature at a time: int8 weights
 * dequantized exactly ((q - zero point) x scale in double, rounded once), the input's
 * scale and mean becoming the preprocessing, bias / scale / activation folding (and not
 * folding where another layer reads the blob, also through dropped FakeQuantize layers),
 * grouped convolution weights through a Reshape, every Const element type, FakeQuantize on
 * constants (opset1, round half to even) and kept on activations (--keep-fake-quantize),
 * MaxPool, Concat, Interpolate (bilinear; nearest under the rules that pick floor(x / f)),
 * Clamp, PReLU, Elu, Sigmoid, two outputs joined as heatmaps then PAFs, --output-node, and
 * shapes recomputed for other input sizes. Expected numbers are worked out here, in double, from the values written. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/graph.h"
#include "openpose-c/convert.h"
#include "openpose-c/files.h"
#include "openpose-c/model.h"
#include "openpose-c/net.h"
#include "ov_writer.h"
#include "testutil.h"

/* ---- running the converter ---- */

typedef struct {
    char xml[4200], bin[4200], model[4200];
    opc_convert_options opt;
    opc_error err;
    opc_model *m;
    const opc_graph *g;
} run;

static int convert(run *r, ovw *w)
{
    opc_model_close(r->m);
    r->m = NULL;
    r->g = NULL;
    unlink(r->model);
    char *xml = ovw_xml(w);
    CHECK(opc_write_file_atomic(r->xml, xml, strlen(xml), &r->err) == OPC_OK, "%s", r->err.msg);
    CHECK(opc_write_file_atomic(r->bin, w->bin ? (void *)w->bin : "", w->bin_n, &r->err) == OPC_OK,
          "%s", r->err.msg);
    free(xml);
    ovw_free(w);
    int rc = opc_convert_openvino(r->xml, r->bin, r->model, &r->opt, &r->err);
    if (rc == OPC_OK) {
        r->m = opc_model_open(r->model, &r->err);
        CHECK(r->m != NULL, "%s", r->err.msg);
        r->g = r->m ? opc_model_graph(r->m) : NULL;
    }
    return rc;
}

static const opc_layer *layer(run *r, const char *name)
{
    const opc_layer *l = r->g ? opc_test_layer(r->g, name) : NULL;
    CHECK(l != NULL, "no layer %s", name);
    return l;
}

/* The layer writing the blob called name. */
static const opc_layer *writer(run *r, const char *blob)
{
    for (int i = 0; r->g && i < r->g->n_layers; i++)
        if (strcmp(r->g->blob_names[r->g->layers[i].output], blob) == 0)
            return &r->g->layers[i];
    CHECK(0, "no blob %s", blob);
    return NULL;
}

/* IEEE half -> double, written apart from the converter's decoder. */
static double half(uint16_t h)
{
    double m = h & 1023;
    int e = (h >> 10) & 31;
    double v = e ? ldexp(m + 1024, e - 25) : ldexp(m, -24);
    return h & 0x8000 ? -v : v;
}

static double f16_value(float f) { return half(ovw_f16(f)); }

/* ---- IR pieces ---- */

static int scalar_f32(ovw *w, const char *name, float v)
{
    return ovw_const_f32(w, name, "", &v, 1);
}

/* FakeQuantize of x with scalar limits lo..hi, 256 levels. */
static int fake_quantize(ovw *w, const char *name, int x, float lo, float hi)
{
    char n[4][64];
    int in[5] = {x};
    for (int k = 0; k < 4; k++) {
        snprintf(n[k], sizeof n[k], "%s/lim%d", name, k);
        in[k + 1] = scalar_f32(w, n[k], k % 2 ? hi : lo);
    }
    return ovw_layer(w, "FakeQuantize", name, "auto_broadcast=\"numpy\" levels=\"256\"", 5, in);
}

/* A 1x1 convolution of x (c channels) to n outputs (weight (o + 1) / 100 for input 0, zero
 * otherwise) and a Result. */
static int head(ovw *w, const char *name, int x, int c, int n)
{
    float *wt = calloc((size_t)n * c, sizeof *wt);
    char wn[64], rn[64];
    for (int o = 0; o < n; o++)
        wt[(size_t)o * c] = (float)(o + 1) / 100;
    snprintf(wn, sizeof wn, "%s/w", name);
    snprintf(rn, sizeof rn, "%s/sink_port_0", name);
    char shape[64];
    snprintf(shape, sizeof shape, "%d,%d,1,1", n, c);
    int k = ovw_const_f32(w, wn, shape, wt, (size_t)n * c);
    free(wt);
    int cv = ovw_layer(w, "Convolution", name,
                       "strides=\"1,1\" dilations=\"1,1\" pads_begin=\"0,0\" pads_end=\"0,0\" "
                       "auto_pad=\"explicit\"",
                       2, (int[]){x, k});
    return ovw_layer(w, "Result", rn, NULL, 1, &cv);
}

static int parameter(ovw *w, const char *shape)
{
    char a[128];
    snprintf(a, sizeof a, "element_type=\"f16\" shape=\"%s\"", shape);
    return ovw_layer(w, "Parameter", "data", a, 0, NULL);
}

static const char CONV3[] = "strides=\"2,2\" dilations=\"1,1\" pads_begin=\"1,1\" "
                            "pads_end=\"1,1\" auto_pad=\"explicit\"";

/* ---- the IRs ---- */

/* The int8 weight values of conv1 ([4, 3, 3, 3]) and the depthwise layer ([4, 1, 3, 3]). */
static int8_t q1(int i) { return (int8_t)((i * 37) % 255 - 127); }
static int8_t qd(int i) { return (int8_t)(60 - i * 7 % 121); }

static const float ZP1[4] = {0, 7.62939453125e-06f, -7.62939453125e-06f, 0};
static const float S1[4] = {0.01f, 0.02f, 0.5f, 3e-4f};
static const float B1[4] = {0.5f, -0.25f, 1.0f, -2.0f};
static const float ZPD[4] = {7.62939453125e-06f, 0, 0, -7.62939453125e-06f};
static const float SD[4] = {0.003f, 0.1f, 0.25f, 1.5f};

/* i8 -> Convert -> Subtract zero point -> Multiply scale [-> Reshape to shape5], as the
 * FP16-INT8 IRs store weights. */
static int int8_weights(ovw *w, const char *name, int n_out, int per_out, int8_t (*q)(int),
                        const float *zp, const float *s, const int64_t *shape5)
{
    char n[6][96], shape[32];
    int8_t *v = malloc((size_t)n_out * per_out);
    for (int i = 0; i < n_out * per_out; i++)
        v[i] = q(i);
    snprintf(shape, sizeof shape, "%d,%d,3,3", n_out, per_out / 9);
    for (int k = 0; k < 6; k++)
        snprintf(n[k], sizeof n[k], "%s/%d", name, k);
    int c = ovw_const_bytes(w, n[0], "i8", shape, v, (size_t)n_out * per_out);
    free(v);
    snprintf(shape, sizeof shape, "%d,1,1,1", n_out);
    int cv = ovw_layer(w, "Convert", n[1], "destination_type=\"f16\"", 1, &c);
    int z = ovw_const_f16(w, n[2], shape, zp, (size_t)n_out);
    int sub = ovw_layer(w, "Subtract", n[3], "auto_broadcast=\"numpy\"", 2, (int[]){cv, z});
    int sc = ovw_const_f16(w, n[4], shape, s, (size_t)n_out);
    int mul = ovw_layer(w, "Multiply", n[5], "auto_broadcast=\"numpy\"", 2, (int[]){sub, sc});
    if (!shape5)
        return mul;
    char rn[96], sn[96];
    snprintf(sn, sizeof sn, "%s/shape", name);
    snprintf(rn, sizeof rn, "%s/reshape", name);
    int sh = ovw_const_i64(w, sn, shape5, 5);
    return ovw_layer(w, "Reshape", rn, "special_zero=\"true\"", 2, (int[]){mul, sh});
}

/* data -> x 1/255 -> + mean -> FQ -> conv1 (int8, stride 2) + bias -> ReLU -> depthwise
 * (int8, dilation 2) + bias -> Clamp(0, 6) -> FQ -> heads: PAFs (38) first, heatmaps (19). */
static void lw_chain(ovw *w, const char *size)
{
    int d = parameter(w, size);
    float sc = 0.0039215087890625f, mean[3] = {-0.501953125f, -0.25f, 0.125f};
    int s = ovw_const_f16(w, "data_mul", "1,1,1,1", &sc, 1);
    int mul = ovw_layer(w, "Multiply", "data/scale", "auto_broadcast=\"numpy\"", 2, (int[]){d, s});
    int m = ovw_const_f16(w, "data_add", "1,3,1,1", mean, 3);
    int add = ovw_layer(w, "Add", "data/mean", "auto_broadcast=\"numpy\"", 2, (int[]){mul, m});
    int fq = fake_quantize(w, "conv1/fq_input_0", add, -0.50586f, 0.50195f);
    int w1 = int8_weights(w, "conv1/w", 4, 27, q1, ZP1, S1, NULL);
    int c1 = ovw_layer(w, "Convolution", "conv1/WithoutBiases", CONV3, 2, (int[]){fq, w1});
    int b1 = ovw_const_f16(w, "conv1/b", "1,4,1,1", B1, 4);
    int a1 = ovw_layer(w, "Add", "conv1", "auto_broadcast=\"numpy\"", 2, (int[]){c1, b1});
    int r1 = ovw_layer(w, "ReLU", "relu1", NULL, 1, &a1);
    int wd = int8_weights(w, "dw/w", 4, 9, qd, ZPD, SD, (int64_t[]){0, 1, 1, 3, 3});
    int cd = ovw_layer(w, "GroupConvolution", "dw/WithoutBiases",
                       "strides=\"1,1\" dilations=\"2,2\" pads_begin=\"2,2\" pads_end=\"2,2\" "
                       "auto_pad=\"explicit\"",
                       2, (int[]){r1, wd});
    int bd = ovw_const_f32(w, "dw/b", "1,4,1,1", (float[]){0, 0.125f, -0.125f, 3}, 4);
    int ad = ovw_layer(w, "Add", "dw", "auto_broadcast=\"numpy\"", 2, (int[]){cd, bd});
    int cl = ovw_layer(w, "Clamp", "relu_dw", "min=\"0\" max=\"6\"", 1, &ad);
    int fq2 = fake_quantize(w, "heads/fq", cl, 0, 6);
    head(w, "paf", fq2, 4, 38);
    head(w, "heat", fq2, 4, 19);
}

static void test_lw_chain(run *r)
{
    ovw w = {0};
    lw_chain(&w, "1,3,16,24");
    int rc = convert(r, &w);
    CHECK(rc == OPC_OK, "lw chain: %s", r->err.msg);
    if (rc)
        return;
    const opc_preprocess *p = opc_model_preprocess(r->m);
    CHECK(p->scale[0] == 0.0039215087890625f && p->scale[2] == 0.0039215087890625f &&
              p->offset[0] == -0.501953125f && p->offset[1] == -0.25f && p->offset[2] == 0.125f &&
              !strcmp(p->channel_order, "BGR") && !strcmp(p->placement, "top_left") &&
              !strcmp(p->size_rule, "multiple") && p->size_step == 2 && p->stride == 2,
          "preprocessing: scale %.10g, offsets %g %g %g, %s, %s, %s %d, stride %d", p->scale[0],
          p->offset[0], p->offset[1], p->offset[2], p->channel_order, p->placement, p->size_rule,
          p->size_step, p->stride);
    CHECK(r->g->n_layers == 4, "%d layers (conv1, dw, two heads)", r->g->n_layers);
    const opc_layer *c1 = writer(r, "relu1"), *dw = writer(r, "relu_dw");
    if (!c1 || !dw)
        return;
    CHECK(c1->op == OPC_OP_CONV && c1->act == OPC_ACT_RELU && c1->stride[0] == 2 &&
              c1->stride[1] == 2 && c1->pad[0] == 1 && c1->pad[3] == 1 && c1->group == 1 &&
              c1->inputs[0] == 0 && !strcmp(c1->name, "conv1/WithoutBiases"),
          "conv1: op %d act %d stride %d pad %d group %d input %d name %s", c1->op, c1->act,
          c1->stride[0], c1->pad[0], c1->group, c1->inputs[0], c1->name);
    int exact = 1;
    for (int o = 0; o < 4; o++) {
        for (int i = 0; i < 27; i++)
            exact &= c1->weight.data[o * 27 + i] ==
                     (float)((q1(o * 27 + i) - f16_value(ZP1[o])) * f16_value(S1[o]));
        exact &= c1->bias.data[o] == (float)f16_value(B1[o]);
    }
    CHECK(exact, "conv1's weights are not (q - zp) x scale rounded once, or its bias differs");
    CHECK(dw->op == OPC_OP_CONV && dw->act == OPC_ACT_RELU6 && dw->group == 4 &&
              dw->out_channels == 4 && dw->weight.shape[1] == 1 && dw->dilation[0] == 2 &&
              dw->dilation[1] == 2 && dw->pad[0] == 2 && dw->pad[2] == 2 && dw->stride[0] == 1,
          "depthwise: op %d act %d group %d in/group %d dilation %d pad %d", dw->op, dw->act,
          dw->group, dw->weight.shape[1], dw->dilation[0], dw->pad[0]);
    exact = 1;
    for (int o = 0; o < 4; o++)
        for (int i = 0; i < 9; i++)
            exact &= dw->weight.data[o * 9 + i] ==
                     (float)((qd(o * 9 + i) - f16_value(ZPD[o])) * f16_value(SD[o]));
    CHECK(exact && dw->bias.data[3] == 3.0f, "depthwise weights or bias");
    const opc_graph *g = r->g;
    CHECK(g->n_outputs == 2 && !strcmp(g->outputs[0].name, "heatmaps") &&
              !strcmp(g->blob_names[g->outputs[0].blob], "heat") &&
              !strcmp(g->outputs[1].name, "pafs") &&
              !strcmp(g->blob_names[g->outputs[1].blob], "paf"),
          "the outputs are not heatmaps (heat) and pafs (paf): %d outputs, %s is %s", g->n_outputs,
          g->outputs[0].name, g->blob_names[g->outputs[0].blob]);
    const opc_head *hd = opc_model_head(r->m);
    CHECK(!strcmp(hd->decoder, "paf") && strstr(hd->params, "\"topology\":\"coco\"") &&
              strstr(hd->params, "\"heatmaps\":\"heatmaps\"") &&
              strstr(hd->params, "\"pafs\":\"pafs\"") &&
              !strcmp(opc_model_keypoints(r->m)->name, "coco18"),
          "head %s %s, keypoints %s", hd->decoder, hd->params, opc_model_keypoints(r->m)->name);

    /* Any input size: the IR's port sizes (16x24) are not used. */
    opc_net *net = opc_net_create(r->m, &(opc_net_options){.threads = 1}, &r->err);
    CHECK(net != NULL, "%s", r->err.msg);
    static const int sizes[][2] = {{40, 24}, {13, 9}, {8, 8}};
    for (int i = 0; net && i < 3; i++) {
        opc_tensor x = {0};
        const opc_tensor *out[2];
        opc_tensor_alloc(&x, 1, 3, sizes[i][1], sizes[i][0], &r->err);
        rc = opc_net_forward_all(net, &x, out, &r->err);
        int oh = (sizes[i][1] + 1) / 2, ow = (sizes[i][0] + 1) / 2;
        CHECK(rc == OPC_OK && out[0]->c == 19 && out[0]->h == oh && out[0]->w == ow &&
                  out[1]->c == 38 && out[1]->h == oh && out[1]->w == ow,
              "%dx%d: %s", sizes[i][0], sizes[i][1], rc ? r->err.msg : "wrong output shapes");
        opc_tensor_free(&x);
    }
    opc_net_free(net);

    /* --keep-fake-quantize: the two activation FakeQuantize layers are layers, with their
     * levels and limits (shared: [4, 1]); nothing else changes. */
    r->opt.keep_fake_quantize = 1;
    lw_chain(&w, "1,3,16,24");
    rc = convert(r, &w);
    r->opt.keep_fake_quantize = 0;
    CHECK(rc == OPC_OK, "kept FakeQuantize: %s", r->err.msg);
    const opc_layer *fq = rc ? NULL : writer(r, "conv1/fq_input_0");
    CHECK(fq && fq->op == OPC_OP_FAKE_QUANTIZE && fq->levels == 256 && fq->inputs[0] == 0 &&
              fq->weight.ndim == 2 && fq->weight.shape[0] == 4 && fq->weight.shape[1] == 1 &&
              fq->weight.data[0] == -0.50586f && fq->weight.data[1] == 0.50195f &&
              fq->weight.data[2] == -0.50586f && fq->weight.data[3] == 0.50195f,
          "the input's FakeQuantize");
    CHECK(!rc && r->g->n_layers == 6 && writer(r, "relu1") &&
              writer(r, "relu1")->inputs[0] == fq->output,
          "kept FakeQuantize: %d layers", rc ? 0 : r->g->n_layers);

    /* --output-node: the depthwise layer's output (4 channels: no topology has them) */
    r->opt.output_node = "relu_dw";
    lw_chain(&w, "1,3,16,24");
    rc = convert(r, &w);
    CHECK(rc != OPC_OK && strstr(r->err.msg, "4 channels of output 'relu_dw'"), "output node: %s",
          rc ? r->err.msg : "converted");
    r->opt.output_node = NULL;
}

/* A Const of every element type, through Convert to f32, as the bias of a 1x1 convolution
 * of 7 outputs. */
static void test_element_types(run *r)
{
    static const struct {
        const char *type;
        uint8_t bytes[7 * 8];
        size_t size;
        double expect[7];
    } T[] = {
        {"f32", {0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0, 1, 0, 0, 0, 0xff, 0xff, 0x7f, 0x7f,
                 0, 0, 0, 0x80, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x3d}, 4,
         {1.5, -2, 1.401298464324817e-45, 3.4028234663852886e38, -0.0, 1, 0.03125}},
        {"f16", {0, 0x3c, 0, 0xb8, 1, 0, 0xff, 0x7b, 0x04, 0x1c, 0x04, 0xb8, 0xff, 3}, 2,
         {1, -0.5, 5.960464477539063e-08, 65504, 0.0039215087890625, -0.501953125,
          6.097555160522461e-05}},
        {"f64", {0}, 8, {0, 0, 0, 0, 0, 0, 0}},
        {"i8", {0x80, 0x7f, 0, 0xff, 1, 2, 0xfe}, 1, {-128, 127, 0, -1, 1, 2, -2}},
        {"u8", {0xff, 0x7f, 0, 0x80, 1, 2, 3}, 1, {255, 127, 0, 128, 1, 2, 3}},
        {"i32", {0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0x80}, 4,
         {-1, 16, 65536, -2147483648.0, 0, 0, 0}},
        {"i64", {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x40, 0x42, 0xf, 0, 0, 0, 0, 0}, 8,
         {-2, 1000000, 0, 0, 0, 0, 0}},
    };
    for (size_t t = 0; t < sizeof T / sizeof T[0]; t++) {
        ovw w = {0};
        int d = parameter(&w, "1,3,8,8");
        float one[21] = {1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0};
        int k = ovw_const_f32(&w, "w", "7,3,1,1", one, 21);
        int cv = ovw_layer(&w, "Convolution", "conv",
                           "strides=\"1,1\" dilations=\"1,1\" pads_begin=\"0,0\" pads_end=\"0,0\"",
                           2, (int[]){d, k});
        uint8_t bytes[7 * 8];
        memcpy(bytes, T[t].bytes, sizeof bytes);
        if (!strcmp(T[t].type, "f64")) /* exact doubles: 1/3 and -1e-300 stay what they are */
            for (int i = 0; i < 7; i++) {
                double v = i == 0 ? 1.0 / 3 : i == 1 ? -2.5e10 : i;
                memcpy(bytes + 8 * i, &v, 8);
            }
        int b = ovw_const_bytes(&w, "b", T[t].type, "1,7,1,1", bytes, 7 * T[t].size);
        int bc = ovw_layer(&w, "Convert", "b/to_f32", "destination_type=\"f32\"", 1, &b);
        int add = ovw_layer(&w, "Add", "biased", "auto_broadcast=\"numpy\"", 2, (int[]){cv, bc});
        head(&w, "heat", add, 7, 19);
        head(&w, "paf", add, 7, 38);
        int rc = convert(r, &w);
        CHECK(rc == OPC_OK, "%s: %s", T[t].type, r->err.msg);
        const opc_layer *l = rc ? NULL : writer(r, "biased");
        if (!l)
            continue;
        for (int i = 0; i < 7; i++) {
            double e = !strcmp(T[t].type, "f64") ? (i == 0 ? 1.0 / 3 : i == 1 ? -2.5e10 : i)
                                                 : T[t].expect[i];
            CHECK(l->bias.data[i] == (float)e, "%s value %d: %.9g, expected %.9g", T[t].type, i,
                  l->bias.data[i], (float)e);
        }
    }
}

/* Scales and shifts after a convolution fold into it (y = s (W x + b) + o); after a ReLU
 * or on a sum they are an affine layer of their own; a constant minus an activation is a
 * scale of -1. */
static void test_scale_shift(run *r)
{
    ovw w = {0};
    int d = parameter(&w, "1,3,8,8");
    float wt[6] = {1, 2, 3, 4, 5, 6};
    int k = ovw_const_f32(&w, "w", "2,3,1,1", wt, 6);
    int cv = ovw_layer(&w, "Convolution", "conv",
                       "strides=\"1,1\" dilations=\"1,1\" pads_begin=\"0,0\" pads_end=\"0,0\"", 2,
                       (int[]){d, k});
    int s = ovw_const_f32(&w, "s", "2,1,1", (float[]){2, -0.5f}, 2);
    int mul = ovw_layer(&w, "Multiply", "scaled", NULL, 2, (int[]){s, cv});
    int o = scalar_f32(&w, "o", 0.25f);
    int sub = ovw_layer(&w, "Subtract", "shifted", NULL, 2, (int[]){mul, o});
    int dv = ovw_const_f32(&w, "dv", "1,2,1,1", (float[]){4, 0.5f}, 2);
    int div = ovw_layer(&w, "Divide", "divided", NULL, 2, (int[]){sub, dv});
    int relu = ovw_layer(&w, "ReLU", "relu", NULL, 1, &div);
    int kk = ovw_const_f32(&w, "kk", "1,2,1,1", (float[]){1, 3}, 2);
    int neg = ovw_layer(&w, "Subtract", "negated", NULL, 2, (int[]){kk, relu});
    int sum = ovw_layer(&w, "Add", "sum", NULL, 2, (int[]){neg, relu});
    int half_ = scalar_f32(&w, "half", 0.5f);
    int hs = ovw_layer(&w, "Multiply", "halved", NULL, 2, (int[]){sum, half_});
    head(&w, "heat", hs, 2, 19);
    head(&w, "paf", hs, 2, 38);
    int rc = convert(r, &w);
    CHECK(rc == OPC_OK, "scale/shift: %s", r->err.msg);
    if (rc)
        return;
    const opc_layer *c = writer(r, "relu"), *n = writer(r, "negated"), *a = writer(r, "sum"),
                    *h = writer(r, "halved");
    if (!c || !n || !a || !h)
        return;
    /* channel 0: ((W x) * 2 - 0.25) / 4; channel 1: ((W x) * -0.5 - 0.25) / 0.5 */
    static const float ew[6] = {0.5f, 1, 1.5f, -4, -5, -6};
    CHECK(c->op == OPC_OP_CONV && c->act == OPC_ACT_RELU && c->bias.data &&
              c->bias.data[0] == -0.0625f && c->bias.data[1] == -0.5f,
          "conv: op %d act %d bias %g %g", c->op, c->act, c->bias.data ? c->bias.data[0] : 0,
          c->bias.data ? c->bias.data[1] : 0);
    for (int i = 0; i < 6; i++)
        CHECK(c->weight.data[i] == ew[i], "weight %d: %g, expected %g", i, c->weight.data[i], ew[i]);
    CHECK(n->op == OPC_OP_AFFINE && n->weight.data[0] == -1 && n->weight.data[1] == -1 &&
              n->bias.data[0] == 1 && n->bias.data[1] == 3,
          "k - x: op %d", n->op);
    CHECK(a->op == OPC_OP_ADD && a->n_inputs == 2, "sum: op %d", a->op);
    CHECK(h->op == OPC_OP_AFFINE && h->weight.data[0] == 0.5f && h->weight.data[1] == 0.5f &&
              h->inputs[0] == a->output,
          "x * 0.5 after a sum: op %d", h->op);
}

/* A blob read by two layers (here through two dropped FakeQuantize layers) keeps its own
 * activation layer: folding the ReLU into the convolution would change the other reader's
 * input. */
static void test_readers(run *r)
{
    ovw w = {0};
    int d = parameter(&w, "1,3,8,8");
    int k = ovw_const_f32(&w, "w", "2,3,1,1", (float[]){1, -1, 1, -1, 1, -1}, 6);
    int cv = ovw_layer(&w, "Convolution", "conv",
                       "strides=\"1,1\" dilations=\"1,1\" pads_begin=\"0,0\" pads_end=\"0,0\"", 2,
                       (int[]){d, k});
    int fa = fake_quantize(&w, "fqa", cv, -1, 1);
    int fb = fake_quantize(&w, "fqb", cv, -1, 1);
    int relu = ovw_layer(&w, "ReLU", "relu", NULL, 1, &fa);
    int sum = ovw_layer(&w, "Add", "sum", NULL, 2, (int[]){relu, fb});
    head(&w, "heat", sum, 2, 19);
    head(&w, "paf", sum, 2, 38);
    int rc = convert(r, &w);
    CHECK(rc == OPC_OK, "readers: %s", r->err.msg);
    const opc_layer *c = rc ? NULL : writer(r, "conv"), *a = rc ? NULL : writer(r, "relu");
    CHECK(c && a && c->op == OPC_OP_CONV && c->act == OPC_ACT_NONE && a->op == OPC_OP_ACT &&
              a->act == OPC_ACT_RELU,
          "the ReLU folded into a convolution that has two readers");
}

/* FakeQuantize on constants (levels 3 over 0..2: steps of 1, ties to even) as weights,
 * MaxPool, Concat, Interpolate (opset1 sizes and opset4 scales), PReLU, Clamp(0, inf). */
static void test_other_ops(run *r)
{
    ovw w = {0};
    int d = parameter(&w, "1,3,8,12");
    float x[6] = {-1, 0.5f, 1.5f, 1, 2.5f, 0.49f};
    int wc = ovw_const_f32(&w, "wq", "2,3,1,1", x, 6);
    int in[5] = {wc, scalar_f32(&w, "il", 0), scalar_f32(&w, "ih", 2), scalar_f32(&w, "ol", 0),
                 scalar_f32(&w, "oh", 2)};
    int fq = ovw_layer(&w, "FakeQuantize", "wq/fq", "levels=\"3\"", 5, in);
    int cv = ovw_layer(&w, "Convolution", "conv",
                       "strides=\"1,1\" dilations=\"1,1\" pads_begin=\"0,0\" pads_end=\"0,0\"", 2,
                       (int[]){d, fq});
    int sl = ovw_const_f32(&w, "slope", "1,2,1,1", (float[]){0.25f, -2}, 2);
    int pr = ovw_layer(&w, "PReLU", "prelu", NULL, 2, (int[]){cv, sl});
    int mp = ovw_layer(&w, "MaxPool", "pool",
                       "kernel=\"3,3\" strides=\"2,2\" pads_begin=\"1,1\" pads_end=\"1,1\" "
                       "rounding_type=\"floor\" auto_pad=\"explicit\"",
                       1, &pr);
    int sz = ovw_const_i64(&w, "sizes", (int64_t[]){8, 12}, 2);
    int up1 = ovw_layer(&w, "Interpolate", "up1", "axes=\"2,3\" mode=\"linear\" align_corners=\"0\"",
                        2, (int[]){mp, sz});
    int64_t zeros[2] = {0, 0};
    int sz4 = ovw_const_i64(&w, "sizes4", zeros, 2);
    int sc4 = ovw_const_f32(&w, "scales4", "2", (float[]){2, 2}, 2);
    int ax4 = ovw_const_i64(&w, "axes4", (int64_t[]){2, 3}, 2);
    int up4 = ovw_layer_v(&w, "opset4", "Interpolate", "up4",
                        "mode=\"linear_onnx\" shape_calculation_mode=\"scales\" "
                        "coordinate_transformation_mode=\"asymmetric\" nearest_mode=\"floor\" "
                        "antialias=\"false\" pads_begin=\"0,0,0,0\" pads_end=\"0,0,0,0\" "
                        "cube_coeff=\"-0.75\"",
                        4, (int[]){mp, sz4, sc4, ax4});
    int cat = ovw_layer(&w, "Concat", "cat", "axis=\"1\"", 3, (int[]){up1, up4, pr});
    int cl = ovw_layer(&w, "Clamp", "clamp", "min=\"0\" max=\"3.4028234663852886e+38\"", 1, &cat);
    head(&w, "heat", cl, 6, 19);
    head(&w, "paf", cl, 6, 38);
    int rc = convert(r, &w);
    CHECK(rc == OPC_OK, "other ops: %s", r->err.msg);
    if (rc)
        return;
    const opc_layer *c = layer(r, "conv"), *p = layer(r, "pool"), *u1 = layer(r, "up1"),
                    *u4 = layer(r, "up4"), *ct = layer(r, "cat");
    if (!c || !p || !u1 || !u4 || !ct)
        return;
    /* -1 -> 0 (below), 0.5 -> 0 (tie to even), 1.5 -> 2 (tie to even), 1 -> 1, 2.5 -> 2
     * (above), 0.49 -> 0 */
    static const float eq[6] = {0, 0, 2, 1, 2, 0};
    for (int i = 0; i < 6; i++)
        CHECK(c->weight.data[i] == eq[i], "FakeQuantize of weight %d: %g, expected %g", i,
              c->weight.data[i], eq[i]);
    CHECK(c->act == OPC_ACT_PRELU && c->slope.count == 2 && c->slope.data[1] == -2,
          "PReLU: act %d", c->act);
    CHECK(p->op == OPC_OP_MAXPOOL && p->kernel[0] == 3 && p->stride[1] == 2 && p->pad[1] == 1 &&
              !p->ceil_mode,
          "MaxPool");
    CHECK(u1->op == OPC_OP_RESIZE && u1->resize_factor == 2 &&
              u1->resize_mode == OPC_RESIZE_BILINEAR && u4->op == OPC_OP_RESIZE &&
              u4->resize_factor == 2 && u4->resize_mode == OPC_RESIZE_BILINEAR,
          "Interpolate factors %d, %d", u1->resize_factor, u4->resize_factor);
    CHECK(ct->op == OPC_OP_CONCAT && ct->n_inputs == 3 && ct->act == OPC_ACT_NONE, "Concat");
    const opc_layer *cl_l = writer(r, "clamp");
    CHECK(cl_l && cl_l->op == OPC_OP_ACT && cl_l->act == OPC_ACT_RELU, "Clamp(0, inf) is a ReLU");
}

/* Elu (alpha stored), Sigmoid, a general Clamp, and nearest Interpolate: opset1, and opset4
 * under the rules that pick floor(x / factor) (asymmetric floor; half_pixel with
 * round_prefer_floor at factor 2), refused under one that does not (half_pixel floor). */
static void nearest_ir(ovw *w, const char *coord, const char *rounding)
{
    int d = parameter(w, "1,3,8,8");
    int k = ovw_const_f32(w, "w", "2,3,1,1", (float[]){1, 2, 3, 4, 5, 6}, 6);
    int cv = ovw_layer(w, "Convolution", "conv",
                       "strides=\"1,1\" dilations=\"1,1\" pads_begin=\"0,0\" pads_end=\"0,0\"", 2,
                       (int[]){d, k});
    int elu = ovw_layer(w, "Elu", "elu", "alpha=\"0.5\"", 1, &cv);
    int sg = ovw_layer(w, "Sigmoid", "sigmoid", NULL, 1, &elu);
    int cl = ovw_layer(w, "Clamp", "clamp", "min=\"-1\" max=\"0.75\"", 1, &sg);
    int sz = ovw_const_i64(w, "sizes", (int64_t[]){16, 16}, 2);
    int up1 = ovw_layer(w, "Interpolate", "up1", "axes=\"2,3\" mode=\"nearest\" align_corners=\"0\"",
                        2, (int[]){cl, sz});
    char a[512];
    snprintf(a, sizeof a,
             "mode=\"nearest\" shape_calculation_mode=\"scales\" "
             "coordinate_transformation_mode=\"%s\" nearest_mode=\"%s\" antialias=\"false\"",
             coord, rounding);
    int sz4 = ovw_const_i64(w, "sizes4", (int64_t[]){0, 0}, 2);
    int sc4 = ovw_const_f32(w, "scales4", "2", (float[]){2, 2}, 2);
    int up4 = ovw_layer_v(w, "opset4", "Interpolate", "up4", a, 3, (int[]){cl, sz4, sc4});
    int cat = ovw_layer(w, "Concat", "cat", "axis=\"-3\"", 2, (int[]){up1, up4});
    head(w, "heat", cat, 4, 19);
    head(w, "paf", cat, 4, 38);
}

static void test_activations_nearest(run *r)
{
    static const char *const ok[][2] = {{"asymmetric", "floor"},
                                        {"half_pixel", "round_prefer_floor"},
                                        {"asymmetric", "simple"}};
    for (int i = 0; i < 3; i++) {
        ovw w = {0};
        nearest_ir(&w, ok[i][0], ok[i][1]);
        int rc = convert(r, &w);
        CHECK(rc == OPC_OK, "nearest %s %s: %s", ok[i][0], ok[i][1], r->err.msg);
        if (rc)
            continue;
        const opc_layer *c = writer(r, "elu"), *s = writer(r, "sigmoid"), *cl = writer(r, "clamp"),
                        *u1 = writer(r, "up1"), *u4 = writer(r, "up4");
        if (!c || !s || !cl || !u1 || !u4)
            continue;
        CHECK(c->op == OPC_OP_CONV && c->act == OPC_ACT_ELU && c->act_param[0] == 0.5f,
              "Elu: op %d act %d alpha %g", c->op, c->act, c->act_param[0]);
        CHECK(s->op == OPC_OP_ACT && s->act == OPC_ACT_SIGMOID, "Sigmoid: op %d act %d", s->op,
              s->act);
        CHECK(cl->op == OPC_OP_ACT && cl->act == OPC_ACT_CLAMP && cl->act_param[0] == -1 &&
                  cl->act_param[1] == 0.75f,
              "Clamp: act %d, %g..%g", cl->act, cl->act_param[0], cl->act_param[1]);
        CHECK(u1->op == OPC_OP_RESIZE && u1->resize_mode == OPC_RESIZE_NEAREST &&
                  u1->resize_factor == 2 && u4->resize_mode == OPC_RESIZE_NEAREST &&
                  u4->resize_factor == 2,
              "nearest: modes %d %d, factors %d %d", u1->resize_mode, u4->resize_mode,
              u1->resize_factor, u4->resize_factor);
    }
    ovw w = {0};
    nearest_ir(&w, "half_pixel", "floor"); /* picks -1 -> 0, 0, 0, 1 ...: not floor(x / 2) */
    int rc = convert(r, &w);
    CHECK(rc != OPC_OK && strstr(r->err.msg, "layer up4") && strstr(r->err.msg, "half_pixel"),
          "nearest half_pixel floor: %s", rc ? r->err.msg : "converted");
}

int main(void)
{
    run r = {0};
    const char *dir = opc_test_tmpdir("convert_openvino_ops");
    snprintf(r.xml, sizeof r.xml, "%s/net.xml", dir);
    snprintf(r.bin, sizeof r.bin, "%s/net.bin", dir);
    snprintf(r.model, sizeof r.model, "%s/net.opc", dir);
    test_lw_chain(&r);
    test_element_types(&r);
    test_scale_shift(&r);
    test_readers(&r);
    test_other_ops(&r);
    test_activations_nearest(&r);
    opc_model_close(r.m);
    return opc_test_result();
}
