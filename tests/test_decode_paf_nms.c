/* NMS on hand-made heatmaps: OpenPose's rules for the inside (strict), the ring one pixel
 * in (>=, outside counts as the threshold), the border (never), ties, the threshold, the
 * 7x7 centroid over positive values, the offset, the per-part cap in row-major order, and
 * non-finite values. Expected positions are worked out by hand. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decode/paf/parser.h"
#include "testutil.h"

enum { W = 16, H = 12 };

static float map[W * H];

/* Centroids are a division in float: equal to the pixel up to rounding. */
static int near(float a, float b) { return fabsf(a - b) < 1e-5f; }

static void clear(void) { memset(map, 0, sizeof map); }
static void set(int x, int y, float v) { map[y * W + x] = v; }

/* Peaks of `map` with threshold thr and no offset. */
static int peaks(float thr, int max_peaks, opc_peaks *pk)
{
    opc_error err;
    if (opc_peaks_alloc(pk, 1, max_peaks, &err) != OPC_OK)
        exit(1);
    const opc_band b = {.rows = map, .w = W, .h = H, .y0 = 0, .y1 = H};
    const int all[2] = {0, W};
    opc_nms_band(&b, 0, H, all, 1, thr, 0, pk, 0);
    return pk->count[0];
}

static void check_one(const char *what, float thr, float x, float y, float score)
{
    opc_peaks pk;
    int n = peaks(thr, 127, &pk);
    CHECK(n == 1, "%s: %d peaks", what, n);
    if (n == 1)
        CHECK(near(pk.peak[0].x, x) && near(pk.peak[0].y, y) &&
                  pk.peak[0].score == score,
              "%s: peak at (%g, %g) score %g, want (%g, %g) %g", what, pk.peak[0].x,
              pk.peak[0].y, pk.peak[0].score, x, y, score);
    opc_peaks_free(&pk);
}

static void check_none(const char *what, float thr)
{
    opc_peaks pk;
    int n = peaks(thr, 127, &pk);
    CHECK(n == 0, "%s: %d peaks, want none", what, n);
    opc_peaks_free(&pk);
}

