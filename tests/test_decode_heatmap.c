/* Heatmap decoding (openpose-c/heatmap.h) against the shared testdata/topdown references:
 * the 12 synthetic cases of decode_cases.json (argmax and ties, validity, MMPose's and
 * Newell's quarter-cell rules at every border, the image mapping), and every keypoint of
 * keypoints.json decoded from the stored network outputs (hourglass and CPM, 5 crops,
 * TensorFlow's and OpenCV's outputs): all exactly. The flip test against maps built by
 * hand. The "heatmap" decoder row: people through their views (mirrored ones averaged in
 * for the flip test), in image pixels with centres at +0.5, best first, empty boxes
 * dropped; a head whose output or keypoints do not fit is refused. */
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/heatmap/head.h"
#include "openpose-c/heatmap.h"
#include "testutil.h"

static double item(const cJSON *a, int i) { return cJSON_GetArrayItem(a, i)->valuedouble; }

/* One decoded keypoint against a reference object with argmax, maxval, valid,
 * quarter_mmpose, quarter_newell: all exact. */
static void check_peak(const char *what, const float *h, int w, int hgt, const cJSON *want)
{
    static const struct {
        opc_heatmap_refine rule;
        const char *key;
    } RULES[] = {{OPC_REFINE_MMPOSE, "quarter_mmpose"}, {OPC_REFINE_NEWELL, "quarter_newell"}};
    const cJSON *am = cJSON_GetObjectItem(want, "argmax");
    for (int r = 0; r < 2; r++) {
        opc_heatmap_peak p;
        opc_heatmap_peak_find(h, w, hgt, RULES[r].rule, &p);
        const cJSON *q = cJSON_GetObjectItem(want, RULES[r].key);
        CHECK(p.ax == item(am, 0) && p.ay == item(am, 1), "%s: argmax (%d, %d), reference (%g, %g)",
              what, p.ax, p.ay, item(am, 0), item(am, 1));
        CHECK(p.maxval == (float)cJSON_GetObjectItem(want, "maxval")->valuedouble,
              "%s: maxval %.9g, reference %.9g", what, p.maxval,
              cJSON_GetObjectItem(want, "maxval")->valuedouble);
        CHECK(p.valid == cJSON_IsTrue(cJSON_GetObjectItem(want, "valid")), "%s: valid %d", what,
              p.valid);
        CHECK(p.x == item(q, 0) && p.y == item(q, 1), "%s %s: (%.17g, %.17g), reference (%.17g, %.17g)",
              what, RULES[r].key, p.x, p.y, item(q, 0), item(q, 1));
    }
}

static void test_cases(void)
{
    cJSON *d = opc_test_read_json(opc_test_shared_path("testdata/topdown/decode_cases.json"));
    const cJSON *c;
    int n = 0, kps = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(d, "cases"))
    {
        const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
        const cJSON *shape = cJSON_GetObjectItem(c, "shape_KHW");
        int K = (int)item(shape, 0), H = (int)item(shape, 1), W = (int)item(shape, 2);
        float *maps = calloc((size_t)K * H * W, sizeof(float));
        int i = 0;
        const cJSON *ch, *row, *v;
        cJSON_ArrayForEach(ch, cJSON_GetObjectItem(c, "heatmaps"))
            cJSON_ArrayForEach(row, ch) cJSON_ArrayForEach(v, row) maps[i++] = (float)v->valuedouble;
        CHECK(i == K * H * W, "%s: %d values for %dx%dx%d", name, i, K, H, W);
        const cJSON *exp = cJSON_GetObjectItem(c, "expected");
        for (int k = 0; k < K; k++) {
            char what[96];
            snprintf(what, sizeof what, "%s channel %d", name, k);
            const cJSON *want = cJSON_GetArrayItem(exp, k);
            check_peak(what, maps + (size_t)k * H * W, W, H, want);
            const cJSON *crop = cJSON_GetObjectItem(c, "crop");
            const cJSON *img = cJSON_GetObjectItem(want, "image_quarter_mmpose");
            if (crop && img) {
                opc_heatmap_peak p;
                opc_heatmap_peak_find(maps + (size_t)k * H * W, W, H, OPC_REFINE_MMPOSE, &p);
                const cJSON *ctr = cJSON_GetObjectItem(crop, "center");
                double side = cJSON_GetObjectItem(crop, "side")->valuedouble, x, y;
                opc_heatmap_to_image(p.x, p.y, W, H, item(ctr, 0), item(ctr, 1), side, side, &x, &y);
                CHECK(x == item(img, 0) && y == item(img, 1), "%s: image (%.17g, %.17g), "
                      "reference (%.17g, %.17g)", name, x, y, item(img, 0), item(img, 1));
            }
            kps++;
        }
        free(maps);
        n++;
    }
    CHECK(n == 12, "%d synthetic cases, expected 12", n);
    printf("decode_cases.json: %d cases, %d maps\n", n, kps);
    cJSON_Delete(d);
}

