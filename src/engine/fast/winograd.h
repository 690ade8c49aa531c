/* Winograd minimal filtering F(m, r): m outputs of an r-tap correlation from n = m + r - 1
 * inputs with n multiplications,
 *     y = AT [ (G g) .* (BT d) ],      AT: m x n, G: n x r, BT: n x n,
 * and in 2D (F(m x m, r x r)) Y = AT [ (G g GT) .* (BT d B) ] A.
 *
 * The matrices come from n - 1 finite interpolation points plus the point at infinity
 * (Toom-Cook; Lavin & Gray 2016, "Fast algorithms for convolutional neural networks"):
 *     AT[i][j] = p_j^i,  G[j][k] = p_j^k / f_j,  f_j = prod_{l != j} (p_j - p_l),
 *     BT[j][.] = the coefficients of prod_{l != j} (x - p_l),
 * the infinity column/row picking the leading coefficient. They are built in double from
 * a variant's points and rounded once to float; with points 0, +-1, +-2, +-1/2, +-1/4 the
 * entries of AT and BT are exact in float, only G (applied to the weights) rounds.
 *
 * Applying them: points in pairs +-p make rows of BT and G (and columns of AT) equal up to
 * the signs (-1)^k, so each pair costs one set of multiplies, shared by a sum and a
 * difference (the even and odd parts). opc_wino_op is a matrix prepared that way. */
#ifndef OPC_ENGINE_WINOGRAD_H
#define OPC_ENGINE_WINOGRAD_H

#include <stddef.h>
#include <string.h>

#include "engine/lanes.h"

#define OPC_WINO_MAX_N 10

/* One variant: F(m x m, r x r) on the given n - 1 = m + r - 2 finite points. */
typedef struct opc_wino_variant {
    int m, r;
    double points[OPC_WINO_MAX_N - 1];
} opc_wino_variant;

typedef struct opc_wino_mats {
    int m, r, n;
    float at[OPC_WINO_MAX_N][OPC_WINO_MAX_N]; /* m x n */
    float g[OPC_WINO_MAX_N][OPC_WINO_MAX_N];  /* n x r */
    float bt[OPC_WINO_MAX_N][OPC_WINO_MAX_N]; /* n x n */
} opc_wino_mats;

/* Fills w for variant v (m >= 1, r >= 1, m + r - 1 <= OPC_WINO_MAX_N, distinct points). */
void opc_wino_build(const opc_wino_variant *v, opc_wino_mats *w);

/* A rows x cols matrix M, applied as y = M x to vectors (x[k], y[o] each nv lane-vectors):
 *   pre-pairs (a, b):  x_a, x_b <- x_a + x_b, x_a - x_b   (columns a, b equal up to (-1)^row)
 *   rows:              y_o = sum_k c[o][k] x_k, over the nonzeros (idx) or densely (dense)
 *   post-pairs (j, k): y_j, y_k <- y_j + y_k, s (y_j - y_k)  (rows j, k equal up to
 *                      s (-1)^col: y_j held the even part, y_k the odd part) */
typedef struct opc_wino_op {
    int rows, cols;
    int n_pre, pre[OPC_WINO_MAX_N][2];
    int n_post, post[OPC_WINO_MAX_N][2];
    float post_sign[OPC_WINO_MAX_N];
    int count[OPC_WINO_MAX_N];                  /* nonzeros of each row */
    int idx[OPC_WINO_MAX_N][OPC_WINO_MAX_N];
    float c[OPC_WINO_MAX_N][OPC_WINO_MAX_N];
    float dense[OPC_WINO_MAX_N][OPC_WINO_MAX_N]; /* the same rows with their zeros */
} opc_wino_op;

/* Prepares the rows x cols matrix mat (row pairs are looked for first, then column pairs). */
void opc_wino_op_build(const float mat[OPC_WINO_MAX_N][OPC_WINO_MAX_N], int rows, int cols,
                       opc_wino_op *op);

/* Few vectors per input: every output at once, one accumulator each (ROWS is a constant
 * once inlined, so they stay in registers), over all inputs densely: throughput-bound
 * rather than waiting on one sum's latency. */
static inline __attribute__((always_inline)) void
opc_wino_dense(int ROWS, const opc_wino_op *op, const float *const *x, size_t xvs, float *y,
               size_t ys, size_t yvs, int nv)
{
    for (int v = 0; v < nv; v++) {
        opc_vlanes acc[OPC_WINO_MAX_N];
        for (int o = 0; o < ROWS; o++)
            acc[o] = (opc_vlanes){0};
        for (int k = 0; k < op->cols; k++) {
            opc_vlanes xk = opc_load_lanes(x[k] + v * xvs);
            for (int o = 0; o < ROWS; o++)
                acc[o] += op->dense[o][k] * xk;
        }
        for (int o = 0; o < ROWS; o++)
            opc_store_lanes(y + o * ys + v * yvs, acc[o]);
    }
}

