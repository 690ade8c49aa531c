/* Building the Winograd matrices of a variant from its interpolation points (see
 * winograd.h), in double. */
#include "engine/fast/winograd.h"

#include <string.h>

/* c[0..deg] = coefficients (lowest first) of prod over the finite points except `skip`
 * (-1: none) of (x - p_l). Returns the degree. */
static int poly_from_roots(const double *p, int count, int skip, double *c)
{
    int deg = 0;
    c[0] = 1.0;
    for (int l = 0; l < count; l++) {
        if (l == skip)
            continue;
        c[deg + 1] = 0.0;
        for (int i = deg + 1; i > 0; i--)
            c[i] = c[i - 1] - p[l] * c[i];
        c[0] = -p[l] * c[0];
        deg++;
    }
    return deg;
}

void opc_wino_build(const opc_wino_variant *v, opc_wino_mats *w)
{
    int m = v->m, r = v->r, n = m + r - 1, np = n - 1;
    const double *p = v->points;
    memset(w, 0, sizeof *w);
    w->m = m;
    w->r = r;
    w->n = n;
    double c[OPC_WINO_MAX_N + 1];
    for (int j = 0; j < np; j++) {
        double f = 1.0, pw = 1.0;
        for (int l = 0; l < np; l++)
            if (l != j)
                f *= p[j] - p[l];
        for (int i = 0; i < m; i++, pw *= p[j])
            w->at[i][j] = (float)pw;
        pw = 1.0;
        for (int k = 0; k < r; k++, pw *= p[j])
            w->g[j][k] = (float)(pw / f);
        int deg = poly_from_roots(p, np, j, c);
        for (int i = 0; i <= deg; i++)
            w->bt[j][i] = (float)c[i];
    }
    /* The point at infinity: the leading coefficients. */
    w->at[m - 1][np] = 1.0f;
    w->g[np][r - 1] = 1.0f;
    int deg = poly_from_roots(p, np, -1, c);
    for (int i = 0; i <= deg; i++)
        w->bt[np][i] = (float)c[i];
}

/* Whether b[i] == s (-1)^i a[i] for every i (to float rounding: the two were computed in
 * double along different paths). */
static int mirrored(const float *a, const float *b, int n, int stride, float s)
{
    for (int i = 0; i < n; i++) {
        float x = a[i * stride], y = b[i * stride], want = (i % 2 ? -s : s) * x;
        float tol = 1e-6f * (x < 0 ? -x : x);
        if (y - want > tol || want - y > tol)
            return 0;
    }
    return 1;
}

static void add_coef(opc_wino_op *op, int row, int col, float c)
{
    if (c != 0.0f) {
        op->dense[row][col] = c;
        op->idx[row][op->count[row]] = col;
        op->c[row][op->count[row]++] = c;
    }
}

void opc_wino_op_build(const float mat[OPC_WINO_MAX_N][OPC_WINO_MAX_N], int rows, int cols,
                       opc_wino_op *op)
{
    memset(op, 0, sizeof *op);
    op->rows = rows;
    op->cols = cols;
    int partner[OPC_WINO_MAX_N];
    float sign[OPC_WINO_MAX_N];
    for (int i = 0; i < OPC_WINO_MAX_N; i++)
        partner[i] = -1;
    /* Row pairs: row k = s (-1)^col row j. Row j then computes the even part, row k the odd. */
    for (int j = 0; j < rows; j++)
        for (int k = j + 1; k < rows && partner[j] < 0; k++)
            for (int si = 0; si < 2 && partner[k] < 0; si++) {
                float s = si ? -1.0f : 1.0f;
                int nz = 0;
                for (int c = 0; c < cols; c++)
                    nz += mat[j][c] != 0.0f;
                if (nz >= 2 && mirrored(mat[j], mat[k], cols, 1, s)) {
                    partner[j] = k;
                    partner[k] = j;
                    op->post[op->n_post][0] = j;
                    op->post[op->n_post][1] = k;
                    op->post_sign[op->n_post++] = s;
                }
            }
    if (op->n_post) {
        for (int j = 0; j < rows; j++) {
            if (partner[j] >= 0 && partner[j] < j)
                continue; /* filled with its pair */
            for (int c = 0; c < cols; c++)
                if (partner[j] < 0)
                    add_coef(op, j, c, mat[j][c]);
                else
                    add_coef(op, c % 2 ? partner[j] : j, c, mat[j][c]);
        }
        return;
    }
    /* Column pairs: column b = s (-1)^row column a; x_a, x_b become x_a + x_b, x_a - x_b and
     * row i takes the sum when s (-1)^i = 1, else the difference. */
    for (int a = 0; a < cols; a++)
        for (int b = a + 1; b < cols && partner[a] < 0; b++)
            for (int si = 0; si < 2 && partner[b] < 0; si++) {
                float s = si ? -1.0f : 1.0f;
                int nz = 0;
                for (int i = 0; i < rows; i++)
                    nz += mat[i][a] != 0.0f;
                if (nz >= 2 && mirrored(&mat[0][a], &mat[0][b], rows, OPC_WINO_MAX_N, s)) {
                    partner[a] = b;
                    partner[b] = a;
                    sign[a] = s;
                    op->pre[op->n_pre][0] = a;
                    op->pre[op->n_pre++][1] = b;
                }
            }
    for (int i = 0; i < rows; i++)
        for (int c = 0; c < cols; c++) {
            int a = partner[c];
            if (a < 0)
                add_coef(op, i, c, mat[i][c]);
            else if (a > c) /* c is the first of its pair */
                add_coef(op, i, (i % 2 ? -sign[c] : sign[c]) > 0 ? c : a, mat[i][c]);
        }
}
