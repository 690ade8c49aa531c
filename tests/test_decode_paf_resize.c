/* Bicubic upsampling (OpenCV's cv::resize INTER_CUBIC semantics) and multi-scale merging:
 * values worked out by hand, a few reference values from OpenCV itself, invariants, and
 * the point reads the fast parser uses. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/paf.h"
#include "decode/paf/parser.h"
#include "testutil.h"

static opc_tensor make(int c, int h, int w, const float *v)
{
    opc_tensor t;
    opc_error err;
    if (opc_tensor_alloc(&t, 1, c, h, w, &err) != OPC_OK)
        exit(1);
    if (v)
        memcpy(t.data, v, opc_tensor_count(&t) * sizeof(float));
    return t;
}

static opc_tensor resize(const opc_tensor *m, int w, int h)
{
    opc_tensor out;
    opc_error err;
    const opc_tensor *list[1] = {m};
    CHECK(opc_maps_resize_merge(list, 1, w, h, &out, &err) == OPC_OK, "%s", err.msg);
    return out;
}

/* Keys' cubic kernel with a = -0.75 at distances 0.25, 0.75, 1.25, 1.75, worked out by hand
 * (they are exact in binary): W(0.25) = 0.87890625, W(0.75) = 0.26171875,
 * W(1.25) = -0.10546875, W(1.75) = -0.03515625. Upsampling 4 -> 8 samples source
 * coordinate x/2 - 0.25, with taps clamped at the borders (replicated). */
static void hand_values(void)
{
    const float src[4] = {0, 1, 0, 0};
    const float want[8] = {-0.10546875f, 0.26171875f, 0.87890625f, 0.87890625f,
                           0.26171875f, -0.10546875f, -0.03515625f, 0};
    opc_tensor m = make(1, 1, 4, src), out = resize(&m, 8, 1);
    for (int x = 0; x < 8; x++)
        CHECK(out.data[x] == want[x], "x=%d: %.9g, want %.9g", x, out.data[x], want[x]);
    opc_tensor_free(&out);
    /* The same along y (a column), and a constant stays constant. */
    opc_tensor_free(&m);
    m = make(1, 4, 1, src);
    out = resize(&m, 1, 8);
    for (int y = 0; y < 8; y++)
        CHECK(out.data[y] == want[y], "y=%d: %.9g, want %.9g", y, out.data[y], want[y]);
    opc_tensor_free(&out);
    opc_tensor_free(&m);
    float c[35];
    for (int i = 0; i < 35; i++)
        c[i] = 0.625f;
    m = make(1, 5, 7, c);
    out = resize(&m, 56, 40);
    for (size_t i = 0; i < opc_tensor_count(&out); i++)
        CHECK(fabsf(out.data[i] - 0.625f) < 1e-6f, "constant map: %.9g", out.data[i]);
    opc_tensor_free(&out);
    opc_tensor_free(&m);
}

/* Reference values from OpenCV 4.6 itself, computed by hand once with:
 *   /usr/bin/python3 -c "import numpy as np, cv2
 *   src = np.array([[0,1,2,3],[4,5,6,7],[8,9,10,11]], np.float32)**2 / 10
 *   print(cv2.resize(src, (9, 7), interpolation=cv2.INTER_CUBIC)[y, x]) ..."
 * for (9, 7), (32, 24) (x8) and (3, 2) (down), at the (y, x) listed. */
static void opencv_values(void)
{
    float src[12];
    for (int i = 0; i < 12; i++)
        src[i] = (float)(i * i) / 10;
    const struct {
        int w, h, y, x;
        float v;
    } ref[] = {
        {9, 7, 0, 0, -0.17629028856754303f}, {9, 7, 1, 2, 0.20484323799610138f},
        {9, 7, 3, 4, 3.012500286102295f},    {9, 7, 6, 8, 13.124879837036133f},
        {9, 7, 2, 7, 2.3505029678344727f},   {9, 7, 5, 1, 6.040340423583984f},
        {32, 24, 0, 0, -0.167872354388237f}, {32, 24, 11, 13, 2.3687219619750977f},
        {32, 24, 23, 31, 13.074156761169434f}, {32, 24, 4, 20, 0.5820196866989136f},
        {3, 2, 0, 0, 0.22221137583255768f},  {3, 2, 0, 2, 1.4672563076019287f},
        {3, 2, 1, 1, 7.751562595367432f},
    };
    opc_tensor m = make(1, 3, 4, src);
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        opc_tensor out = resize(&m, ref[i].w, ref[i].h);
        const float v = out.data[ref[i].y * ref[i].w + ref[i].x];
        CHECK(fabsf(v - ref[i].v) <= 2e-6f * (1 + fabsf(ref[i].v)), "%dx%d (%d,%d): %.9g vs "
              "OpenCV %.9g", ref[i].w, ref[i].h, ref[i].y, ref[i].x, v, ref[i].v);
        opc_tensor_free(&out);
    }
    opc_tensor_free(&m);
}

