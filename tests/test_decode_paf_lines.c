/* PAF line integral on hand-made fields: the number of samples, where the samples fall
 * (B itself is not sampled), the strict per-sample threshold and the strict share of
 * samples, the mean, the near-pair rule and coincident peaks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decode/paf/parser.h"
#include "testutil.h"

enum { W = 150, H = 150 }; /* sqrt(W * H) / 150 = 1: the near-pair distance */

static float fx[W * H], fy[W * H];
static const opc_paf field = {.x = fx, .y = fy, .w = W, .h = H};

static void fill(float x, float y)
{
    for (int i = 0; i < W * H; i++) {
        fx[i] = x;
        fy[i] = y;
    }
}

static float score(float ax, float ay, float bx, float by, float thr, float above)
{
    const opc_peak a = {ax, ay, 1}, b = {bx, by, 1};
    return opc_paf_score(&field, &a, &b, thr, above, 0.05f);
}

int main(void)
{
    /* n = max(5, min(25, int(sqrt(5 * max(|dx|, |dy|)) + 0.5))), worked out by hand. */
    const struct {
        float dx, dy;
        int n;
    } ns[] = {{0, 0, 5},     {5, 0, 5},      {0, -20, 10},  {7, 3, 6},    {-20, 10, 10},
              {8.44f, 0, 6}, {8.46f, 0, 7},  {125, 0, 25},  {120, 0, 24}, {1000, 500, 25},
              {3, 4, 5},     {-7.2f, 0, 6}};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        CHECK(opc_paf_num_samples(ns[i].dx, ns[i].dy) == ns[i].n, "samples for (%g, %g): %d, "
              "want %d", ns[i].dx, ns[i].dy, opc_paf_num_samples(ns[i].dx, ns[i].dy), ns[i].n);

    /* A uniform field along the limb scores its projection. */
    fill(0.6f, 0.8f);
    CHECK(fabsf(score(10, 20, 110, 20, 0.05f, 0.95f) - 0.6f) < 1e-6f, "projection 0.6");
    CHECK(fabsf(score(10, 20, 10, 120, 0.05f, 0.95f) - 0.8f) < 1e-6f, "projection 0.8");
    /* Pointing the other way: rejected (it is not near: 0). */
    CHECK(score(110, 20, 10, 20, 0.05f, 0.95f) == 0, "reversed field accepted");
    /* The per-sample threshold is strict. */
    fill(0.05f, 0);
    CHECK(score(10, 20, 110, 20, 0.05f, 0.5f) == 0, "samples equal to the threshold passed");

    /* A horizontal limb from x = 10.2 of length 122: n = 25 samples at
     * x = 10.2 + k * 4.88, read at pixel int(x + 0.5): 10, 15, 20, 25, 30, ... Knocking out
     * the pixel of sample 3 (x = 24.84 -> pixel 25) leaves 24/25 = 0.96 > 0.95: accepted,
     * with the mean over the 24. */
    fill(1, 0);
    const int y = 40;
    fx[y * W + 25] = 0;
    CHECK(fabsf(score(10.2f, 40, 132.2f, 40, 0.05f, 0.95f) - 1) < 1e-6f, "one miss of 25");
    /* A second miss (sample 10: x = 59.0 -> pixel 59; 23/25 = 0.92): rejected. */
    fx[y * W + 59] = 0;
    CHECK(score(10.2f, 40, 132.2f, 40, 0.05f, 0.95f) == 0, "two misses of 25 accepted");
    /* The pixels between samples are not read: 26 sits between samples 3 and 4. */
    fill(1, 0);
    fx[y * W + 26] = 0;
    fx[y * W + 27] = 0;
    CHECK(fabsf(score(10.2f, 40, 132.2f, 40, 0.05f, 0.95f) - 1) < 1e-6f, "pixel not sampled");
    /* B itself (pixel 132) is not sampled. */
    fill(1, 0);
    fx[y * W + 132] = 0;
    CHECK(fabsf(score(10.2f, 40, 132.2f, 40, 0.05f, 0.95f) - 1) < 1e-6f, "B sampled");
    /* A is (pixel 10). */
    fx[y * W + 10] = -1;
    fx[y * W + 15] = -1;
    CHECK(score(10.2f, 40, 132.2f, 40, 0.05f, 0.95f) == 0, "A not sampled");

    /* 20 samples (length 80, step 4, from x = 10: pixels 10, 14, .. 86): a single miss
     * leaves 19/20 = 0.95, which is not more than 0.95: rejected. */
    fill(1, 0);
    fx[y * W + 50] = 0;
    CHECK(opc_paf_num_samples(80, 0) == 20, "20 samples");
    CHECK(score(10, 40, 90, 40, 0.05f, 0.95f) == 0, "19 of 20 accepted");
    CHECK(fabsf(score(10, 40, 90, 40, 0.05f, 0.9f) - 1) < 1e-6f, "19 of 20 at 0.9 rejected");
    /* The mean is over the samples that pass: half the samples at 0.5, half at 1. */
    fill(1, 0);
    for (int x = 0; x < 50; x++)
        fx[y * W + x] = 0.5f;
    {
        /* 20 samples from x = 10 every 4: pixels 10..46 (10 samples) read 0.5. */
        const float s = score(10, 40, 90, 40, 0.05f, 0.95f);
        CHECK(fabsf(s - 0.75f) < 1e-6f, "mean of the samples: %g, want 0.75", s);
    }

    /* Near-pair rule: no field at all; closer than sqrt(W*H)/150 = 1 pixel scores
     * nms_threshold + 1e-6, farther scores 0, coincident peaks 0. */
    fill(0, 0);
    CHECK(fabsf(score(50, 50, 50.6f, 50.7f, 0.05f, 0.95f) - (0.05f + 1e-6f)) < 1e-8f,
          "near pair: %g", score(50, 50, 50.6f, 50.7f, 0.05f, 0.95f));
    CHECK(score(50, 50, 51.1f, 50, 0.05f, 0.95f) == 0, "pair 1.1 apart scored");
    CHECK(score(50, 50, 50, 50, 0.05f, 0.95f) == 0, "coincident peaks scored");
    /* A field that passes wins over the rule. */
    fill(1, 0);
    CHECK(fabsf(score(50, 50, 50.5f, 50, 0.05f, 0.95f) - 1) < 1e-6f, "near pair with field");

    /* Samples off the map are clamped to its edge. */
    fill(0, 1);
    CHECK(fabsf(score(5, 140, 5, 160, 0.05f, 0.95f) - 1) < 1e-6f, "clamped samples");

    /* Candidates: every pair above 1e-6, in (a, b) order. */
    {
        opc_paf_topology t = *opc_paf_topology_builtin("coco");
        opc_peaks pk;
        opc_error err;
        opc_peaks_alloc(&pk, t.num_parts, 4, &err);
        /* Limb 0 joins part 1 (A) to part 2 (B): two As, one B to the right of the first. */
        pk.count[1] = 2;
        pk.peak[1 * 4 + 0] = (opc_peak){10, 40, 0.9f};
        pk.peak[1 * 4 + 1] = (opc_peak){100, 100, 0.8f};
        pk.count[2] = 1;
        pk.peak[2 * 4 + 0] = (opc_peak){90, 40, 0.7f};
        fill(1, 0);
        opc_paf pafs[OPC_MAX_PAIRS];
        for (int l = 0; l < t.num_pairs; l++)
            pafs[l] = field;
        opc_parse_params p;
        opc_parse_params_default(&p, &t, 0);
        opc_candidates c;
        CHECK(opc_candidates_score(&t, &pk, pafs, &p, &c, &err) == OPC_OK, "%s", err.msg);
        CHECK(c.count[0] == 1 && c.conn[0][0].a == 0 && c.conn[0][0].b == 0 &&
                  fabsf(c.conn[0][0].score - 1) < 1e-6f,
              "limb 0 candidates: %d", c.count[0]);
        for (int l = 1; l < t.num_pairs; l++)
            CHECK(c.count[l] == 0, "limb %d has %d candidates", l, c.count[l]);
        opc_candidates_free(&c);
        opc_peaks_free(&pk);
    }
    return opc_test_result();
}
