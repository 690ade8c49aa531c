/* The OpenVINO converter on broken IRs: each is refused with one line that names the file
 * (the .xml, or the .bin for its bytes) and the reason, and writes nothing. Malformed XML,
 * a DOCTYPE, other versions, a missing or short .bin, offsets and sizes outside it, a shape
 * that does not fit its bytes, unknown element types and ops (named), bad edges (missing
 * layers and ports, unconnected inputs, two edges into one port, cycles), duplicate ids,
 * shapes that do not chain, NaN and infinite scales, and what is not supported (Reshape of
 * an activation, a second input, per-pixel constants). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "openpose-c/convert.h"
#include "openpose-c/files.h"
#include "ov_writer.h"
#include "testutil.h"

typedef struct {
    char xml[4200], bin[4200], model[4200];
    opc_error err;
} run;

/* Converting fails with one line that starts with path and holds w1 (and w2). */
static void expect_text(run *r, const char *what, const char *xml, const void *bin, size_t bin_n,
                        const char *path, const char *w1, const char *w2)
{
    unlink(r->model);
    CHECK(opc_write_file_atomic(r->xml, xml, strlen(xml), &r->err) == OPC_OK, "%s", r->err.msg);
    unlink(r->bin);
    if (bin)
        CHECK(opc_write_file_atomic(r->bin, bin, bin_n, &r->err) == OPC_OK, "%s", r->err.msg);
    int rc = opc_convert_openvino(r->xml, r->bin, r->model, NULL, &r->err);
    CHECK(rc != OPC_OK, "%s: converted", what);
    if (rc == OPC_OK)
        return;
    size_t n = strlen(path);
    CHECK(strncmp(r->err.msg, path, n) == 0 && r->err.msg[n] == ':' && !strchr(r->err.msg, '\n'),
          "%s: not one line naming %s: %s", what, path, r->err.msg);
    CHECK(strstr(r->err.msg, w1) && (!w2 || strstr(r->err.msg, w2)), "%s: '%s' / '%s' not in: %s",
          what, w1, w2 ? w2 : "", r->err.msg);
    CHECK(access(r->model, F_OK) != 0, "%s: output written", what);
    printf("%-28s %s\n", what, r->err.msg + n + 1);
}

static void expect_ir(run *r, const char *what, ovw *w, const char *path, const char *w1,
                      const char *w2)
{
    char *xml = ovw_xml(w);
    expect_text(r, what, xml, w->bin ? (void *)w->bin : "", w->bin_n, path, w1, w2);
    free(xml);
    ovw_free(w);
}

/* ---- a small valid IR to break: data -> conv (weights f32 [57, 3, 1, 1]) -> Result ---- */

static int weights(ovw *w, int in, int out)
{
    float *v = calloc((size_t)in * out, sizeof *v);
    char shape[32];
    snprintf(shape, sizeof shape, "%d,%d,1,1", out, in);
    int k = ovw_const_f32(w, "w", shape, v, (size_t)in * out);
    free(v);
    return k;
}

static int conv(ovw *w, const char *name, int x, int k)
{
    return ovw_layer(w, "Convolution", name,
                     "strides=\"1,1\" dilations=\"1,1\" pads_begin=\"0,0\" pads_end=\"0,0\"", 2,
                     (int[]){x, k});
}

static int param(ovw *w) { return ovw_layer(w, "Parameter", "data", "shape=\"1,3,16,16\"", 0, NULL); }

static void valid(ovw *w)
{
    int d = param(w), k = weights(w, 3, 57);
    int c = conv(w, "conv", d, k);
    ovw_layer(w, "Result", "out", NULL, 1, &c);
}

