/* What the fuzz targets share: libFuzzer's entry point and a scratch file for the
 * readers that only take a path. Each target builds either with libFuzzer (OPC_FUZZ=ON)
 * or with replay.c, which runs saved inputs through the same entry point in the normal
 * test suite. */
#ifndef OPC_FUZZ_TARGET_H
#define OPC_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A per-process path for the scratch file called name: libFuzzer's -jobs/-fork workers and
 * parallel ctest runs must not share one. */
static inline void fuzz_temp_path(char *buf, size_t cap, const char *name)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, cap, "%s/opc-fuzz-%d-%s", dir && *dir ? dir : "/tmp", (int)getpid(), name);
}

/* Writes size bytes to path; aborts when it cannot, since every later result would be
 * about the missing file rather than the input. */
static inline void fuzz_write(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

#endif
