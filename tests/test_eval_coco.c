/* COCO keypoint evaluation against pycocotools' own numbers (shared testdata/eval: the 10
 * stats and the OKS matrices it computed), against small cases whose stats follow by
 * hand from pycocotools' rules, and on malformed inputs. */
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/files.h"
#include "eval/coco_data.h"
#include "openpose-c/eval.h"
#include "testutil.h"

static const char *tmp;

static const char *write_tmp(const char *name, const char *text)
{
    static char paths[8][4096];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", tmp, name);
    opc_error err;
    if (opc_write_file_atomic(p, text, strlen(text), &err) != OPC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    return p;
}

static const char *write_tmp_json(const char *name, const cJSON *j)
{
    char *s = cJSON_PrintUnformatted(j);
    const char *p = write_tmp(name, s);
    free(s);
    return p;
}

/* ---- the reference cases ---- */

static void test_reference_stats(const cJSON *expected)
{
    const cJSON *cases = cJSON_GetObjectItem(expected, "cases"), *c;
    int n = 0;
    cJSON_ArrayForEach(c, cases)
    {
        char gt[4096], dt[4096];
        snprintf(gt, sizeof gt, "%s/testdata/eval/%s", opc_test_shared(),
                 cJSON_GetObjectItem(c, "gt")->valuestring);
        snprintf(dt, sizeof dt, "%s/testdata/eval/%s", opc_test_shared(),
                 cJSON_GetObjectItem(c, "dt")->valuestring);
        double stats[OPC_COCO_NUM_STATS];
        opc_error err = {{0}};
        int rc = opc_coco_eval(gt, dt, stats, &err);
        CHECK(rc == OPC_OK, "%s: %s", c->string, err.msg);
        if (rc != OPC_OK)
            continue;
        const cJSON *want = cJSON_GetObjectItem(c, "stats");
        const cJSON *summary = cJSON_GetObjectItem(c, "summary");
        double worst = 0;
        for (int i = 0; i < OPC_COCO_NUM_STATS; i++) {
            double w = cJSON_GetArrayItem(want, i)->valuedouble;
            worst = fmax(worst, fabs(stats[i] - w));
            CHECK(fabs(stats[i] - w) <= 1e-9, "%s %s: %.17g, pycocotools %.17g", c->string,
                  opc_coco_stat_name(i), stats[i], w);
            char line[160];
            opc_coco_summary_line(i, stats[i], line, sizeof line);
            const char *wl = cJSON_GetArrayItem(summary, i)->valuestring;
            CHECK(strcmp(line, wl) == 0, "%s line %d:\n  got  '%s'\n  want '%s'", c->string, i,
                  line, wl);
        }
        printf("%-10s stats: max |diff| to pycocotools %.3g\n", c->string, worst);
        n++;
    }
    CHECK(n == 3, "expected 3 reference cases, evaluated %d", n);
}

static void test_params(const cJSON *expected)
{
    const cJSON *p = cJSON_GetObjectItem(expected, "params");
    const cJSON *thr = cJSON_GetObjectItem(p, "iouThrs");
    double iou[OPC_COCO_NUM_IOU];
    opc_coco_linspace(.5, .95, OPC_COCO_NUM_IOU, iou);
    CHECK(cJSON_GetArraySize(thr) == OPC_COCO_NUM_IOU, "iouThrs count");
    for (int i = 0; i < OPC_COCO_NUM_IOU && i < cJSON_GetArraySize(thr); i++)
        CHECK(iou[i] == cJSON_GetArrayItem(thr, i)->valuedouble,
              "OKS threshold %d: %.17g, numpy %.17g", i, iou[i],
              cJSON_GetArrayItem(thr, i)->valuedouble);
    CHECK(cJSON_GetObjectItem(p, "recThrs_count")->valueint == OPC_COCO_NUM_REC, "recThrs");
    CHECK(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "maxDets"), 0)->valueint ==
              OPC_COCO_MAX_DETS, "maxDets");
}

