/* Checked reads of JSON members (cJSON) for every reader of JSON here (model headers,
 * decoder parameters): a member of the wrong type or out of range fails with one line,
 * "<where>: field "<key>" ...", and nothing read is trusted further. */
#ifndef OPC_CORE_JSON_H
#define OPC_CORE_JSON_H

#include <cJSON.h>
#include <stdint.h>

#include "openpose-c/error.h"

typedef struct opc_json_ctx {
    const char *where; /* message prefix: a file, or a file and a section */
    opc_error *err;
} opc_json_ctx;

/* Fails with "<where>: <message>" (OPC_ERR_FORMAT). */
int opc_json_fail(const opc_json_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* An integer in [lo, hi]; absent: def, or a failure when def is OPC_JSON_REQUIRED. */
#define OPC_JSON_REQUIRED INT32_MIN
int opc_json_int(const opc_json_ctx *c, const cJSON *o, const char *key, int def, int lo, int hi,
                 int *out);
/* A finite number; absent: def. */
int opc_json_float(const opc_json_ctx *c, const cJSON *o, const char *key, float def,
                   float *out);
/* A boolean; absent: false. */
int opc_json_bool(const opc_json_ctx *c, const cJSON *o, const char *key, int *out);
/* A string (owned by the cJSON tree); absent: "" unless required. NULL on failure. */
const char *opc_json_string(const opc_json_ctx *c, const cJSON *o, const char *key,
                            int required);
/* An array of exactly n integers in [lo, hi] (n < 0: any length up to -n; *count gets the
 * length when count is not NULL). */
int opc_json_ints(const opc_json_ctx *c, const cJSON *o, const char *key, int n, int lo, int hi,
                  int *out, int *count);
/* An array of exactly n finite numbers (n < 0: up to -n, *count gets the length). */
int opc_json_floats(const opc_json_ctx *c, const cJSON *o, const char *key, int n, float *out,
                    int *count);
/* An array of at most max pairs [a, b] of integers in [lo, hi]; *count gets their number. */
int opc_json_pairs(const opc_json_ctx *c, const cJSON *o, const char *key, int max, int lo,
                   int hi, int (*out)[2], int *count);
/* An object member (required). NULL on failure. */
const cJSON *opc_json_object(const opc_json_ctx *c, const cJSON *o, const char *key);

#endif
