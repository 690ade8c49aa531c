/* MMPose's keypoint metrics (openpose-c/metrics.h) against the shared testdata/metrics
 * numbers: the 25 cases of random_cases.json (PCK per keypoint at 4 thresholds, AUC, EPE,
 * NME), MMPose's metric classes on eval_test_mpii.json and eval_test_coco.json, and the
 * MPII validation split with Tompson et al.'s predictions (PCKh per joint, groups, both
 * means, at 0.5 and 0.1), each within the tolerances of testdata/metrics/README.md; and
 * the instance-file reader's errors on malformed files. */
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/eval.h"
#include "openpose-c/files.h"
#include "openpose-c/metrics.h"
#include "testutil.h"

#define RATIO_TOL 1e-9  /* ratios of integers (PCK, PCKh, AUC, means) */
#define F32_REL 2e-6    /* EPE / NME against MMPose's float32 sums */
#define F64_TOL 1e-9    /* EPE / NME against the float64 reference */

static const cJSON *at(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        fprintf(stderr, "reference lacks \"%s\"\n", key);
        exit(1);
    }
    return v;
}

static double num(const cJSON *o, const char *key) { return at(o, key)->valuedouble; }

static void close_to(const char *what, double got, double want, double tol)
{
    CHECK(fabs(got - want) <= tol, "%s: %.17g, reference %.17g (tolerance %g)", what, got, want,
          tol);
}

/* ---- random_cases.json: the functional API ---- */

/* Reads an [N][K][2] (or [N][2] when k is 0) array into v. */
static void read_xy(const cJSON *a, int n, int k, double *v)
{
    int i = 0;
    for (const cJSON *inst = a->child; inst; inst = inst->next, i++) {
        if (!k) {
            v[2 * i] = inst->child->valuedouble;
            v[2 * i + 1] = inst->child->next->valuedouble;
            continue;
        }
        int j = 0;
        for (const cJSON *pt = inst->child; pt; pt = pt->next, j++) {
            v[(size_t)2 * (i * k + j)] = pt->child->valuedouble;
            v[(size_t)2 * (i * k + j) + 1] = pt->child->next->valuedouble;
        }
    }
    CHECK(i == n, "expected %d rows, read %d", n, i);
}

static void test_random_case(const cJSON *c)
{
    const char *name = at(c, "name")->valuestring;
    int n = (int)num(c, "N"), k = (int)num(c, "K");
    double *pred = calloc((size_t)2 * n * k + 2, sizeof(double));
    double *gt = calloc((size_t)2 * n * k + 2, sizeof(double));
    double *norm = calloc((size_t)2 * n + 2, sizeof(double));
    unsigned char *mask = calloc((size_t)n * k + 1, 1);
    read_xy(at(c, "pred"), n, k, pred);
    read_xy(at(c, "gt"), n, k, gt);
    read_xy(at(c, "norm"), n, 0, norm);
    int i = 0;
    for (const cJSON *row = at(c, "mask")->child; row; row = row->next, i++) {
        int j = 0;
        for (const cJSON *m = row->child; m; m = m->next, j++)
            mask[i * k + j] = m->valueint != 0;
    }
    opc_keypoint_pairs p = {n, k, pred, gt, mask};
    const cJSON *exp = at(c, "expected"), *e;
    char what[160];
    cJSON_ArrayForEach(e, at(exp, "pck"))
    {
        double thr = num(e, "thr"), acc[OPC_MAX_PARTS], avg;
        int cnt;
        opc_keypoint_pck(&p, norm, thr, acc, &avg, &cnt);
        int j = 0;
        const cJSON *a;
        cJSON_ArrayForEach(a, at(e, "acc"))
        {
            snprintf(what, sizeof what, "%s PCK@%g keypoint %d", name, thr, j);
            close_to(what, acc[j], a->valuedouble, RATIO_TOL);
            j++;
        }
        CHECK(j == k, "%s: %d accuracies, K = %d", name, j, k);
        snprintf(what, sizeof what, "%s PCK@%g avg", name, thr);
        close_to(what, avg, num(e, "avg"), RATIO_TOL);
        CHECK(cnt == (int)num(e, "cnt"), "%s PCK@%g cnt %d, reference %d", name, thr, cnt,
              (int)num(e, "cnt"));
    }
    const cJSON *f64 = at(c, "float64_reference");
    double auc = opc_keypoint_auc(&p, num(c, "auc_norm_factor"), (int)num(c, "auc_num_thrs"));
    double epe = opc_keypoint_epe(&p), nme = opc_keypoint_nme(&p, norm);
    snprintf(what, sizeof what, "%s AUC", name);
    close_to(what, auc, num(exp, "auc"), RATIO_TOL);
    snprintf(what, sizeof what, "%s EPE", name);
    close_to(what, epe, num(f64, "epe"), F64_TOL);
    close_to(what, epe, num(exp, "epe"), F32_REL * fabs(num(exp, "epe")));
    snprintf(what, sizeof what, "%s NME", name);
    close_to(what, nme, num(f64, "nme"), F64_TOL);
    close_to(what, nme, num(exp, "nme"), F32_REL * fabs(num(exp, "nme")));
    free(pred);
    free(gt);
    free(norm);
    free(mask);
}