/* The cell of (category index, image index), or NULL. */
static const opc_coco_cell *find_cell(const opc_coco_data *d, int cat, int img)
{
    for (size_t i = 0; i < d->num_cells; i++)
        if (d->cells[i].cat == cat && d->cells[i].img == img)
            return &d->cells[i];
    return NULL;
}

/* Rows: detections in score order (as file indices) cut to 20; columns: GT in file order. */
static void test_oks_matrices(const cJSON *expected, const cJSON *matrices)
{
    const cJSON *cases = cJSON_GetObjectItem(expected, "cases"), *mc;
    int images = 0;
    double worst = 0;
    cJSON_ArrayForEach(mc, matrices)
    {
        const cJSON *c = cJSON_GetObjectItem(cases, mc->string);
        char gt[4096], dt[4096];
        snprintf(gt, sizeof gt, "%s/testdata/eval/%s", opc_test_shared(),
                 cJSON_GetObjectItem(c, "gt")->valuestring);
        snprintf(dt, sizeof dt, "%s/testdata/eval/%s", opc_test_shared(),
                 cJSON_GetObjectItem(c, "dt")->valuestring);
        opc_coco_data d;
        opc_error err = {{0}};
        if (opc_coco_load(gt, dt, &d, &err) != OPC_OK) {
            CHECK(0, "%s", err.msg);
            continue;
        }
        const cJSON *im;
        cJSON_ArrayForEach(im, mc)
        {
            double id = strtod(im->string, NULL);
            int img = -1;
            for (int i = 0; i < d.num_images; i++)
                if (d.image_ids[i] == id)
                    img = i;
            const opc_coco_cell *cell = img < 0 ? NULL : find_cell(&d, 0, img);
            CHECK(cell != NULL, "%s image %s: no GT or detections found", mc->string, im->string);
            if (!cell)
                continue;
            const cJSON *rows = cJSON_GetObjectItem(im, "dt_index_in_file");
            const cJSON *cols = cJSON_GetObjectItem(im, "gt_ids");
            const cJSON *oks = cJSON_GetObjectItem(im, "oks");
            size_t G = cell->gt_end - cell->gt_begin;
            double *m = malloc(sizeof(double) * (G * OPC_COCO_MAX_DETS + 1));
            size_t D = opc_coco_cell_oks(&d, cell, OPC_COCO_MAX_DETS, m);
            CHECK((int)D == cJSON_GetArraySize(rows) && (int)G == cJSON_GetArraySize(cols),
                  "%s image %s: %zux%zu matrix, pycocotools %dx%d", mc->string, im->string, D, G,
                  cJSON_GetArraySize(rows), cJSON_GetArraySize(cols));
            if ((int)D == cJSON_GetArraySize(rows) && (int)G == cJSON_GetArraySize(cols)) {
                for (size_t i = 0; i < D; i++)
                    CHECK(d.dt[cell->dt_begin + i].file_index ==
                              cJSON_GetArrayItem(rows, (int)i)->valueint,
                          "%s image %s row %zu: detection %d, pycocotools %d", mc->string,
                          im->string, i, d.dt[cell->dt_begin + i].file_index,
                          cJSON_GetArrayItem(rows, (int)i)->valueint);
                for (size_t j = 0; j < G; j++)
                    CHECK(d.gt[cell->gt_begin + j].id == cJSON_GetArrayItem(cols, (int)j)->valuedouble,
                          "%s image %s column %zu: GT id %.17g", mc->string, im->string, j,
                          d.gt[cell->gt_begin + j].id);
                for (size_t i = 0; i < D; i++)
                    for (size_t j = 0; j < G; j++) {
                        double w = cJSON_GetArrayItem(cJSON_GetArrayItem(oks, (int)i), (int)j)
                                       ->valuedouble;
                        worst = fmax(worst, fabs(m[i * G + j] - w));
                        CHECK(fabs(m[i * G + j] - w) <= 1e-9,
                              "%s image %s OKS[%zu][%zu] = %.12f, pycocotools %.12f", mc->string,
                              im->string, i, j, m[i * G + j], w);
                    }
            }
            free(m);
            images++;
        }
        opc_coco_data_free(&d);
    }
    CHECK(images == 12, "expected 3 cases x 4 images, compared %d", images);
    printf("OKS matrices: %d images, max |diff| to pycocotools %.3g (reference has 12 decimals)\n",
           images, worst);
}

