/* A small thread pool owned by one net: parallel loops over OUTPUT indices only, so every
 * output element is computed by one thread with the same arithmetic whatever the thread
 * count (results are bit-identical for any number of threads). */
#ifndef OPC_ENGINE_THREADPOOL_H
#define OPC_ENGINE_THREADPOOL_H

#include "openpose-c/error.h"

typedef struct opc_pool opc_pool;

/* The body of a parallel loop: handles indices [begin, end). */
typedef void (*opc_pool_fn)(void *ctx, int begin, int end);

/* threads >= 1 (the calling thread counts as one: threads - 1 workers are started). */
opc_pool *opc_pool_create(int threads, opc_error *err);
void opc_pool_free(opc_pool *p);
int opc_pool_threads(const opc_pool *p);

/* Splits [0, n) into one contiguous slice per thread, runs fn on each (the caller takes the
 * first) and returns when all are done. With one thread or n <= 1 it just calls fn(ctx, 0, n). */
void opc_pool_for(opc_pool *p, int n, opc_pool_fn fn, void *ctx);

#endif
