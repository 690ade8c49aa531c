/* Thread pool: workers sleep on a condition variable between loops; each loop bumps a
 * generation counter, every worker runs its slice and the caller waits for the count of
 * pending slices to reach zero. Condition variables (not spinning) because the machine is
 * usually shared and the loops between GEMMs are short. */
#include "engine/threadpool.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/error.h"

struct opc_pool {
    int threads;
    pthread_t *workers;  /* threads - 1 */
    int started;         /* workers actually running */
    pthread_mutex_t mu;
    pthread_cond_t wake; /* generation changed or quit */
    pthread_cond_t done; /* pending reached zero */
    unsigned generation;
    int pending;
    int quit;
    opc_pool_fn fn;      /* the current loop */
    void *ctx;
    int n;
};

typedef struct {
    opc_pool *pool;
    int index;           /* 1 .. threads-1 (the caller is 0) */
} worker_arg;

static void slice(const opc_pool *p, int index, int *begin, int *end)
{
    *begin = (int)((long long)p->n * index / p->threads);
    *end = (int)((long long)p->n * (index + 1) / p->threads);
}

static void *worker_main(void *arg)
{
    worker_arg *wa = arg;
    opc_pool *p = wa->pool;
    int index = wa->index;
    free(wa);
    /* Generation 0 is the pool's state at creation: a loop started before this thread got
     * here has already moved it on, and must still be run. */
    unsigned seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->generation == seen && !p->quit)
            pthread_cond_wait(&p->wake, &p->mu);
        if (p->quit)
            break;
        seen = p->generation;
        int begin, end;
        slice(p, index, &begin, &end);
        opc_pool_fn fn = p->fn;
        void *ctx = p->ctx;
        pthread_mutex_unlock(&p->mu);
        if (begin < end)
            fn(ctx, begin, end);
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

opc_pool *opc_pool_create(int threads, opc_error *err)
{
    if (threads < 1 || threads > 1024) {
        opc_fail(err, OPC_ERR_ARG, "thread pool: %d threads", threads);
        return NULL;
    }
    opc_pool *p = calloc(1, sizeof *p);
    if (!p) {
        opc_fail(err, OPC_ERR_NOMEM, "thread pool: out of memory");
        return NULL;
    }
    p->threads = threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    if (threads == 1)
        return p;
    p->workers = calloc((size_t)threads - 1, sizeof *p->workers);
    if (!p->workers) {
        opc_pool_free(p);
        opc_fail(err, OPC_ERR_NOMEM, "thread pool: out of memory");
        return NULL;
    }
    for (int i = 1; i < threads; i++) {
        worker_arg *wa = malloc(sizeof *wa);
        if (wa) {
            wa->pool = p;
            wa->index = i;
        }
        if (!wa || pthread_create(&p->workers[i - 1], NULL, worker_main, wa) != 0) {
            free(wa);
            opc_pool_free(p);
            opc_fail(err, OPC_ERR_NOMEM, "thread pool: cannot start %d threads", threads);
            return NULL;
        }
        p->started++;
    }
    return p;
}

void opc_pool_free(opc_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->workers[i], NULL);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->mu);
    free(p->workers);
    free(p);
}

int opc_pool_threads(const opc_pool *p) { return p->threads; }

void opc_pool_for(opc_pool *p, int n, opc_pool_fn fn, void *ctx)
{
    if (n <= 0)
        return;
    if (p->threads == 1 || n == 1) {
        fn(ctx, 0, n);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    p->pending = p->threads - 1;
    p->generation++;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);

    int begin, end;
    slice(p, 0, &begin, &end);
    if (begin < end)
        fn(ctx, begin, end);

    pthread_mutex_lock(&p->mu);
    while (p->pending > 0)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}
