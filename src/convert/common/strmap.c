#include "convert/common/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return (size_t)h;
}

/* The slot holding key, or the empty slot where it belongs. */
static size_t slot(const strmap *m, const char *key)
{
    size_t i = hash(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int grow(strmap *m)
{
    strmap n = {NULL, NULL, m->cap ? 2 * m->cap : 64, 0};
    n.keys = calloc(n.cap, sizeof *n.keys);
    n.values = malloc(n.cap * sizeof *n.values);
    if (!n.keys || !n.values) {
        strmap_free(&n);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t j = slot(&n, m->keys[i]);
            n.keys[j] = m->keys[i];
            n.values[j] = m->values[i];
            n.n++;
        }
    strmap_free(m);
    *m = n;
    return 0;
}

int strmap_put(strmap *m, const char *key, int value)
{
    if (2 * (m->n + 1) > m->cap && grow(m) != 0)
        return -1;
    size_t i = slot(m, key);
    if (!m->keys[i]) {
        m->keys[i] = key;
        m->n++;
    }
    m->values[i] = value;
    return 0;
}

int strmap_get(const strmap *m, const char *key)
{
    if (!m->cap)
        return -1;
    size_t i = slot(m, key);
    return m->keys[i] ? m->values[i] : -1;
}

void strmap_free(strmap *m)
{
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}
