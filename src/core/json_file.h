/* Reading a JSON file from outside (evaluation's ground truth, results and instance
 * files, person boxes): bounded in bytes and in values, one-line errors naming the file
 * and the line and column where parsing stopped. */
#ifndef OPC_CORE_JSON_FILE_H
#define OPC_CORE_JSON_FILE_H

#include <cJSON.h>
#include <stddef.h>

#include "openpose-c/error.h"

/* Parses path ("-" = standard input), at most max_bytes long and holding at most
 * max_values JSON values, into *root (free with cJSON_Delete). Only whitespace may
 * follow the value. */
int opc_json_read_file(const char *path, size_t max_bytes, size_t max_values, cJSON **root,
                       opc_error *err);

#endif