static void test_xml(run *r)
{
    ovw w = {0};
    valid(&w);
    char *xml = ovw_xml(&w);
    /* the valid IR converts */
    CHECK(opc_write_file_atomic(r->xml, xml, strlen(xml), &r->err) == OPC_OK, "%s", r->err.msg);
    CHECK(opc_write_file_atomic(r->bin, w.bin, w.bin_n, &r->err) == OPC_OK, "%s", r->err.msg);
    CHECK(opc_convert_openvino(r->xml, NULL, r->model, NULL, &r->err) == OPC_OK,
          "the valid IR (its .bin found from the .xml's name): %s", r->err.msg);
    char *cut = strdup(xml);
    cut[strlen(cut) / 2] = 0;
    expect_text(r, "truncated XML", cut, w.bin, w.bin_n, r->xml, "malformed XML", NULL);
    free(cut);
    expect_text(r, "not XML", "\x89PNG\r\n", w.bin, w.bin_n, r->xml, "malformed XML", NULL);
    expect_text(r, "empty file", "", w.bin, w.bin_n, r->xml, "malformed XML", NULL);
    expect_text(r, "other root", "<graph version=\"10\"/>", w.bin, w.bin_n, r->xml, "<graph>",
                NULL);
    expect_text(r, "version 7", "<net version=\"7\"><layers/></net>", w.bin, w.bin_n, r->xml,
                "IR version 7", NULL);
    expect_text(r, "no version", "<net><layers/></net>", w.bin, w.bin_n, r->xml, "no version",
                NULL);
    expect_text(r, "no layers", "<net version=\"11\"><layers/><edges/></net>", w.bin, w.bin_n,
                r->xml, "no layers", NULL);
    expect_text(r, "DOCTYPE",
                "<!DOCTYPE net [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
                "<net version=\"10\"><layers><layer id=\"0\" name=\"&b;\" type=\"x\"/></layers>"
                "</net>",
                w.bin, w.bin_n, r->xml, "DOCTYPE", NULL);
    expect_text(r, "bad layer id",
                "<net version=\"10\"><layers><layer id=\"-1\" name=\"a\" type=\"Parameter\"/>"
                "</layers></net>",
                w.bin, w.bin_n, r->xml, "id \"-1\"", NULL);
    expect_text(r, "duplicate layer id",
                "<net version=\"10\"><layers><layer id=\"3\" name=\"a\" type=\"Parameter\"/>"
                "<layer id=\"3\" name=\"b\" type=\"Result\"/></layers></net>",
                w.bin, w.bin_n, r->xml, "a second layer with id 3", NULL);
    expect_text(r, "duplicate port id",
                "<net version=\"10\"><layers><layer id=\"1\" name=\"a\" type=\"Add\"><input>"
                "<port id=\"0\"/><port id=\"0\"/></input></layer></layers></net>",
                w.bin, w.bin_n, r->xml, "two ports with one id", NULL);
    expect_text(r, "edge to a missing layer",
                "<net version=\"10\"><layers><layer id=\"1\" name=\"a\" type=\"Parameter\">"
                "<output><port id=\"0\"/></output></layer></layers><edges>"
                "<edge from-layer=\"1\" from-port=\"0\" to-layer=\"9\" to-port=\"0\"/></edges></net>",
                w.bin, w.bin_n, r->xml, "no target layer with id 9", NULL);
    expect_text(r, "edge from a missing port",
                "<net version=\"10\"><layers><layer id=\"1\" name=\"a\" type=\"Parameter\">"
                "<output><port id=\"0\"/></output></layer><layer id=\"2\" name=\"r\" "
                "type=\"Result\"><input><port id=\"0\"/></input></layer></layers><edges>"
                "<edge from-layer=\"1\" from-port=\"5\" to-layer=\"2\" to-port=\"0\"/></edges></net>",
                w.bin, w.bin_n, r->xml, "source has no such port (5)", NULL);
    expect_text(r, "unconnected input",
                "<net version=\"10\"><layers><layer id=\"2\" name=\"r\" type=\"Result\"><input>"
                "<port id=\"0\"/></input></layer></layers></net>",
                w.bin, w.bin_n, r->xml, "layer r (Result): input port 0 is not connected", NULL);
    expect_text(r, "two edges into a port",
                "<net version=\"10\"><layers><layer id=\"1\" name=\"a\" type=\"Parameter\">"
                "<output><port id=\"0\"/></output></layer><layer id=\"2\" name=\"r\" "
                "type=\"Result\"><input><port id=\"0\"/></input></layer></layers><edges>"
                "<edge from-layer=\"1\" from-port=\"0\" to-layer=\"2\" to-port=\"0\"/>"
                "<edge from-layer=\"1\" from-port=\"0\" to-layer=\"2\" to-port=\"0\"/></edges></net>",
                w.bin, w.bin_n, r->xml, "fed by two edges", NULL);
    free(xml);
    ovw_free(&w);
}

