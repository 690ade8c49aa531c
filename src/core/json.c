#include "core/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

int opc_json_fail(const opc_json_ctx *c, const char *fmt, ...)
{
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return opc_fail(c->err, OPC_ERR_FORMAT, "%s: %s", c->where, buf);
}

static int is_int_in(const cJSON *v, int lo, int hi)
{
    return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) && v->valuedouble >= lo &&
           v->valuedouble <= hi;
}

int opc_json_int(const opc_json_ctx *c, const cJSON *o, const char *key, int def, int lo, int hi,
                 int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        if (def == OPC_JSON_REQUIRED)
            return opc_json_fail(c, "missing field \"%.100s\"", key);
        *out = def;
        return OPC_OK;
    }
    if (!is_int_in(v, lo, hi))
        return opc_json_fail(c, "field \"%.100s\" is not an integer in %d..%d", key, lo, hi);
    *out = (int)v->valuedouble;
    return OPC_OK;
}

int opc_json_float(const opc_json_ctx *c, const cJSON *o, const char *key, float def,
                   float *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        *out = def;
        return OPC_OK;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || fabs(v->valuedouble) > 3.4e38)
        return opc_json_fail(c, "field \"%.100s\" is not a finite number", key);
    *out = (float)v->valuedouble;
    return OPC_OK;
}

int opc_json_bool(const opc_json_ctx *c, const cJSON *o, const char *key, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        *out = 0;
        return OPC_OK;
    }
    if (!cJSON_IsBool(v))
        return opc_json_fail(c, "field \"%.100s\" is not a boolean", key);
    *out = cJSON_IsTrue(v);
    return OPC_OK;
}

const char *opc_json_string(const opc_json_ctx *c, const cJSON *o, const char *key,
                            int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v && !required)
        return "";
    if (!cJSON_IsString(v) || !v->valuestring) {
        opc_json_fail(c, "field \"%.100s\" is missing or not a string", key);
        return NULL;
    }
    return v->valuestring;
}

int opc_json_ints(const opc_json_ctx *c, const cJSON *o, const char *key, int n, int lo, int hi,
                  int *out, int *count)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsArray(a))
        return opc_json_fail(c, "field \"%.100s\" is missing or not an array", key);
    int len = cJSON_GetArraySize(a);
    if (n >= 0 ? len != n : len > -n)
        return opc_json_fail(c, "field \"%.100s\" has %d values, not %s%d", key, len,
                             n >= 0 ? "" : "at most ", n >= 0 ? n : -n);
    int i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, a)
    {
        if (!is_int_in(v, lo, hi))
            return opc_json_fail(c, "field \"%.100s\" holds a value out of %d..%d", key, lo, hi);
        out[i++] = (int)v->valuedouble;
    }
    if (count)
        *count = len;
    return OPC_OK;
}

int opc_json_floats(const opc_json_ctx *c, const cJSON *o, const char *key, int n, float *out,
                    int *count)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsArray(a))
        return opc_json_fail(c, "field \"%.100s\" is missing or not an array", key);
    int len = cJSON_GetArraySize(a);
    if (n >= 0 ? len != n : len > -n)
        return opc_json_fail(c, "field \"%.100s\" has %d values, not %s%d", key, len,
                             n >= 0 ? "" : "at most ", n >= 0 ? n : -n);
    int i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, a)
    {
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || fabs(v->valuedouble) > 3.4e38)
            return opc_json_fail(c, "field \"%.100s\" holds a value that is not a finite number",
                                 key);
        out[i++] = (float)v->valuedouble;
    }
    if (count)
        *count = len;
    return OPC_OK;
}

int opc_json_pairs(const opc_json_ctx *c, const cJSON *o, const char *key, int max, int lo,
                   int hi, int (*out)[2], int *count)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > max)
        return opc_json_fail(c, "field \"%.100s\" is missing or has more than %d pairs", key,
                             max);
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, a)
    {
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2 ||
            !is_int_in(cJSON_GetArrayItem(v, 0), lo, hi) ||
            !is_int_in(cJSON_GetArrayItem(v, 1), lo, hi))
            return opc_json_fail(c, "field \"%.100s\": pair %d is not two integers in %d..%d",
                                 key, n, lo, hi);
        out[n][0] = (int)cJSON_GetArrayItem(v, 0)->valuedouble;
        out[n][1] = (int)cJSON_GetArrayItem(v, 1)->valuedouble;
        n++;
    }
    *count = n;
    return OPC_OK;
}

const cJSON *opc_json_object(const opc_json_ctx *c, const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsObject(v)) {
        opc_json_fail(c, "missing \"%.100s\" object", key);
        return NULL;
    }
    return v;
}