/* pycocotools' sort is stable and, per the data's README, the reference stats do not
 * depend on the order of the detections in the file. */
static void test_reversed_order(const cJSON *expected)
{
    const char *names[] = {"example_coco_preds.json", "preds_perturbed.json"};
    const char *keys[] = {"example", "perturbed"};
    char gt[4096], dt[4096];
    snprintf(gt, sizeof gt, "%s/testdata/eval/test_coco.json", opc_test_shared());
    for (int c = 0; c < 2; c++) {
        snprintf(dt, sizeof dt, "%s/testdata/eval/%s", opc_test_shared(), names[c]);
        cJSON *arr = opc_test_read_json(dt), *rev = cJSON_CreateArray();
        for (int i = cJSON_GetArraySize(arr) - 1; i >= 0; i--)
            cJSON_AddItemToArray(rev, cJSON_Duplicate(cJSON_GetArrayItem(arr, i), 1));
        const char *path = write_tmp_json("reversed.json", rev);
        double stats[OPC_COCO_NUM_STATS];
        opc_error err = {{0}};
        CHECK(opc_coco_eval(gt, path, stats, &err) == OPC_OK, "%s", err.msg);
        const cJSON *want = cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetObjectItem(expected, "cases"), keys[c]), "stats");
        for (int i = 0; i < OPC_COCO_NUM_STATS; i++)
            CHECK(fabs(stats[i] - cJSON_GetArrayItem(want, i)->valuedouble) <= 1e-9,
                  "%s reversed, %s: %.17g", keys[c], opc_coco_stat_name(i), stats[i]);
        cJSON_Delete(arr);
        cJSON_Delete(rev);
    }
}

/* ---- small cases derived by hand ----
 * People are 17 keypoints at (ox + 3k, oy + 6k): a 48 x 96 extent (4608, medium). People
 * are 1000 px apart, so the OKS of a detection is 1 on its own person and 0 elsewhere,
 * and every threshold gives the same matches. */

/* moved: keypoint 0 lies 1000 px off, so it adds exp(-huge) = 0 to the OKS sum. */
static cJSON *keypoints(double ox, double oy, int v, int moved)
{
    cJSON *a = cJSON_CreateArray();
    for (int k = 0; k < 17; k++) {
        cJSON_AddItemToArray(a, cJSON_CreateNumber(ox + 3 * k + (k == 0 && moved ? 1000 : 0)));
        cJSON_AddItemToArray(a, cJSON_CreateNumber(oy + 6 * k));
        cJSON_AddItemToArray(a, cJSON_CreateNumber(v));
    }
    return a;
}

typedef struct {
    double id, image_id, cat, ox, oy, area;
    int iscrowd, moved;
} gt_person;

