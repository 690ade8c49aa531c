/* OpenPose's network input: net sizes and scales (checked against values worked out by
 * hand from OpenPose's rules), the warp (bit-exact against OpenCV's warpAffine on
 * synthetic images, tests/data/warp_cv2.u8 from tools/make_warp_reference.py), and the
 * whole preprocessing of a real photo against engine/input.npy (made by OpenCV). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/files.h"
#include "openpose-c/image.h"
#include "testutil.h"

static const struct {
    int w, h;
    double s;
    int dw, dh, seed;
} CASES[] = {
    {61, 47, 0.2, 16, 16, 1},  {61, 47, 0.7662, 48, 40, 2}, {40, 30, 31.0 / 39, 32, 32, 3},
    {23, 17, 1.0, 32, 24, 4},  {23, 17, 1.7, 40, 32, 5},    {9, 13, 3.3, 32, 48, 6},
    {5, 1, 2.5, 16, 8, 7},     {64, 64, 0.5, 33, 31, 8},
};

/* The same hashed pixels as tools/make_warp_reference.py. */
static void synth(opc_image *im, int w, int h, int seed)
{
    opc_error err;
    CHECK(opc_image_alloc(im, w, h, &err) == OPC_OK, "%s", err.msg);
    uint32_t s = (uint32_t)((uint64_t)seed * 2654435761u);
    for (uint32_t y = 0; y < (uint32_t)h; y++)
        for (uint32_t x = 0; x < (uint32_t)w; x++)
            for (uint32_t c = 0; c < 3; c++) {
                uint32_t v = (x * 73856093u) ^ (y * 19349663u) ^ (c * 83492791u) ^ s;
                v *= 2246822519u;
                im->data[((size_t)y * w + x) * 3 + c] = (unsigned char)((v >> 8) & 255);
            }
}

static void test_warp_exact(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/warp_cv2.u8", OPC_SOURCE_DIR);
    unsigned char *ref;
    size_t n, at = 0;
    opc_error err;
    CHECK(opc_read_file(path, 1 << 20, &ref, &n, &err) == OPC_OK, "%s", err.msg);
    if (!ref)
        return;
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        opc_image im;
        synth(&im, CASES[k].w, CASES[k].h, CASES[k].seed);
        size_t bytes = (size_t)CASES[k].dw * CASES[k].dh * 3;
        unsigned char *out = malloc(bytes);
        CHECK(at + bytes <= n, "reference file too short");
        if (at + bytes > n)
            break;
        CHECK(opc_warp_scale(&im, CASES[k].s, out, CASES[k].dw, CASES[k].dh, &err) == OPC_OK,
              "%s", err.msg);
        size_t diff = 0;
        for (size_t i = 0; i < bytes; i++)
            diff += out[i] != ref[at + i];
        CHECK(diff == 0, "case %zu (%dx%d s=%g -> %dx%d): %zu of %zu bytes differ from OpenCV", k,
              CASES[k].w, CASES[k].h, CASES[k].s, CASES[k].dw, CASES[k].dh, diff, bytes);
        at += bytes;
        free(out);
        opc_image_free(&im);
    }
    CHECK(at == n, "reference has %zu bytes, cases use %zu", n, at);
    free(ref);
}

