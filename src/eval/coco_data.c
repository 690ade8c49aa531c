/* Loading COCO keypoint GT and results (the parts of pycocotools' COCO() and loadRes()
 * that keypoint evaluation relies on), with one-line errors for every malformed entry. */
#include "eval/coco_data.h"

#include <cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_file.h"
#include "openpose-c/error.h"

/* ---- JSON access with errors naming the file and the entry ---- */

typedef struct {
    const char *path;
    const char *array; /* "annotations", "results", ... */
    size_t index;
} where;

/* "<file>: <array>[<index>]: <what>" */
__attribute__((format(printf, 3, 4))) static int bad(opc_error *err, where w, const char *fmt,
                                                     ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return opc_fail(err, OPC_ERR_FORMAT, "%s: %s[%zu]: %s", w.path, w.array, w.index, what);
}

static int get_number(const cJSON *o, const char *key, double *v, where w, opc_error *err)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!it)
        return bad(err, w, "missing \"%s\"", key);
    if (!cJSON_IsNumber(it))
        return bad(err, w, "\"%s\" is not a number", key);
    if (!isfinite(it->valuedouble))
        return bad(err, w, "\"%s\" is not finite", key);
    *v = it->valuedouble;
    return OPC_OK;
}

/* An array of exactly n finite numbers. */
static int get_numbers(const cJSON *o, const char *key, double *v, int n, where w,
                       opc_error *err)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!a)
        return bad(err, w, "missing \"%s\"", key);
    if (!cJSON_IsArray(a))
        return bad(err, w, "\"%s\" is not an array", key);
    int count = cJSON_GetArraySize(a);
    if (count != n)
        return bad(err, w, "\"%s\" has %d values, expected %d", key, count, n);
    int i = 0;
    for (const cJSON *it = a->child; it; it = it->next, i++) {
        if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
            return bad(err, w, "\"%s\" holds a value that is not a finite number", key);
        v[i] = it->valuedouble;
    }
    return OPC_OK;
}

static const cJSON *get_array(const cJSON *root, const char *key, const char *path,
                              opc_error *err)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!cJSON_IsArray(a))
        opc_fail(err, OPC_ERR_FORMAT, "%s: %s \"%s\" array: not a COCO ground-truth file", path,
                 a ? "non-array" : "no", key);
    return cJSON_IsArray(a) ? a : NULL;
}

/* ---- id tables ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Reads the numeric "id" of every object of arr into a sorted, duplicate-free table. */
static int id_table(const cJSON *arr, const char *name, const char *path, double **ids, int *n,
                    opc_error *err)
{
    int count = cJSON_GetArraySize(arr);
    *ids = malloc(sizeof(double) * (count ? count : 1));
    if (!*ids)
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
    int i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        int rc = get_number(it, "id", &(*ids)[i], (where){path, name, (size_t)i}, err);
        if (rc != OPC_OK)
            return rc;
    }
    qsort(*ids, count, sizeof(double), cmp_double);
    int u = 0;
    for (i = 0; i < count; i++)
        if (u == 0 || (*ids)[u - 1] != (*ids)[i])
            (*ids)[u++] = (*ids)[i];
    *n = u;
    return OPC_OK;
}

static int find_id(const double *ids, int n, double id)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && ids[lo] == id ? lo : -1;
}

/* Each image's optional "width" and "height" (0 when absent), by sorted id. */
static int image_sizes(const cJSON *images, const char *path, opc_coco_data *d, opc_error *err)
{
    d->image_sizes = calloc(2 * (size_t)(d->num_images ? d->num_images : 1), sizeof(double));
    if (!d->image_sizes)
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
    int i = 0;
    for (const cJSON *it = images->child; it; it = it->next, i++) {
        double id = cJSON_GetObjectItemCaseSensitive(it, "id")->valuedouble, wh[2] = {0, 0};
        static const char *const keys[2] = {"width", "height"};
        for (int k = 0; k < 2; k++)
            if (cJSON_GetObjectItemCaseSensitive(it, keys[k]) &&
                get_number(it, keys[k], &wh[k], (where){path, "images", (size_t)i}, err))
                return OPC_ERR_FORMAT;
        int at = find_id(d->image_ids, d->num_images, id);
        d->image_sizes[2 * at] = wh[0];
        d->image_sizes[2 * at + 1] = wh[1];
    }
    return OPC_OK;
}

