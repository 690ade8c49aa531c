#include "decode/paf/head.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "openpose-c/model.h"

static void add_defaults(cJSON *o, const char *key, float nms, float inter, float above,
                         int min_parts, float min_score)
{
    cJSON *d = cJSON_AddObjectToObject(o, key);
    cJSON_AddNumberToObject(d, "nms_threshold", nms);
    cJSON_AddNumberToObject(d, "inter_threshold", inter);
    cJSON_AddNumberToObject(d, "inter_min_above", above);
    cJSON_AddNumberToObject(d, "min_parts", min_parts);
    cJSON_AddNumberToObject(d, "min_score", min_score);
}

char *opc_paf_head_json(const opc_paf_topology *t, const char *heatmaps, const char *pafs)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "topology", t->name);
    cJSON_AddStringToObject(o, "keypoints", t->keypoints);
    cJSON_AddStringToObject(o, "heatmaps", heatmaps);
    cJSON_AddStringToObject(o, "pafs", pafs);
    cJSON_AddNumberToObject(o, "parts", t->num_parts);
    cJSON_AddNumberToObject(o, "heatmap_channels", t->heatmap_channels);
    cJSON_AddNumberToObject(o, "background", t->background);
    cJSON_AddNumberToObject(o, "paf_offset", t->paf_offset);
    cJSON *pairs = cJSON_AddArrayToObject(o, "pairs");
    cJSON *maps = cJSON_AddArrayToObject(o, "paf_channels");
    cJSON *fill = cJSON_AddArrayToObject(o, "fill_only_pairs");
    for (int i = 0; i < t->num_pairs; i++) {
        cJSON_AddItemToArray(pairs, cJSON_CreateIntArray(t->pairs[i], 2));
        cJSON_AddItemToArray(maps, cJSON_CreateIntArray(t->paf_channels[i], 2));
        if (t->pair_fill_only[i])
            cJSON_AddItemToArray(fill, cJSON_CreateNumber(i));
    }
    cJSON *unc = cJSON_AddArrayToObject(o, "uncounted_parts");
    for (int i = 0; i < t->num_parts; i++)
        if (t->part_uncounted[i])
            cJSON_AddItemToArray(unc, cJSON_CreateNumber(i));
    add_defaults(o, "defaults", t->nms_threshold, t->inter_threshold, t->inter_min_above,
                 t->min_parts, t->min_score);
    add_defaults(o, "defaults_maximize_positives", t->maxpos_nms_threshold,
                 t->maxpos_inter_threshold, t->maxpos_inter_min_above, t->maxpos_min_parts,
                 t->maxpos_min_score);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static int read_defaults(const opc_json_ctx *c, const cJSON *o, const char *key, float *nms,
                         float *inter, float *above, int *min_parts, float *min_score)
{
    const cJSON *d = opc_json_object(c, o, key);
    if (!d)
        return OPC_ERR_FORMAT;
    int rc;
    if ((rc = opc_json_float(c, d, "nms_threshold", 0, nms)) ||
        (rc = opc_json_float(c, d, "inter_threshold", 0, inter)) ||
        (rc = opc_json_float(c, d, "inter_min_above", 0, above)) ||
        (rc = opc_json_int(c, d, "min_parts", OPC_JSON_REQUIRED, 0, OPC_MAX_PARTS, min_parts)) ||
        (rc = opc_json_float(c, d, "min_score", 0, min_score)))
        return rc;
    return OPC_OK;
}

static int read_name(const opc_json_ctx *c, const cJSON *o, const char *key, char *out)
{
    const char *s = opc_json_string(c, o, key, 1);
    if (!s)
        return OPC_ERR_FORMAT;
    if (strlen(s) >= OPC_NAME_LEN)
        return opc_json_fail(c, "field \"%s\" is longer than %d bytes", key, OPC_NAME_LEN - 1);
    strcpy(out, s);
    return OPC_OK;
}

