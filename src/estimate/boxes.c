/* Person boxes (openpose-c/boxes.h): a detector's COCO results file, and the boxes
 * around people. */
#include "openpose-c/boxes.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_file.h"

#define MAX_BYTES ((size_t)512 << 20)
#define MAX_VALUES ((size_t)1 << 26)
#define MAX_ID 9007199254740992.0 /* 2^53: larger ids are not exact in JSON readers */

typedef struct {
    double image_id;
    int index;      /* position in the file: the tie-break */
    opc_box box;
} entry;

struct opc_box_file {
    int n;
    entry *e;       /* by image_id, then score (best first), then index */
    opc_box *boxes; /* the same order */
};

static int cmp_entry(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    if (a->image_id != b->image_id)
        return a->image_id < b->image_id ? -1 : 1;
    if (a->box.score != b->box.score)
        return a->box.score > b->box.score ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

static int number(const cJSON *o, const char *key, double *v)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
        return 0;
    *v = it->valuedouble;
    return 1;
}

/* Reads entry i of the array into *e; 1 = kept, 0 = skipped (another category or below
 * the threshold), else an error code (< 0). */
static int read_entry(const cJSON *r, int i, const char *path, double threshold, entry *e,
                      opc_error *err)
{
    double cat, v[4];
    if (!cJSON_IsObject(r))
        return opc_fail(err, OPC_ERR_FORMAT, "%s: [%d]: not an object", path, i);
    if (!number(r, "image_id", &e->image_id) || e->image_id < 0 || e->image_id > MAX_ID ||
        e->image_id != floor(e->image_id))
        return opc_fail(err, OPC_ERR_FORMAT, "%s: [%d]: \"image_id\" must be a whole number "
                        "from 0 to 2^53", path, i);
    if (!number(r, "category_id", &cat))
        return opc_fail(err, OPC_ERR_FORMAT, "%s: [%d]: no numeric \"category_id\"", path, i);
    double score;
    if (!number(r, "score", &score))
        return opc_fail(err, OPC_ERR_FORMAT, "%s: [%d]: no finite \"score\"", path, i);
    const cJSON *bb = cJSON_GetObjectItemCaseSensitive(r, "bbox");
    int ok = cJSON_IsArray(bb) && cJSON_GetArraySize(bb) == 4;
    int k = 0;
    for (const cJSON *it = ok ? bb->child : NULL; it; it = it->next, k++)
        ok = ok && cJSON_IsNumber(it) && isfinite(it->valuedouble) &&
             fabs(it->valuedouble) < 1e9 && ((v[k] = it->valuedouble), 1);
    if (!ok || !((float)v[2] > 0) || !((float)v[3] > 0))
        return opc_fail(err, OPC_ERR_FORMAT, "%s: [%d]: \"bbox\" must be [x, y, w, h] with w "
                        "and h > 0", path, i);
    if (cat != 1 || score < threshold)
        return 0;
    e->index = i;
    e->box = (opc_box){(float)v[0], (float)v[1], (float)v[2], (float)v[3], (float)score};
    return 1;
}

int opc_box_file_load(const char *path, double threshold, opc_box_file **out, opc_error *err)
{
    *out = NULL;
    cJSON *root = NULL;
    int rc = opc_json_read_file(path, MAX_BYTES, MAX_VALUES, &root, err);
    if (rc != OPC_OK)
        return rc;
    opc_box_file *f = NULL;
    if (!cJSON_IsArray(root)) {
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: not a detection results file (expected an "
                      "array of {\"image_id\", \"category_id\", \"bbox\", \"score\"})", path);
        goto done;
    }
    int count = cJSON_GetArraySize(root);
    f = calloc(1, sizeof *f);
    if (f) {
        f->e = malloc(sizeof *f->e * (count ? count : 1));
        f->boxes = malloc(sizeof *f->boxes * (count ? count : 1));
    }
    if (!f || !f->e || !f->boxes) {
        rc = opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    int i = 0;
    for (const cJSON *r = root->child; r; r = r->next, i++) {
        int kept = read_entry(r, i, path, threshold, &f->e[f->n], err);
        if (kept < 0) {
            rc = kept;
            goto done;
        }
        f->n += kept;
    }
    qsort(f->e, (size_t)f->n, sizeof *f->e, cmp_entry);
    for (i = 0; i < f->n; i++)
        f->boxes[i] = f->e[i].box;
done:
    cJSON_Delete(root);
    if (rc != OPC_OK)
        opc_box_file_free(f);
    else
        *out = f;
    return rc;
}

const opc_box *opc_box_file_boxes(const opc_box_file *f, int64_t image_id, int *count)
{
    int lo = 0, hi = f->n;
    double id = (double)image_id;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (f->e[mid].image_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    int end = lo;
    while (end < f->n && f->e[end].image_id == id)
        end++;
    *count = end - lo;
    return *count ? &f->boxes[lo] : NULL;
}

int opc_box_file_count(const opc_box_file *f)
{
    return f->n;
}

void opc_box_file_free(opc_box_file *f)
{
    if (!f)
        return;
    free(f->e);
    free(f->boxes);
    free(f);
}

int opc_boxes_from_people(const opc_people *p, opc_box *out)
{
    int n = 0;
    for (int i = 0; i < p->count; i++) {
        const float *kp = p->keypoints + (size_t)i * p->num_parts * 3;
        double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
        for (int k = 0; k < p->num_parts; k++) {
            if (!(kp[3 * k + 2] > 0))
                continue;
            x0 = fmin(x0, kp[3 * k]);
            x1 = fmax(x1, kp[3 * k]);
            y0 = fmin(y0, kp[3 * k + 1]);
            y1 = fmax(y1, kp[3 * k + 1]);
        }
        if (!(x1 - x0 > 0) && !(y1 - y0 > 0)) /* no part, or all on one point */
            continue;
        out[n++] = (opc_box){(float)x0, (float)y0, (float)(x1 - x0), (float)(y1 - y0),
                             p->scores[i]};
    }
    return n;
}