/* ---- ground truth ---- */

static int load_gt_ann(const cJSON *a, where w, opc_coco_gt *g, opc_error *err)
{
    double num_kp = 0;
    int rc;
    if ((rc = get_numbers(a, "keypoints", g->kp, 3 * OPC_COCO_KPTS, w, err)) != OPC_OK ||
        (rc = get_number(a, "num_keypoints", &num_kp, w, err)) != OPC_OK ||
        (rc = get_number(a, "area", &g->area, w, err)) != OPC_OK ||
        (rc = get_numbers(a, "bbox", g->bbox, 4, w, err)) != OPC_OK)
        return rc;
    /* iscrowd is optional here (pycocotools needs it); a bool is accepted like Python's. */
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(a, "iscrowd");
    if (c && !cJSON_IsNumber(c) && !cJSON_IsBool(c))
        return bad(err, w, "\"iscrowd\" is not a number");
    g->iscrowd = cJSON_IsTrue(c) || (cJSON_IsNumber(c) && c->valuedouble != 0);
    g->ignore = g->iscrowd || num_kp == 0;
    return OPC_OK;
}

static int cmp_gt(const void *pa, const void *pb)
{
    const opc_coco_gt *a = pa, *b = pb;
    if (a->cat != b->cat)
        return a->cat < b->cat ? -1 : 1;
    if (a->img != b->img)
        return a->img < b->img ? -1 : 1;
    return (a->file_index > b->file_index) - (a->file_index < b->file_index);
}

/* pycocotools keeps annotations in a dict by id, so a repeated id silently replaces the
 * first annotation: refuse that instead. */
static int check_unique_ids(const opc_coco_data *d, const char *path, opc_error *err)
{
    double *ids = malloc(sizeof(double) * (d->num_gt ? d->num_gt : 1));
    if (!ids)
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
    for (size_t i = 0; i < d->num_gt; i++)
        ids[i] = d->gt[i].id;
    qsort(ids, d->num_gt, sizeof(double), cmp_double);
    int rc = OPC_OK;
    for (size_t i = 1; i < d->num_gt && rc == OPC_OK; i++)
        if (ids[i] == ids[i - 1])
            rc = opc_fail(err, OPC_ERR_FORMAT, "%s: annotation id %.17g is used twice", path,
                          ids[i]);
    free(ids);
    return rc;
}