static cJSON *gt_doc(const double *images, int ni, const double *cats, int nc,
                     const gt_person *p, int np)
{
    cJSON *doc = cJSON_CreateObject(), *im = cJSON_AddArrayToObject(doc, "images");
    for (int i = 0; i < ni; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", images[i]);
        cJSON_AddItemToArray(im, o);
    }
    cJSON *ca = cJSON_AddArrayToObject(doc, "categories");
    for (int i = 0; i < nc; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", cats[i]);
        cJSON_AddItemToArray(ca, o);
    }
    cJSON *an = cJSON_AddArrayToObject(doc, "annotations");
    for (int i = 0; i < np; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", p[i].id);
        cJSON_AddNumberToObject(o, "image_id", p[i].image_id);
        cJSON_AddNumberToObject(o, "category_id", p[i].cat);
        cJSON_AddItemToObject(o, "keypoints", keypoints(p[i].ox, p[i].oy, 2, p[i].moved));
        cJSON_AddNumberToObject(o, "num_keypoints", 17);
        cJSON_AddNumberToObject(o, "area", p[i].area);
        cJSON *bb = cJSON_AddArrayToObject(o, "bbox");
        double box[4] = {p[i].ox, p[i].oy, 48, 96};
        for (int k = 0; k < 4; k++)
            cJSON_AddItemToArray(bb, cJSON_CreateNumber(box[k]));
        cJSON_AddNumberToObject(o, "iscrowd", p[i].iscrowd);
        cJSON_AddItemToArray(an, o);
    }
    return doc;
}

typedef struct {
    double image_id, cat, ox, oy, score;
    double bbox_area; /* > 0: add a bbox of that area */
} det;

static cJSON *dt_doc(const det *d, int n)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "image_id", d[i].image_id);
        cJSON_AddNumberToObject(o, "category_id", d[i].cat);
        cJSON_AddItemToObject(o, "keypoints", keypoints(d[i].ox, d[i].oy, 1, 0));
        cJSON_AddNumberToObject(o, "score", d[i].score);
        if (d[i].bbox_area > 0) {
            cJSON *bb = cJSON_AddArrayToObject(o, "bbox");
            double box[4] = {d[i].ox, d[i].oy, 100, d[i].bbox_area / 100};
            for (int k = 0; k < 4; k++)
                cJSON_AddItemToArray(bb, cJSON_CreateNumber(box[k]));
        }
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static void expect_stats(const char *what, cJSON *gt, cJSON *dt, const double want[10])
{
    const char *g = write_tmp_json("gt.json", gt), *r = write_tmp_json("dt.json", dt);
    cJSON_Delete(gt);
    cJSON_Delete(dt);
    double stats[OPC_COCO_NUM_STATS];
    opc_error err = {{0}};
    if (opc_coco_eval(g, r, stats, &err) != OPC_OK) {
        CHECK(0, "%s: %s", what, err.msg);
        return;
    }
    for (int i = 0; i < OPC_COCO_NUM_STATS; i++)
        CHECK(fabs(stats[i] - want[i]) <= 1e-9, "%s: %s = %.17g, expected %g",
              what, opc_coco_stat_name(i), stats[i], want[i]);
}

