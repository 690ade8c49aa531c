/* Bad Caffe inputs: each is refused with one line that names the offending file (and
 * line, layer, shapes where they apply), and no model file appears. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caffe_writer.h"
#include "openpose-c/convert.h"
#include "testutil.h"

static char dir[4200], proto[4300], model[4300], out[4300], bad_proto[4300], bad_model[4300];

static const char BASE[] =
    "input: \"data\"\n"
    "input_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\n"
    "layer { name: \"c1\" type: \"Convolution\" bottom: \"data\" top: \"c1\"\n"
    "  convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }\n"
    "layer { name: \"r1\" type: \"ReLU\" bottom: \"c1\" top: \"c1\" }\n"
    "layer { name: \"p1\" type: \"Pooling\" bottom: \"c1\" top: \"p1\"\n"
    "  pooling_param { pool: MAX kernel_size: 2 stride: 2 } }\n"
    "layer { name: \"out\" type: \"Convolution\" bottom: \"p1\" top: \"out\"\n"
    "  convolution_param { num_output: 44 kernel_size: 1 } }\n";

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

/* BASE with the first `from` replaced by `to`. */
static void write_variant(const char *from, const char *to)
{
    const char *at = strstr(BASE, from);
    if (!at) {
        CHECK(0, "test bug: '%s' not in BASE", from);
        return;
    }
    char text[4096];
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - BASE), BASE, to, at + strlen(from));
    write_text(bad_proto, text);
}

static float zeros[64 * 64];

static void conv_blobs(pbw_buf *l, int out, int in, int k, int bias, int flags)
{
    cw_blob(l, 7, 4, (int[]){out, in, k, k}, zeros, flags);
    if (bias)
        cw_blob(l, 7, 1, (int[]){out}, zeros, flags);
}

/* The good caffemodel for BASE, or one with a defect. */
enum { GOOD, NO_OUT, OUT_SHAPE, C1_ONE_BLOB, DOUBLE, COUNT_MISMATCH, RELU_BLOB };

static pbw_buf make_model(int defect)
{
    pbw_buf net = {0}, l = {0};
    if (defect == COUNT_MISMATCH) { /* shape 4x3x3x3, but 100 floats */
        pbw_buf blob = {0}, shape = {0}, dims = {0}, data = {0};
        for (int d = 0; d < 4; d++)
            pbw_varint(&dims, d ? 3 : 4);
        pbw_msg(&shape, 1, &dims);
        pbw_msg(&blob, 7, &shape);
        for (int i = 0; i < 100; i++)
            pbw_f32(&data, 0.0f);
        pbw_msg(&blob, 5, &data);
        pbw_msg(&l, 7, &blob);
        cw_blob(&l, 7, 1, (int[]){4}, zeros, 0);
    } else {
        conv_blobs(&l, 4, 3, 3, defect != C1_ONE_BLOB, defect == DOUBLE ? CW_DOUBLE : 0);
    }
    cw_layer(&net, "c1", "Convolution", &l, 0);
    l.n = 0;
    if (defect == RELU_BLOB)
        cw_blob(&l, 7, 1, (int[]){4}, zeros, 0);
    cw_layer(&net, "r1", "ReLU", &l, 0);
    l.n = 0;
    if (defect != NO_OUT) {
        conv_blobs(&l, 44, defect == OUT_SHAPE ? 8 : 4, 1, 1, 0);
        cw_layer(&net, "out", "Convolution", &l, 0);
    }
    free(l.p);
    return net;
}

/* Converting must fail with a one-line message naming `file` and containing `what`. */
static void expect_fail(const char *p, const char *m, const char *file, const char *what,
                        const opc_convert_options *opt)
{
    opc_error err = {{0}};
    unlink(out);
    int rc = opc_convert_caffe(p, m, out, opt, &err);
    CHECK(rc != OPC_OK, "accepted (%s)", what);
    CHECK(strstr(err.msg, file) != NULL, "message does not name %s: %s", file, err.msg);
    CHECK(strstr(err.msg, what) != NULL, "want '%s' in: %s", what, err.msg);
    CHECK(strchr(err.msg, '\n') == NULL, "not one line: %s", err.msg);
    CHECK(access(out, F_OK) != 0, "an output file was left behind (%s)", what);
}

