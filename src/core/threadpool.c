/* Thread pool. A loop is published by bumping a generation counter; each thread (the
 * caller included) then takes chunks of the index range until none are left, so a thread
 * the OS has descheduled (the machine is often shared) holds up only the chunk it is on.
 * Each thread starts on its own contiguous share of the chunks (thread t the t-th), and
 * only then takes what is left of the others': consecutive loops split alike (pixels,
 * rows) then find their input in the cache of the core that wrote it. Between loops,
 * workers spin on the generation for a short while before sleeping on a condition
 * variable: a forward is hundreds of loops a few microseconds apart, and a sleep/wake costs
 * tens of microseconds each time; the spin is short enough that idle workers do not burn a
 * core. The caller waits for the last chunk the same way. */
#include "core/threadpool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "openpose-c/error.h"

/* Polls before sleeping: about 50 us. */
#define SPIN_POLLS 2000
/* Chunks per thread in a loop: enough to even out uneven threads, few enough that taking
 * one costs nothing next to its work. */
#define CHUNKS_PER_THREAD 4

struct opc_pool {
    int threads;
    pthread_t *workers;      /* threads - 1 */
    int started;             /* workers actually running */
    pthread_mutex_t mu;
    pthread_cond_t wake;     /* generation changed or quit */
    pthread_cond_t done;     /* pending reached zero */
    atomic_uint generation;  /* bumped for each loop (release: the loop below is set) */
    atomic_int pending;      /* workers not yet finished with the current loop */
    struct share *shares;    /* [threads]: each thread's chunks of the current loop */
    atomic_int quit;
    opc_pool_fn fn;          /* the current loop */
    void *ctx;
    int n, chunk;
};

/* The chunks [next, end) of one thread's share not yet taken, on a cache line of their own
 * (the counters of both threads' shares are hit at every chunk). */
struct share {
    _Alignas(64) atomic_int next;
    int end;
};

typedef struct {
    opc_pool *pool;
    int id;                  /* 1 .. threads - 1; the caller is 0 */
} worker_arg;

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Takes chunks of the current loop until there are none left: those of thread id's share,
 * then the others'. */
static void run_chunks(opc_pool *p, int id)
{
    for (int k = 0; k < p->threads; k++) {
        struct share *sh = &p->shares[(id + k) % p->threads];
        for (int c; (c = atomic_fetch_add_explicit(&sh->next, 1, memory_order_relaxed)) <
                    sh->end;) {
            int begin = c * p->chunk;
            int end = begin + p->chunk < p->n ? begin + p->chunk : p->n;
            p->fn(p->ctx, begin, end);
        }
    }
}

static void *worker_main(void *arg)
{
    opc_pool *p = ((worker_arg *)arg)->pool;
    int id = ((worker_arg *)arg)->id;
    free(arg);
    /* Generation 0 is the pool's state at creation: a loop started before this thread got
     * here has already moved it on, and must still be run. */
    unsigned seen = 0;
    for (;;) {
        unsigned g = atomic_load_explicit(&p->generation, memory_order_acquire);
        for (int i = 0; g == seen && i < SPIN_POLLS && !atomic_load(&p->quit); i++) {
            cpu_relax();
            g = atomic_load_explicit(&p->generation, memory_order_acquire);
        }
        if (g == seen) {
            pthread_mutex_lock(&p->mu);
            while ((g = atomic_load_explicit(&p->generation, memory_order_acquire)) == seen &&
                   !atomic_load(&p->quit))
                pthread_cond_wait(&p->wake, &p->mu);
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load(&p->quit))
            return NULL;
        seen = g;
        run_chunks(p, id);
        if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
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
    atomic_init(&p->generation, 0);
    atomic_init(&p->pending, 0);
    atomic_init(&p->quit, 0);
    if (threads == 1)
        return p;
    p->workers = calloc((size_t)threads - 1, sizeof *p->workers);
    p->shares = aligned_alloc(_Alignof(struct share), (size_t)threads * sizeof *p->shares);
    if (!p->workers || !p->shares) {
        opc_pool_free(p);
        opc_fail(err, OPC_ERR_NOMEM, "thread pool: out of memory");
        return NULL;
    }
    for (int i = 1; i < threads; i++) {
        worker_arg *wa = malloc(sizeof *wa);
        if (wa)
            *wa = (worker_arg){p, i};
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
    atomic_store(&p->quit, 1);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->workers[i], NULL);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->mu);
    free(p->workers);
    free(p->shares);
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
    int pieces = p->threads * CHUNKS_PER_THREAD;
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    p->chunk = (n + pieces - 1) / pieces;
    int chunks = (n + p->chunk - 1) / p->chunk;
    for (int t = 0; t < p->threads; t++) {
        atomic_store_explicit(&p->shares[t].next, chunks * t / p->threads, memory_order_relaxed);
        p->shares[t].end = chunks * (t + 1) / p->threads;
    }
    atomic_store_explicit(&p->pending, p->started, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->generation, 1, memory_order_release);
    pthread_mutex_lock(&p->mu); /* wakes the workers that went to sleep */
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);

    run_chunks(p, 0);

    for (int i = 0; i < SPIN_POLLS; i++) {
        if (atomic_load_explicit(&p->pending, memory_order_acquire) == 0)
            return;
        cpu_relax();
    }
    pthread_mutex_lock(&p->mu);
    while (atomic_load_explicit(&p->pending, memory_order_acquire) > 0)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}
