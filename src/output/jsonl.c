/* JSON lines (--format jsonl): one object per image, the OpenPose document's members after
 * the image's name and size, or the image's error. See openpose-c/output.h. */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "openpose-c/output.h"

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
               : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
    /* The second byte's range is narrower after E0, ED, F0 and F4. */
    unsigned char lo = s[0] == 0xe0 ? 0xa0 : s[0] == 0xf0 ? 0x90 : 0x80;
    unsigned char hi = s[0] == 0xed ? 0x9f : s[0] == 0xf4 ? 0x8f : 0xbf;
    if (n && (s[1] < lo || s[1] > hi))
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return n;
}

/* s with each byte that is not part of well-formed UTF-8 replaced by U+FFFD (file names
 * are bytes; JSON text is UTF-8); caller frees, NULL when out of memory. */
static char *valid_utf8(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(3 * n + 1), *o = out;
    if (!out)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t k = utf8_len(p);
        if (k) {
            memcpy(o, p, k);
            o += k;
            p += k;
        } else {
            memcpy(o, "\xef\xbf\xbd", 3);
            o += 3;
            p++;
        }
    }
    *o = 0;
    return out;
}

/* s as a JSON string, quotes included (caller frees), or NULL. */
static char *quoted(const char *s)
{
    char *v = valid_utf8(s);
    cJSON *str = v ? cJSON_CreateString(v) : NULL;
    char *q = str ? cJSON_PrintUnformatted(str) : NULL;
    cJSON_Delete(str);
    free(v);
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
    char *s = NULL, *img = valid_utf8(image), *msg = valid_utf8(message);
    if (o && img && msg && cJSON_AddStringToObject(o, "image", img) &&
        cJSON_AddStringToObject(o, "error", msg))
        s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    free(img);
    free(msg);
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
