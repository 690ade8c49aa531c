/* Reading a JSON file that evaluation takes from outside (ground truth, results,
 * keypoint-eval instances): bounded in bytes and in values, one-line errors naming the
 * file and the line and column where parsing stopped. */
#ifndef OPC_EVAL_JSON_FILE_H
#define OPC_EVAL_JSON_FILE_H

#include <cJSON.h>
#include <stddef.h>

#include "openpose-c/error.h"

/* Parses path ("-" = standard input), at most max_bytes long and holding at most
 * max_values JSON values, into *root (free with cJSON_Delete). Only whitespace may
 * follow the value. */
int opc_eval_json_read(const char *path, size_t max_bytes, size_t max_values, cJSON **root,
                       opc_error *err);

#endif
