/* Test helper for the byte-flipping / truncation sweeps: converts damaged copies of a
 * prototxt or caffemodel and checks that every outcome is either a model file or one
 * clean line naming a file. Crashes and memory errors are what the sanitizer build
 * catches; this only has to reach the code. */
#ifndef OPC_TEST_FUZZ_CONVERT_H
#define OPC_TEST_FUZZ_CONVERT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "openpose-c/convert.h"
#include "testutil.h"

typedef struct {
    const char *proto, *model; /* the intact inputs */
    const char *bad, *out;     /* scratch: damaged copy, output */
    int runs, failures;
    int cut_runs, cut_failures; /* truncations alone */
} fuzz_ctx;

static inline void fuzz_save(const char *path, const unsigned char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n) {
        CHECK(0, "cannot write %s", path);
    }
    if (f)
        fclose(f);
}

/* Converts with the damaged file standing in for the prototxt (damaged_proto = 1) or the
 * caffemodel, already written to fz->bad. */
static inline void fuzz_run(fuzz_ctx *fz, int damaged_proto, const char *what, size_t at)
{
    opc_error err = {{0}};
    unlink(fz->out);
    const char *p = damaged_proto ? fz->bad : fz->proto, *m = damaged_proto ? fz->model : fz->bad;
    int rc = opc_convert_caffe(p, m, fz->out, NULL, &err);
    fz->runs++;
    if (rc == OPC_OK) {
        CHECK(access(fz->out, F_OK) == 0, "%s at %zu: success without a file", what, at);
        return;
    }
    fz->failures++;
    CHECK(err.msg[0] && strchr(err.msg, '\n') == NULL, "%s at %zu: bad message '%s'", what, at,
          err.msg);
    CHECK(strstr(err.msg, p) || strstr(err.msg, m), "%s at %zu: message names no file: %s", what,
          at, err.msg);
    CHECK(access(fz->out, F_OK) != 0, "%s at %zu: failed but left a file", what, at);
}

/* Truncates data at `cuts` points, and replaces the byte at `flips` points with each of
 * `subst` (or XORs it with them when xor is set); positions step evenly through
 * [from, to). */
static inline void fuzz_sweep(fuzz_ctx *fz, int damaged_proto, const unsigned char *data, size_t n,
                              size_t from, size_t to, size_t cuts, size_t flips,
                              const unsigned char *subst, size_t n_subst, int xor)
{
    unsigned char *copy = malloc(n ? n : 1);
    if (to > n)
        to = n;
    size_t span = to > from ? to - from : 0;
    for (size_t i = 0; i < cuts && span; i++) {
        size_t at = from + span * i / cuts;
        fuzz_save(fz->bad, data, at);
        int before = fz->failures;
        fuzz_run(fz, damaged_proto, "truncated", at);
        fz->cut_runs++;
        fz->cut_failures += fz->failures - before;
    }
    for (size_t i = 0; i < flips && span; i++) {
        size_t at = from + span * i / flips;
        for (size_t k = 0; k < n_subst; k++) {
            memcpy(copy, data, n);
            copy[at] = xor? (unsigned char)(copy[at] ^ subst[k]) : subst[k];
            fuzz_save(fz->bad, copy, n);
            fuzz_run(fz, damaged_proto, "changed byte", at);
        }
    }
    free(copy);
}

#endif