static void test_bin(run *r)
{
    ovw w = {0};
    valid(&w);
    char *xml = ovw_xml(&w);
    expect_text(r, "missing .bin", xml, NULL, 0, r->bin, "No such file", NULL);
    expect_text(r, "short .bin", xml, w.bin, w.bin_n - 4, r->bin, "outside the file", "layer w");
    free(xml);
    ovw_free(&w);

    /* a Const whose offset + size passes 2^64, and one whose shape needs more bytes */
    const char *fmt = "<net version=\"10\"><layers>"
                      "<layer id=\"0\" name=\"data\" type=\"Parameter\"><data shape=\"1,3,8,8\"/>"
                      "<output><port id=\"0\"/></output></layer>"
                      "<layer id=\"1\" name=\"w\" type=\"Const\"><data element_type=\"%s\" "
                      "shape=\"%s\" offset=\"%s\" size=\"%s\"/><output><port id=\"0\"/></output>"
                      "</layer><layer id=\"2\" name=\"c\" type=\"Convolution\"><data strides=\"1,1\" "
                      "pads_begin=\"0,0\" pads_end=\"0,0\"/><input><port id=\"0\"/><port id=\"1\"/>"
                      "</input><output><port id=\"2\"/></output></layer>"
                      "<layer id=\"3\" name=\"r\" type=\"Result\"><input><port id=\"0\"/></input>"
                      "</layer></layers><edges>"
                      "<edge from-layer=\"0\" from-port=\"0\" to-layer=\"2\" to-port=\"0\"/>"
                      "<edge from-layer=\"1\" from-port=\"0\" to-layer=\"2\" to-port=\"1\"/>"
                      "<edge from-layer=\"2\" from-port=\"2\" to-layer=\"3\" to-port=\"0\"/>"
                      "</edges></net>";
    static char bin[57 * 3 * 8];
    char text[4096];
    snprintf(text, sizeof text, fmt, "f32", "57,3,1,1", "18446744073709551615", "684");
    expect_text(r, "offset beyond 2^63", text, bin, sizeof bin, r->xml, "offset or size", NULL);
    snprintf(text, sizeof text, fmt, "f32", "57,3,1,1", "100", "18446744073709551000");
    expect_text(r, "size beyond 2^63", text, bin, sizeof bin, r->xml, "offset or size", NULL);
    snprintf(text, sizeof text, fmt, "f32", "57,3,1,1", "1000", "684");
    expect_text(r, "offset + size past the end", text, bin, sizeof bin, r->bin, "outside the file",
                NULL);
    snprintf(text, sizeof text, fmt, "f32", "57,3,1,1", "0", "680");
    expect_text(r, "size less than the shape", text, bin, sizeof bin, r->xml, "does not fit",
                NULL);
    snprintf(text, sizeof text, fmt, "f32", "57,3,1,1", "0", "688");
    expect_text(r, "size more than the shape", text, bin, sizeof bin, r->xml, "needs 684 bytes",
                NULL);
    snprintf(text, sizeof text, fmt, "f32", "4294967296,4294967296,1,1", "0", "684");
    expect_text(r, "shape overflowing", text, bin, sizeof bin, r->xml, "does not fit", NULL);
    snprintf(text, sizeof text, fmt, "u4", "57,3,1,1", "0", "86");
    expect_text(r, "unknown element type", text, bin, sizeof bin, r->xml, "element type u4",
                "layer w");
    snprintf(text, sizeof text, fmt, "f32", "57,3,x", "0", "684");
    expect_text(r, "malformed shape", text, bin, sizeof bin, r->xml, "malformed shape", NULL);
}