/* keypoints.json: every keypoint from out_<tf|cv>_<crop>.npy, in map cells and image
 * pixels (the crop's centre and side from crops.json). */
static void test_network_outputs(void)
{
    cJSON *kp = opc_test_read_json(opc_test_shared_path("testdata/topdown/keypoints.json"));
    cJSON *crops = opc_test_read_json(opc_test_shared_path("testdata/topdown/crops.json"));
    static const char *const nets[2] = {"hourglass", "cpm"}, *const kinds[2] = {"tf", "cv"};
    int count = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(crops, "crops"))
    {
        const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
        const cJSON *ctr = cJSON_GetObjectItem(c, "center");
        double side = cJSON_GetObjectItem(c, "side")->valuedouble;
        for (int n = 0; n < 2; n++)
            for (int t = 0; t < 2; t++) {
                char rel[160];
                snprintf(rel, sizeof rel, "testdata/topdown/%s/out_%s_%s.npy", nets[n], kinds[t], id);
                opc_tensor maps = {0};
                opc_error err;
                if (opc_npy_read(opc_test_shared_path(rel), &maps, &err)) {
                    CHECK(0, "%s", err.msg);
                    continue;
                }
                const cJSON *want = cJSON_GetObjectItem(
                    cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(kp, "crops"), id),
                                        nets[n]),
                    kinds[t]);
                CHECK(cJSON_GetArraySize(want) == maps.c && maps.c == 14, "%s: %d channels", rel,
                      maps.c);
                opc_heatmap_peak peaks[14];
                opc_heatmap_decode(&maps, OPC_REFINE_MMPOSE, peaks);
                size_t plane = (size_t)maps.w * maps.h;
                for (int k = 0; k < maps.c && k < 14; k++) {
                    const cJSON *w = cJSON_GetArrayItem(want, k);
                    char what[200];
                    snprintf(what, sizeof what, "%s keypoint %d", rel, k);
                    check_peak(what, maps.data + k * plane, maps.w, maps.h, w);
                    double x, y;
                    const cJSON *img = cJSON_GetObjectItem(w, "image_quarter_mmpose");
                    opc_heatmap_to_image(peaks[k].x, peaks[k].y, maps.w, maps.h, item(ctr, 0),
                                         item(ctr, 1), side, side, &x, &y);
                    CHECK(x == item(img, 0) && y == item(img, 1),
                          "%s: image (%.17g, %.17g), reference (%.17g, %.17g)", what, x, y,
                          item(img, 0), item(img, 1));
                    count++;
                }
                opc_tensor_free(&maps);
            }
    }
    CHECK(count == 5 * 2 * 2 * 14, "%d keypoints decoded, expected 280", count);
    printf("keypoints.json: %d keypoints equal\n", count);
    cJSON_Delete(kp);
    cJSON_Delete(crops);
}