int main(void)
{
    /* An inside peak with a symmetric neighbourhood: the centroid is the pixel itself. */
    clear();
    set(6, 5, 0.9f);
    set(5, 5, 0.4f);
    set(7, 5, 0.4f);
    check_one("symmetric", 0.05f, 6, 5, 0.9f);

    /* The centroid weighs the 7x7 window by the positive values only: a negative
     * neighbour is left out. x = (5 * 0.5 + 6 * 1) / 1.5. */
    clear();
    set(6, 5, 1.0f);
    set(5, 5, 0.5f);
    set(7, 5, -0.5f);
    set(9, 5, 0.25f); /* 3 to the right: inside the window */
    set(10, 5, 0.3f); /* 4 to the right: outside it (and a peak of its own) */
    {
        opc_peaks pk;
        int n = peaks(0.05f, 127, &pk);
        CHECK(n == 2, "centroid case: %d peaks", n);
        const float want = (5 * 0.5f + 6 * 1.0f + 9 * 0.25f) / 1.75f;
        CHECK(n >= 1 && near(pk.peak[0].x, want) && near(pk.peak[0].y, 5),
              "centroid x %g, want %g", n ? pk.peak[0].x : -1, want);
        opc_peaks_free(&pk);
    }

    /* Threshold: the value must exceed it. */
    clear();
    set(6, 5, 0.05f);
    check_none("equal to the threshold", 0.05f);
    set(6, 5, 0.0501f);
    check_one("just above the threshold", 0.05f, 6, 5, 0.0501f);

    /* Ties inside: two equal neighbours are both rejected (strictly greater). */
    clear();
    set(6, 5, 0.8f);
    set(7, 5, 0.8f);
    check_none("a tie inside", 0.05f);

    /* Ring (x == 1): >= its neighbours, so a tie with the inside pixel next to it leaves
     * the ring pixel as the peak (the inside one fails its strict test). Centroid of the
     * two equal values: x = 1.5. */
    clear();
    set(1, 5, 0.8f);
    set(2, 5, 0.8f);
    check_one("a tie on the ring", 0.05f, 1.5f, 5, 0.8f);

    /* Border column (x == 0) of an inside row: never a peak, and it masks the ring pixel
     * next to it when larger. */
    clear();
    set(0, 5, 0.9f);
    set(1, 5, 0.5f);
    check_none("border column", 0.05f);

    /* Border pixel of a ring row (x == 0, y == 1): OpenPose tests it with the ring rule,
     * its outside neighbours reading as the threshold. */
    clear();
    set(0, 1, 0.9f);
    check_one("corner of the ring row", 0.05f, 0, 1, 0.9f);
    /* The same at the other end of the last ring row. */
    clear();
    set(W - 1, H - 2, 0.7f);
    check_one("last column of the last ring row", 0.05f, W - 1, H - 2, 0.7f);
    /* The outermost rows are never peaks except at x == 1 or x == w-2. */
    clear();
    set(5, 0, 0.9f);
    check_none("top row", 0.05f);
    clear();
    set(W - 2, 0, 0.9f);
    check_one("top row at x == w-2", 0.05f, W - 2, 0, 0.9f);

    /* The offset (OpenPose's +0.5/scale) is added to both coordinates. */
    clear();
    set(6, 5, 0.9f);
    {
        opc_peaks pk;
        opc_error err;
        opc_peaks_alloc(&pk, 1, 127, &err);
        const opc_band b = {.rows = map, .w = W, .h = H, .y0 = 0, .y1 = H};
        const int all[2] = {0, W};
        opc_nms_band(&b, 0, H, all, 1, 0.05f, 0.25f, &pk, 0);
        CHECK(pk.count[0] == 1 && near(pk.peak[0].x, 6.25f) && near(pk.peak[0].y, 5.25f),
              "offset: %d peaks, first at (%g, %g)", pk.count[0], pk.peak[0].x, pk.peak[0].y);
        opc_peaks_free(&pk);
    }

    /* Non-finite values are never peaks and never weights. */
    clear();
    set(6, 5, INFINITY);
    set(9, 8, NAN);
    check_none("Inf and NaN", 0.05f);
    clear();
    set(6, 5, 0.9f);
    set(7, 6, NAN); /* a NaN neighbour makes the strict test fail, as in OpenPose */
    check_none("NaN neighbour", 0.05f);
    clear();
    set(6, 5, 0.9f);
    set(8, 5, INFINITY); /* two to the right: in the window, left out of the centroid */
    {
        opc_peaks pk;
        int n = peaks(0.05f, 127, &pk);
        CHECK(n == 1 && near(pk.peak[0].x, 6), "Inf in the window: %d peaks, first x %g", n,
              pk.peak[0].x);
        opc_peaks_free(&pk);
    }

    /* The cap: 6 isolated peaks (4 pixels apart, beyond each other's 7x7 window), at most
     * 4 kept: the first 4 in row-major order. */
    clear();
    for (int y = 2; y <= 6; y += 4)
        for (int x = 2; x <= 10; x += 4)
            set(x, y, 0.5f + 0.01f * (float)x);
    {
        opc_peaks pk;
        int n = peaks(0.05f, 4, &pk);
        CHECK(n == 4, "cap: %d peaks kept, want 4", n);
        for (int i = 0; i < n; i++) {
            const float wx = (float)(2 + 4 * (i % 3)), wy = (float)(2 + 4 * (i / 3));
            CHECK(near(pk.peak[i].x, wx) && near(pk.peak[i].y, wy), "cap: peak %d at (%g, %g), "
                  "want (%g, %g)", i, pk.peak[i].x, pk.peak[i].y, wx, wy);
        }
        opc_peaks_free(&pk);
        n = peaks(0.05f, 127, &pk);
        CHECK(n == 6, "all peaks: %d, want 6", n);
        opc_peaks_free(&pk);
    }

    /* Column spans: peaks outside the spans given are not looked for, inside they are,
     * and in row-major order across spans. */
    clear();
    set(3, 4, 0.9f);
    set(12, 3, 0.8f);
    {
        opc_peaks pk;
        opc_error err;
        opc_peaks_alloc(&pk, 1, 127, &err);
        const opc_band b = {.rows = map, .w = W, .h = H, .y0 = 0, .y1 = H};
        const int spans[4] = {0, 6, 10, W};
        opc_nms_band(&b, 0, H, spans, 2, 0.05f, 0, &pk, 0);
        CHECK(pk.count[0] == 2 && near(pk.peak[0].x, 12) && near(pk.peak[1].x, 3),
              "spans: %d peaks, x %g, %g", pk.count[0], pk.peak[0].x, pk.peak[1].x);
        opc_peaks_free(&pk);
    }
    return opc_test_result();
}