static void test_random_cases(void)
{
    cJSON *r = opc_test_read_json(opc_test_shared_path("testdata/metrics/random_cases.json"));
    const cJSON *c;
    int n = 0;
    cJSON_ArrayForEach(c, at(r, "cases"))
    {
        test_random_case(c);
        n++;
    }
    CHECK(n == 25, "random_cases.json: %d cases, expected 25", n);
    printf("random_cases.json: %d cases\n", n);
    cJSON_Delete(r);
}

/* ---- instance files through the report (what `eval --metric` prints with --json) ---- */

static cJSON *report(const opc_keypoint_instances *d, opc_metric m, opc_metric_options o)
{
    char *text = NULL;
    opc_error err = {{0}};
    int rc = opc_metric_report(d, m, &o, 1, &text, &err);
    CHECK(rc == OPC_OK, "%s report: %s", opc_metric_name(m), err.msg);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    CHECK(!text || j, "%s report is not JSON: %s", opc_metric_name(m), text);
    free(text);
    return j ? j : cJSON_CreateObject();
}

static int load(const char *rel, opc_keypoint_instances *d)
{
    opc_error err = {{0}};
    int rc = opc_keypoint_instances_load(opc_test_shared_path(rel), d, &err);
    CHECK(rc == OPC_OK, "%s", err.msg);
    return rc == OPC_OK;
}

/* MMPose's classes that compare coordinates as stored: PCKAccuracy(bbox) at the
 * thresholds given, AUC(30, 20), EPE and NME(bbox_size). */
static void test_mmpose_classes(const char *name, const opc_keypoint_instances *d,
                                const cJSON *results)
{
    static const double thrs[3] = {0.05, 0.1, 0.2};
    char key[96], what[160];
    for (int t = 0; t < 3; t++) {
        opc_metric_options o = {.thr = thrs[t], .norm = OPC_NORM_BBOX, .raw_coordinates = 1};
        cJSON *r = report(d, OPC_METRIC_PCK, o);
        snprintf(key, sizeof key, "PCKAccuracy(thr=%g, norm_item=bbox)", thrs[t]);
        snprintf(what, sizeof what, "%s %s", name, key);
        close_to(what, num(r, "PCK"), num(at(results, key), "PCK"), RATIO_TOL);
        cJSON_Delete(r);
    }
    opc_metric_options o = {.norm = OPC_NORM_BBOX, .raw_coordinates = 1};
    cJSON *r = report(d, OPC_METRIC_AUC, o);
    snprintf(what, sizeof what, "%s AUC", name);
    close_to(what, num(r, "AUC"), num(at(results, "AUC(norm_factor=30, num_thrs=20)"), "AUC"),
             RATIO_TOL);
    cJSON_Delete(r);
    r = report(d, OPC_METRIC_EPE, o);
    double want = num(at(results, "EPE()"), "EPE");
    snprintf(what, sizeof what, "%s EPE", name);
    close_to(what, num(r, "EPE"), want, F32_REL * want);
    cJSON_Delete(r);
    r = report(d, OPC_METRIC_NME, o);
    want = num(at(results, "NME(norm_mode=use_norm_item, norm_item=bbox_size)"), "NME");
    snprintf(what, sizeof what, "%s NME", name);
    close_to(what, num(r, "NME"), want, F32_REL * want);
    cJSON_Delete(r);
}

