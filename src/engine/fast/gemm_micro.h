/* The fast engine's own register-blocked GEMM, for products whose left matrix is packed
 * ahead (the Winograd stage's transformed filters): results and speed do not depend on
 * which OpenBLAS is installed or which kernel it picks.
 *
 *     C[r][j] = sum_k A[r][k] B[k][j]      r < m, j < n
 *
 * A is packed by panels of OPC_LANES rows, [m / OPC_LANES][K][OPC_LANES] (zero rows past
 * m), so that a producer vectorised over rows (the Winograd filter transform) stores one
 * whole vector per k; a register block takes OPC_GEMM_MR rows of a panel. B is rows of n
 * floats (ldb apart), C rows of n floats (ldc apart); neither is touched past column n
 * (B may be a blob at the very end of its buffer). Every C element is one sum over k in order, the
 * same whatever the blocking, the thread count or the CPU level's vector width. */
#ifndef OPC_ENGINE_FAST_GEMM_MICRO_H
#define OPC_ENGINE_FAST_GEMM_MICRO_H

#include <stddef.h>

#include "engine/act.h"
#include "engine/lanes.h"

/* Rows x vectors of one register block: MR * NV accumulators, NV loads of B and one
 * broadcast of A per k, within the level's vector registers (32, 16 and 16). */
#if OPC_LANES == 16
#define OPC_GEMM_MR 8
#define OPC_GEMM_NV 3
#elif OPC_LANES == 8
#define OPC_GEMM_MR 4
#define OPC_GEMM_NV 3
#else
#define OPC_GEMM_MR 4
#define OPC_GEMM_NV 2
#endif

/* Floats of A's packed form. */
static inline size_t opc_gemm_packed_floats(int m, int k)
{
    return (size_t)((m + OPC_LANES - 1) / OPC_LANES) * OPC_LANES * (size_t)k;
}

/* Index of A[r][kk] in the packed form of an m x k matrix. */
static inline size_t opc_gemm_packed_at(int k, int r, int kk)
{
    return ((size_t)(r / OPC_LANES) * k + kk) * OPC_LANES + r % OPC_LANES;
}

/* Done to C's values as they are stored: with layer set, C's row r becomes output channel
 * row0 + r of the layer: plus its bias, through its activation. */
typedef struct {
    const opc_layer *layer;
    int row0;
} opc_gemm_epilogue;

/* One register block: rows < MR of C from row `row` on, nv vectors of columns (cols in the
 * last one). */
static inline __attribute__((always_inline)) void
opc_gemm_block(int nv, int k, const float *restrict a, const float *restrict b, size_t ldb,
               float *restrict c, size_t ldc, int rows, int cols, const opc_gemm_epilogue *ep,
               int row)
{
    opc_vlanes acc[OPC_GEMM_MR][OPC_GEMM_NV];
    for (int r = 0; r < OPC_GEMM_MR; r++)
        for (int v = 0; v < nv; v++)
            acc[r][v] = (opc_vlanes){0};
    for (int kk = 0; kk < k; kk++, a += OPC_LANES, b += ldb) {
        opc_vlanes bv[OPC_GEMM_NV];
        for (int v = 0; v < nv - 1; v++)
            bv[v] = opc_load_lanes(b + v * OPC_LANES);
        /* cols is a constant OPC_LANES in the whole blocks: the test folds away there. */
        bv[nv - 1] = cols == OPC_LANES ? opc_load_lanes(b + (nv - 1) * OPC_LANES)
                                       : opc_load_lanes_n(b + (nv - 1) * OPC_LANES, cols);
        for (int r = 0; r < OPC_GEMM_MR; r++)
            for (int v = 0; v < nv; v++)
                acc[r][v] += a[r] * bv[v];
    }
    /* Unrolled whatever the epilogue's size, so that acc is never indexed at run time (GCC
     * would keep it in memory, and store it at every k around a masked load). */
#pragma GCC unroll 8
    for (int r = 0; r < rows; r++) {
        if (ep->layer) {
            const opc_layer *l = ep->layer;
            int ch = ep->row0 + row + r;
            float bias = l->bias.data ? l->bias.data[ch] : 0.0f;
            opc_act_fn act = opc_layer_act(l, ch);
            for (int v = 0; v < nv; v++)
                acc[r][v] = opc_act_lanes(acc[r][v] + bias, act);
        }
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++) {
            if (v < nv - 1 || cols == OPC_LANES)
                opc_store_lanes(c + r * ldc + v * OPC_LANES, acc[r][v]);
            else
                opc_store_lanes_n(c + r * ldc + v * OPC_LANES, acc[r][v], cols);
        }
    }
}

/* The register blocks of rows r0 .. r0 + MR - 1 (fewer past m) and columns j .. j + nr - 1
 * (fewer past n). */
static inline void opc_gemm_tile(int m, int n, int k, const float *a, const float *b,
                                 size_t ldb, float *c, size_t ldc, const opc_gemm_epilogue *ep,
                                 int r0, int j)
{
    const float *ab = a + opc_gemm_packed_at(k, r0, 0);
    float *cb = c + (size_t)r0 * ldc + j;
    int rows = m - r0 < OPC_GEMM_MR ? m - r0 : OPC_GEMM_MR, left = n - j;
    b += j;
    /* Constant nv, and a constant row count unless a block is short of rows: with a run-time
     * one, GCC kept the accumulators in memory, and around a masked load stored them at every
     * k. */
#define OPC_GEMM_ROWS(NV, COLS)                                                                \
    (rows == OPC_GEMM_MR                                                                       \
         ? opc_gemm_block(NV, k, ab, b, ldb, cb, ldc, OPC_GEMM_MR, COLS, ep, r0)               \
         : opc_gemm_block(NV, k, ab, b, ldb, cb, ldc, rows, COLS, ep, r0))
    if (left >= OPC_GEMM_NV * OPC_LANES) {
        OPC_GEMM_ROWS(OPC_GEMM_NV, OPC_LANES);
        return;
    }
    int nv = (left + OPC_LANES - 1) / OPC_LANES, last = left - (nv - 1) * OPC_LANES;
    switch (nv) {
    case 1: OPC_GEMM_ROWS(1, last); break;
#if OPC_GEMM_NV > 2
    case 2: OPC_GEMM_ROWS(2, last); break;
#endif
    default: OPC_GEMM_ROWS(OPC_GEMM_NV, last);
    }
#undef OPC_GEMM_ROWS
}

/* A of at most this many floats (24 KiB) stays in L1 while the columns go by. */
#define OPC_GEMM_SMALL_A 6144

/* C (m x n) = A (packed) B, then the epilogue. A small A (the Winograd stage's parts of
 * U) is swept for each block of columns, which stays in L1 for all of A's rows; a larger
 * one (1x1 convolutions' weights) a block of rows at a time, over all the columns. */
static inline void opc_gemm_packed(int m, int n, int k, const float *a, const float *b,
                                   size_t ldb, float *c, size_t ldc, const opc_gemm_epilogue *ep)
{
    const int nr = OPC_GEMM_NV * OPC_LANES;
    if ((size_t)m * k <= OPC_GEMM_SMALL_A) {
        for (int j = 0; j < n; j += nr)
            for (int r0 = 0; r0 < m; r0 += OPC_GEMM_MR)
                opc_gemm_tile(m, n, k, a, b, ldb, c, ldc, ep, r0, j);
    } else {
        for (int r0 = 0; r0 < m; r0 += OPC_GEMM_MR)
            for (int j = 0; j < n; j += nr)
                opc_gemm_tile(m, n, k, a, b, ldb, c, ldc, ep, r0, j);
    }
}

#endif