static void test_graph(run *r)
{
    ovw w = {0};
    int d = param(&w), k = weights(&w, 3, 57);
    int c = conv(&w, "conv", d, k);
    int s = ovw_layer(&w, "Softmax", "soft", "axis=\"1\"", 1, &c);
    ovw_layer(&w, "Result", "out", NULL, 1, &s);
    expect_ir(r, "unknown op", &w, r->xml, "layer soft (Softmax): unsupported op Softmax", NULL);

    d = param(&w), k = weights(&w, 4, 57);
    c = conv(&w, "conv", d, k);
    ovw_layer(&w, "Result", "out", NULL, 1, &c);
    expect_ir(r, "channels do not chain", &w, r->xml, "layer conv", "has 3 channels, the weights take 4");

    d = param(&w), k = weights(&w, 3, 8);
    c = conv(&w, "a", d, k);
    int k2 = weights(&w, 3, 4);
    int c2 = conv(&w, "b", d, k2);
    int add = ovw_layer(&w, "Add", "sum", NULL, 2, (int[]){c, c2});
    ovw_layer(&w, "Result", "out", NULL, 1, &add);
    expect_ir(r, "add does not chain", &w, r->xml, "layer sum", "8 channels) to b (4 channels)");

    /* NaN and infinite scales (f16 0x7e00, 0x7c00) */
    uint16_t nan16 = 0x7e00, inf16 = 0xfc00;
    for (int i = 0; i < 2; i++) {
        d = param(&w), k = weights(&w, 3, 57);
        int sc = ovw_const_bytes(&w, "scale", "f16", "", i ? &inf16 : &nan16, 2);
        int ws = ovw_layer(&w, "Multiply", "scaled_w", NULL, 2, (int[]){k, sc});
        c = conv(&w, "conv", d, ws);
        ovw_layer(&w, "Result", "out", NULL, 1, &c);
        expect_ir(r, i ? "infinite weight scale" : "NaN weight scale", &w, r->xml,
                  "layer conv", "not a finite float32");
    }
    d = param(&w), k = weights(&w, 3, 57);
    int sc = ovw_const_bytes(&w, "scale", "f16", "", &inf16, 2);
    int pre = ovw_layer(&w, "Multiply", "data/scale", NULL, 2, (int[]){d, sc});
    c = conv(&w, "conv", pre, k);
    ovw_layer(&w, "Result", "out", NULL, 1, &c);
    expect_ir(r, "infinite input scale", &w, r->xml, "layer conv", "the input's channel 0 is scaled by -inf");
    d = param(&w), k = weights(&w, 3, 57);
    c = conv(&w, "conv", d, k);
    int b = ovw_const_bytes(&w, "bias", "f16", "", &nan16, 2);
    add = ovw_layer(&w, "Add", "biased", NULL, 2, (int[]){c, b});
    ovw_layer(&w, "Result", "out", NULL, 1, &add);
    expect_ir(r, "NaN bias", &w, r->xml, "layer biased", "becomes nan");

    /* a cycle: two Adds reading each other */
    const char *cycle = "<net version=\"10\"><layers>"
                        "<layer id=\"0\" name=\"data\" type=\"Parameter\"><data shape=\"1,3,8,8\"/>"
                        "<output><port id=\"0\"/></output></layer>"
                        "<layer id=\"1\" name=\"a\" type=\"Add\"><input><port id=\"0\"/>"
                        "<port id=\"1\"/></input><output><port id=\"2\"/></output></layer>"
                        "<layer id=\"2\" name=\"b\" type=\"Add\"><input><port id=\"0\"/>"
                        "<port id=\"1\"/></input><output><port id=\"2\"/></output></layer>"
                        "<layer id=\"3\" name=\"r\" type=\"Result\"><input><port id=\"0\"/>"
                        "</input></layer></layers><edges>"
                        "<edge from-layer=\"0\" from-port=\"0\" to-layer=\"1\" to-port=\"0\"/>"
                        "<edge from-layer=\"2\" from-port=\"2\" to-layer=\"1\" to-port=\"1\"/>"
                        "<edge from-layer=\"0\" from-port=\"0\" to-layer=\"2\" to-port=\"0\"/>"
                        "<edge from-layer=\"1\" from-port=\"2\" to-layer=\"2\" to-port=\"1\"/>"
                        "<edge from-layer=\"1\" from-port=\"2\" to-layer=\"3\" to-port=\"0\"/>"
                        "</edges></net>";
    expect_text(r, "cycle", cycle, "", 0, r->xml, "cycle", NULL);

    d = param(&w), k = weights(&w, 3, 57);
    c = conv(&w, "conv", d, k);
    int shape = ovw_const_i64(&w, "shape", (int64_t[]){1, 57, -1}, 3);
    int rs = ovw_layer(&w, "Reshape", "flat", "special_zero=\"false\"", 2, (int[]){c, shape});
    ovw_layer(&w, "Result", "out", NULL, 1, &rs);
    expect_ir(r, "reshaped activation", &w, r->xml, "layer flat (Reshape)",
              "Reshape of an activation is not supported");

    d = param(&w), k = weights(&w, 3, 57);
    int d2 = ovw_layer(&w, "Parameter", "data2", "shape=\"1,3,16,16\"", 0, NULL);
    c = conv(&w, "conv", d, k);
    add = ovw_layer(&w, "Add", "sum", NULL, 2, (int[]){c, d2});
    ovw_layer(&w, "Result", "out", NULL, 1, &add);
    expect_ir(r, "two inputs", &w, r->xml, "a second network input", NULL);

    d = param(&w), k = weights(&w, 3, 57);
    c = conv(&w, "conv", d, k);
    float px[16 * 16] = {0};
    int per_pixel = ovw_const_f32(&w, "pixels", "1,1,16,16", px, 256);
    add = ovw_layer(&w, "Add", "sum", NULL, 2, (int[]){c, per_pixel});
    ovw_layer(&w, "Result", "out", NULL, 1, &add);
    expect_ir(r, "per-pixel constant", &w, r->xml, "layer sum", "not one value per channel");

    d = param(&w), k = weights(&w, 3, 57);
    c = ovw_layer(&w, "Convolution", "conv", "strides=\"1\" pads_begin=\"0,0\" pads_end=\"0,0\"", 2,
                  (int[]){d, k});
    ovw_layer(&w, "Result", "out", NULL, 1, &c);
    expect_ir(r, "1D strides", &w, r->xml, "layer conv", "strides \"1\"");

    /* constants beyond the limits (for a small .bin): one of more than 2^22 elements (a
     * broadcast), and more than 4 x 2^22 elements held at once (five of 2^22 that one
     * FakeQuantize folds together: the fourth, with the two it is made of, is too many) */
    static float col[2048], row[2048];
    d = param(&w), k = weights(&w, 3, 57);
    int cl = ovw_const_f32(&w, "col", "2048,1", col, 2048);
    int rw = ovw_const_f32(&w, "row", "1,2048", row, 2048);
    int two = ovw_const_f32(&w, "two", "2,1,1", (float[]){1, 1}, 2);
    int sq = ovw_layer(&w, "Multiply", "square", NULL, 2, (int[]){cl, rw});
    int huge = ovw_layer(&w, "Multiply", "huge", NULL, 2, (int[]){sq, two});
    int ws = ovw_layer(&w, "Multiply", "scaled_w", NULL, 2, (int[]){k, huge});
    c = conv(&w, "conv", d, ws);
    ovw_layer(&w, "Result", "out", NULL, 1, &c);
    expect_ir(r, "constant too large", &w, r->xml, "layer huge",
              "a constant of more than 4194304 elements");
    d = param(&w), k = weights(&w, 3, 57);
    cl = ovw_const_f32(&w, "col", "2048,1", col, 2048);
    rw = ovw_const_f32(&w, "row", "1,2048", row, 2048);
    int fq_in[5];
    for (int i = 0; i < 5; i++) {
        char n[16];
        snprintf(n, sizeof n, "big%d", i);
        fq_in[i] = ovw_layer(&w, "Multiply", n, NULL, 2, (int[]){cl, rw});
    }
    int fq = ovw_layer(&w, "FakeQuantize", "fq", "levels=\"256\"", 5, fq_in);
    ws = ovw_layer(&w, "Multiply", "scaled_w", NULL, 2, (int[]){k, fq});
    c = conv(&w, "conv", d, ws);
    ovw_layer(&w, "Result", "out", NULL, 1, &c);
    expect_ir(r, "constants too large at once", &w, r->xml, "layer big3",
              "constants of more than 16777216 elements at once");

    d = param(&w);
    k = weights(&w, 3, 57);
    ovw_layer(&w, "Result", "out", NULL, 1, &d);
    expect_ir(r, "output is the input", &w, r->xml, "the output is the input", NULL);

    k = weights(&w, 3, 57);
    ovw_layer(&w, "Result", "out", NULL, 1, &k);
    expect_ir(r, "no Parameter", &w, r->xml, "no Parameter", NULL);

    d = param(&w);
    k = weights(&w, 3, 57);
    conv(&w, "conv", d, k);
    expect_ir(r, "no Result", &w, r->xml, "no Result", NULL);
}

int main(void)
{
    run r = {0};
    const char *dir = opc_test_tmpdir("convert_openvino_errors");
    snprintf(r.xml, sizeof r.xml, "%s/net.xml", dir);
    snprintf(r.bin, sizeof r.bin, "%s/net.bin", dir);
    snprintf(r.model, sizeof r.model, "%s/net.opc", dir);
    test_xml(&r);
    test_bin(&r);
    test_graph(&r);
    return opc_test_result();
}