static void test_groups(const char *name, const cJSON *got, const cJSON *want,
                        const char *suffix)
{
    char key[64], what[160];
    for (int g = 0; g < OPC_PCKH_NUM_GROUPS; g++) {
        snprintf(key, sizeof key, "%s%s", opc_pckh_group_name(g), suffix);
        snprintf(what, sizeof what, "%s %s", name, key);
        close_to(what, num(got, opc_pckh_group_name(g)), num(want, key), RATIO_TOL);
    }
}

/* Per-joint visible / correct / PCKh of a pckh report against arrays of the reference. */
static void test_joints(const char *name, const cJSON *got, const cJSON *want)
{
    const cJSON *g = at(got, "keypoints")->child;
    const cJSON *v = at(want, "visible")->child, *c = at(want, "correct")->child,
                *p = at(want, "pckh")->child;
    int j = 0;
    for (; g && v && c && p; g = g->next, v = v->next, c = c->next, p = p->next, j++) {
        CHECK(num(g, "visible") == v->valuedouble && num(g, "correct") == c->valuedouble,
              "%s joint %d: %g of %g correct, reference %g of %g", name, j, num(g, "correct"),
              num(g, "visible"), c->valuedouble, v->valuedouble);
        char what[96];
        snprintf(what, sizeof what, "%s joint %d PCKh", name, j);
        close_to(what, num(g, "pckh"), p->valuedouble, RATIO_TOL);
    }
    CHECK(j == 16 && !g && !v, "%s: %d joints compared, expected 16", name, j);
}

static void test_test_mpii(void)
{
    opc_keypoint_instances d;
    if (!load("testdata/metrics/eval_test_mpii.json", &d))
        return;
    cJSON *e = opc_test_read_json(opc_test_shared_path("testdata/metrics/expected_test_mpii.json"));
    const cJSON *results = at(e, "results");
    test_mmpose_classes("test_mpii", &d, results);
    /* PCKAccuracy(head): the plain PCK with head_size, coordinates as stored. */
    opc_metric_options o = {.thr = 0.5, .norm = OPC_NORM_HEAD, .raw_coordinates = 1};
    cJSON *r = report(&d, OPC_METRIC_PCK, o);
    close_to("test_mpii PCKAccuracy(head)", num(r, "PCK"),
             num(at(results, "PCKAccuracy(thr=0.5, norm_item=head)"), "PCKh"), RATIO_TOL);
    cJSON_Delete(r);
    /* MpiiPCKAccuracy: the 0-based predictions moved to the GT's 1-based frame. */
    const cJSON *mpii = at(results, "MpiiPCKAccuracy(thr=0.5, norm_item=head)");
    const cJSON *own = at(e, "own_mpii_rules");
    r = report(&d, OPC_METRIC_PCKH, (opc_metric_options){.thr = 0.5});
    test_groups("test_mpii", at(r, "groups"), mpii, " PCK");
    test_groups("test_mpii own rules", at(r, "groups"), at(own, "groups"), "");
    test_joints("test_mpii", r, own);
    close_to("test_mpii MpiiPCKAccuracy PCK", num(r, "mean_weighted"), num(mpii, "PCK"),
             RATIO_TOL);
    close_to("test_mpii mean_simple", num(r, "mean"), num(own, "mean_simple"), RATIO_TOL);
    cJSON_Delete(r);
    r = report(&d, OPC_METRIC_PCKH, (opc_metric_options){.thr = 0.1});
    close_to("test_mpii MpiiPCKAccuracy PCK@0.1", num(r, "mean_weighted"), num(mpii, "PCK@0.1"),
             1e-5);
    cJSON_Delete(r);
    cJSON_Delete(e);
    opc_keypoint_instances_free(&d);
    printf("eval_test_mpii.json: MMPose's 5 metric classes\n");
}