static void test_rules(void)
{
    const double img1[] = {1}, cat1[] = {1};
    /* Crowd GT: any number of detections may match it, all ignored. Two detections on
     * the crowd outscore the real match; counted as false positives they would halve
     * the AP. No GT is large: APl and ARl are -1. */
    {
        gt_person p[] = {{1, 1, 1, 0, 0, 5000, 0, 0}, {2, 1, 1, 1000, 0, 5000, 1, 0}};
        det d[] = {{1, 1, 1000, 0, .95, 0}, {1, 1, 1000, 0, .9, 0}, {1, 1, 0, 0, .5, 0}};
        expect_stats("crowd", gt_doc(img1, 1, cat1, 1, p, 2), dt_doc(d, 3),
                     (double[]){1, 1, 1, 1, -1, 1, 1, 1, 1, -1});
    }
    /* A detection matched to a regular GT does not move to a better ignored one. Here it
     * has OKS 16/17 = 0.94 with the regular GT and 1 with a crowd: it is a true positive
     * at the 9 thresholds up to 0.9, and ignored at 0.95 (where it fails the regular GT). */
    {
        gt_person p[] = {{1, 1, 1, 0, 0, 5000, 0, 1}, {2, 1, 1, 0, 0, 5000, 1, 0}};
        det d[] = {{1, 1, 0, 0, .9, 0}};
        expect_stats("regular before ignored", gt_doc(img1, 1, cat1, 1, p, 2), dt_doc(d, 1),
                     (double[]){.9, 1, 1, .9, -1, .9, 1, 1, .9, -1});
    }
    /* An unmatched detection is ignored outside the area range; its area is the
     * keypoints' extent (4608, medium) ... */
    {
        gt_person p[] = {{1, 1, 1, 0, 0, 5000, 0, 0}};
        det d[] = {{1, 1, 1000, 0, .9, 0}, {1, 1, 0, 0, .5, 0}};
        expect_stats("area from keypoints", gt_doc(img1, 1, cat1, 1, p, 1), dt_doc(d, 2),
                     (double[]){.5, .5, .5, .5, -1, 1, 1, 1, 1, -1});
    }
    /* ... or, when the first result has a bbox, the bbox area (here 20000, large): the
     * false positive then does not count for medium persons. */
    {
        gt_person p[] = {{1, 1, 1, 0, 0, 5000, 0, 0}};
        det d[] = {{1, 1, 1000, 0, .9, 20000}, {1, 1, 0, 0, .5, 5000}};
        expect_stats("area from bbox", gt_doc(img1, 1, cat1, 1, p, 1), dt_doc(d, 2),
                     (double[]){.5, .5, .5, 1, -1, 1, 1, 1, 1, -1});
    }
    /* Only the 20 best detections of an image count: 19 false positives and the match
     * give recall 1 at precision 1/20; a 20th false positive pushes the match out. */
    for (int n_fp = 19; n_fp <= 20; n_fp++) {
        gt_person p[] = {{1, 1, 1, 0, 0, 5000, 0, 0}};
        det d[21];
        for (int i = 0; i < n_fp; i++)
            d[i] = (det){1, 1, 1000 * (i + 1), 0, .9 - .01 * i, 0};
        d[n_fp] = (det){1, 1, 0, 0, .1, 0};
        double ap = n_fp == 19 ? 1.0 / 20 : 0, ar = n_fp == 19 ? 1 : 0;
        expect_stats(n_fp == 19 ? "20 detections" : "21 detections",
                     gt_doc(img1, 1, cat1, 1, p, 1), dt_doc(d, n_fp + 1),
                     (double[]){ap, ap, ap, ap, -1, ar, ar, ar, ar, -1});
    }
    /* pycocotools records a match as the GT's id and tests it for truth, so a perfect
     * detection of a GT with id 0 is a false positive. */
    {
        gt_person p[] = {{0, 1, 1, 0, 0, 5000, 0, 0}};
        det d[] = {{1, 1, 0, 0, .9, 0}};
        expect_stats("GT id 0", gt_doc(img1, 1, cat1, 1, p, 1), dt_doc(d, 1),
                     (double[]){0, 0, 0, 0, -1, 0, 0, 0, 0, -1});
    }
    /* Categories are evaluated apart and averaged: AP 1 and 0.5 give 0.75. A result in a
     * category the GT does not list (3) is dropped; annotations of an image the GT does
     * not list (2) are left out. Large persons only, so for APl the medium-sized false
     * positive is ignored and both categories score 1. */
    {
        const double cats[] = {2, 1};
        gt_person p[] = {{1, 1, 1, 0, 0, 20000, 0, 0}, {2, 1, 2, 2000, 0, 20000, 0, 0},
                         {3, 2, 1, 0, 0, 20000, 0, 0}};
        det d[] = {{1, 3, 0, 0, 1, 0},       {1, 1, 0, 0, .8, 0},
                   {1, 2, 5000, 0, .9, 0},   {1, 2, 2000, 0, .5, 0}};
        expect_stats("two categories", gt_doc(img1, 1, cats, 2, p, 3), dt_doc(d, 4),
                     (double[]){.75, .75, .75, -1, 1, 1, 1, 1, -1, 1});
    }
    /* No results at all: nothing found (pycocotools itself cannot load an empty list). */
    {
        gt_person p[] = {{1, 1, 1, 0, 0, 5000, 0, 0}};
        expect_stats("no results", gt_doc(img1, 1, cat1, 1, p, 1), dt_doc(NULL, 0),
                     (double[]){0, 0, 0, 0, -1, 0, 0, 0, 0, -1});
    }
    /* Ties in score across images keep image-id order, within an image file order: a
     * false positive in image 1 and a match in image 2 at the same score give
     * precision 1/2 at recall 1 whichever comes first in the file. */
    {
        const double imgs[] = {2, 1};
        gt_person p[] = {{1, 2, 1, 0, 0, 5000, 0, 0}};
        det d[] = {{2, 1, 0, 0, .5, 0}, {1, 1, 1000, 0, .5, 0}};
        expect_stats("ties", gt_doc(imgs, 2, cat1, 1, p, 1), dt_doc(d, 2),
                     (double[]){.5, .5, .5, .5, -1, 1, 1, 1, 1, -1});
    }
}