static void proto_case(const char *from, const char *to, const char *what)
{
    write_variant(from, to);
    expect_fail(bad_proto, model, bad_proto, what, NULL);
}

static void model_case(int defect, const char *what)
{
    pbw_buf b = make_model(defect);
    cw_save(&b, bad_model);
    free(b.p);
    expect_fail(proto, bad_model, bad_model, what, NULL);
}

static void raw_model_case(const void *bytes, size_t n, const char *what)
{
    FILE *f = fopen(bad_model, "wb");
    fwrite(bytes, 1, n, f);
    fclose(f);
    expect_fail(proto, bad_model, bad_model, what, NULL);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s", opc_test_tmpdir("caffe_errors"));
    snprintf(proto, sizeof proto, "%s/base.prototxt", dir);
    snprintf(model, sizeof model, "%s/base.caffemodel", dir);
    snprintf(out, sizeof out, "%s/out.opc", dir);
    snprintf(bad_proto, sizeof bad_proto, "%s/bad.prototxt", dir);
    snprintf(bad_model, sizeof bad_model, "%s/bad.caffemodel", dir);
    write_text(proto, BASE);
    pbw_buf good = make_model(GOOD);
    cw_save(&good, model);

    opc_error err;
    CHECK(opc_convert_caffe(proto, model, out, NULL, &err) == OPC_OK, "base net: %s", err.msg);

    /* prototxt: structure */
    proto_case(
        "layer { name: \"p1\"",
        "layer { name: \"c1\" type: \"ReLU\" bottom: \"c1\" top: \"c1\" }\nlayer { name: \"p1\"",
        ":9: a second layer called 'c1' (first on line 6)");
    proto_case("\"Pooling\"", "\"Softmax\"", ":9: layer 'p1': unsupported layer type 'Softmax'");
    proto_case("pool: MAX", "pool: AVE", ":9: layer 'p1' (Pooling): AVE pooling is not supported");
    proto_case("pool: MAX", "pool: MAX global_pooling: true", "global pooling");
    proto_case("pool: MAX", "pool: MAX pad: 2", "pad 2x2 must be smaller than the 2x2 window");
    proto_case("input_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\n", "",
               ":1: input 'data' has no shape");
    proto_case("input: \"data\"", "",
               "bottom 'data' is not produced by any earlier layer (the "
               "net declares no input)");
    proto_case("bottom: \"p1\"", "bottom: \"p2\"",
               ":11: layer 'out' (Convolution): bottom 'p2' "
               "is not produced by any earlier layer");
    proto_case("layer { name: \"out\"",
               "layer { name: \"side\" type: \"Convolution\" bottom: \"p1\" top: \"side\"\n"
               "  convolution_param { num_output: 2 kernel_size: 1 } }\nlayer { name: \"out\"",
               "two candidate outputs, 'side' and 'out'");
    proto_case("num_output: 44 ", "", "layer 'out' (Convolution): num_output is missing");
    proto_case("num_output: 4 ", "num_output: 4 group: 3 ",
               "group 3 does not divide 3 inputs and 4 outputs");
    proto_case("kernel_size: 3 ", "kernel_size: 3 kernel_size: 3 kernel_size: 3 ",
               "only 2-D windows");
    proto_case("kernel_size: 3 ", "kernel_size: 3 kernel_h: 3 kernel_w: 3 ", "not both");
    proto_case("kernel_size: 3 ", "kernel_size: 300 ",
               ":7: kernel_size: expected an integer in 1..64");
    proto_case("\"ReLU\"", "\"Eltwise\"", "Eltwise takes 2..16");
    proto_case("\"ReLU\" bottom: \"c1\"",
               "\"Eltwise\" bottom: \"c1\" bottom: \"c1\" eltwise_param { operation: PROD }",
               "Eltwise PROD is not supported");
    proto_case("\"ReLU\" bottom: \"c1\"",
               "\"Eltwise\" bottom: \"c1\" bottom: \"c1\" eltwise_param { coeff: 1 coeff: -1 }",
               "coefficient -1 is not supported");
    proto_case("\"ReLU\" bottom: \"c1\"", "\"Concat\" concat_param { axis: 2 } bottom: \"c1\"",
               "axis 2 is not supported");
    proto_case("\"ReLU\" bottom: \"c1\"",
               "\"BatchNorm\" batch_norm_param { use_global_stats: false } bottom: \"c1\"",
               "use_global_stats: false");
    proto_case("\"ReLU\" bottom: \"c1\"", "\"Scale\" bottom: \"c1\" bottom: \"c1\"",
               "has 2 bottoms, Scale takes 1");
    proto_case("input: \"data\"", "input: \"data\"\ninput: \"other\"", ":2: a second net input");
    proto_case("input_dim: 3", "input_dim: 1",
               "the input has 1 channels; OpenPose networks take 3");
    proto_case("layer { name: \"c1\"", "layers { name: \"v1\" }\nlayer { name: \"c1\"",
               ":6: legacy V1 'layers'");
    proto_case("num_output: 44", "num_output: 45",
               "cannot tell the topology from the 45 channels of output 'out'");
    proto_case("stride: 2 }", "stride: 2 ",
               ":13: unexpected end of file inside 'layer' (opened on line 9)");
    proto_case("layer { name: \"p1\"", "layer { name: \x01", ":9: expected a value, found 0x01");
    proto_case("\"c1\" }\nlayer { name: \"p1\"", "\"c1 }\nlayer { name: \"p1\"",
               ":8: unterminated string");
    opc_convert_options coco = {.topology = "coco"};
    write_text(bad_proto, BASE);
    expect_fail(bad_proto, model, bad_proto,
                "output 'out' has 44 channels but topology coco needs 57", &coco);
    opc_convert_options nope = {.topology = "nope"};
    expect_fail(bad_proto, model, "nope", "unknown topology", &nope);
    opc_convert_options res = {.net_width = 10, .net_height = 0};
    expect_fail(bad_proto, model, "10x0", "net resolution", &res);
    expect_fail("/nonexistent/x.prototxt", model, "/nonexistent/x.prototxt", "No such file", NULL);

    /* caffemodel: weights */
    model_case(NO_OUT, "no weights for layer 'out' (Convolution, base.prototxt:11)");
    model_case(OUT_SHAPE, "layer 'out' (Convolution, base.prototxt:11): weights have shape "
                          "44x8x1x1, the prototxt needs 44x4x1x1");
    model_case(C1_ONE_BLOB, "layer 'c1' (Convolution, base.prototxt:6) has 1 weight blob, the "
                            "prototxt needs 2 (weights, bias)");
    model_case(RELU_BLOB, "layer 'r1' (ReLU, base.prototxt:8) has 1 weight blob, the prototxt "
                          "needs 0 (none)");
    model_case(DOUBLE, "layer 'c1' stores double_data");
    model_case(COUNT_MISMATCH, "layer 'c1': blob of shape 4x3x3x3 holds 100 floats, not 108");

    /* caffemodel: damaged bytes */
    for (size_t cut = 1; cut < good.n; cut += good.n / 7 + 1)
        raw_model_case(good.p, cut, bad_model);
    const uint8_t past_end[] = {0xa2, 0x06, 0xe8, 0x07, 0x0a, 0x01, 'x'}; /* layer of 1000 bytes */
    raw_model_case(past_end, sizeof past_end, "malformed message at byte 0");
    const uint8_t blob_past_end[] = {0xa2, 0x06, 0x05, 0x3a, 0x03, 0x2a, 0x7f, 0x00};
    raw_model_case(blob_past_end, sizeof blob_past_end, "malformed");
    const uint8_t odd_floats[] = {0xa2, 0x06, 0x07, 0x3a, 0x05, 0x2a, 0x03, 1, 2, 3};
    raw_model_case(odd_floats, sizeof odd_floats, "malformed packed float data at byte 7");
    const uint8_t huge_dims[] = {0xa2, 0x06, 0x0c, 0x3a, 0x0a, 0x3a, 0x08, 0x0a,
                                 0x06, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x02};
    raw_model_case(huge_dims, sizeof huge_dims, "blob shape has too many or invalid dims");
    raw_model_case("", 0, "empty file");
    raw_model_case(BASE, strlen(BASE), "caffemodel");
    expect_fail(proto, "/nonexistent/w.caffemodel", "/nonexistent/w.caffemodel", "No such file",
                NULL);
    expect_fail(proto, dir, dir, "not a regular file", NULL);

    free(good.p);
    return opc_test_result();
}
