/* Test helper: writes small OpenVINO IRs (.xml text and .bin bytes) by hand, independent of
 * the converter's reader, for the tests of the OpenVINO converter. Each layer gets ports
 * 0..n-1 for its inputs and port n for its output; edges are added as layers are. Header-
 * only so each test stays one program. */
#ifndef OPC_TEST_OV_WRITER_H
#define OPC_TEST_OV_WRITER_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *p;
    size_t n, cap;
} ovw_text;

typedef struct {
    ovw_text layers, edges;
    uint8_t *bin;
    size_t bin_n, bin_cap;
    int next_id;
    int version;       /* 0 = 10 */
    int counts[1024];  /* inputs of each layer: its output port id */
} ovw;

static inline void ovw_printf(ovw_text *t, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->n + (size_t)n + 1 > t->cap) {
        t->cap = (t->n + (size_t)n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        if (!t->p)
            abort();
    }
    vsnprintf(t->p + t->n, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    t->n += (size_t)n;
}

/* Appends bytes to the .bin; returns their offset. */
static inline size_t ovw_bin(ovw *w, const void *p, size_t n)
{
    if (w->bin_n + n > w->bin_cap) {
        w->bin_cap = (w->bin_n + n) * 2 + 64;
        w->bin = realloc(w->bin, w->bin_cap);
        if (!w->bin)
            abort();
    }
    memcpy(w->bin + w->bin_n, p, n);
    size_t at = w->bin_n;
    w->bin_n += n;
    return at;
}

/* A layer of type (of the given opset) with <data> attributes attrs (raw text, may be
 * NULL), reading the outputs of the layers inputs[0..n-1]; returns its id. */
static inline int ovw_layer_v(ovw *w, const char *opset, const char *type, const char *name,
                              const char *attrs, int n, const int *inputs)
{
    int id = w->next_id++;
    if (id >= 1024)
        abort();
    w->counts[id] = n;
    ovw_printf(&w->layers, "\t\t<layer id=\"%d\" name=\"%s\" type=\"%s\" version=\"%s\">\n", id,
               name, type, opset);
    if (attrs)
        ovw_printf(&w->layers, "\t\t\t<data %s/>\n", attrs);
    if (n) {
        ovw_printf(&w->layers, "\t\t\t<input>\n");
        for (int k = 0; k < n; k++)
            ovw_printf(&w->layers, "\t\t\t\t<port id=\"%d\"><dim>1</dim></port>\n", k);
        ovw_printf(&w->layers, "\t\t\t</input>\n");
    }
    if (strcmp(type, "Result") != 0)
        ovw_printf(&w->layers, "\t\t\t<output>\n\t\t\t\t<port id=\"%d\" precision=\"FP32\"/>\n"
                               "\t\t\t</output>\n", n);
    ovw_printf(&w->layers, "\t\t</layer>\n");
    for (int k = 0; k < n; k++)
        ovw_printf(&w->edges, "\t\t<edge from-layer=\"%d\" from-port=\"%d\" to-layer=\"%d\" "
                              "to-port=\"%d\"/>\n",
                   inputs[k], w->counts[inputs[k]], id, k);
    return id;
}

static inline int ovw_layer(ovw *w, const char *type, const char *name, const char *attrs, int n,
                            const int *inputs)
{
    return ovw_layer_v(w, "opset1", type, name, attrs, n, inputs);
}

/* A Const of element type et ("f32", "f16", "i8", ...) and shape (e.g. "1,3,1,1" or "")
 * holding the given bytes. */
static inline int ovw_const_bytes(ovw *w, const char *name, const char *et, const char *shape,
                                  const void *bytes, size_t n)
{
    size_t off = ovw_bin(w, bytes, n);
    char attrs[512];
    snprintf(attrs, sizeof attrs, "element_type=\"%s\" shape=\"%s\" offset=\"%zu\" size=\"%zu\"",
             et, shape, off, n);
    return ovw_layer(w, "Const", name, attrs, 0, NULL);
}

static inline int ovw_const_f32(ovw *w, const char *name, const char *shape, const float *v,
                                size_t n)
{
    return ovw_const_bytes(w, name, "f32", shape, v, n * sizeof *v);
}

static inline int ovw_const_i64(ovw *w, const char *name, const int64_t *v, size_t n)
{
    char shape[32];
    snprintf(shape, sizeof shape, "%zu", n);
    return ovw_const_bytes(w, name, "i64", shape, v, n * sizeof *v);
}

/* float -> IEEE half, round to nearest even (test values are chosen exact in f16). */
static inline uint16_t ovw_f16(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    uint32_t sign = (u >> 16) & 0x8000, mant = u & 0x7fffff;
    int exp = (int)((u >> 23) & 255) - 127 + 15;
    if (exp >= 31)
        return (uint16_t)(sign | 0x7c00 | (((u >> 23) & 255) == 255 && mant ? 0x200 : 0));
    if (exp <= 0) {
        if (exp < -10)
            return (uint16_t)sign;
        mant |= 0x800000;
        uint32_t shift = (uint32_t)(14 - exp);
        uint32_t h = mant >> shift, rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1)))
            h++;
        return (uint16_t)(sign | h);
    }
    uint32_t h = (uint32_t)exp << 10 | mant >> 13, rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
        h++;
    return (uint16_t)(sign | h);
}

static inline int ovw_const_f16(ovw *w, const char *name, const char *shape, const float *v,
                                size_t n)
{
    uint16_t *h = malloc(n * sizeof *h + 1);
    if (!h)
        abort();
    for (size_t i = 0; i < n; i++)
        h[i] = ovw_f16(v[i]);
    int id = ovw_const_bytes(w, name, "f16", shape, h, n * sizeof *h);
    free(h);
    return id;
}

/* The .xml text (the caller frees it). */
static inline char *ovw_xml(const ovw *w)
{
    ovw_text t = {0};
    ovw_printf(&t, "<?xml version=\"1.0\" ?>\n<net name=\"test\" version=\"%d\">\n\t<layers>\n"
                   "%s\t</layers>\n\t<edges>\n%s\t</edges>\n</net>\n",
               w->version ? w->version : 10, w->layers.p ? w->layers.p : "",
               w->edges.p ? w->edges.p : "");
    return t.p;
}

static inline void ovw_free(ovw *w)
{
    free(w->layers.p);
    free(w->edges.p);
    free(w->bin);
    memset(w, 0, sizeof *w);
}

#endif
