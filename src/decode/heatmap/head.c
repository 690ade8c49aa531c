/* The "heatmap" head's parameters (head.h). */
#include "decode/heatmap/head.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"

static const char *const REFINE_NAMES[] = {"none", "mmpose", "newell"};
_Static_assert(sizeof REFINE_NAMES / sizeof REFINE_NAMES[0] == OPC_REFINE_NEWELL + 1,
               "a name per refinement rule");

int opc_heatmap_refine_from_name(const char *name)
{
    for (int i = 0; i <= OPC_REFINE_NEWELL; i++)
        if (strcmp(name, REFINE_NAMES[i]) == 0)
            return i;
    return -1;
}

const char *opc_heatmap_refine_name(opc_heatmap_refine r)
{
    return (unsigned)r <= OPC_REFINE_NEWELL ? REFINE_NAMES[r] : "?";
}

char *opc_heatmap_head_json(const opc_heatmap_head *h)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "heatmaps", h->heatmaps);
    cJSON_AddStringToObject(o, "refine", opc_heatmap_refine_name(h->defaults.refine));
    cJSON_AddBoolToObject(o, "flip_shift", h->defaults.flip_shift);
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return s;
}

int opc_heatmap_head_read(const char *params, const char *where, opc_heatmap_head *h,
                          opc_error *err)
{
    char at[300];
    snprintf(at, sizeof at, "%s: heatmap head", where);
    opc_json_ctx c = {at, err};
    memset(h, 0, sizeof *h);
    cJSON *o = params ? cJSON_Parse(params) : NULL;
    int rc = OPC_OK;
    const char *maps, *refine;
    if (!cJSON_IsObject(o))
        rc = opc_json_fail(&c, "params are not a JSON object");
    else if (!(maps = opc_json_string(&c, o, "heatmaps", 1)) ||
             !(refine = opc_json_string(&c, o, "refine", 1)))
        rc = OPC_ERR_FORMAT;
    else if (strlen(maps) >= OPC_NAME_LEN)
        rc = opc_json_fail(&c, "field \"heatmaps\" is longer than %d bytes", OPC_NAME_LEN - 1);
    else if (opc_heatmap_refine_from_name(refine) < 0)
        rc = opc_json_fail(&c, "refine \"%.40s\" is not none, mmpose or newell", refine);
    else if ((rc = opc_json_bool(&c, o, "flip_shift", &h->defaults.flip_shift)) == OPC_OK) {
        strcpy(h->heatmaps, maps);
        h->defaults.refine = opc_heatmap_refine_from_name(refine);
    }
    cJSON_Delete(o);
    return rc;
}