static void test_test_coco(void)
{
    opc_keypoint_instances d;
    if (!load("testdata/metrics/eval_test_coco.json", &d))
        return;
    cJSON *e = opc_test_read_json(opc_test_shared_path("testdata/metrics/expected_test_coco.json"));
    test_mmpose_classes("test_coco", &d, at(e, "results"));
    cJSON_Delete(e);
    opc_keypoint_instances_free(&d);
    printf("eval_test_coco.json: MMPose's 4 metric classes\n");
}

static void test_tompson(void)
{
    opc_keypoint_instances d;
    if (!load("testdata/metrics/eval_mpii_val_tompson.json", &d))
        return;
    CHECK(d.n == 2958 && d.k == 16, "Tompson: %d instances of %d joints", d.n, d.k);
    cJSON *e = opc_test_read_json(opc_test_shared_path("testdata/metrics/expected_mpii_val_tompson.json"));
    static const char *const keys[2] = {"thr_0_5", "thr_0_1"};
    static const double thrs[2] = {0.5, 0.1};
    for (int t = 0; t < 2; t++) {
        const cJSON *want = at(e, keys[t]);
        cJSON *r = report(&d, OPC_METRIC_PCKH, (opc_metric_options){.thr = thrs[t]});
        char name[64];
        snprintf(name, sizeof name, "Tompson @%g", thrs[t]);
        test_joints(name, r, want);
        test_groups(name, at(r, "groups"), at(want, "groups"), "");
        close_to("Tompson mean (simple)", num(r, "mean"), num(want, "mean_simple"), RATIO_TOL);
        close_to("Tompson mean (weighted)", num(r, "mean_weighted"), num(want, "mean_weighted"),
                 RATIO_TOL);
        printf("Tompson PCKh@%g: mean %.4f, weighted %.4f\n", thrs[t], num(r, "mean"),
               num(r, "mean_weighted"));
        if (t == 0) {
            const cJSON *mm = at(at(e, "mmpose_MpiiPCKAccuracy"), "output");
            test_groups("Tompson MMPose", at(r, "groups"), mm, " PCK");
            close_to("Tompson MMPose PCK", num(r, "mean_weighted"), num(mm, "PCK"), RATIO_TOL);
        } else {
            close_to("Tompson MMPose PCK@0.1", num(r, "mean_weighted"),
                     num(at(at(e, "mmpose_MpiiPCKAccuracy"), "output"), "PCK@0.1"), 1e-5);
        }
        cJSON_Delete(r);
    }
    /* The published figures the issue quotes. */
    cJSON *r = report(&d, OPC_METRIC_PCKH, (opc_metric_options){0});
    close_to("PCKh@0.5 simple mean (81.4584)", num(r, "mean"), 81.4584, 5e-5);
    close_to("PCKh@0.5 weighted mean (82.3367)", num(r, "mean_weighted"), 82.3367, 5e-5);
    cJSON_Delete(r);
    cJSON_Delete(e);
    opc_keypoint_instances_free(&d);
}

/* ---- PCK per matched person on COCO ground truth ---- */