/* Many vectors per input: each output over its nonzeros, four vectors' sums in flight. */
static inline void opc_wino_sparse(const opc_wino_op *op, const float *const *x, size_t xvs,
                                   float *y, size_t ys, size_t yvs, int nv)
{
    for (int o = 0; o < op->rows; o++) {
        const int *idx = op->idx[o];
        const float *c = op->c[o];
        float *yo = y + o * ys;
        int v = 0;
        for (; v + 4 <= nv; v += 4) {
            opc_vlanes a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
            for (int k = 0; k < op->count[o]; k++) {
                const float *p = x[idx[k]] + v * xvs;
                a0 += c[k] * opc_load_lanes(p);
                a1 += c[k] * opc_load_lanes(p + xvs);
                a2 += c[k] * opc_load_lanes(p + 2 * xvs);
                a3 += c[k] * opc_load_lanes(p + 3 * xvs);
            }
            opc_store_lanes(yo + v * yvs, a0);
            opc_store_lanes(yo + (v + 1) * yvs, a1);
            opc_store_lanes(yo + (v + 2) * yvs, a2);
            opc_store_lanes(yo + (v + 3) * yvs, a3);
        }
        for (; v < nv; v++) {
            opc_vlanes acc = {0};
            for (int k = 0; k < op->count[o]; k++)
                acc += c[k] * opc_load_lanes(x[idx[k]] + v * xvs);
            opc_store_lanes(yo + v * yvs, acc);
        }
    }
}

/* y = op x on nv lane-vectors per input and output: input k's vector v is at
 * x[k] + v * xvs, output o's at y + o * ys + v * yvs (in floats). tmp holds cols * nv
 * vectors (used when op has pre-pairs). */
static inline void opc_wino_apply(const opc_wino_op *op, const float *const *x, size_t xvs,
                                  float *y, size_t ys, size_t yvs, int nv, opc_vlanes *tmp)
{
    const float *in[OPC_WINO_MAX_N];
    if (op->n_pre) { /* every input into tmp: pairs as sum and difference, the rest copied */
        for (int k = 0; k < op->cols; k++)
            for (int v = 0; v < nv; v++)
                tmp[k * nv + v] = opc_load_lanes(x[k] + v * xvs);
        for (int p = 0; p < op->n_pre; p++) {
            opc_vlanes *a = tmp + op->pre[p][0] * nv, *b = tmp + op->pre[p][1] * nv;
            for (int v = 0; v < nv; v++) {
                opc_vlanes s = a[v] + b[v], d = a[v] - b[v];
                a[v] = s;
                b[v] = d;
            }
        }
        for (int k = 0; k < op->cols; k++)
            in[k] = (const float *)(tmp + k * nv);
        x = in;
        xvs = OPC_LANES;
    }
    if (nv >= 4) {
        opc_wino_sparse(op, x, xvs, y, ys, yvs, nv);
    } else {
        switch (op->rows) {
#define OPC_WINO_DENSE_CASE(R)                                                                  \
    case R:                                                                                    \
        opc_wino_dense(R, op, x, xvs, y, ys, yvs, nv);                                         \
        break;
            OPC_WINO_DENSE_CASE(1)
            OPC_WINO_DENSE_CASE(2)
            OPC_WINO_DENSE_CASE(3)
            OPC_WINO_DENSE_CASE(4)
            OPC_WINO_DENSE_CASE(5)
            OPC_WINO_DENSE_CASE(6)
            OPC_WINO_DENSE_CASE(7)
            OPC_WINO_DENSE_CASE(8)
            OPC_WINO_DENSE_CASE(9)
            OPC_WINO_DENSE_CASE(10)
#undef OPC_WINO_DENSE_CASE
        }
    }
    for (int p = 0; p < op->n_post; p++) {
        float *yj = y + op->post[p][0] * ys, *yk = y + op->post[p][1] * ys;
        float s = op->post_sign[p];
        for (int v = 0; v < nv; v++) {
            opc_vlanes e = opc_load_lanes(yj + v * yvs), o = opc_load_lanes(yk + v * yvs);
            opc_store_lanes(yj + v * yvs, e + o);
            opc_store_lanes(yk + v * yvs, s * (e - o));
        }
    }
}

#endif
