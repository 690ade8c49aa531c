/* The limits on what openpose-c reads (README "Limits"): bounded reads, image headers,
 * graphs, model files, .npy headers. Each is refused with a one-line message naming the
 * file and the limit, before the memory is taken. The command's file-size and repeated-
 * field limits are in test_cli_limits.sh. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "openpose-c/files.h"
#include "convert/common/convert_common.h"
#include "model/graph.h"
#include "model/limits.h"
#include "openpose-c/image.h"
#include "openpose-c/model.h"
#include "openpose-c/tensor.h"
#include "testutil.h"

static void check_message(const char *msg, const char *name, const char *what)
{
    CHECK(strstr(msg, name) && strstr(msg, what) && !strchr(msg, '\n'),
          "expected one line naming %s with '%s': %s", name, what, msg);
}

/* Bounded reads: exactly max_bytes is fine, one more is refused, for a regular file (by
 * its size) and for a pipe (by what comes). */
static void test_read_bounds(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/hundred", dir);
    char text[101];
    memset(text, 'x', 100);
    opc_error err;
    CHECK(opc_write_file_atomic(path, text, 100, &err) == OPC_OK, "%s", err.msg);
    unsigned char *data;
    size_t n;
    CHECK(opc_read_file(path, 100, &data, &n, &err) == OPC_OK && n == 100 && data[100] == 0,
          "exactly the limit: %s", err.msg);
    free(data);
    CHECK(opc_read_file(path, 99, &data, &n, &err) == OPC_ERR_FORMAT && !data, "over the limit");
    check_message(err.msg, path, "larger than the limit of 99 bytes");

    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    CHECK(write(fds[1], text, 100) == 100, "pipe write");
    close(fds[1]);
    char pipe_path[64];
    snprintf(pipe_path, sizeof pipe_path, "/dev/fd/%d", fds[0]);
    CHECK(opc_read_file(pipe_path, 50, &data, &n, &err) == OPC_ERR_FORMAT && !data,
          "a pipe over the limit was read whole (%zu bytes)", n);
    check_message(err.msg, pipe_path, "larger than the limit of 50 bytes");
    close(fds[0]);
}

/* Images refused by their header: PNG over the pixel limit (sides allowed), PGM (read by
 * stb's header reader) over the side and the pixel limits. */
static void test_image_headers(void)
{
    opc_image img;
    opc_error err;
    /* 12000 x 12000 RGB: 144 megapixels. */
    const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13,
                                 'I', 'H', 'D', 'R', 0, 0, 0x2E, 0xE0, 0, 0, 0x2E, 0xE0,
                                 8, 2, 0, 0, 0, 0, 0, 0, 0};
    CHECK(opc_image_decode(png, sizeof png, "bomb.png", &img, &err) != OPC_OK, "bomb.png");
    check_message(err.msg, "bomb.png: image is 12000x12000", "100 megapixels");
    const char *pgm[] = {"P5 30000 100 255\n", "P5\n# comment\n12000 9000\n255\n"};
    const char *dims[] = {"30000x100", "12000x9000"};
    for (int i = 0; i < 2; i++) {
        CHECK(opc_image_decode(pgm[i], strlen(pgm[i]), "big.pgm", &img, &err) != OPC_OK,
              "%s", pgm[i]);
        check_message(err.msg, dims[i], "larger than the limit");
    }
}

/* Graphs: at most OPC_GRAPH_MAX_LAYERS layers; weights' products checked without
 * overflow. The model loader builds its graph with these calls. */
static void test_graph_limits(void)
{
    opc_error err;
    opc_graph *g = opc_graph_new("in", 3);
    char name[32];
    int i;
    for (i = 0; i <= OPC_GRAPH_MAX_LAYERS; i++) {
        snprintf(name, sizeof name, "l%d", i);
        opc_layer *l = opc_graph_add_layer(g, OPC_OP_ACT, name, name, &err);
        if (!l)
            break;
        l->inputs[l->n_inputs++] = i;
    }
    CHECK(i == OPC_GRAPH_MAX_LAYERS && g->n_layers == OPC_GRAPH_MAX_LAYERS, "%d layers", i);
    check_message(err.msg, name, "more than 4096 layers");
    opc_weight w;
    const int over[] = {16384, 16384, 2, 1}, wrap[] = {1 << 24, 1 << 24, 1 << 24, 1 << 24};
    CHECK(!opc_graph_new_weight(g, &w, 4, over, &err), "2^29 elements accepted");
    CHECK(!opc_graph_new_weight(g, &w, 4, wrap, &err), "2^96 elements accepted");
    check_message(err.msg, "weight", "at most 268435456 elements");
    opc_graph_free(g);
}

