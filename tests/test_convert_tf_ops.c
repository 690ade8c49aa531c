/* The TensorFlow converter on small GraphDefs written here, one feature or one fault at a
 * time: folding (expected numbers worked out by hand, also of a scale into the 1x1 conv
 * after it), depthwise filter layout, Identity,
 * MaxPool, dynamic and fixed-size resize, the encodings of constants, and the errors for
 * unknown ops, missing inputs, wrong types, short tensors and unsupported attributes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "openpose-c/files.h"
#include "model/graph.h"
#include "openpose-c/convert.h"
#include "pb_writer.h"
#include "testutil.h"

/* ---- GraphDef pieces ---- */

enum { FLOAT = 1, INT32 = 3, INT64 = 9 };

static pbw_buf shape(int ndim, const int64_t *dims)
{
    pbw_buf s = {0};
    for (int i = 0; i < ndim; i++) {
        pbw_buf d = {0};
        pbw_int(&d, 1, dims[i]);
        pbw_msg(&s, 2, &d);
    }
    return s;
}

/* An attribute map entry of node n holding the AttrValue v. */
static void attr(pbw_buf *n, const char *name, pbw_buf *v)
{
    pbw_buf e = {0};
    pbw_str(&e, 1, name);
    pbw_msg(&e, 2, v);
    pbw_msg(n, 5, &e);
}
static void attr_s(pbw_buf *n, const char *name, const char *s)
{
    pbw_buf v = {0};
    pbw_str(&v, 2, s);
    attr(n, name, &v);
}
static void attr_i(pbw_buf *n, const char *name, int64_t i)
{
    pbw_buf v = {0};
    pbw_int(&v, 3, i);
    attr(n, name, &v);
}
static void attr_f(pbw_buf *n, const char *name, float f)
{
    pbw_buf v = {0};
    pbw_float(&v, 4, f);
    attr(n, name, &v);
}
static void attr_b(pbw_buf *n, const char *name, int b)
{
    pbw_buf v = {0};
    pbw_int(&v, 5, b);
    attr(n, name, &v);
}
static void attr_type(pbw_buf *n, const char *name, int t)
{
    pbw_buf v = {0};
    pbw_int(&v, 6, t);
    attr(n, name, &v);
}
static void attr_ints(pbw_buf *n, const char *name, int count, const int64_t *vals)
{
    pbw_buf packed = {0}, list = {0}, v = {0};
    for (int i = 0; i < count; i++)
        pbw_varint(&packed, (uint64_t)vals[i]);
    pbw_msg(&list, 3, &packed);
    pbw_msg(&v, 1, &list);
    attr(n, name, &v);
}

/* A node "name = op(inputs)" with inputs comma-separated; attrs (may be empty) are
 * appended and freed. */
static void node(pbw_buf *g, const char *name, const char *op, const char *inputs, pbw_buf *attrs)
{
    pbw_buf n = {0};
    pbw_str(&n, 1, name);
    pbw_str(&n, 2, op);
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", inputs);
    for (char *s = strtok(tmp, ","); s; s = strtok(NULL, ","))
        pbw_str(&n, 3, s);
    if (attrs && attrs->n)
        pbw_put(&n, attrs->p, attrs->n);
    if (attrs) {
        free(attrs->p);
        *attrs = (pbw_buf){0};
    }
    pbw_msg(g, 1, &n);
}

typedef enum { CONTENT, VALS, PACKED } encoding;

/* A Const node; values as floats (FLOAT) or integers. count may be below the shape's
 * element count (TensorFlow repeats the last value) or, with CONTENT, deliberately short. */
