/* Small test harness: checks that count failures, paths to ../shared, graph lookups,
 * array comparison. */
#ifndef OPC_TESTUTIL_H
#define OPC_TESTUTIL_H

#include <stddef.h>
#include <stdio.h>

#include "model/graph.h"
#include "openpose-c/paf.h"
#include "openpose-c/tensor.h"

extern int opc_test_failures;

#define CHECK(cond, ...)                                                                    \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            opc_test_failures++;                                                            \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);        \
            fprintf(stderr, __VA_ARGS__);                                                   \
            fputc('\n', stderr);                                                            \
        }                                                                                   \
    } while (0)

/* Exit status for main: 0 if no check failed. */
int opc_test_result(void);

/* The shared data folder: $OPENPOSE_C_SHARED, else <source dir>/../shared. When it is
 * missing this exits with 77 (skip) after saying so, or with 1 when
 * OPENPOSE_C_REQUIRE_SHARED=1. */
const char *opc_test_shared(void);
/* "<shared>/<rel>" in a static buffer rotation (valid for a few calls). */
const char *opc_test_shared_path(const char *rel);
/* A fresh scratch directory under the build tree (or /tmp), removed by nobody: tests
 * write their outputs there. */
const char *opc_test_tmpdir(const char *name);

/* The layer of g called name, or NULL. */
const opc_layer *opc_test_layer(const opc_graph *g, const char *name);
/* The name of input k of layer l, or "" when l is NULL or has no input k. */
const char *opc_test_in_name(const opc_graph *g, const opc_layer *l, int k);

/* 1 x H x W x C (read from .npy as n=1, c=H, h=W, w=C) -> 1 x C x H x W; nonzero when out
 * of memory. */
int opc_test_nhwc_to_nchw(const opc_tensor *in, opc_tensor *out, opc_error *err);

typedef struct {
    double max_abs;   /* max |a - b| */
    double rel_l2;    /* ||a - b|| / ||b|| */
    double max_ref;   /* max |b| */
    size_t nonfinite; /* entries of a that are NaN or Inf */
} opc_diff;

opc_diff opc_compare(const float *a, const float *b, size_t n);

/* Whether this is a sanitizer build, where a forward is 10-20x slower and the numbers are
 * the plain build's to check. */
int opc_test_sanitized(void);

/* How many of a test's repeated real-network cases to run: all n in a plain build, one
 * under the sanitizers (every code path still runs once). */
int opc_test_cases(int n);

/* The JSON file at path, parsed (free with cJSON_Delete); exits 1 with the reason when it
 * cannot be read or parsed. */
struct cJSON *opc_test_read_json(const char *path);

/* The PAF topology's name of a model with a "paf" head ("?" otherwise). */
const char *opc_test_topology_name(const opc_model *m);

#endif
