/* The max-heap of the posenet package (multi_pose/max_heap.ts), copied rule for rule:
 * which of several equal scores comes out first depends on it. */
#include "decode/posenet/posenet_internal.h"

static int less(const pn_heap *h, int i, int j) { return h->items[i].score < h->items[j].score; }

static void exchange(pn_heap *h, int i, int j)
{
    pn_candidate t = h->items[i];
    h->items[i] = h->items[j];
    h->items[j] = t;
}

void pn_heap_push(pn_heap *h, pn_candidate c)
{
    int k = ++h->last;
    h->items[k] = c;
    while (k > 0 && less(h, k / 2, k)) {
        exchange(h, k, k / 2);
        k /= 2;
    }
}

pn_candidate pn_heap_pop(pn_heap *h)
{
    pn_candidate top = h->items[0];
    exchange(h, 0, h->last--);
    int k = 0;
    while (2 * k <= h->last) {
        int j = 2 * k;
        if (j < h->last && less(h, j, j + 1))
            j++;
        if (!less(h, k, j))
            break;
        exchange(h, k, j);
        k = j;
    }
    return top;
}
