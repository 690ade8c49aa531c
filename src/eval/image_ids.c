/* COCO image_ids by file name from a ground-truth file (openpose-c/coco.h): the "images"
 * array, sorted by base name for lookups. */
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_file.h"
#include "eval/coco_data.h"
#include "openpose-c/coco.h"

typedef struct entry {
    const char *name; /* base name, inside the parsed JSON */
    int64_t id;
} entry;

struct opc_coco_image_ids {
    cJSON *root; /* owns the names */
    entry *v;
    size_t n;
};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

void opc_coco_image_ids_free(opc_coco_image_ids *ids)
{
    if (!ids)
        return;
    cJSON_Delete(ids->root);
    free(ids->v);
    free(ids);
}

/* The entries of "images", or the error naming the file and the entry. */
static int read_entries(opc_coco_image_ids *ids, const char *path, opc_error *err)
{
    const cJSON *images = cJSON_GetObjectItemCaseSensitive(ids->root, "images");
    if (!cJSON_IsArray(images))
        return opc_fail(err, OPC_ERR_FORMAT, "%s: no \"images\" array: not a COCO ground-truth "
                        "file", path);
    size_t count = (size_t)cJSON_GetArraySize(images);
    if (!(ids->v = malloc((count ? count : 1) * sizeof *ids->v)))
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
    for (const cJSON *it = images->child; it; it = it->next, ids->n++) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "file_name");
        double v = cJSON_IsNumber(id) ? id->valuedouble : -1;
        if (!(v >= 0 && v <= 9007199254740992.0 && v == floor(v)))
            return opc_fail(err, OPC_ERR_FORMAT, "%s: images[%zu]: \"id\" is not an integer "
                            "from 0 to 2^53", path, ids->n);
        if (!cJSON_IsString(name) || !*base_name(name->valuestring))
            return opc_fail(err, OPC_ERR_FORMAT, "%s: images[%zu]: no \"file_name\"", path,
                            ids->n);
        ids->v[ids->n] = (entry){base_name(name->valuestring), (int64_t)v};
    }
    qsort(ids->v, ids->n, sizeof *ids->v, cmp_entry);
    for (size_t i = 1; i < ids->n; i++)
        if (!strcmp(ids->v[i - 1].name, ids->v[i].name) && ids->v[i - 1].id != ids->v[i].id)
            return opc_fail(err, OPC_ERR_FORMAT, "%s: file name %s is image %lld and image "
                            "%lld", path, ids->v[i].name, (long long)ids->v[i - 1].id,
                            (long long)ids->v[i].id);
    return OPC_OK;
}

opc_coco_image_ids *opc_coco_image_ids_read(const char *gt_path, opc_error *err)
{
    opc_coco_image_ids *ids = calloc(1, sizeof *ids);
    if (!ids) {
        opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", gt_path);
        return NULL;
    }
    if (opc_json_read_file(gt_path, OPC_COCO_MAX_BYTES, OPC_COCO_MAX_VALUES, &ids->root,
                           err) != OPC_OK ||
        read_entries(ids, strcmp(gt_path, "-") ? gt_path : "(stdin)", err) != OPC_OK) {
        opc_coco_image_ids_free(ids);
        return NULL;
    }
    return ids;
}

int64_t opc_coco_image_ids_find(const opc_coco_image_ids *ids, const char *path)
{
    entry key = {base_name(path), 0};
    const entry *e = bsearch(&key, ids->v, ids->n, sizeof *ids->v, cmp_entry);
    return e ? e->id : -1;
}