/* .npy headers promising more data than the file holds (one so much that the product wraps
 * 64 bits) are refused before the memory is taken; tensors whose product wraps are too
 * large. */
static void test_npy_shapes(const char *dir)
{
    const char *shapes[] = {"(1073741824, 1073741824, 1073741824, 1073741824)",
                            "(1, 3, 1000, 1000)"};
    const char *why[] = {"truncated .npy data", "truncated .npy data (expected 3000000 floats)"};
    char path[4200], text[200];
    snprintf(path, sizeof path, "%s/claims.npy", dir);
    for (int i = 0; i < 2; i++) {
        int n = snprintf(text + 10, sizeof text - 10,
                         "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }\n", shapes[i]);
        memcpy(text, "\x93NUMPY\x01\x00", 8);
        text[8] = (char)n;
        text[9] = 0;
        opc_error err;
        CHECK(opc_write_file_atomic(path, text, 10 + (size_t)n + 16, &err) == OPC_OK, "write");
        opc_tensor t;
        CHECK(opc_npy_read(path, &t, &err) != OPC_OK, "%s accepted", shapes[i]);
        check_message(err.msg, path, why[i]);
        opc_tensor_free(&t);
    }
    opc_tensor t;
    opc_error err;
    CHECK(opc_tensor_alloc(&t, 1 << 30, 1 << 30, 1 << 30, 1 << 30, &err) != OPC_OK,
          "a 2^120-element tensor was allocated");
    check_message(err.msg, "tensor: 1073741824x1073741824x1073741824x1073741824", "too large");
    opc_tensor_free(&t);
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Model files: a header claiming more JSON than the limit (the file really that long, as
 * holes), and a weight whose shape has more elements than the limit. */
static void test_model_limits(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/header.opc", dir);
    uint64_t json = OPC_MODEL_MAX_JSON_BYTES + 1, size = 64 + json;
    unsigned char h[64] = "OPCMODEL";
    put_le(h + 8, OPC_MODEL_FORMAT_VERSION, 4);
    put_le(h + 16, 64, 8);
    put_le(h + 24, json, 8);
    put_le(h + 32, size, 8);
    put_le(h + 48, size, 8);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0 && write(fd, h, 64) == 64 && ftruncate(fd, (off_t)size) == 0, "header.opc");
    close(fd);
    opc_error err;
    CHECK(!opc_model_open(path, &err), "a 64 MiB header was accepted");
    check_message(err.msg, path, "model header of 67108865 bytes, larger than the limit");

    /* One 1x1 convolution to COCO's 57 channels; its weight's shape [57,3,1,1] becomes
     * [1e7,1e7 ] (the same length): 10^14 elements. */
    opc_graph *g = opc_graph_new("image", 3);
    g->name = opc_graph_strdup(g, "one");
    g->source = opc_graph_strdup(g, "test");
    g->preprocess = opc_convert_openpose_preprocess(1.0f, 0.0f, 0, 8, -1, 64);
    opc_layer *l = opc_graph_add_layer(g, OPC_OP_CONV, "c", "out", &err);
    l->inputs[l->n_inputs++] = 0;
    l->kernel[0] = l->kernel[1] = 1;
    l->stride[0] = l->stride[1] = 8;
    l->out_channels = 57;
    opc_graph_new_weight(g, &l->weight, 4, (int[]){57, 3, 1, 1}, &err);
    CHECK(opc_convert_paf_output(g, opc_paf_topology_builtin("coco"), 1, &err) == OPC_OK, "%s",
          err.msg);
    snprintf(path, sizeof path, "%s/weight.opc", dir);
    CHECK(opc_model_write(g, path, &err) == OPC_OK, "%s", err.msg);
    opc_graph_free(g);
    unsigned char *data;
    size_t n;
    CHECK(opc_read_file(path, 1 << 20, &data, &n, &err) == OPC_OK, "%s", err.msg);
    char *shape = data ? strstr((char *)data + 64, "[57,3,1,1]") : NULL;
    CHECK(shape != NULL, "the weight's shape is not in the header");
    if (shape) {
        memcpy(shape, "[1e7,1e7 ]", 10);
        CHECK(opc_write_file_atomic(path, data, n, &err) == OPC_OK, "%s", err.msg);
        CHECK(!opc_model_open(path, &err), "a weight of 10^14 elements was accepted");
        check_message(err.msg, path, "has more elements than the limit of 2^28");
    }
    free(data);
}

int main(void)
{
    const char *dir = opc_test_tmpdir("limits");
    test_read_bounds(dir);
    test_npy_shapes(dir);
    test_model_limits(dir);
    test_image_headers();
    test_graph_limits();
    return opc_test_result();
}
