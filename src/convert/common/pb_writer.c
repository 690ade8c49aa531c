#include "convert/common/pb_writer.h"

#include <stdlib.h>
#include <string.h>

#include "convert/common/protobuf.h"

void pb_write_free(pb_writer *w)
{
    free(w->data);
    memset(w, 0, sizeof *w);
}

static int reserve(pb_writer *w, size_t n)
{
    if (w->failed)
        return 0;
    if (n <= w->cap - w->len)
        return 1;
    size_t cap = w->cap ? w->cap : 256;
    while (cap - w->len < n) {
        if (cap > SIZE_MAX / 2) {
            w->failed = 1;
            return 0;
        }
        cap *= 2;
    }
    uint8_t *p = realloc(w->data, cap);
    if (!p) {
        w->failed = 1;
        return 0;
    }
    w->data = p;
    w->cap = cap;
    return 1;
}

void pb_write_raw(pb_writer *w, const void *p, size_t n)
{
    if (n && reserve(w, n)) {
        memcpy(w->data + w->len, p, n);
        w->len += n;
    }
}

/* v into out, 1 to 10 bytes; returns the count. */
static size_t varint_bytes(uint64_t v, uint8_t out[10])
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

void pb_write_varint(pb_writer *w, uint64_t v)
{
    uint8_t b[10];
    pb_write_raw(w, b, varint_bytes(v, b));
}

void pb_write_tag(pb_writer *w, uint32_t field, int wire)
{
    pb_write_varint(w, (uint64_t)field << 3 | (unsigned)wire);
}

void pb_write_uint(pb_writer *w, uint32_t field, uint64_t v)
{
    pb_write_tag(w, field, PB_VARINT);
    pb_write_varint(w, v);
}

static void little_endian(pb_writer *w, uint64_t u, int n)
{
    uint8_t b[8];
    for (int i = 0; i < n; i++)
        b[i] = (uint8_t)(u >> (8 * i));
    pb_write_raw(w, b, (size_t)n);
}

void pb_write_float(pb_writer *w, uint32_t field, float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    pb_write_tag(w, field, PB_FIXED32);
    little_endian(w, u, 4);
}

void pb_write_double(pb_writer *w, uint32_t field, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    pb_write_tag(w, field, PB_FIXED64);
    little_endian(w, u, 8);
}

void pb_write_bytes(pb_writer *w, uint32_t field, const void *p, size_t n)
{
    pb_write_tag(w, field, PB_BYTES);
    pb_write_varint(w, n);
    pb_write_raw(w, p, n);
}

/* The length goes in front once known: the mark is where the message starts. */
size_t pb_write_begin(pb_writer *w, uint32_t field)
{
    pb_write_tag(w, field, PB_BYTES);
    return w->len;
}

void pb_write_end(pb_writer *w, size_t mark)
{
    if (w->failed)
        return;
    uint8_t b[10];
    size_t n = varint_bytes(w->len - mark, b);
    if (!reserve(w, n))
        return;
    memmove(w->data + mark + n, w->data + mark, w->len - mark);
    memcpy(w->data + mark, b, n);
    w->len += n;
}