/* Multi-scale: each scale resized to the target, then averaged. */
static void merge(void)
{
    float a[2 * 6 * 5], b[2 * 3 * 4];
    for (int i = 0; i < 60; i++)
        a[i] = sinf((float)i);
    for (int i = 0; i < 24; i++)
        b[i] = cosf((float)i * 0.7f);
    opc_tensor ma = make(2, 6, 5, a), mb = make(2, 3, 4, b);
    opc_tensor ra = resize(&ma, 40, 48), rb = resize(&mb, 40, 48);
    const opc_tensor *list[2] = {&ma, &mb};
    opc_tensor merged;
    opc_error err;
    CHECK(opc_maps_resize_merge(list, 2, 40, 48, &merged, &err) == OPC_OK, "%s", err.msg);
    CHECK(merged.c == 2 && merged.h == 48 && merged.w == 40, "merged shape");
    for (size_t i = 0; i < opc_tensor_count(&merged); i++)
        CHECK(fabsf(merged.data[i] - 0.5f * (ra.data[i] + rb.data[i])) < 1e-6f,
              "merged value %zu", i);
    /* Channel count mismatch and empty maps are refused with a one-line reason. */
    opc_tensor mc = make(3, 3, 4, NULL);
    const opc_tensor *bad[2] = {&ma, &mc};
    opc_tensor out;
    CHECK(opc_maps_resize_merge(bad, 2, 40, 48, &out, &err) == OPC_ERR_ARG, "channel mismatch");
    CHECK(strchr(err.msg, '\n') == NULL && strstr(err.msg, "channels"), "%s", err.msg);
    opc_tensor empty = {1, 2, 0, 0, NULL};
    const opc_tensor *e[1] = {&empty};
    CHECK(opc_maps_resize_merge(e, 1, 40, 48, &out, &err) != OPC_OK, "empty maps accepted");
    CHECK(opc_maps_resize_merge(list, 2, 0, 48, &out, &err) != OPC_OK, "net width 0 accepted");
    opc_tensor_free(&ma);
    opc_tensor_free(&mb);
    opc_tensor_free(&mc);
    opc_tensor_free(&ra);
    opc_tensor_free(&rb);
    opc_tensor_free(&merged);
}

/* Point reads (what the parser samples PAFs with) equal the full resize exactly, and the
 * partial passes (row ranges, column ranges) equal it too. */
static void point_reads(void)
{
    const int sw = 11, sh = 7, dw = 88, dh = 56;
    float src[2 * 7 * 11];
    for (int i = 0; i < 2 * sw * sh; i++)
        src[i] = (float)((i * 7919) % 113) / 50 - 1;
    opc_tensor m = make(2, sh, sw, src), full = resize(&m, dw, dh);
    opc_cubic c;
    opc_error err;
    CHECK(opc_cubic_init(&c, sw, sh, dw, dh, &err) == OPC_OK, "%s", err.msg);
    int bad = 0;
    for (int y = 0; y < dh; y++)
        for (int x = 0; x < dw; x++) {
            float a, b;
            opc_cubic_at2(&c, src, src + sw * sh, x, y, &a, &b);
            bad += a != full.data[y * dw + x] || b != full.data[dw * dh + y * dw + x];
        }
    CHECK(bad == 0, "%d point reads differ from the resize", bad);
    float *tmp = calloc((size_t)sh * dw, sizeof *tmp), *band = calloc((size_t)9 * dw, 4);
    opc_cubic_rows(&c, src, 0, sh, tmp);
    opc_cubic_cols(&c, tmp, 20, 29, 13, 61, band);
    bad = 0;
    for (int y = 20; y < 29; y++)
        for (int x = 13; x < 61; x++)
            bad += band[(y - 20) * dw + x] != full.data[y * dw + x];
    CHECK(bad == 0, "%d band values differ from the resize", bad);
    /* The bound the fast NMS relies on: |output| <= gain_x * gain_y * max |source|. */
    float maxsrc = 0, maxout = 0;
    for (int i = 0; i < sw * sh; i++)
        maxsrc = fmaxf(maxsrc, fabsf(src[i]));
    for (int i = 0; i < dw * dh; i++)
        maxout = fmaxf(maxout, fabsf(full.data[i]));
    CHECK(maxout <= c.x.gain * c.y.gain * maxsrc, "gain bound %g > %g * %g * %g", maxout,
          c.x.gain, c.y.gain, maxsrc);
    CHECK(c.x.gain > 1.2f && c.x.gain < 1.5f, "gain %g", c.x.gain);
    free(tmp);
    free(band);
    opc_cubic_free(&c);
    opc_tensor_free(&m);
    opc_tensor_free(&full);
}

/* Resizing to the same size is a copy (cv::resize's shortcut): even a NaN stays put. */
static void same_size(void)
{
    float v[12] = {1, 2, 3, 4, 5, NAN, 7, 8, 9, 10, 11, 12};
    opc_tensor m = make(1, 3, 4, v), out = resize(&m, 4, 3);
    for (int i = 0; i < 12; i++)
        CHECK(i == 5 ? isnan(out.data[i]) : out.data[i] == v[i], "same size: value %d", i);
    opc_tensor_free(&m);
    opc_tensor_free(&out);
}

int main(void)
{
    same_size();
    hand_values();
    opencv_values();
    merge();
    point_reads();
    return opc_test_result();
}
