/* A string -> int hash map (open addressing) for name lookups in the converters, so
 * that files with very many layers or blobs cost linear time, never quadratic. Keys are
 * not copied: they must outlive the map. */
#ifndef OPC_CONVERT_STRMAP_H
#define OPC_CONVERT_STRMAP_H

#include <stddef.h>

typedef struct strmap {
    const char **keys;
    int *values;
    size_t cap, n;
} strmap;

/* Sets key to value (replacing an earlier value); 0 on success, -1 out of memory. */
int strmap_put(strmap *m, const char *key, int value);
/* The value of key, or -1. */
int strmap_get(const strmap *m, const char *key);
void strmap_free(strmap *m);

#endif