/* ---- malformed inputs ---- */

static const char *GOOD_GT =
    "{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}],\"annotations\":[{\"id\":1,"
    "\"image_id\":1,\"category_id\":1,\"keypoints\":[%s],\"num_keypoints\":17,\"area\":5000,"
    "\"bbox\":[0,0,48,96],\"iscrowd\":0}]}";

static char *kp_text(int n)
{
    static char buf[2048];
    buf[0] = 0;
    for (int i = 0; i < n; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%d", i ? "," : "",
                 i % 3 == 2 ? 2 : i);
    return buf;
}

static void expect_error(const char *what, const char *gt_text, const char *dt_text,
                         int bad_is_gt, const char *fragment)
{
    const char *g = gt_text ? write_tmp("bad_gt.json", gt_text) : "/nonexistent/gt.json";
    const char *r = dt_text ? write_tmp("bad_dt.json", dt_text) : "/nonexistent/dt.json";
    double stats[OPC_COCO_NUM_STATS];
    opc_error err = {{0}};
    int rc = opc_coco_eval(g, r, stats, &err);
    CHECK(rc != OPC_OK, "%s: accepted", what);
    CHECK(strstr(err.msg, bad_is_gt ? g : r) != NULL, "%s: message does not name the file: %s",
          what, err.msg);
    CHECK(strstr(err.msg, fragment) != NULL, "%s: message lacks '%s': %s", what, fragment,
          err.msg);
    CHECK(strchr(err.msg, '\n') == NULL, "%s: message is not one line", what);
}