static const char *write_tmp(const char *name, const char *text)
{
    static const char *dir;
    static char paths[4][4200];
    static int next;
    char *path = paths[next++ % 4];
    if (!dir)
        dir = opc_test_tmpdir("eval_metrics");
    snprintf(path, sizeof paths[0], "%s/%s", dir, name);
    opc_error err;
    if (opc_write_file_atomic(path, text, strlen(text), &err) != OPC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    return path;
}


/* eval_test_coco.json's predictions written as COCO results (score 1, every keypoint
 * v = 1) for test_coco.json: every person must find its own prediction, so the COCO
 * path's PCK and EPE must equal MMPose's numbers on the instance file. */
static void test_coco_results(void)
{
    cJSON *inst = opc_test_read_json(opc_test_shared_path("testdata/metrics/eval_test_coco.json"));
    cJSON *e = opc_test_read_json(opc_test_shared_path("testdata/metrics/expected_test_coco.json"));
    cJSON *res = cJSON_CreateArray();
    const cJSON *it;
    cJSON_ArrayForEach(it, at(inst, "instances"))
    {
        cJSON *r = cJSON_CreateObject(), *kp = cJSON_AddArrayToObject(r, "keypoints");
        cJSON_AddNumberToObject(r, "image_id", num(it, "image_id"));
        cJSON_AddNumberToObject(r, "category_id", 1);
        const cJSON *pt;
        cJSON_ArrayForEach(pt, at(it, "pred"))
        {
            cJSON_AddItemToArray(kp, cJSON_CreateNumber(pt->child->valuedouble));
            cJSON_AddItemToArray(kp, cJSON_CreateNumber(pt->child->next->valuedouble));
            cJSON_AddItemToArray(kp, cJSON_CreateNumber(1));
        }
        cJSON_AddNumberToObject(r, "score", 1);
        cJSON_AddItemToArray(res, r);
    }
    char *text = cJSON_PrintUnformatted(res);
    const char *path = write_tmp("coco_results.json", text);
    free(text);
    static const double thrs[3] = {0.05, 0.1, 0.2};
    for (int t = 0; t < 3; t++) {
        opc_coco_pck_options o = {.thr = thrs[t]};
        opc_coco_pck p;
        double stats[OPC_COCO_NUM_STATS];
        opc_error err = {{0}};
        if (opc_coco_eval_pck(opc_test_shared_path("testdata/metrics/test_coco.json"), path, stats,
                              &o, &p, &err) != OPC_OK) {
            CHECK(0, "%s", err.msg);
            break;
        }
        char key[96];
        snprintf(key, sizeof key, "PCKAccuracy(thr=%g, norm_item=bbox)", thrs[t]);
        CHECK(p.matched == 12 && p.gt_persons == 12, "%d of %d persons matched, expected 12",
              p.matched, p.gt_persons);
        close_to("COCO results PCK", p.pck, num(at(at(e, "results"), key), "PCK"), RATIO_TOL);
        double epe = num(at(at(e, "results"), "EPE()"), "EPE");
        close_to("COCO results EPE", p.epe, epe, F32_REL * epe);
        CHECK(p.missing == 0, "%ld keypoints without prediction", p.missing);
    }
    /* Scoring the 12 body keypoints only: the face's counts vanish. */
    opc_coco_pck_options o = {.thr = 0.2};
    for (int k = 5; k < 17; k++)
        o.keypoints[k] = 1;
    opc_coco_pck p;
    double stats[OPC_COCO_NUM_STATS];
    opc_error err = {{0}};
    if (opc_coco_eval_pck(opc_test_shared_path("testdata/metrics/test_coco.json"), path, stats,
                          &o, &p, &err) == OPC_OK)
        CHECK(p.keypoints_counted == 12 && p.counted[0] == 0 && p.acc[0] == -1 &&
                  p.counted[5] == 12,
              "body keypoints only: %d keypoints counted, nose %d", p.keypoints_counted,
              p.counted[0]);
    else
        CHECK(0, "%s", err.msg);
    /* A box past the image's right edge is clipped to it (MMPose's loader): 100 wide
     * unclipped, 49 clipped, so an error of 15 pixels is 0.15 or 0.31 box sizes. */
    static const char gt[] =
        "{\"images\": [{\"id\": 1, \"width\": 100, \"height\": 100}], "
        "\"categories\": [{\"id\": 1}], \"annotations\": [{\"id\": 1, \"image_id\": 1, "
        "\"category_id\": 1, \"num_keypoints\": 2, \"area\": 4000, \"bbox\": [50, 0, 100, 40], "
        "\"keypoints\": [0,0,0, 0,0,0, 0,0,0, 0,0,0, 0,0,0, 60,10,2, 80,10,2, 0,0,0, 0,0,0, "
        "0,0,0, 0,0,0, 0,0,0, 0,0,0, 0,0,0, 0,0,0, 0,0,0, 0,0,0]}]}";
    static const char dt[] =
        "[{\"image_id\": 1, \"category_id\": 1, \"score\": 1, \"keypoints\": [0,0,0, 0,0,0, "
        "0,0,0, 0,0,0, 0,0,0, 60,10,1, 95,10,1, 0,0,0, 0,0,0, 0,0,0, 0,0,0, 0,0,0, 0,0,0, 0,0,0, "
        "0,0,0, 0,0,0, 0,0,0]}]";
    const char *gt_path = write_tmp("clip_gt.json", gt);
    if (opc_coco_eval_pck(gt_path, write_tmp("clip_dt.json", dt), stats, &(opc_coco_pck_options){0},
                          &p, &err) == OPC_OK)
        CHECK(p.matched == 1 && p.correct[5] == 1 && p.counted[6] == 1 && p.correct[6] == 0 &&
                  fabs(p.epe - 7.5) < 1e-12,
              "clipped box: matched %d, right shoulder %d of %d correct, EPE %g", p.matched,
              p.correct[6], p.counted[6], p.epe);
    else
        CHECK(0, "%s", err.msg);
    cJSON_Delete(res);
    cJSON_Delete(inst);
    cJSON_Delete(e);
    printf("COCO results: PCK and EPE per matched person equal MMPose's\n");
}

/* ---- derived invariants and malformed files ---- */

#define HEAD "{\"format\": \"openpose-c keypoint-eval v1\", \"keypoint_names\": [\"a\", \"b\"], "

static void expect_error(const char *text, const char *reason)
{
    const char *path = write_tmp("bad.json", text);
    opc_keypoint_instances d;
    opc_error err = {{0}};
    int rc = opc_keypoint_instances_load(path, &d, &err);
    CHECK(rc != OPC_OK, "accepted %s", text);
    CHECK(rc == OPC_OK || (strstr(err.msg, path) && strstr(err.msg, reason)),
          "error for %s: '%s', expected the path and '%s'", text, err.msg, reason);
    if (rc == OPC_OK)
        opc_keypoint_instances_free(&d);
}

static void test_bad_files(void)
{
    expect_error("[]", "expected an object");
    expect_error("{\"format\": \"x\"}", "not a keypoint-eval file");
    expect_error(HEAD "\"instances\": 3}", "no \"instances\" array");
    expect_error(HEAD "\"gt_coordinate_base\": 2, \"instances\": []}", "0 or 1");
    expect_error(HEAD "\"instances\": [{\"gt\": [[1, 2]], \"visible\": [1, 1], "
                      "\"pred\": [[1, 2], [3, 4]]}]}",
                 "instances[0]: \"gt\" must be 2 [x, y] pairs");
    expect_error(HEAD "\"instances\": [{\"gt\": [[1, 2], [3, 4]], \"visible\": [1, 2], "
                      "\"pred\": [[1, 2], [3, 4]]}]}",
                 "instances[0]: visible[1] is not 0 or 1");
    expect_error(HEAD "\"instances\": [{\"gt\": [[1, 2], [3, 4]], \"visible\": [1, 1], "
                      "\"pred\": [[1, 2], [3, \"x\"]]}]}",
                 "\"pred\" must be 2");
    expect_error(HEAD "\"instances\": [{\"gt\": [[1, 2], [3, 4]], \"visible\": [1, 1], "
                      "\"pred\": [[1, 2], [3, 4]], \"bbox_size\": \"big\"}]}",
                 "must be numbers or null");
    expect_error("{\"format\": \"openpose-c keypoint-eval v1\", \"keypoint_names\": [], "
                 "\"instances\": []}", "1 to");
    /* A normaliser the metric needs but an instance lacks: an error, no report. */
    const char *path = write_tmp("nohead.json", HEAD "\"instances\": [{\"gt\": [[1, 2], [3, 4]], "
                                 "\"visible\": [1, 1], \"pred\": [[1, 2], [3, 4]], "
                                 "\"bbox_size\": 10, \"head_size\": null}]}");
    opc_keypoint_instances d;
    opc_error err = {{0}};
    if (opc_keypoint_instances_load(path, &d, &err) == OPC_OK) {
        char *text = (char *)1;
        opc_metric_options o = {.norm = OPC_NORM_HEAD};
        CHECK(opc_metric_report(&d, OPC_METRIC_PCK, &o, 0, &text, &err) != OPC_OK && !text &&
                  strstr(err.msg, "instances[0] has no head_size"),
              "missing head_size: '%s'", err.msg);
        o.norm = OPC_NORM_TORSO;
        CHECK(opc_metric_report(&d, OPC_METRIC_PCK, &o, 0, &text, &err) != OPC_OK &&
                  strstr(err.msg, "left_shoulder and right_hip"),
              "torso without shoulders and hips: '%s'", err.msg);
        opc_keypoint_instances_free(&d);
    } else {
        CHECK(0, "%s", err.msg);
    }
}

/* Bases: 0-based predictions one pixel off a 1-based GT are exact once moved (pck, the
 * default, and pckh always), and one pixel off as stored (--raw-coordinates). */
static void test_bases(void)
{
    const char *path = write_tmp("bases.json",
        "{\"format\": \"openpose-c keypoint-eval v1\", \"keypoint_names\": [\"head_top\", "
        "\"left_shoulder\", \"right_hip\"], \"gt_coordinate_base\": 1, "
        "\"pred_coordinate_base\": 0, \"instances\": [{\"gt\": [[11, 21], [31, 41], [51, 61]], "
        "\"visible\": [1, 1, 1], \"pred\": [[10, 20], [30, 40], [50, 60]], \"bbox_size\": 100, "
        "\"headbox\": [[0, 0], [30, 40]]}]}");
    opc_keypoint_instances d;
    opc_error err = {{0}};
    if (opc_keypoint_instances_load(path, &d, &err) != OPC_OK) {
        CHECK(0, "%s", err.msg);
        return;
    }
    CHECK(d.head_size[0] == 0.6 * 50, "head size from the head box: %g, expected 30",
          d.head_size[0]);
    cJSON *r = report(&d, OPC_METRIC_EPE, (opc_metric_options){0});
    close_to("EPE, bases aligned", num(r, "EPE"), 0, 0);
    cJSON_Delete(r);
    r = report(&d, OPC_METRIC_EPE, (opc_metric_options){.raw_coordinates = 1});
    close_to("EPE, raw coordinates", num(r, "EPE"), sqrt(2), 1e-15);
    cJSON_Delete(r);
    r = report(&d, OPC_METRIC_PCKH, (opc_metric_options){.thr = 0.01, .raw_coordinates = 1});
    close_to("PCKh moves predictions even with raw coordinates", num(r, "mean_weighted"), 100, 0);
    cJSON_Delete(r);
    /* torso = |(31, 41) - (51, 61)| = 28.28; an error of 1.41 is 0.05 torsos. */
    r = report(&d, OPC_METRIC_NME,
               (opc_metric_options){.norm = OPC_NORM_TORSO, .raw_coordinates = 1});
    close_to("NME by torso", num(r, "NME"), sqrt(2) / sqrt(800), 1e-15);
    cJSON_Delete(r);
    opc_keypoint_instances_free(&d);
}

int main(void)
{
    opc_test_shared();
    test_random_cases();
    test_test_mpii();
    test_test_coco();
    test_tompson();
    test_coco_results();
    test_bad_files();
    test_bases();
    return opc_test_result();
}
