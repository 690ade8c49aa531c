/* JSON lines (--format jsonl): one object per image, the OpenPose document's members after
 * the image's name and size, or the image's error. See openpose-c/output.h. */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "openpose-c/output.h"

/* s as a JSON string, quotes included (caller frees), or NULL. */
static char *quoted(const char *s)
{
    cJSON *str = cJSON_CreateString(s);
    char *q = str ? cJSON_PrintUnformatted(str) : NULL;
    cJSON_Delete(str);
    return q;
}

char *opc_people_to_jsonl(const char *image, int width, int height, const opc_people *p,
                          opc_error *err)
{
    char *doc = opc_people_to_openpose_json(p, err);
    if (!doc)
        return NULL;
    char *name = quoted(image);
    opc_strbuf b = {0};
    if (name) {
        size_t len = strlen(doc);
        while (len && (doc[len - 1] == '\n' || doc[len - 1] == ' '))
            len--;
        /* doc is one object "{...}": our members go in after its brace. */
        opc_strbuf_addf(&b, "{\"image\":%s,\"width\":%d,\"height\":%d,%.*s\n", name, width,
                        height, (int)(len - 1), doc + 1);
    }
    free(doc);
    free(name);
    char *line = name ? opc_strbuf_take(&b) : NULL;
    if (!line)
        opc_fail(err, OPC_ERR_NOMEM, "jsonl: out of memory");
    return line;
}

char *opc_jsonl_error_line(const char *image, const char *message, opc_error *err)
{
    cJSON *o = cJSON_CreateObject();
    char *s = NULL;
    if (o && cJSON_AddStringToObject(o, "image", image) &&
        cJSON_AddStringToObject(o, "error", message))
        s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char *line = s ? malloc(strlen(s) + 2) : NULL;
    if (line) {
        strcpy(line, s);
        strcat(line, "\n");
    } else {
        opc_fail(err, OPC_ERR_NOMEM, "jsonl: out of memory");
    }
    free(s);
    return line;
}