static void constant(pbw_buf *g, const char *name, int dtype, int ndim, const int64_t *dims,
                     const double *vals, int count, encoding enc)
{
    pbw_buf t = {0}, a = {0}, s = shape(ndim, dims), v = {0};
    pbw_int(&t, 1, dtype);
    pbw_msg(&t, 2, &s);
    if (enc == CONTENT) {
        pbw_buf c = {0};
        for (int i = 0; i < count; i++) {
            if (dtype == FLOAT) {
                float f = (float)vals[i];
                pbw_put(&c, &f, 4);
            } else {
                int32_t x = (int32_t)vals[i];
                pbw_put(&c, &x, 4);
            }
        }
        pbw_msg(&t, 4, &c);
    } else if (dtype == FLOAT && enc == VALS) {
        for (int i = 0; i < count; i++)
            pbw_float(&t, 5, (float)vals[i]);
    } else if (dtype == FLOAT) {
        pbw_buf p = {0};
        for (int i = 0; i < count; i++) {
            float f = (float)vals[i];
            pbw_put(&p, &f, 4);
        }
        pbw_msg(&t, 5, &p);
    } else {
        for (int i = 0; i < count; i++)
            pbw_int(&t, dtype == INT64 ? 10 : 7, (int64_t)vals[i]);
    }
    pbw_msg(&v, 8, &t);
    attr(&a, "value", &v);
    attr_type(&a, "dtype", dtype);
    node(g, name, "Const", "", &a);
}

static void placeholder(pbw_buf *g, const char *name, int dtype, int64_t h, int64_t w, int64_t c)
{
    pbw_buf a = {0}, v = {0}, s = shape(4, (int64_t[]){-1, h, w, c});
    attr_type(&a, "dtype", dtype);
    pbw_msg(&v, 7, &s);
    attr(&a, "shape", &v);
    node(g, name, "Placeholder", "", &a);
}

/* Conv2D or DepthwiseConv2dNative with stride s and the given padding. */
static void conv(pbw_buf *g, const char *name, const char *op, const char *inputs, int s,
                 const char *padding)
{
    pbw_buf a = {0};
    attr_type(&a, "T", FLOAT);
    attr_ints(&a, "strides", 4, (int64_t[]){1, s, s, 1});
    attr_s(&a, "padding", padding);
    attr_s(&a, "data_format", "NHWC");
    node(g, name, op, inputs, &a);
}

/* A 1x1 Conv2D from `in` (channels c) to the 57 COCO channels, all weights 0.5. */
static void head(pbw_buf *g, const char *in, int c)
{
    char inputs[128];
    constant(g, "head_w", FLOAT, 4, (int64_t[]){1, 1, c, 57}, (double[]){0.5}, 1, VALS);
    snprintf(inputs, sizeof inputs, "%s,head_w", in);
    conv(g, "out", "Conv2D", inputs, 1, "VALID");
}

static void batch_norm(pbw_buf *g, const char *name, const char *inputs, float eps, int training)
{
    pbw_buf a = {0};
    attr_type(&a, "T", FLOAT);
    attr_f(&a, "epsilon", eps);
    attr_b(&a, "is_training", training);
    node(g, name, "FusedBatchNorm", inputs, &a);
}

/* ---- running the converter ---- */

typedef struct {
    char pb[4200], model[4200];
    opc_convert_options opt;
    opc_error err;
    opc_model *m;
} run;

static int convert(run *r, pbw_buf *g)
{
    opc_model_close(r->m);
    r->m = NULL;
    unlink(r->model);
    CHECK(opc_write_file_atomic(r->pb, g->p, g->n, &r->err) == OPC_OK, "%s", r->err.msg);
    free(g->p);
    *g = (pbw_buf){0};
    int rc = opc_convert_tf(r->pb, r->model, &r->opt, &r->err);
    if (rc == OPC_OK) {
        r->m = opc_model_open(r->model, &r->err);
        CHECK(r->m != NULL, "%s", r->err.msg);
    }
    return rc;
}

