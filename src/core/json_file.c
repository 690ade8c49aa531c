/* JSON files from outside (json_file.h). */
#include "core/json_file.h"

#include <stdlib.h>
#include <string.h>

#include "openpose-c/error.h"
#include "openpose-c/files.h"

/* An upper bound on the values in a JSON text: one, plus one per comma and opening
 * outside strings. */
static size_t count_values(const char *s, size_t n)
{
    size_t count = 1;
    int in_string = 0;
    for (size_t i = 0; i < n; i++) {
        if (in_string) {
            if (s[i] == '\\')
                i++;
            else if (s[i] == '"')
                in_string = 0;
        } else {
            in_string = s[i] == '"';
            count += s[i] == ',' || s[i] == '[' || s[i] == '{';
        }
    }
    return count;
}

int opc_json_read_file(const char *path, size_t max_bytes, size_t max_values, cJSON **root,
                       opc_error *err)
{
    unsigned char *data;
    size_t size;
    int rc = opc_read_file(path, max_bytes, &data, &size, err);
    if (rc != OPC_OK)
        return rc;
    const char *text = (const char *)data, *end = NULL;
    size_t i = 0;
    while (i < size && strchr(" \t\r\n", text[i]))
        i++;
    if (i == size) {
        free(data);
        return opc_fail(err, OPC_ERR_FORMAT, "%s: empty file, expected JSON", path);
    }
    /* cJSON spends 64 bytes on every value: a file of "[0,0,0,..." would take 32 times
     * its size in memory. COCO's largest file has tens of millions of values. */
    if (count_values(text, size) > max_values) {
        free(data);
        return opc_fail(err, OPC_ERR_FORMAT, "%s: more than the limit of %zu JSON values", path,
                        max_values);
    }
    *root = cJSON_ParseWithLengthOpts(text, size, &end, 0);
    size_t pos = end ? (size_t)(end - text) : 0;
    if (*root) { /* only whitespace may follow the value */
        while (pos < size && strchr(" \t\r\n", text[pos]))
            pos++;
        if (pos < size) {
            cJSON_Delete(*root);
            *root = NULL;
        }
    }
    if (!*root) {
        size_t line = 1, col = 1;
        for (size_t k = 0; k < pos && k < size; k++, col++)
            if (text[k] == '\n')
                line++, col = 0;
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: invalid JSON at line %zu, column %zu", path, line,
                      col);
    }
    free(data);
    return rc;
}