static int load_gt(const char *path, opc_coco_data *d, opc_error *err)
{
    cJSON *root = NULL;
    int rc = opc_json_read_file(path, OPC_COCO_MAX_BYTES, OPC_COCO_MAX_VALUES, &root, err);
    if (rc != OPC_OK)
        return rc;
    const cJSON *images, *cats, *anns;
    if (!cJSON_IsObject(root)) {
        rc = opc_fail(err, OPC_ERR_FORMAT,
                      "%s: not a COCO ground-truth file (expected an object with \"images\", "
                      "\"categories\" and \"annotations\")", path);
        goto done;
    }
    if (!(images = get_array(root, "images", path, err)) ||
        !(cats = get_array(root, "categories", path, err)) ||
        !(anns = get_array(root, "annotations", path, err))) {
        rc = OPC_ERR_FORMAT;
        goto done;
    }
    if ((rc = id_table(images, "images", path, &d->image_ids, &d->num_images, err)) != OPC_OK ||
        (rc = id_table(cats, "categories", path, &d->cat_ids, &d->num_cats, err)) != OPC_OK ||
        (rc = image_sizes(images, path, d, err)) != OPC_OK)
        goto done;

    int count = cJSON_GetArraySize(anns);
    d->gt = malloc(sizeof(opc_coco_gt) * (count ? count : 1));
    if (!d->gt) {
        rc = opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    int i = 0;
    for (const cJSON *a = anns->child; a; a = a->next, i++) {
        where w = {path, "annotations", (size_t)i};
        opc_coco_gt *g = &d->gt[d->num_gt];
        double image_id = 0, cat_id = 0;
        if (!cJSON_IsObject(a)) {
            rc = bad(err, w, "not an object");
            goto done;
        }
        if ((rc = get_number(a, "id", &g->id, w, err)) != OPC_OK ||
            (rc = get_number(a, "image_id", &image_id, w, err)) != OPC_OK ||
            (rc = get_number(a, "category_id", &cat_id, w, err)) != OPC_OK)
            goto done;
        g->img = find_id(d->image_ids, d->num_images, image_id);
        g->cat = find_id(d->cat_ids, d->num_cats, cat_id);
        if (g->img < 0 || g->cat < 0)
            continue; /* pycocotools evaluates only the listed images and categories */
        g->file_index = i;
        if ((rc = load_gt_ann(a, w, g, err)) != OPC_OK)
            goto done;
        d->num_gt++;
    }
    if ((rc = check_unique_ids(d, path, err)) != OPC_OK)
        goto done;
    qsort(d->gt, d->num_gt, sizeof(opc_coco_gt), cmp_gt);
done:
    cJSON_Delete(root);
    return rc;
}

/* ---- results ---- */

static int cmp_dt(const void *pa, const void *pb)
{
    const opc_coco_dt *a = pa, *b = pb;
    if (a->cat != b->cat)
        return a->cat < b->cat ? -1 : 1;
    if (a->img != b->img)
        return a->img < b->img ? -1 : 1;
    if (a->score != b->score) /* numpy's stable argsort of -score */
        return a->score > b->score ? -1 : 1;
    return (a->file_index > b->file_index) - (a->file_index < b->file_index);
}

/* loadRes() sets the detections' area from the first entry's fields: a non-empty "bbox"
 * means bbox w*h for all; otherwise the extent of all 17 keypoints, (0, 0) and (-1, -1)
 * placeholders of missing ones included. */
typedef enum { AREA_KEYPOINTS, AREA_BBOX } area_rule;

static double keypoint_extent(const double *kp)
{
    double x0 = kp[0], x1 = kp[0], y0 = kp[1], y1 = kp[1];
    for (int k = 1; k < OPC_COCO_KPTS; k++) {
        x0 = fmin(x0, kp[3 * k]);
        x1 = fmax(x1, kp[3 * k]);
        y0 = fmin(y0, kp[3 * k + 1]);
        y1 = fmax(y1, kp[3 * k + 1]);
    }
    return (x1 - x0) * (y1 - y0);
}

static int load_results(const char *path, const char *gt_path, opc_coco_data *d,
                        opc_error *err)
{
    cJSON *root = NULL;
    int rc = opc_json_read_file(path, OPC_COCO_MAX_BYTES, OPC_COCO_MAX_VALUES, &root, err);
    if (rc != OPC_OK)
        return rc;
    if (!cJSON_IsArray(root)) {
        rc = opc_fail(err, OPC_ERR_FORMAT,
                      "%s: not a COCO results file (expected an array of detections)", path);
        goto done;
    }
    int count = cJSON_GetArraySize(root);
    d->dt = malloc(sizeof(opc_coco_dt) * (count ? count : 1));
    if (!d->dt) {
        rc = opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    area_rule rule = AREA_KEYPOINTS;
    if (count) {
        const cJSON *bb = cJSON_GetObjectItemCaseSensitive(root->child, "bbox");
        if (cJSON_IsArray(bb) && cJSON_GetArraySize(bb) > 0)
            rule = AREA_BBOX;
        else if (cJSON_GetObjectItemCaseSensitive(root->child, "segmentation")) {
            rc = opc_fail(err, OPC_ERR_UNSUPPORTED,
                          "%s: results[0] has a \"segmentation\": mask results are not "
                          "supported, only keypoints", path);
            goto done;
        }
    }
    int i = 0;
    for (const cJSON *r = root->child; r; r = r->next, i++) {
        where w = {path, "results", (size_t)i};
        opc_coco_dt *t = &d->dt[d->num_dt];
        double image_id = 0, cat_id = 0, bbox[4] = {0};
        if (!cJSON_IsObject(r)) {
            rc = bad(err, w, "not an object");
            goto done;
        }
        if ((rc = get_number(r, "image_id", &image_id, w, err)) != OPC_OK ||
            (rc = get_number(r, "category_id", &cat_id, w, err)) != OPC_OK ||
            (rc = get_numbers(r, "keypoints", t->kp, 3 * OPC_COCO_KPTS, w, err)) != OPC_OK ||
            (rc = get_number(r, "score", &t->score, w, err)) != OPC_OK ||
            (rule == AREA_BBOX && (rc = get_numbers(r, "bbox", bbox, 4, w, err)) != OPC_OK))
            goto done;
        t->img = find_id(d->image_ids, d->num_images, image_id);
        if (t->img < 0) {
            rc = opc_fail(err, OPC_ERR_FORMAT, "%s: results[%d]: image_id %.17g is not an "
                          "image of %s", path, i, image_id, gt_path);
            goto done;
        }
        t->cat = find_id(d->cat_ids, d->num_cats, cat_id);
        if (t->cat < 0)
            continue; /* pycocotools drops categories the GT does not list */
        t->file_index = i;
        t->area = rule == AREA_BBOX ? bbox[2] * bbox[3] : keypoint_extent(t->kp);
        d->num_dt++;
    }
    qsort(d->dt, d->num_dt, sizeof(opc_coco_dt), cmp_dt);
done:
    cJSON_Delete(root);
    return rc;
}

/* ---- cells ---- */

static int cmp_key(int cat_a, int img_a, int cat_b, int img_b)
{
    if (cat_a != cat_b)
        return cat_a < cat_b ? -1 : 1;
    return (img_a > img_b) - (img_a < img_b);
}

/* One merge pass over the two sorted arrays. */
static int build_cells(opc_coco_data *d, opc_error *err)
{
    d->cells = malloc(sizeof(opc_coco_cell) * (d->num_gt + d->num_dt + 1));
    if (!d->cells)
        return opc_fail(err, OPC_ERR_NOMEM, "out of memory");
    size_t g = 0, t = 0;
    while (g < d->num_gt || t < d->num_dt) {
        int c;
        if (g == d->num_gt)
            c = 1;
        else if (t == d->num_dt)
            c = -1;
        else
            c = cmp_key(d->gt[g].cat, d->gt[g].img, d->dt[t].cat, d->dt[t].img);
        opc_coco_cell *cell = &d->cells[d->num_cells++];
        cell->cat = c <= 0 ? d->gt[g].cat : d->dt[t].cat;
        cell->img = c <= 0 ? d->gt[g].img : d->dt[t].img;
        cell->gt_begin = g;
        while (g < d->num_gt && d->gt[g].cat == cell->cat && d->gt[g].img == cell->img)
            g++;
        cell->gt_end = g;
        cell->dt_begin = t;
        while (t < d->num_dt && d->dt[t].cat == cell->cat && d->dt[t].img == cell->img)
            t++;
        cell->dt_end = t;
    }
    return OPC_OK;
}

int opc_coco_load(const char *gt_path, const char *results_path, opc_coco_data *out,
                  opc_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = load_gt(gt_path, out, err);
    if (rc == OPC_OK)
        rc = load_results(results_path, gt_path, out, err);
    if (rc == OPC_OK)
        rc = build_cells(out, err);
    if (rc != OPC_OK)
        opc_coco_data_free(out);
    return rc;
}

void opc_coco_data_free(opc_coco_data *d)
{
    free(d->image_ids);
    free(d->image_sizes);
    free(d->cat_ids);
    free(d->gt);
    free(d->dt);
    free(d->cells);
    memset(d, 0, sizeof *d);
}