/* The conversion fails with one line naming the file and containing each of the words. */
static void expect_error(run *r, pbw_buf *g, const char *what, const char *w1, const char *w2)
{
    int rc = convert(r, g);
    CHECK(rc != OPC_OK, "%s: converted", what);
    if (rc == OPC_OK)
        return;
    size_t n = strlen(r->pb);
    CHECK(strncmp(r->err.msg, r->pb, n) == 0 && r->err.msg[n] == ':' &&
              !strchr(r->err.msg, '\n'),
          "%s: not one line naming the file: %s", what, r->err.msg);
    CHECK(strstr(r->err.msg, w1) && (!w2 || strstr(r->err.msg, w2)),
          "%s: '%s' / '%s' not in: %s", what, w1, w2 ? w2 : "", r->err.msg);
    CHECK(access(r->model, F_OK) != 0, "%s: output written", what);
}

static const opc_layer *layer(run *r, const char *name)
{
    const opc_layer *l = r->m ? opc_test_layer(opc_model_graph(r->m), name) : NULL;
    CHECK(l != NULL, "no layer %s", name);
    return l;
}

static int same(const opc_weight *w, const float *expect, size_t n)
{
    if (!w->data || w->count != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (w->data[i] != expect[i])
            return 0;
    return 1;
}

/* ---- the graphs ---- */

/* x -> c1 -> BiasAdd -> BN (stored) -> Relu -> Identity -> depthwise -> BN (instance)
 * -> Relu6 -> MaxPool; resize it to Shape(r6)[1:3]; concat with r6; a Relu and a stored
 * BN on the concat (neither can fold into a concat); their sum; a 1x1 head. */
static void feature_graph(pbw_buf *g, int with_unused)
{
    pbw_buf a = {0};
    placeholder(g, "x", FLOAT, -1, -1, 3);
    /* f[0][0][i][o] = 1..6: filter for output o is (1, 3, 5) and (2, 4, 6) */
    constant(g, "w1", FLOAT, 4, (int64_t[]){1, 1, 3, 2}, (double[]){1, 2, 3, 4, 5, 6}, 6, CONTENT);
    conv(g, "c1", "Conv2D", "x,w1", 1, "SAME");
    constant(g, "b1", FLOAT, 1, (int64_t[]){2}, (double[]){0.5, -1}, 2, CONTENT);
    attr_type(&a, "T", FLOAT);
    node(g, "ba", "BiasAdd", "c1,b1", &a);
    constant(g, "gamma", FLOAT, 1, (int64_t[]){2}, (double[]){3, 1}, 2, PACKED);
    constant(g, "beta", FLOAT, 1, (int64_t[]){2}, (double[]){0.5, 0}, 2, VALS);
    constant(g, "mean", FLOAT, 1, (int64_t[]){2}, (double[]){1, 0}, 2, CONTENT);
    constant(g, "var", FLOAT, 1, (int64_t[]){2}, (double[]){3, 0}, 2, CONTENT);
    batch_norm(g, "bn1", "ba,gamma,beta,mean,var", 1.0f, 0);
    node(g, "r1", "Relu", "bn1", NULL);
    node(g, "id", "Identity", "r1", NULL);
    /* depthwise 1x2, C = 2, M = 2: f[0][x][c][m] = 4x + 2c + m */
    constant(g, "wd", FLOAT, 4, (int64_t[]){1, 2, 2, 2}, (double[]){0, 1, 2, 3, 4, 5, 6, 7}, 8,
             CONTENT);
    conv(g, "dw", "DepthwiseConv2dNative", "id,wd", 1, "SAME");
    constant(g, "g4", FLOAT, 1, (int64_t[]){4}, (double[]){1, 2, 3, 4}, 4, PACKED);
    constant(g, "b4", FLOAT, 1, (int64_t[]){4}, (double[]){0.25}, 1, VALS); /* broadcast */
    constant(g, "empty", FLOAT, 1, (int64_t[]){0}, NULL, 0, CONTENT);
    batch_norm(g, "bn2", "dw,g4,b4,empty,empty", 0.001f, 1);
    node(g, "r6", "Relu6", "bn2", NULL);
    attr_type(&a, "T", FLOAT);
    attr_ints(&a, "ksize", 4, (int64_t[]){1, 3, 3, 1});
    attr_ints(&a, "strides", 4, (int64_t[]){1, 2, 2, 1});
    attr_s(&a, "padding", "SAME");
    node(g, "mp", "MaxPool", "r6", &a);
    node(g, "sh", "Shape", "r6", NULL);
    constant(g, "begin", INT64, 1, (int64_t[]){1}, (double[]){1}, 1, VALS);
    constant(g, "end", INT32, 1, (int64_t[]){1}, (double[]){3}, 1, CONTENT);
    constant(g, "one", INT32, 1, (int64_t[]){1}, (double[]){1}, 1, VALS);
    node(g, "ss", "StridedSlice", "sh,begin,end,one", NULL);
    attr_b(&a, "align_corners", 0);
    node(g, "up", "ResizeBilinear", "mp,ss", &a);
    constant(g, "axis", INT32, 0, NULL, (double[]){3}, 1, VALS);
    attr_i(&a, "N", 2);
    node(g, "cat", "ConcatV2", "up,r6,axis", &a);
    node(g, "ra", "Relu", "cat", NULL);
    constant(g, "g8", FLOAT, 1, (int64_t[]){8}, (double[]){2}, 1, VALS);
    constant(g, "z8", FLOAT, 1, (int64_t[]){8}, (double[]){0}, 1, VALS);
    constant(g, "v8", FLOAT, 1, (int64_t[]){8}, (double[]){3}, 1, VALS);
    batch_norm(g, "bna", "cat,g8,z8,z8,v8", 1.0f, 0); /* s = 2 / sqrt(4) = 1 */
    node(g, "add", "AddV2", "ra,bna", NULL);
    if (with_unused)
        node(g, "unused", "Tanh", "add", NULL);
    head(g, "add", 8);
}

static void test_features(run *r)
{
    pbw_buf g = {0};
    feature_graph(&g, 0);
    int rc = convert(r, &g);
    CHECK(rc == OPC_OK, "%s", r->err.msg);
    if (rc)
        return;
    const opc_graph *gr = opc_model_graph(r->m);
    CHECK(gr->n_layers == 10, "%d layers", gr->n_layers);

    /* conv + bias + BN(s = 3/2 and 1/1, t = 0.5 - 1 * 1.5 and 0) + relu, one layer:
     * weights (1,3,5)*1.5 and (2,4,6); bias 0.5*1.5 - 1 and -1. */
    const opc_layer *l = layer(r, "c1");
    CHECK(l && l->op == OPC_OP_CONV && l->act == OPC_ACT_RELU && l->pad_same &&
              same(&l->weight, (float[]){1.5f, 4.5f, 7.5f, 2, 4, 6}, 6) &&
              same(&l->bias, (float[]){-0.25f, -1}, 2) &&
              strcmp(gr->blob_names[l->output], "r1") == 0,
          "folded conv c1");
    /* depthwise: w[c*M + m][0][0][x] = f[0][x][c][m] = 4x + 2c + m, group C = 2 */
    l = layer(r, "dw");
    CHECK(l && l->op == OPC_OP_CONV && l->group == 2 && l->out_channels == 4 &&
              l->weight.shape[1] == 1 && l->kernel[0] == 1 && l->kernel[1] == 2 &&
              same(&l->weight, (float[]){0, 4, 1, 5, 2, 6, 3, 7}, 8) &&
              strcmp(opc_test_in_name(gr, l, 0), "r1") == 0,
          "depthwise layout / Identity");
    l = layer(r, "bn2");
    CHECK(l && l->op == OPC_OP_INSTANCE_NORM && l->act == OPC_ACT_RELU6 &&
              l->eps == 0.001f && same(&l->weight, (float[]){1, 2, 3, 4}, 4) &&
              same(&l->bias, (float[]){0.25f, 0.25f, 0.25f, 0.25f}, 4),
          "instance norm");
    l = layer(r, "mp");
    CHECK(l && l->op == OPC_OP_MAXPOOL && l->kernel[0] == 3 && l->stride[1] == 2 && l->pad_same,
          "maxpool");
    l = layer(r, "up");
    CHECK(l && l->op == OPC_OP_RESIZE && l->size_ref >= 0 &&
              strcmp(gr->blob_names[l->size_ref], "r6") == 0 &&
              strcmp(opc_test_in_name(gr, l, 0), "mp") == 0,
          "resize to Shape(r6)[1:3]");
    l = layer(r, "cat");
    CHECK(l && l->op == OPC_OP_CONCAT && l->n_inputs == 2 &&
              strcmp(opc_test_in_name(gr, l, 1), "r6") == 0,
          "concat");
    l = layer(r, "ra");
    CHECK(l && l->op == OPC_OP_ACT && l->act == OPC_ACT_RELU, "relu after a concat");
    l = layer(r, "bna");
    CHECK(l && l->op == OPC_OP_AFFINE && same(&l->weight, (float[]){1, 1, 1, 1, 1, 1, 1, 1}, 8) &&
              same(&l->bias, (float[]){0, 0, 0, 0, 0, 0, 0, 0}, 8),
          "stored BN after a concat");
    l = layer(r, "add");
    CHECK(l && l->op == OPC_OP_ADD && l->n_inputs == 2, "add");
    CHECK(strcmp(gr->blob_names[gr->outputs[0].blob], "out") == 0, "output %s",
          gr->blob_names[gr->outputs[0].blob]);
    opc_model_stats st;
    CHECK(opc_model_stats_at(r->m, 13, 9, &st, &r->err) == OPC_OK && st.out_w == 13 &&
              st.out_h == 9 && st.out_c == 57,
          "odd sizes: %s", r->err.msg);

    /* An unsupported op that does not feed the output is ignored (--output needed: two
     * nodes are unread). */
    feature_graph(&g, 1);
    expect_error(r, &g, "two sinks", "--output-node", "unused");
    feature_graph(&g, 1);
    r->opt.output_node = "out";
    CHECK(convert(r, &g) == OPC_OK, "unused node: %s", r->err.msg);
    feature_graph(&g, 1);
    r->opt.output_node = "unused";
    expect_error(r, &g, "unknown op", "node unused (Tanh)", "unsupported op");
    r->opt.output_node = NULL;
}

/* x [1, H, W, 3] -> conv s2 -> ResizeBilinear to a Const [16, 16] -> head. */
static void fixed_resize_graph(pbw_buf *g, int64_t h, int64_t w)
{
    placeholder(g, "x", FLOAT, h, w, 3);
    constant(g, "w", FLOAT, 4, (int64_t[]){3, 3, 3, 4}, (double[]){0.1}, 1, VALS);
    conv(g, "c", "Conv2D", "x,w", 2, "SAME");
    constant(g, "size", INT32, 1, (int64_t[]){2}, (double[]){16, 16}, 2, PACKED);
    node(g, "up", "ResizeBilinear", "c,size", NULL);
    head(g, "up", 4);
}

static void test_fixed_resize(run *r)
{
    pbw_buf g = {0};
    fixed_resize_graph(&g, -1, -1);
    expect_error(r, &g, "fixed size, input size unknown", "node up (ResizeBilinear)",
                 "--net-resolution");
    r->opt.net_width = r->opt.net_height = 16; /* conv output 8x8: factor 2 */
    fixed_resize_graph(&g, -1, -1);
    CHECK(convert(r, &g) == OPC_OK, "%s", r->err.msg);
    const opc_layer *l = r->m ? layer(r, "up") : NULL;
    CHECK(l && l->size_ref < 0 && l->resize_factor == 2, "factor %d", l ? l->resize_factor : -1);
    r->opt.net_width = r->opt.net_height = 24; /* 12x12 -> 16x16 is no whole factor */
    fixed_resize_graph(&g, -1, -1);
    expect_error(r, &g, "fractional factor", "whole multiple", NULL);
    r->opt.net_width = 8;
    fixed_resize_graph(&g, -1, -1);
    expect_error(r, &g, "net resolution 8x24", "out of range", NULL);
    r->opt.net_width = r->opt.net_height = 0;
    fixed_resize_graph(&g, 32, 32); /* the Placeholder's own size: 16x16 -> factor 1 */
    CHECK(convert(r, &g) == OPC_OK, "%s", r->err.msg);
    l = r->m ? layer(r, "up") : NULL;
    CHECK(l && l->resize_factor == 1, "factor from the placeholder's shape");
}

/* x -> c1 (1x1, 2 outputs) -> Relu -> 1x1 depthwise (scales 2, 3) -> BiasAdd (1, 2) ->
 * the head, or (padded) a 3x3 SAME conv before the head. */
static void scale_graph(pbw_buf *g, int padded)
{
    pbw_buf a = {0};
    placeholder(g, "x", FLOAT, -1, -1, 3);
    constant(g, "w1", FLOAT, 4, (int64_t[]){1, 1, 3, 2}, (double[]){1, 2, 3, 4, 5, 6}, 6, CONTENT);
    conv(g, "c1", "Conv2D", "x,w1", 1, "SAME");
    node(g, "r1", "Relu", "c1", NULL);
    constant(g, "wd", FLOAT, 4, (int64_t[]){1, 1, 2, 1}, (double[]){2, 3}, 2, CONTENT);
    conv(g, "dw", "DepthwiseConv2dNative", "r1,wd", 1, "SAME");
    constant(g, "bd", FLOAT, 1, (int64_t[]){2}, (double[]){1, 2}, 2, CONTENT);
    attr_type(&a, "T", FLOAT);
    node(g, "sc", "BiasAdd", "dw,bd", &a);
    if (!padded) {
        head(g, "sc", 2);
        return;
    }
    constant(g, "w3", FLOAT, 4, (int64_t[]){3, 3, 2, 2}, (double[]){1}, 1, VALS);
    conv(g, "c3", "Conv2D", "sc,w3", 1, "SAME");
    head(g, "c3", 2);
}

/* A per-channel scale folds into the 1x1 conv after it: weights 0.5 * (2, 3) for every
 * output, bias 0.5 * 1 + 0.5 * 2; the conv reads the Relu. Before a padded conv it stays
 * (the padding's zeros are not scaled and shifted). */
static void test_scale_fold(run *r)
{
    pbw_buf g = {0};
    scale_graph(&g, 0);
    CHECK(convert(r, &g) == OPC_OK, "%s", r->err.msg);
    const opc_graph *gr = r->m ? opc_model_graph(r->m) : NULL;
    CHECK(gr && gr->n_layers == 2 && gr->n_blobs == 3, "scale not folded: %d layers",
          gr ? gr->n_layers : -1);
    const opc_layer *l = gr ? layer(r, "out") : NULL;
    float w[114], b[57];
    for (int o = 0; o < 57; o++) {
        w[2 * o] = 1.0f;
        w[2 * o + 1] = 1.5f;
        b[o] = 1.5f;
    }
    CHECK(l && same(&l->weight, w, 114) && same(&l->bias, b, 57) &&
              strcmp(opc_test_in_name(gr, l, 0), "r1") == 0 && l->output == gr->outputs[0].blob,
          "folded head");
    scale_graph(&g, 1);
    CHECK(convert(r, &g) == OPC_OK, "%s", r->err.msg);
    gr = r->m ? opc_model_graph(r->m) : NULL;
    CHECK(gr && gr->n_layers == 4 && layer(r, "dw") && layer(r, "dw")->group == 2,
          "scale before a padded conv folded: %d layers", gr ? gr->n_layers : -1);
}

/* x -> c (filter given) -> head, for faults in one place. */
static void simple_graph(pbw_buf *g, int input_dtype, int filter_dtype, int filter_values)
{
    placeholder(g, "x", input_dtype, -1, -1, 3);
    constant(g, "w", filter_dtype, 4, (int64_t[]){1, 1, 3, 2}, (double[]){1, 2, 3, 4, 5, 6},
             filter_values, CONTENT);
    conv(g, "c", "Conv2D", "x,w", 1, "SAME");
    head(g, "c", 2);
}

static void test_errors(run *r)
{
    pbw_buf g = {0};
    simple_graph(&g, FLOAT, FLOAT, 6);
    CHECK(convert(r, &g) == OPC_OK, "the simple graph: %s", r->err.msg);

    simple_graph(&g, INT32, FLOAT, 6);
    expect_error(r, &g, "int input", "node x (Placeholder)", "int32");
    simple_graph(&g, FLOAT, INT32, 6);
    expect_error(r, &g, "int filter", "node c (Conv2D)", "int32");
    simple_graph(&g, FLOAT, FLOAT, 5);
    expect_error(r, &g, "short tensor_content", "node w (Const)",
                 "tensor_content has 20 bytes, shape [1, 1, 3, 2] needs 24");

    placeholder(&g, "x", FLOAT, -1, -1, 3);
    constant(&g, "w", FLOAT, 4, (int64_t[]){1, 1, 3, 2}, (double[]){1}, 1, VALS);
    conv(&g, "c", "Conv2D", "x,nothere", 1, "SAME");
    head(&g, "c", 2);
    expect_error(r, &g, "missing input", "node c (Conv2D)", "input nothere does not exist");

    /* One value broadcast to 16M elements from a file of a few hundred bytes. */
    placeholder(&g, "x", FLOAT, -1, -1, 3);
    constant(&g, "w", FLOAT, 4, (int64_t[]){1, 1, 4096, 4096}, (double[]){1}, 1, VALS);
    conv(&g, "c", "Conv2D", "x,w", 1, "SAME");
    head(&g, "c", 2);
    expect_error(r, &g, "huge broadcast", "node w (Const)", "elements");
    placeholder(&g, "x", FLOAT, -1, -1, 3);
    constant(&g, "w", FLOAT, 4, (int64_t[]){1, 1, -3, 2}, (double[]){1}, 1, VALS);
    conv(&g, "c", "Conv2D", "x,w", 1, "SAME");
    head(&g, "c", 2);
    expect_error(r, &g, "negative dimension", "node w (Const)", "negative");

    placeholder(&g, "x", FLOAT, -1, -1, 3);
    node(&g, "s", "Tanh", "x", NULL);
    head(&g, "s", 3);
    expect_error(r, &g, "unknown op", "node s (Tanh)", "unsupported op");

    pbw_buf a = {0};
    placeholder(&g, "x", FLOAT, -1, -1, 3);
    constant(&g, "w", FLOAT, 4, (int64_t[]){1, 1, 3, 2}, (double[]){1}, 1, VALS);
    attr_ints(&a, "strides", 4, (int64_t[]){1, 1, 1, 1});
    attr_s(&a, "padding", "SAME");
    attr_s(&a, "data_format", "NCHW");
    node(&g, "c", "Conv2D", "x,w", &a);
    head(&g, "c", 2);
    expect_error(r, &g, "NCHW", "node c (Conv2D)", "NCHW");

    placeholder(&g, "x", FLOAT, -1, -1, 3);
    constant(&g, "w", FLOAT, 4, (int64_t[]){1, 1, 3, 2}, (double[]){1}, 1, VALS);
    conv(&g, "c", "Conv2D", "x,w", 1, "SAME");
    constant(&g, "axis", INT32, 0, NULL, (double[]){1}, 1, VALS);
    node(&g, "cat", "ConcatV2", "c,c,axis", NULL);
    head(&g, "cat", 4);
    expect_error(r, &g, "concat axis", "node cat (ConcatV2)", "axis 1");

    placeholder(&g, "x", FLOAT, -1, -1, 3);
    constant(&g, "size", INT32, 1, (int64_t[]){2}, (double[]){8, 8}, 2, VALS);
    attr_b(&a, "half_pixel_centers", 1);
    node(&g, "up", "ResizeBilinear", "x,size", &a);
    head(&g, "up", 3);
    expect_error(r, &g, "half pixel", "node up (ResizeBilinear)", "half_pixel_centers");

    placeholder(&g, "x", FLOAT, -1, -1, 3);
    node(&g, "sh", "Shape", "x", NULL);
    constant(&g, "b", INT32, 1, (int64_t[]){1}, (double[]){0}, 1, VALS);
    constant(&g, "e", INT32, 1, (int64_t[]){1}, (double[]){2}, 1, VALS);
    node(&g, "ss", "StridedSlice", "sh,b,e,e", NULL);
    node(&g, "up", "ResizeBilinear", "x,ss", NULL);
    head(&g, "up", 3);
    expect_error(r, &g, "slice [0:2]", "node ss (StridedSlice)", "[1:3]");

    placeholder(&g, "x", FLOAT, -1, -1, 3);
    constant(&g, "w", FLOAT, 4, (int64_t[]){1, 1, 3, 3}, (double[]){1}, 1, VALS);
    constant(&g, "v", FLOAT, 1, (int64_t[]){3}, (double[]){1}, 1, VALS);
    batch_norm(&g, "bn", "x,v,v,v,v", 0.001f, 0);
    node(&g, "r", "Relu", "bn:1", NULL);
    head(&g, "r", 3);
    expect_error(r, &g, "second output", "node r (Relu)", "output 1 of bn");

    placeholder(&g, "x", FLOAT, -1, -1, 3);
    placeholder(&g, "y", FLOAT, -1, -1, 3);
    node(&g, "s", "AddV2", "x,y", NULL);
    head(&g, "s", 3);
    expect_error(r, &g, "two inputs", "Placeholders x and y", "--input-node");

    placeholder(&g, "x", FLOAT, -1, -1, 3);
    node(&g, "a", "AddV2", "x,b", NULL);
    node(&g, "b", "Relu", "a", NULL);
    head(&g, "b", 3);
    expect_error(r, &g, "cycle", "cycle", NULL);

    placeholder(&g, "x", FLOAT, -1, -1, 3);
    node(&g, "bad\nname", "Relu", "x", NULL);
    expect_error(r, &g, "newline in a name", "unprintable name", NULL);

    const char text[] = "this is not a protobuf\n";
    pbw_put(&g, text, sizeof text - 1);
    expect_error(r, &g, "text file", "not a GraphDef", NULL);
    expect_error(r, &g, "empty file", "no nodes", NULL);

    /* --input that does not feed the output; an Identity output; a missing --input. */
    placeholder(&g, "x", FLOAT, -1, -1, 3);
    placeholder(&g, "y", FLOAT, -1, -1, 3);
    node(&g, "r", "Relu", "x", NULL);
    head(&g, "r", 3);
    r->opt.input_node = "y";
    r->opt.output_node = "out";
    expect_error(r, &g, "input not feeding", "input y does not feed output out", NULL);
    r->opt.input_node = "nope";
    placeholder(&g, "x", FLOAT, -1, -1, 3);
    head(&g, "x", 3);
    expect_error(r, &g, "missing --input", "no node called nope", NULL);
    r->opt.input_node = NULL;
    r->opt.output_node = "final";
    placeholder(&g, "x", FLOAT, -1, -1, 3);
    head(&g, "x", 3);
    node(&g, "final", "Identity", "out", NULL);
    CHECK(convert(r, &g) == OPC_OK, "Identity output: %s", r->err.msg);
    CHECK(r->m && strcmp(opc_model_graph(r->m)->blob_names[opc_model_graph(r->m)->outputs[0].blob],
                         "final") == 0,
          "output named after the requested node");
    r->opt.output_node = NULL;
}

int main(void)
{
    run r = {0};
    const char *dir = opc_test_tmpdir("tf_ops");
    snprintf(r.pb, sizeof r.pb, "%s/g.pb", dir);
    snprintf(r.model, sizeof r.model, "%s/g.opc", dir);
    test_features(&r);
    test_scale_fold(&r);
    test_fixed_resize(&r);
    test_errors(&r);
    opc_model_close(r.m);
    return opc_test_result();
}
