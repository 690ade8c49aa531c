/* Test helper: a protobuf wire-format writer, independent of the converters' reader, for
 * the tests that build caffemodels and GraphDefs by hand. Header-only so each test stays
 * one program. */
#ifndef OPC_TEST_PB_WRITER_H
#define OPC_TEST_PB_WRITER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t *p;
    size_t n, cap;
} pbw_buf;

enum { PBW_VARINT = 0, PBW_BYTES = 2, PBW_FIXED32 = 5 };

static inline void pbw_put(pbw_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static inline void pbw_varint(pbw_buf *b, uint64_t v)
{
    uint8_t t[10];
    size_t n = 0;
    while (v >= 0x80) {
        t[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    t[n++] = (uint8_t)v;
    pbw_put(b, t, n);
}

static inline void pbw_tag(pbw_buf *b, uint32_t field, int wire)
{
    pbw_varint(b, (uint64_t)field << 3 | (unsigned)wire);
}

/* A float's 4 bytes, little-endian on any host. */
static inline void pbw_f32(pbw_buf *b, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    uint8_t t[4] = {(uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24)};
    pbw_put(b, t, 4);
}

/* Fields: a varint, a fixed32 float, length-delimited bytes or string, and a message
 * (sub is appended, then freed and emptied). */
static inline void pbw_int(pbw_buf *b, uint32_t field, int64_t v)
{
    pbw_tag(b, field, PBW_VARINT);
    pbw_varint(b, (uint64_t)v);
}

static inline void pbw_float(pbw_buf *b, uint32_t field, float v)
{
    pbw_tag(b, field, PBW_FIXED32);
    pbw_f32(b, v);
}

static inline void pbw_bytes(pbw_buf *b, uint32_t field, const void *p, size_t n)
{
    pbw_tag(b, field, PBW_BYTES);
    pbw_varint(b, n);
    pbw_put(b, p, n);
}

static inline void pbw_str(pbw_buf *b, uint32_t field, const char *s)
{
    pbw_bytes(b, field, s, strlen(s));
}

static inline void pbw_msg(pbw_buf *b, uint32_t field, pbw_buf *sub)
{
    pbw_bytes(b, field, sub->p, sub->n);
    free(sub->p);
    *sub = (pbw_buf){0};
}

#endif
