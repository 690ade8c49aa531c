/* The thread pool: every index of a loop is handled exactly once, in calls over valid
 * ranges, for any loop size and thread count, across many loops in a row; with n ==
 * threads each call gets one index (the kernels' buffer slots); and a thread held up on
 * its own share has the rest of that share taken by the others. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "core/threadpool.h"
#include "testutil.h"

enum { MAX_N = 1001 };

typedef struct {
    int n;
    atomic_int hits[MAX_N];
    atomic_int bad_calls; /* empty or out-of-range ranges */
    int one_index;        /* 1: every call must be one index */
    pthread_t who[MAX_N]; /* which thread handled each index */
    int slow_first;       /* index 0 sleeps: its thread is held up */
} loop_ctx;

static void count(void *p, int begin, int end)
{
    loop_ctx *x = p;
    if (begin < 0 || end > x->n || begin >= end || (x->one_index && end != begin + 1))
        atomic_fetch_add(&x->bad_calls, 1);
    for (int i = begin; i < end && i >= 0 && i < x->n; i++) {
        atomic_fetch_add(&x->hits[i], 1);
        x->who[i] = pthread_self();
        if (i == 0 && x->slow_first)
            nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    }
}

static loop_ctx *run(opc_pool *p, int n, int one_index, int slow_first)
{
    static loop_ctx x;
    memset(&x, 0, sizeof x);
    x.n = n;
    x.one_index = one_index;
    x.slow_first = slow_first;
    opc_pool_for(p, n, count, &x);
    return &x;
}

static int all_once(const loop_ctx *x)
{
    for (int i = 0; i < x->n; i++)
        if (atomic_load(&x->hits[i]) != 1)
            return 0;
    return atomic_load(&x->bad_calls) == 0;
}

int main(void)
{
    static const int SIZES[] = {1, 2, 3, 5, 7, 8, 16, 17, 100, 1001};
    for (int threads = 1; threads <= 5; threads++) {
        opc_error err;
        opc_pool *p = opc_pool_create(threads, &err);
        CHECK(p && opc_pool_threads(p) == threads, "pool of %d: %s", threads, err.msg);
        if (!p)
            continue;
        for (size_t s = 0; s < sizeof SIZES / sizeof SIZES[0]; s++)
            CHECK(all_once(run(p, SIZES[s], 0, 0)), "%d threads, n = %d: an index missed, "
                  "repeated or a bad range", threads, SIZES[s]);
        CHECK(all_once(run(p, threads, 1, 0)), "%d threads, n = threads: not one index a call",
              threads);
        int ok = 1;
        for (int r = 0; r < 2000 && ok; r++) /* loops back to back: workers spin, then sleep */
            ok = all_once(run(p, 1 + r % 37, 0, 0));
        CHECK(ok, "%d threads: a loop of many back to back went wrong", threads);
        if (threads == 2) {
            /* Thread 0's share of 64 indices is 0..31 in 4 chunks of 8; held up in its first,
             * it leaves the other three (indices 8..31) to the other thread. */
            loop_ctx *x = run(p, 64, 0, 1);
            CHECK(all_once(x), "held-up loop: an index missed or repeated");
            int stolen = 0;
            for (int i = 8; i < 32; i++)
                stolen |= !pthread_equal(x->who[i], x->who[0]);
            CHECK(stolen, "the held-up thread's share was not taken by the other thread");
        }
        opc_pool_free(p);
    }
    return opc_test_result();
}