static void test_bad_inputs(void)
{
    char gt[4096], dt[4096];
    snprintf(gt, sizeof gt, GOOD_GT, kp_text(51));
    char good_dt[2048];
    snprintf(good_dt, sizeof good_dt,
             "[{\"image_id\":1,\"category_id\":1,\"keypoints\":[%s],\"score\":0.5}]",
             kp_text(51));
    {
        double stats[OPC_COCO_NUM_STATS];
        opc_error err = {{0}};
        CHECK(opc_coco_eval(write_tmp("g.json", gt), write_tmp("d.json", good_dt), stats,
                            &err) == OPC_OK && fabs(stats[0] - 1) <= 1e-9,
              "the well-formed base case fails: %s", err.msg);
    }
    expect_error("missing GT", NULL, good_dt, 1, "No such file");
    expect_error("missing results", gt, NULL, 0, "No such file");
    expect_error("empty GT", "", good_dt, 1, "empty");
    expect_error("GT not JSON", "{\"images\": [", good_dt, 1, "invalid JSON at line 1");
    expect_error("results not JSON", gt, "[{\"image_id\":1,\n\"score\": .5}]", 0,
                 "invalid JSON at line 2");
    expect_error("trailing text", gt, "[] []", 0, "invalid JSON");
    expect_error("GT is an array", "[]", good_dt, 1, "not a COCO ground-truth file");
    expect_error("GT without images", "{\"categories\":[],\"annotations\":[]}", good_dt, 1,
                 "\"images\"");
    expect_error("results are an object", gt, gt, 0, "expected an array of detections");
    expect_error("result not an object", gt, "[1]", 0, "results[0]: not an object");

    /* One malformed detection each; %s stands for n keypoint values. */
    static const struct {
        const char *what, *fragment, *dt;
        int n;
    } one_dt[] = {
        {"50 keypoint values", "\"keypoints\" has 50 values, expected 51",
         "[{\"image_id\":1,\"category_id\":1,\"keypoints\":[%s],\"score\":0.5}]", 50},
        {"unknown image", "image_id 7 is not an image of",
         "[{\"image_id\":7,\"category_id\":1,\"keypoints\":[%s],\"score\":0.5}]", 51},
        {"score not a number", "\"score\" is not a number",
         "[{\"image_id\":1,\"category_id\":1,\"keypoints\":[%s],\"score\":\"high\"}]", 51},
        {"infinite score", "\"score\" is not finite",
         "[{\"image_id\":1,\"category_id\":1,\"keypoints\":[%s],\"score\":1e999}]", 51},
        {"no image_id", "missing \"image_id\"",
         "[{\"category_id\":1,\"keypoints\":[%s],\"score\":1}]", 51},
        {"null keypoint", "not a finite number",
         "[{\"image_id\":1,\"category_id\":1,\"keypoints\":[%s,null],\"score\":1}]", 50},
        {"mask results", "not supported",
         "[{\"image_id\":1,\"category_id\":1,\"segmentation\":{},"
         "\"keypoints\":[%s],\"score\":1}]", 51},
    };
    for (size_t i = 0; i < sizeof one_dt / sizeof one_dt[0]; i++) {
        snprintf(dt, sizeof dt, one_dt[i].dt, kp_text(one_dt[i].n));
        expect_error(one_dt[i].what, gt, dt, 0, one_dt[i].fragment);
    }

    char bad_gt[4096];
    snprintf(bad_gt, sizeof bad_gt, GOOD_GT, kp_text(51));
    char *area = strstr(bad_gt, "\"area\":5000,");
    memmove(area, area + 12, strlen(area + 12) + 1);
    expect_error("GT without area", bad_gt, good_dt, 1, "annotations[0]: missing \"area\"");
    snprintf(bad_gt, sizeof bad_gt, GOOD_GT, kp_text(54));
    expect_error("GT with 18 keypoints", bad_gt, good_dt, 1, "has 54 values");
    snprintf(bad_gt, sizeof bad_gt,
             "{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}],\"annotations\":["
             "{\"id\":9,\"image_id\":1,\"category_id\":1,\"keypoints\":[%s],\"num_keypoints\":17,"
             "\"area\":1,\"bbox\":[0,0,1,1]},"
             "{\"id\":9,\"image_id\":1,\"category_id\":1,\"keypoints\":[%s],\"num_keypoints\":17,"
             "\"area\":1,\"bbox\":[0,0,1,1]}]}",
             kp_text(51), kp_text(51));
    expect_error("duplicate GT id", bad_gt, good_dt, 1, "annotation id 9 is used twice");
    expect_error("GT image without id", "{\"images\":[{}],\"categories\":[],\"annotations\":[]}",
                 good_dt, 1, "images[0]: missing \"id\"");
}

int main(void)
{
    tmp = opc_test_tmpdir("cocoeval");
    test_rules();
    test_bad_inputs();
    cJSON *expected = opc_test_read_json(opc_test_shared_path("testdata/eval/expected_stats.json"));
    cJSON *matrices = opc_test_read_json(opc_test_shared_path("testdata/eval/oks_matrices.json"));
    test_params(expected);
    test_reference_stats(expected);
    test_oks_matrices(expected, matrices);
    test_reversed_order(expected);
    cJSON_Delete(expected);
    cJSON_Delete(matrices);
    return opc_test_result();
}
