/* The top-down path through the estimator (opc_estimate_boxes): edvardHua's hourglass and
 * CPM on the photos and person boxes of testdata/topdown. Each box gives one person whose
 * keypoints are keypoints.json's (image_quarter_mmpose, decoded by MMPose's rules from the
 * networks' outputs on OpenCV's crops) plus half a pixel (people put pixel centres at +0.5,
 * MMPose at integers). Our crop is exact bilinear sampling in float, OpenCV's a 1/32-pixel
 * fixed point rounded to bytes: up to 4 grey levels apart, so on the three clear
 * single-person crops 13 of 14 keypoints must land where the reference's do (1e-3 pixels:
 * float32 coordinates) and all within half a map cell (a quarter-cell shift may flip where
 * a neighbour difference is small), scores within 0.02 (measured: 0.0095); on the two
 * crowded dancer crops 12 of 14 within a map cell (measured 13 and 14: a second maximum of
 * similar height can win). Several boxes in one image give the same
 * people as each box alone; no box gives nobody; no box list takes the whole image. */
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/convert.h"
#include "openpose-c/estimate.h"
#include "testutil.h"

static double num(const cJSON *a, int i) { return cJSON_GetArrayItem(a, i)->valuedouble; }

/* People of one image for these boxes (n < 0: no box list at all). */
static int estimate(opc_estimator *e, const opc_image *img, const opc_box *boxes, int n,
                    opc_people *p)
{
    opc_error err = {{0}};
    int rc = n < 0 ? opc_estimate(e, img, p, &err) : opc_estimate_boxes(e, img, boxes, n, p, &err);
    CHECK(rc == OPC_OK, "%s", err.msg);
    return rc;
}

static void test_net(const char *net, const cJSON *crops, const cJSON *keypoints)
{
    char pb[96], model[4200];
    snprintf(pb, sizeof pb, "models/edvardhua/%s/model.pb", net);
    snprintf(model, sizeof model, "%s/%s.opc", opc_test_tmpdir("estimate_topdown"), net);
    opc_error err = {{0}};
    opc_model *m = NULL;
    if (opc_convert_tf(opc_test_shared_path(pb), model, NULL, &err) != OPC_OK ||
        !(m = opc_model_open(model, &err))) {
        CHECK(0, "%s", err.msg);
        return;
    }
    opc_estimator *e = opc_estimator_create(m, NULL, &err);
    CHECK(e != NULL, "%s", err.msg);
    const cJSON *c;
    opc_box pair[2];
    opc_people alone[2] = {{0}};
    int n_pair = 0;
    cJSON_ArrayForEach(c, crops)
    {
        const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
        const cJSON *xy = cJSON_GetObjectItem(c, "box_xyxy");
        opc_box box = {(float)num(xy, 0), (float)num(xy, 1), (float)(num(xy, 2) - num(xy, 0)),
                       (float)(num(xy, 3) - num(xy, 1)), 1};
        double cell = cJSON_GetObjectItem(c, "side")->valuedouble /
                      (strcmp(net, "hourglass") == 0 ? 48 : 96);
        opc_image img;
        if (!e || opc_image_load(opc_test_shared_path(cJSON_GetObjectItem(c, "image")->valuestring),
                                 &img, &err) != OPC_OK) {
            CHECK(!e, "%s", err.msg);
            continue;
        }
        opc_people p;
        if (estimate(e, &img, &box, 1, &p) != OPC_OK) {
            opc_image_free(&img);
            continue;
        }
        CHECK(p.count == 1 && p.num_parts == 14, "%s %s: %d people of %d parts", net, id, p.count,
              p.num_parts);
        const cJSON *want = cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetObjectItem(keypoints, id), net), "tf");
        int crowded = strncmp(id, "apink2", 6) == 0, close = 0, exact = 0;
        double worst = 0, score_diff = 0, mean = 0;
        for (int k = 0; p.count == 1 && k < 14; k++) {
            const cJSON *w = cJSON_GetArrayItem(want, k);
            const cJSON *q = cJSON_GetObjectItem(w, "image_quarter_mmpose");
            const float *got = p.keypoints + 3 * k;
            double d = fmax(fabs(got[0] - 0.5 - num(q, 0)), fabs(got[1] - 0.5 - num(q, 1)));
            worst = fmax(worst, d);
            close += d <= cell;
            exact += d <= 1e-3;
            score_diff = fmax(score_diff, fabs(got[2] - cJSON_GetObjectItem(w, "maxval")->valuedouble));
            mean += got[2] / 14.0;
        }
        printf("%-9s %-12s %2d of 14 exact, %2d within a cell, largest move %.3g px (%.2f "
               "cells), scores within %.4f\n", net, id, exact, close, worst, worst / cell,
               score_diff);
        if (!crowded)
            CHECK(exact >= 13 && worst <= 0.5 * cell + 1e-3 && score_diff <= 0.02,
                  "%s %s: %d keypoints exact, one %g px from the reference's, a score %g off",
                  net, id, exact, worst, score_diff);
        else
            CHECK(close >= 12, "%s %s: only %d of 14 keypoints within a cell", net, id, close);
        CHECK(p.count == 1 && fabs(p.scores[0] - mean) < 1e-6, "%s %s: person score %g, the "
              "keypoints' mean %g", net, id, p.count ? p.scores[0] : 0, mean);
        if (crowded && n_pair < 2) {
            pair[n_pair] = box;
            alone[n_pair++] = p;
        } else {
            opc_people_free(&p);
        }
        if (crowded && n_pair == 2) {
            /* Both dancers at once: each the same person as alone, best first. */
            opc_people both;
            if (estimate(e, &img, pair, 2, &both) == OPC_OK) {
                int first = alone[0].scores[0] >= alone[1].scores[0] ? 0 : 1;
                CHECK(both.count == 2 &&
                          !memcmp(both.keypoints, alone[first].keypoints, 14 * 3 * sizeof(float)) &&
                          !memcmp(both.keypoints + 42, alone[!first].keypoints,
                                  14 * 3 * sizeof(float)),
                      "%s: two boxes at once differ from each alone", net);
                opc_people_free(&both);
            }
            opc_people none, whole;
            if (estimate(e, &img, pair, 0, &none) == OPC_OK)
                CHECK(none.count == 0, "%s: no box gave %d people", net, none.count);
            if (estimate(e, &img, NULL, -1, &whole) == OPC_OK)
                CHECK(whole.count == 1, "%s: the whole image gave %d people", net, whole.count);
            opc_people_free(&none);
            opc_people_free(&whole);
        }
        opc_image_free(&img);
    }
    CHECK(n_pair == 2, "%s: the two dancers' crops were not both found", net);
    for (int i = 0; i < n_pair; i++)
        opc_people_free(&alone[i]);
    opc_estimator_free(e);
    opc_model_close(m);
}

int main(void)
{
    opc_test_shared();
    cJSON *crops = opc_test_read_json(opc_test_shared_path("testdata/topdown/crops.json"));
    cJSON *kp = opc_test_read_json(opc_test_shared_path("testdata/topdown/keypoints.json"));
    test_net("hourglass", cJSON_GetObjectItem(crops, "crops"), cJSON_GetObjectItem(kp, "crops"));
    test_net("cpm", cJSON_GetObjectItem(crops, "crops"), cJSON_GetObjectItem(kp, "crops"));
    cJSON_Delete(crops);
    cJSON_Delete(kp);
    return opc_test_result();
}
