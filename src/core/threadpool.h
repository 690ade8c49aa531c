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

/* Runs fn over [0, n) in contiguous chunks, each thread (the caller too) taking those of
 * its own contiguous share first (thread t the t-th, so loops over like ranges keep data
 * on one core), then what the others have not taken yet; returns when all are done: each index is in exactly one call,
 * a thread may make several calls. With one thread or n <= 1 it just calls fn(ctx, 0, n);
 * with n == threads each call gets one index, usable as a per-call buffer slot. */
void opc_pool_for(opc_pool *p, int n, opc_pool_fn fn, void *ctx);

#endif