static void test_plan(void)
{
    opc_scale_plan p;
    opc_error err;
    /* 640x480 at -1x368: width 16*round(368*640/480/16) = 16*31 = 496;
     * s = min(495/639, 367/479) = 367/479. */
    CHECK(opc_scale_plan_make(640, 480, -1, 368, 1, 0.25, 16, &p, &err) == OPC_OK, "%s", err.msg);
    CHECK(p.count == 1 && p.net_w[0] == 496 && p.net_h[0] == 368, "got %dx%d", p.net_w[0],
          p.net_h[0]);
    CHECK(fabs(p.scale[0] - 367.0 / 479) < 1e-15, "scale %.17g", p.scale[0]);
    /* A panorama: 16*round(368*4/16) = 1472, capped at the 16:9 width 656;
     * s = min(655/1999, 367/499) = 655/1999. */
    CHECK(opc_scale_plan_make(2000, 500, -1, 368, 1, 0.25, 16, &p, &err) == OPC_OK, "%s", err.msg);
    CHECK(p.net_w[0] == 656 && fabs(p.scale[0] - 655.0 / 1999) < 1e-15, "got %d %.17g",
          p.net_w[0], p.scale[0]);
    /* Portrait 480x640: 16*round(368*0.75/16) = 16*round(17.25) = 272. */
    CHECK(opc_scale_plan_make(480, 640, -1, 368, 1, 0.25, 16, &p, &err) == OPC_OK, "%s", err.msg);
    CHECK(p.net_w[0] == 272 && p.net_h[0] == 368, "got %dx%d", p.net_w[0], p.net_h[0]);
    /* Three scales, gap 0.25, of 496x368: 372->368 x 276->272, then 248->240 x 184->176. */
    CHECK(opc_scale_plan_make(640, 480, -1, 368, 3, 0.25, 16, &p, &err) == OPC_OK, "%s", err.msg);
    CHECK(p.count == 3 && p.net_w[1] == 368 && p.net_h[1] == 272 && p.net_w[2] == 240 &&
              p.net_h[2] == 176,
          "got %dx%d %dx%d", p.net_w[1], p.net_h[1], p.net_w[2], p.net_h[2]);
    CHECK(fabs(p.scale[2] - 175.0 / 479) < 1e-15, "scale %.17g", p.scale[2]);
    /* Fixed 432x368 on a 217x232 photo: s = min(431/216, 367/231) = 367/231. */
    CHECK(opc_scale_plan_make(217, 232, 432, 368, 1, 0.25, 16, &p, &err) == OPC_OK, "%s", err.msg);
    CHECK(p.net_w[0] == 432 && fabs(p.scale[0] - 367.0 / 231) < 1e-15, "scale %.17g",
          p.scale[0]);
    /* Refused: both free, not multiples of 16, gap leaving nothing, too many scales. */
    CHECK(opc_scale_plan_make(640, 480, -1, -1, 1, 0.25, 16, &p, &err) == OPC_ERR_ARG, "-1x-1");
    CHECK(opc_scale_plan_make(640, 480, 100, 368, 1, 0.25, 16, &p, &err) == OPC_ERR_ARG, "100");
    CHECK(opc_scale_plan_make(640, 480, -1, 368, 5, 0.25, 16, &p, &err) == OPC_ERR_ARG, "gap");
    CHECK(opc_scale_plan_make(640, 480, -1, 368, 99, 0.01, 16, &p, &err) == OPC_ERR_ARG, "99");
    CHECK(strstr(err.msg, "scale number") != NULL, "message: %s", err.msg);
}

/* engine/input.npy is OpenCV's imread + warpAffine(s = 0.2) + x/256 - 0.5, BGR. The JPEG
 * is decoded by imread's own decoder (libjpeg-turbo) and the warp is bit-exact (above), so
 * every value must be equal: with stb_image's decoder 1.4 % of them were 1 to 3 levels
 * off. */
static void test_real_input(const char *npy, double s)
{
    opc_image im;
    opc_error err;
    opc_tensor ref, in;
    if (opc_image_load(opc_test_shared_path("images/openpose-media/COCO_val2014_000000000192.jpg"),
                       &im, &err) != OPC_OK) {
        CHECK(0, "%s", err.msg);
        return;
    }
    CHECK(opc_npy_read(opc_test_shared_path(npy), &ref, &err) == OPC_OK, "%s", err.msg);
    opc_preprocess pp = {.channel_order = "BGR",
                         .scale = {1.f / 256, 1.f / 256, 1.f / 256},
                         .offset = {-.5f, -.5f, -.5f},
                         .placement = "top_left"};
    opc_view v = {ref.w, ref.h, s, s, 0, 0, -1};
    CHECK(opc_input_make(&im, &v, &pp, &in, &err) == OPC_OK, "%s", err.msg);
    CHECK(in.c == 3 && in.h == ref.h && in.w == ref.w, "shape");
    size_t n = opc_tensor_count(&ref), differ = 0;
    double max = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(in.data[i] - ref.data[i]) * 256;
        max = d > max ? d : max;
        differ += d > 0;
    }
    CHECK(differ == 0, "%s: %zu of %zu values differ from OpenCV's, by up to %.0f/256", npy,
          differ, n, max);
    opc_tensor_free(&ref);
    opc_tensor_free(&in);
    opc_image_free(&im);
}

int main(void)
{
    test_plan();
    test_warp_exact();
    test_real_input("testdata/engine/input.npy", 0.2);
    test_real_input("testdata/engine/input_odd.npy", 0.15625);
    return opc_test_result();
}
