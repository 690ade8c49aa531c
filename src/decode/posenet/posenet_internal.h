/* Internal pieces of the PoseNet decoders (see openpose-c/posenet.h for the contract).
 *
 *   maps.c    the pose chain, checking the maps, the sigmoid, reading a cell
 *   params.c  the multi-person settings: defaults and validation
 *   heap.c    the package's max-heap (its order of equal scores is part of the result)
 *   single.c  decodeSinglePose
 *   multi.c   decodeMultiplePoses: candidates, roots, NMS, growing a pose along the chain
 *   decoder.c the "posenet" row of the decoder table (decode/decoder.h) */
#ifndef OPC_DECODE_POSENET_INTERNAL_H
#define OPC_DECODE_POSENET_INTERNAL_H

#include <math.h>

#include "openpose-c/posenet.h"

/* Channel c at cell (y, x) of a 1 x C x H x W tensor. */
static inline float pn_at(const opc_tensor *t, int c, int y, int x)
{
    return t->data[((size_t)c * (size_t)t->h + (size_t)y) * (size_t)t->w + (size_t)x];
}

/* JavaScript's Math.round: the nearest integer, halves towards +infinity. floor(v + 0.5)
 * would round 0.49999999999999994 up; v - floor(v) is exact. */
static inline double pn_js_round(double v)
{
    double f = floor(v);
    return v - f >= 0.5 ? f + 1.0 : f;
}

/* The package's getStridedIndexNearPoint along one axis: round(v / stride) clamped to
 * [0, n - 1]. A NaN position (only from NaN outputs) reads cell 0. */
static inline int pn_near(double v, int stride, int n)
{
    double r = pn_js_round(v / stride);
    if (!(r > 0))
        return 0;
    return r > n - 1 ? n - 1 : (int)r;
}

/* ---- heap.c ---- */

typedef struct pn_candidate {
    double score;
    int y, x, id;
} pn_candidate;

/* The package's MaxHeap: 0-based storage with 1-based index arithmetic (slot 0's only
 * child is slot 1), strict < when swimming and sinking, dequeue = swap the top with the
 * last, shrink, sink. last = -1 when empty. */
typedef struct pn_heap {
    pn_candidate *items;
    int last;
} pn_heap;

void pn_heap_push(pn_heap *h, pn_candidate c);
pn_candidate pn_heap_pop(pn_heap *h);

#endif