/* Flip test on a 2-channel 1x4 map pair: channel 0's partner is 1. */
static void test_flip(void)
{
    float a[8] = {1, 2, 3, 4, 10, 20, 30, 40};
    float f[8] = {5, 6, 7, 8, 50, 60, 70, 80};
    opc_tensor maps = {1, 2, 1, 4, a}, flipped = {1, 2, 1, 4, f};
    const int flip[2] = {1, 0};
    opc_error err;
    /* Unshifted: channel 0 + mirror of flipped channel 1 (80, 70, 60, 50), halved; channel
     * 1 + mirror of flipped channel 0 (8, 7, 6, 5). */
    CHECK(opc_heatmap_flip_average(&maps, &flipped, flip, 0, &err) == OPC_OK, "%s", err.msg);
    const float want0[8] = {40.5f, 36, 31.5f, 27, 9, 13.5f, 18, 22.5f};
    CHECK(memcmp(a, want0, sizeof a) == 0, "unshifted: %g %g %g %g / %g %g %g %g", a[0], a[1],
          a[2], a[3], a[4], a[5], a[6], a[7]);
    /* Shifted one cell right, column 0 kept: (80, 80, 70, 60) and (8, 8, 7, 6). */
    float b[8] = {1, 2, 3, 4, 10, 20, 30, 40};
    maps.data = b;
    CHECK(opc_heatmap_flip_average(&maps, &flipped, flip, 1, &err) == OPC_OK, "%s", err.msg);
    const float want1[8] = {40.5f, 41, 36.5f, 32, 9, 14, 18.5f, 23};
    CHECK(memcmp(b, want1, sizeof b) == 0, "shifted: %g %g %g %g / %g %g %g %g", b[0], b[1],
          b[2], b[3], b[4], b[5], b[6], b[7]);
    const int bad[2] = {1, 2};
    CHECK(opc_heatmap_flip_average(&maps, &flipped, bad, 1, &err) != OPC_OK, "bad partner accepted");
    opc_tensor other = {1, 2, 2, 2, f};
    CHECK(opc_heatmap_flip_average(&maps, &other, flip, 1, &err) != OPC_OK, "shape mismatch accepted");
}

/* A decoder model of one output "maps" with `channels` maps of the aic14 keypoints. */
static opc_decoder_model fake_model(opc_head *head, const char *params, int *channels,
                                    const char *const *names)
{
    snprintf(head->decoder, sizeof head->decoder, "heatmap");
    head->params = params;
    return (opc_decoder_model){head, opc_keypoint_set_builtin("aic14"), 1, names, channels, 4,
                               "fake"};
}

