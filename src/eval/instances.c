/* Keypoint-eval instance files (metrics.h): read, validated entry by entry. */
#include <cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_file.h"
#include "openpose-c/metrics.h"

#define FORMAT_NAME "openpose-c keypoint-eval v1"
#define MAX_BYTES ((size_t)512 << 20)
#define MAX_VALUES ((size_t)1 << 26)
#define MPII_SC_BIAS 0.6 /* MPII's head size: this times the head box diagonal */

/* "<file>: instances[<i>]: <what>" */
__attribute__((format(printf, 4, 5))) static int bad(opc_error *err, const char *path, int i,
                                                     const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (i < 0)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: %s", path, what);
    return opc_fail(err, OPC_ERR_FORMAT, "%s: instances[%d]: %s", path, i, what);
}

static int finite_number(const cJSON *v, double *out)
{
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return 0;
    *out = v->valuedouble;
    return 1;
}

/* An array of k [x, y] pairs into xy (2k doubles). */
static int read_points(const cJSON *a, int k, double *xy)
{
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != k)
        return 0;
    int j = 0;
    for (const cJSON *pt = a->child; pt; pt = pt->next, j++) {
        if (!cJSON_IsArray(pt) || cJSON_GetArraySize(pt) != 2 ||
            !finite_number(pt->child, &xy[2 * j]) ||
            !finite_number(pt->child->next, &xy[2 * j + 1]))
            return 0;
    }
    return 1;
}

/* A normaliser: a finite number, or null / absent (NaN). */
static int read_size(const cJSON *inst, const char *key, double *v)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(inst, key);
    *v = NAN;
    return !it || cJSON_IsNull(it) || finite_number(it, v);
}

static int read_base(const cJSON *root, const char *key, int *base)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!it) {
        *base = 0;
        return 1;
    }
    *base = cJSON_IsNumber(it) ? (int)it->valuedouble : -1;
    return cJSON_IsNumber(it) && (it->valuedouble == 0 || it->valuedouble == 1);
}

static int read_header(const cJSON *root, const char *path, opc_keypoint_instances *d,
                       const cJSON **instances, opc_error *err)
{
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, FORMAT_NAME) != 0)
        return bad(err, path, -1, "not a keypoint-eval file (expected \"format\": \"%s\")",
                   FORMAT_NAME);
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(root, "keypoint_names");
    int k = cJSON_IsArray(names) ? cJSON_GetArraySize(names) : 0;
    if (k < 1 || k > OPC_MAX_PARTS)
        return bad(err, path, -1, "\"keypoint_names\" must be an array of 1 to %d names",
                   OPC_MAX_PARTS);
    if (!(d->names = calloc((size_t)k, sizeof *d->names)))
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
    d->k = k;
    int j = 0;
    for (const cJSON *it = names->child; it; it = it->next, j++) {
        if (!cJSON_IsString(it) || strlen(it->valuestring) >= OPC_NAME_LEN)
            return bad(err, path, -1, "keypoint_names[%d] is not a name of up to %d characters",
                       j, OPC_NAME_LEN - 1);
        strcpy(d->names[j], it->valuestring);
    }
    if (!read_base(root, "gt_coordinate_base", &d->gt_base) ||
        !read_base(root, "pred_coordinate_base", &d->pred_base))
        return bad(err, path, -1, "a coordinate base must be 0 or 1");
    *instances = cJSON_GetObjectItemCaseSensitive(root, "instances");
    if (!cJSON_IsArray(*instances))
        return bad(err, path, -1, "no \"instances\" array");
    return OPC_OK;
}

static int read_instance(const cJSON *inst, const char *path, int i,
                         opc_keypoint_instances *d, opc_error *err)
{
    int k = d->k;
    size_t at = (size_t)i * k;
    if (!cJSON_IsObject(inst))
        return bad(err, path, i, "not an object");
    if (!read_points(cJSON_GetObjectItemCaseSensitive(inst, "gt"), k, d->gt + 2 * at))
        return bad(err, path, i, "\"gt\" must be %d [x, y] pairs of finite numbers", k);
    if (!read_points(cJSON_GetObjectItemCaseSensitive(inst, "pred"), k, d->pred + 2 * at))
        return bad(err, path, i, "\"pred\" must be %d [x, y] pairs of finite numbers", k);
    const cJSON *vis = cJSON_GetObjectItemCaseSensitive(inst, "visible");
    if (!cJSON_IsArray(vis) || cJSON_GetArraySize(vis) != k)
        return bad(err, path, i, "\"visible\" must be %d flags (0 or 1)", k);
    int j = 0;
    for (const cJSON *v = vis->child; v; v = v->next, j++) {
        double f;
        if (!finite_number(v, &f) || (f != 0 && f != 1))
            return bad(err, path, i, "visible[%d] is not 0 or 1", j);
        d->visible[at + j] = f == 1;
    }
    if (!read_size(inst, "bbox_size", &d->bbox_size[i]) ||
        !read_size(inst, "head_size", &d->head_size[i]))
        return bad(err, path, i, "\"bbox_size\" and \"head_size\" must be numbers or null");
    const cJSON *hb = cJSON_GetObjectItemCaseSensitive(inst, "headbox");
    if (hb && !cJSON_IsNull(hb)) {
        double box[4];
        if (!read_points(hb, 2, box))
            return bad(err, path, i, "\"headbox\" must be [[x1, y1], [x2, y2]]");
        if (isnan(d->head_size[i]))
            d->head_size[i] = MPII_SC_BIAS * hypot(box[2] - box[0], box[3] - box[1]);
    }
    return OPC_OK;
}

int opc_keypoint_instances_load(const char *path, opc_keypoint_instances *d, opc_error *err)
{
    memset(d, 0, sizeof *d);
    cJSON *root = NULL;
    const cJSON *instances = NULL;
    int rc = opc_json_read_file(path, MAX_BYTES, MAX_VALUES, &root, err);
    if (rc == OPC_OK && !cJSON_IsObject(root))
        rc = bad(err, path, -1, "not a keypoint-eval file (expected an object)");
    if (rc == OPC_OK)
        rc = read_header(root, path, d, &instances, err);
    if (rc == OPC_OK) {
        int n = cJSON_GetArraySize(instances);
        size_t nk = (size_t)n * d->k, n1 = n ? (size_t)n : 1, nk1 = nk ? nk : 1;
        d->gt = malloc(2 * nk1 * sizeof *d->gt);
        d->pred = malloc(2 * nk1 * sizeof *d->pred);
        d->visible = malloc(nk1);
        d->bbox_size = malloc(n1 * sizeof *d->bbox_size);
        d->head_size = malloc(n1 * sizeof *d->head_size);
        if (!d->gt || !d->pred || !d->visible || !d->bbox_size || !d->head_size)
            rc = opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
        int i = 0;
        for (const cJSON *it = instances->child; it && rc == OPC_OK; it = it->next, i++)
            rc = read_instance(it, path, i, d, err);
        d->n = n;
    }
    cJSON_Delete(root);
    if (rc != OPC_OK)
        opc_keypoint_instances_free(d);
    return rc;
}

void opc_keypoint_instances_free(opc_keypoint_instances *d)
{
    free(d->names);
    free(d->gt);
    free(d->pred);
    free(d->visible);
    free(d->bbox_size);
    free(d->head_size);
    memset(d, 0, sizeof *d);
}
