/* Constants of an IR: element types, attribute lists, and tensors of doubles. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "convert/openvino/ov_ir.h"

static double get_f32(const uint8_t *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static double get_f64(const uint8_t *p)
{
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--)
        u = u << 8 | p[i];
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* IEEE half precision: exact in double, subnormals, infinities and NaN included. */
static double get_f16(const uint8_t *p)
{
    unsigned h = (unsigned)p[0] | (unsigned)p[1] << 8;
    int sign = h >> 15, exp = (h >> 10) & 31, frac = h & 1023;
    double v;
    if (exp == 31)
        v = frac ? NAN : INFINITY;
    else if (exp == 0)
        v = ldexp(frac, -24);
    else
        v = ldexp(frac + 1024, exp - 25);
    return sign ? -v : v;
}

static double get_i8(const uint8_t *p) { return (int8_t)p[0]; }
static double get_u8(const uint8_t *p) { return p[0]; }

static double get_i32(const uint8_t *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return (int32_t)u;
}

static double get_i64(const uint8_t *p)
{
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--)
        u = u << 8 | p[i];
    return (double)(int64_t)u;
}

/* One row per element type a Const may hold. */
static const struct {
    const char *name;
    int size, is_float;
    double (*get)(const uint8_t *p);
} ELEM_TYPES[] = {
    {"f32", 4, 1, get_f32}, {"f16", 2, 1, get_f16}, {"f64", 8, 1, get_f64},
    {"i8", 1, 0, get_i8},   {"u8", 1, 0, get_u8},   {"i32", 4, 0, get_i32},
    {"i64", 8, 0, get_i64},
};
#define NUM_ELEM_TYPES (int)(sizeof ELEM_TYPES / sizeof ELEM_TYPES[0])
_Static_assert(NUM_ELEM_TYPES == 7, "element type table");

static int elem_row(const char *type)
{
    for (int i = 0; type && i < NUM_ELEM_TYPES; i++)
        if (strcmp(type, ELEM_TYPES[i].name) == 0)
            return i;
    return -1;
}

int ov_elem_size(const char *type, int *is_float)
{
    int r = elem_row(type);
    if (r < 0)
        return 0;
    if (is_float)
        *is_float = ELEM_TYPES[r].is_float;
    return ELEM_TYPES[r].size;
}

void ov_elem_decode(const char *type, const uint8_t *p, size_t count, double *v)
{
    int r = elem_row(type);
    if (r < 0)
        return;
    for (size_t i = 0; i < count; i++)
        v[i] = ELEM_TYPES[r].get(p + i * (size_t)ELEM_TYPES[r].size);
}

int ov_parse_ints(const char *s, int64_t *v, int cap, int *n)
{
    *n = 0;
    if (!s)
        return -1;
    while (*s == ' ')
        s++;
    if (!*s)
        return 0;
    for (;;) {
        while (*s == ' ')
            s++;
        int neg = *s == '-';
        s += neg;
        if (*s < '0' || *s > '9' || *n >= cap)
            return -1;
        int64_t x = 0;
        for (; *s >= '0' && *s <= '9'; s++) {
            if (x > (INT64_MAX - 9) / 10)
                return -1;
            x = x * 10 + (*s - '0');
        }
        v[(*n)++] = neg ? -x : x;
        while (*s == ' ')
            s++;
        if (!*s)
            return 0;
        if (*s++ != ',')
            return -1;
    }
}

int ov_parse_shape(const char *s, int *ndim, int64_t *dims)
{
    if (ov_parse_ints(s, dims, OV_MAX_DIMS, ndim))
        return -1;
    for (int i = 0; i < *ndim; i++)
        if (dims[i] < 0)
            return -1;
    return 0;
}

void ov_tensor_free(ov_tensor *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

int ov_tensor_alloc(ov_tensor *t, int ndim, const int64_t *dims, size_t max_count)
{
    size_t count = 1;
    memset(t, 0, sizeof *t);
    if (ndim < 0 || ndim > OV_MAX_DIMS)
        return -1;
    for (int i = 0; i < ndim; i++) {
        if (dims[i] < 0 || (dims[i] && count > max_count / (size_t)dims[i]))
            return -1;
        count *= (size_t)dims[i];
        t->dims[i] = dims[i];
    }
    if (count > max_count)
        return -1;
    t->v = malloc((count ? count : 1) * sizeof *t->v);
    if (!t->v)
        return -1;
    t->ndim = ndim;
    t->count = count;
    return 0;
}