static void test_decoder_row(void)
{
    opc_head head;
    const char *names[1] = {"maps"};
    int channels[1] = {14};
    opc_heatmap_head hh = {"maps", {OPC_REFINE_MMPOSE, 1, 0}};
    char *params = opc_heatmap_head_json(&hh);
    opc_decoder_model m = fake_model(&head, params, channels, names);
    opc_error err = {{0}};
    const opc_decoder *d = opc_decoder_find(&m, &err);
    CHECK(d && strcmp(d->family, "heatmap") == 0, "no heatmap row: %s", err.msg);
    if (!d) {
        free(params);
        return;
    }
    opc_decode_options o;
    memset(&o, 0, sizeof o);
    d->defaults(&m, &o);
    CHECK(o.heatmap.refine == OPC_REFINE_MMPOSE && o.heatmap.flip_shift == 1, "defaults");
    void *state = NULL;
    CHECK(d->create(&m, &o, &state, &err) == OPC_OK, "%s", err.msg);
    /* Views: box 0 (scale 2, offset (-10, -20)), box 0 mirrored, box 1 (scale 1). Maps
     * 8x6 for a 32x24 input: box 0's channel k peaks at (k % 6 + 1, 2); its mirrored
     * maps are zero but for channel 2 (box 0's right shoulder, mirrored: the left one);
     * box 1's are all zero (nobody). */
    enum { K = 14, H = 6, W = 8 };
    opc_tensor outs[3];
    for (int v = 0; v < 3; v++) {
        opc_tensor_alloc(&outs[v], 1, K, H, W, &err);
        memset(outs[v].data, 0, sizeof(float) * K * H * W);
    }
    for (int k = 0; k < K; k++)
        outs[0].data[(k * H + 2) * W + k % 6 + 1] = 0.25f + k / 64.0f;
    outs[1].data[(2 * H + 3) * W + 4] = 1; /* mirrored channel 2 at (4, 3) */
    opc_view views[3] = {{32, 24, 2, 2, -10, -20, 0}, {32, 24, -2, 2, 31 + 10, -20, 0},
                         {32, 24, 1, 1, 0, 0, 1}};
    opc_decode_input in = {3, 1, views, outs, 100, 100, NULL};
    opc_people p;
    int rc = d->decode(state, &in, &p, &err);
    CHECK(rc == OPC_OK, "%s", err.msg);
    CHECK(rc != OPC_OK || (p.count == 1 && p.num_parts == K), "%d people", p.count);
    /* Expected: box 0's maps averaged with the mirrored ones flipped back, channels swapped
     * and shifted right, then decoded and mapped (cell * 4 - t) / s + 0.5. */
    opc_tensor avg;
    opc_tensor_alloc(&avg, 1, K, H, W, &err);
    memcpy(avg.data, outs[0].data, sizeof(float) * K * H * W);
    opc_heatmap_flip_average(&avg, &outs[1], opc_keypoint_set_builtin("aic14")->flip, 1, &err);
    opc_heatmap_peak pk[K];
    opc_heatmap_decode(&avg, OPC_REFINE_MMPOSE, pk);
    double sum = 0;
    for (int k = 0; rc == OPC_OK && p.count == 1 && k < K; k++) {
        float x = (float)((pk[k].x * 4 + 10) / 2 + 0.5), y = (float)((pk[k].y * 4 + 20) / 2 + 0.5);
        CHECK(p.keypoints[3 * k] == x && p.keypoints[3 * k + 1] == y &&
                  p.keypoints[3 * k + 2] == pk[k].maxval,
              "keypoint %d: (%g, %g, %g), expected (%g, %g, %g)", k, p.keypoints[3 * k],
              p.keypoints[3 * k + 1], p.keypoints[3 * k + 2], x, y, pk[k].maxval);
        sum += pk[k].maxval;
    }
    /* Channel 5 (left shoulder) took the mirrored right shoulder: (7 - 4) + 1 = cell 4. */
    CHECK(pk[5].ax == 4 && pk[5].ay == 3 && pk[5].maxval == 0.5f, "flip: (%d, %d) %g", pk[5].ax,
          pk[5].ay, pk[5].maxval);
    CHECK(p.count != 1 || fabs(p.scores[0] - sum / K) < 1e-6, "score %g, mean %g",
          p.count ? p.scores[0] : 0, sum / K);
    opc_people_free(&p);
    opc_tensor_free(&avg);
    for (int v = 0; v < 3; v++)
        opc_tensor_free(&outs[v]);
    d->destroy(state);
    free(params);

    /* Heads that do not fit. */
    static const struct {
        const char *params;
        int channels;
        const char *reason;
    } BAD[] = {
        {"{\"heatmaps\": \"other\", \"refine\": \"mmpose\"}", 14, "no output other"},
        {"{\"heatmaps\": \"maps\", \"refine\": \"mmpose\"}", 17, "17 channels"},
        {"{\"heatmaps\": \"maps\", \"refine\": \"round\"}", 14, "refine"},
        {"{\"heatmaps\": \"maps\"}", 14, "refine"},
        {"[]", 14, "not a JSON object"},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        channels[0] = BAD[i].channels;
        m = fake_model(&head, BAD[i].params, channels, names);
        state = NULL;
        rc = d->create(&m, &o, &state, &err);
        CHECK(rc != OPC_OK && strstr(err.msg, "fake") && strstr(err.msg, BAD[i].reason),
              "head %s: '%s'", BAD[i].params, err.msg);
        if (rc == OPC_OK)
            d->destroy(state);
    }
}

int main(void)
{
    opc_test_shared();
    test_cases();
    test_network_outputs();
    test_flip();
    test_decoder_row();
    return opc_test_result();
}