static int read_head(const opc_json_ctx *c, const cJSON *o, opc_paf_head *h)
{
    opc_paf_topology *t = &h->topology;
    if (!cJSON_IsObject(o))
        return opc_json_fail(c, "parameters are not a JSON object");
    int rc, idx[OPC_MAX_PAIRS], n, n_maps;
    if ((rc = read_name(c, o, "topology", t->name)) ||
        (rc = read_name(c, o, "keypoints", t->keypoints)) ||
        (rc = read_name(c, o, "heatmaps", h->heatmaps)) || (rc = read_name(c, o, "pafs", h->pafs)) ||
        (rc = opc_json_int(c, o, "parts", OPC_JSON_REQUIRED, 1, OPC_MAX_PARTS - 1, &t->num_parts)) ||
        (rc = opc_json_int(c, o, "heatmap_channels", OPC_JSON_REQUIRED, 1, OPC_MAX_PARTS,
                           &t->heatmap_channels)) ||
        (rc = opc_json_int(c, o, "background", OPC_JSON_REQUIRED, -1, OPC_MAX_PARTS,
                           &t->background)) ||
        (rc = opc_json_int(c, o, "paf_offset", OPC_JSON_REQUIRED, 0, 4 * OPC_MAX_PARTS,
                           &t->paf_offset)) ||
        (rc = opc_json_pairs(c, o, "pairs", OPC_MAX_PAIRS, 0, OPC_MAX_PARTS - 1, t->pairs,
                             &t->num_pairs)) ||
        (rc = opc_json_pairs(c, o, "paf_channels", OPC_MAX_PAIRS, 0, 2 * OPC_MAX_PAIRS - 1,
                             t->paf_channels, &n_maps)))
        return rc;
    if (n_maps != t->num_pairs)
        return opc_json_fail(c, "%d pairs but %d PAF channel pairs", t->num_pairs, n_maps);
    t->total_channels = t->paf_offset + 2 * t->num_pairs;
    if ((rc = opc_json_ints(c, o, "fill_only_pairs", -OPC_MAX_PAIRS, 0, OPC_MAX_PAIRS - 1, idx, &n)))
        return rc;
    for (int i = 0; i < n; i++)
        t->pair_fill_only[idx[i]] = 1;
    if ((rc = opc_json_ints(c, o, "uncounted_parts", -OPC_MAX_PAIRS, 0, OPC_MAX_PARTS - 1, idx,
                            &n)))
        return rc;
    for (int i = 0; i < n; i++)
        t->part_uncounted[idx[i]] = 1;
    if ((rc = read_defaults(c, o, "defaults", &t->nms_threshold, &t->inter_threshold,
                            &t->inter_min_above, &t->min_parts, &t->min_score)) ||
        (rc = read_defaults(c, o, "defaults_maximize_positives", &t->maxpos_nms_threshold,
                            &t->maxpos_inter_threshold, &t->maxpos_inter_min_above,
                            &t->maxpos_min_parts, &t->maxpos_min_score)))
        return rc;
    return OPC_OK;
}

int opc_paf_head_read(const char *params, const char *where, opc_paf_head *h, opc_error *err)
{
    memset(h, 0, sizeof *h);
    char ctx_where[300];
    snprintf(ctx_where, sizeof ctx_where, "%s: paf head", where);
    opc_json_ctx c = {ctx_where, err};
    cJSON *o = cJSON_Parse(params);
    if (!o)
        return opc_json_fail(&c, "parameters are not valid JSON");
    int rc = read_head(&c, o, h);
    cJSON_Delete(o);
    if (rc != OPC_OK)
        return rc;
    opc_error why;
    if (opc_paf_topology_validate(&h->topology, &why) != OPC_OK)
        return opc_json_fail(&c, "%s", why.msg);
    return OPC_OK;
}

int opc_model_paf_topology(const opc_model *m, opc_paf_topology *t, opc_error *err)
{
    const opc_head *h = opc_model_head(m);
    if (strcmp(h->decoder, "paf") != 0)
        return opc_fail(err, OPC_ERR_ARG, "%s: not a PAF model (its head is %s)",
                        opc_model_name(m), h->decoder);
    opc_paf_head ph;
    int rc = opc_paf_head_read(h->params, opc_model_name(m), &ph, err);
    if (rc == OPC_OK)
        *t = ph.topology;
    return rc;
}
