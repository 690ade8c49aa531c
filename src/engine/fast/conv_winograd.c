/* Fast convolution by Winograd's minimal filtering F(m x m, r x r) (see winograd.h), for
 * stride-1, undilated, ungrouped r x r convolutions. The output is cut into m x m tiles;
 * for each tile and input channel the n x n input patch d (n = m + r - 1) becomes
 * V = BT d B, each filter g becomes U = G g GT, and for each of the n*n transform points t
 * one GEMM sums over the input channels:
 *     M_t [Cout x T] = U_t [Cout x Cin] * V_t [Cin x T]      (T tiles)
 * after which a tile's output is AT M A, plus bias, activated. That is n*n multiplies per
 * m*m outputs instead of m*m*r*r: 5.1x fewer for F(6x6, 3x3), 5.4x for F(3x3, 7x7).
 *
 * Schedule: each thread takes blocks of tiles (tile rows x a chunk of tile columns) and
 * does all of a block in its own buffers: the inputs' transform into V; then for each row
 * a of transform points, U's row a (n points, packed for the GEMM: gemm_micro.h) and its
 * n GEMMs into M; last, M's transform into the output. No thread waits on another. The
 * filters are transformed at every run, so memory stays flat (U of every layer kept would
 * add 0.7 GB for BODY_25): G g once for the layer, OPC_LANES output channels side by side
 * (so that the filter transforms are vector code whose results are whole rows of U's
 * packed blocks), and (G g) GT row by row in each block, where U's row stays in the
 * core's cache until its GEMMs have read it: U written out whole (5.3 MB a layer on
 * COCO's 7x7 layers, 4.2 MB on BODY_25's 3x3 ones) cost more than the GEMMs on the small
 * maps, its stores waiting on memory. Blocks are as large as a cap on V + M allows, and at
 * least one per thread, since each makes U again.
 *
 * The transforms handle OPC_LANES tiles at once, one lane each, so their arithmetic is
 * plain vector code with the n inputs and outputs of a 1-D transform in registers. Lanes
 * are the block's tiles in row-major order, so the short tile rows of small maps (8 tiles
 * of a 46-wide map) share vectors. An input row is split into m phases (phases.h): tile
 * column j of consecutive tiles, m apart, is then one run of phase j % m, copied into the
 * lanes of the tiles' patch ("lane patches": P[i][j][tile]); the outputs go back the
 * other way, through the same split.
 *
 * Every output is computed the same way whatever the block sizes, so results depend
 * neither on the thread count (which sizes the blocks) nor on which thread did what. */
#include "engine/fast/fast_kernels.h"

#include <stdatomic.h>
#include <string.h>

#include "engine/act.h"
#include "engine/fast/gemm_micro.h"
#include "engine/fast/phases.h"
#include "engine/fast/winograd.h"

#define MAXN OPC_WINO_MAX_N
/* Largest V + M of a block, in floats (8 MiB), unless a single tile row chunk needs more. */
#define BLOCK_FLOATS ((size_t)1 << 21)
/* Floats of U made at a time (128 KiB): the rows of a few output channel groups, consumed
 * by their GEMMs while still in the core's L2 cache. Made a whole row at a time (n points,
 * every output channel: 512 KiB for 128 x 128 channels), U took 5 times as long: its
 * stores missed the cache, the block's V and M having pushed it out. */
#define U_PART_FLOATS ((size_t)1 << 15)
/* Floats between consecutive transform points' planes of V and M beyond the plane itself
 * (one cache line): planes of a power-of-two size put the n*n streams of a transform
 * (81 for F(3x3, 7x7)) in one cache set, where they evict each other. */
#define POINT_SKEW 16
/* Longest chunk of a tile row. */
#define MAX_CW (16 * OPC_LANES)
/* Small maps (at most this many tiles) share each block between the threads instead: the
 * input channels split for the input transform, the output channels for the rest, so that
 * U is made once per block, not once per thread (BODY_25's 46x46 maps have 64 tiles of 6x6).
 * Their blocks may then hold V + M of up to 24 MiB. */
#define SHARED_MAX_TILES 512
#define SHARED_BLOCK_FLOATS ((size_t)6 << 20)

int opc_winograd_fits(const void *param, const opc_layer *l, const opc_shape *in,
                      const opc_shape *out)
{
    const opc_wino_variant *v = param;
    /* Below 16 input or output channels the transforms (per input and per output channel)
     * cost more than the GEMM multiplies they save. */
    return l->kernel[0] == v->r && l->kernel[1] == v->r && l->stride[0] == 1 &&
           l->stride[1] == 1 && l->dilation[0] == 1 && l->dilation[1] == 1 && l->group == 1 &&
           in->c >= 16 && out->c >= 16;
}

/* n rounded up to whole vectors. */
static size_t lanes_up(size_t n) { return (n + OPC_LANES - 1) / OPC_LANES * OPC_LANES; }

typedef struct {
    int n, m, r;
    int tiles_y, tiles_x;
    int cw, chunks;         /* tile columns of a block; blocks across a tile row */
    int rows, blocks_y;     /* tile rows of a block; blocks down the map */
    int blocks;             /* blocks_y * chunks */
    size_t ld;              /* floats of one row of a block's V or M: cw * rows in vectors */
    int q;                  /* entries per phase of an input row split for cw tiles */
    size_t phase;           /* floats per phase: q in whole vectors, and one more */
    int rows_in;            /* input rows a block reads */
    int cout_groups;        /* output channels in OPC_LANES groups */
    int part_groups;        /* output channel groups of one part of U */
    int shared;             /* blocks shared by the threads (else one thread each) */
    size_t gg_floats, upart_floats, out_floats;
    size_t vm_floats;       /* V and M of a block */
    size_t thread_floats;   /* each thread's buffers, V and M included unless shared */
} wino_geometry;

/* Blocks: a tile row cut into chunks when longer than MAX_CW, then as many tile rows as
 * the cap on V + M allows; when each thread takes its own blocks, no more than makes one
 * block per thread. */
static wino_geometry geometry(const opc_wino_variant *v, const opc_shape *in,
                              const opc_shape *out, int threads)
{
    wino_geometry g;
    g.m = v->m;
    g.r = v->r;
    g.n = v->m + v->r - 1;
    size_t nn = (size_t)g.n * g.n;
    g.tiles_y = (out->h + g.m - 1) / g.m;
    g.tiles_x = (out->w + g.m - 1) / g.m;
    g.chunks = (g.tiles_x + MAX_CW - 1) / MAX_CW;
    g.cw = (g.tiles_x + g.chunks - 1) / g.chunks;
    g.chunks = (g.tiles_x + g.cw - 1) / g.cw;
    size_t per_tile = nn * (size_t)(in->c + out->c);
    g.cout_groups = (out->c + OPC_LANES - 1) / OPC_LANES;
    g.shared = threads > 1 && (size_t)g.tiles_y * g.tiles_x <= SHARED_MAX_TILES &&
               g.cout_groups >= 2 * threads;
    int rows = (int)((g.shared ? SHARED_BLOCK_FLOATS : BLOCK_FLOATS) / (per_tile * (size_t)g.cw));
    int fair = (g.tiles_y * g.chunks + threads - 1) / threads; /* rows for one block per thread */
    fair = (fair + g.chunks - 1) / g.chunks;
    if (rows > fair && !g.shared)
        rows = fair;
    if (rows < 1)
        rows = 1;
    g.blocks_y = (g.tiles_y + rows - 1) / rows;
    g.rows = (g.tiles_y + g.blocks_y - 1) / g.blocks_y; /* the same rows, evened out */
    g.blocks = g.blocks_y * g.chunks;
    g.ld = lanes_up((size_t)g.rows * g.cw);
    g.q = g.cw + (g.n - 1) / g.m;
    g.phase = lanes_up((size_t)g.q) + OPC_LANES;
    g.rows_in = (g.rows - 1) * g.m + g.n;
    g.part_groups = (int)(U_PART_FLOATS / ((size_t)g.n * OPC_LANES * in->c));
    if (g.part_groups < 1)
        g.part_groups = 1;
    g.upart_floats = (size_t)g.n * g.part_groups * OPC_LANES * in->c;
    g.gg_floats = (size_t)g.n * g.r * g.cout_groups * in->c * OPC_LANES;
    g.out_floats = (size_t)g.m * g.m * g.ld + OPC_LANES; /* one output channel's lanes */
    /* V and M, a part of U, one vector's patch or the output lanes, a padded input or
     * output row, the phases of the input rows (the phase splits read and write whole
     * vectors: slack after each). */
    size_t patch = nn * OPC_LANES > g.out_floats ? nn * OPC_LANES : g.out_floats;
    g.vm_floats = per_tile * g.ld + 2 * nn * POINT_SKEW;
    g.thread_floats = (g.shared ? 0 : g.vm_floats) + g.upart_floats + patch + g.phase * g.m +
                      OPC_LANES + (size_t)g.rows_in * g.m * g.phase;
    return g;
}

size_t opc_winograd_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                            const opc_shape *out, int threads)
{
    wino_geometry g = geometry(param, in, out, threads);
    return g.gg_floats + (g.shared ? g.vm_floats : 0) + g.thread_floats * (size_t)threads;
}

typedef struct {
    const opc_layer *l;
    int m, r, n;
    float at[MAXN][MAXN], g[MAXN][MAXN], bt[MAXN][MAXN];
    /* Points in +- pairs (see mirrored()): BT's and G's rows p0 + 2i, p0 + 2i + 1 and AT's
     * columns, i < np, with the signs of BT's and G's second rows. */
    int p0, np;
    float bt_sign[MAXN], g_sign[MAXN];
    const float *in;
    float *out;
    opc_shape is, os;
    int pad[4];
    wino_geometry geo;
    int col_off[MAXN]; /* column j of a tile in a phase-split row: phase j % m, entry j / m */
    float *gg;       /* [n][Cout / OPC_LANES][Cin][r][OPC_LANES]: G g */
    float *vm;       /* shared blocks: their V and M */
    float *work;     /* each thread's buffers */
    atomic_int next; /* the next block to take */
    int block;       /* shared blocks: the one the threads work on */
    int threads;
} wino_ctx;

/* One block: tile rows ty0 .. ty0 + rows - 1, tile columns tx0 .. tx0 + cw - 1; lane
 * e = (ty - ty0) * cw + tx - tx0. */
typedef struct {
    int ty0, rows, tx0, cw, nt;
    size_t ld;     /* nt in whole vectors */
    size_t vpoint, mpoint; /* floats from one transform point's plane of V, M to the next */
    float *v;      /* [n*n][Cin][ld], the planes vpoint apart */
    float *mm;     /* [n*n][Cout][ld], the planes mpoint apart */
    float *upart;  /* part of U's row a: [n][part_groups * OPC_LANES x Cin packed] */
    float *patch;  /* one vector's patch [n*n][OPC_LANES], or an output channel [m*m][ld] */
    float *row;    /* a padded input row, or an output row */
    float *phases; /* the block's input rows, split: [rows_in][m][phase] */
} wino_block;

static wino_block block_at(const wino_ctx *x, int b, int thread)
{
    const wino_geometry *g = &x->geo;
    wino_block k;
    k.ty0 = b / g->chunks * g->rows;
    k.rows = g->tiles_y - k.ty0 < g->rows ? g->tiles_y - k.ty0 : g->rows;
    k.tx0 = b % g->chunks * g->cw;
    k.cw = g->tiles_x - k.tx0 < g->cw ? g->tiles_x - k.tx0 : g->cw;
    k.nt = k.rows * k.cw;
    k.ld = lanes_up((size_t)k.nt);
    size_t nn = (size_t)x->n * x->n;
    float *own = x->work + (size_t)thread * g->thread_floats;
    k.v = g->shared ? x->vm : own;
    k.vpoint = (size_t)x->is.c * k.ld + POINT_SKEW;
    k.mpoint = (size_t)x->os.c * k.ld + POINT_SKEW;
    k.mm = k.v + nn * k.vpoint;
    k.upart = g->shared ? own : k.mm + nn * k.mpoint;
    k.patch = k.upart + g->upart_floats;
    k.row = k.patch + (nn * OPC_LANES > g->out_floats ? nn * OPC_LANES : g->out_floats);
    k.phases = k.row + g->phase * x->m + OPC_LANES;
    return k;
}

/* ---- the transforms -------------------------------------------------------------------- */

/* Points in +- pairs make rows of BT and G, and columns of AT, equal up to signs: row
 * j + 1 = s (-1)^k row j (k the column), column j + 1 = (-1)^o column j (o the row). Whether
 * c has that structure for pairs p0 + 2i, i < np (rows: signs into sign[i]); the matrices
 * are built in double and rounded, so equal to a relative 1e-6. */
static int mirrored(const float c[MAXN][MAXN], int rows, int cols, int p0, int np, int by_rows,
                    float *sign)
{
    for (int i = 0; i < np; i++) {
        int j = p0 + 2 * i;
        float s = 0.0f;
        int len = by_rows ? cols : rows;
        for (int k = 0; k < len && s == 0.0f; k++) {
            float a = by_rows ? c[j][k] : c[k][j], b = by_rows ? c[j + 1][k] : c[k][j + 1];
            if (a != 0.0f)
                s = b / a * (k % 2 ? -1.0f : 1.0f);
        }
        if (!by_rows && s != 1.0f)
            return 0;
        for (int k = 0; k < len; k++) {
            float a = by_rows ? c[j][k] : c[k][j], b = by_rows ? c[j + 1][k] : c[k][j + 1];
            float want = (k % 2 ? -s : s) * a, tol = 1e-6f * (a < 0 ? -a : a);
            if (b - want > tol || want - b > tol)
                return 0;
        }
        if (by_rows) /* +-1 to rounding: the pair's rows then mirror exactly */
            sign[i] = s > 0.0f ? 1.0f : -1.0f;
    }
    return 1;
}

/* y = c x, R outputs of N inputs, one vector each, c's rows mirrored in NP pairs from P0
 * (above): a pair's even and odd parts take one pass over the inputs, its two rows their
 * sum and difference; the other rows dense, zeros included. Branch-free, unrolled once the
 * sizes are constants. */
static inline __attribute__((always_inline)) void
rows_mirrored(int R, int N, int P0, int NP, const float c[MAXN][MAXN], const float *sign,
              const opc_vlanes *x, opc_vlanes *y)
{
    for (int o = 0; o < R; o++) {
        if (o >= P0 && o < P0 + 2 * NP)
            continue;
        opc_vlanes acc = c[o][0] * x[0];
        for (int k = 1; k < N; k++)
            acc += c[o][k] * x[k];
        y[o] = acc;
    }
    for (int i = 0; i < NP; i++) {
        int j = P0 + 2 * i;
        opc_vlanes even = c[j][0] * x[0], odd = c[j][1] * x[1];
        for (int k = 2; k < N; k++) {
            if (k % 2)
                odd += c[j][k] * x[k];
            else
                even += c[j][k] * x[k];
        }
        y[j] = even + odd;
        y[j + 1] = sign[i] * (even - odd);
    }
}

/* y = c x with c's columns mirrored in NP pairs from P0: each pair's sum and difference
 * once, each row taking the sum (even rows) or the difference (odd rows). */
static inline __attribute__((always_inline)) void
cols_mirrored(int R, int N, int P0, int NP, const float c[MAXN][MAXN], const opc_vlanes *x,
              opc_vlanes *y)
{
    opc_vlanes sum[MAXN], diff[MAXN];
    for (int i = 0; i < NP; i++) {
        sum[i] = x[P0 + 2 * i] + x[P0 + 2 * i + 1];
        diff[i] = x[P0 + 2 * i] - x[P0 + 2 * i + 1];
    }
    for (int o = 0; o < R; o++) {
        opc_vlanes acc = {0};
        for (int k = 0; k < N; k++)
            if (k < P0 || k >= P0 + 2 * NP)
                acc += c[o][k] * x[k];
        for (int i = 0; i < NP; i++)
            acc += c[o][P0 + 2 * i] * (o % 2 ? diff[i] : sum[i]);
        y[o] = acc;
    }
}

/* Calls F(N, M, R, P0, NP, args...) with constant sizes for the kernel table's variants
 * (F(6x6, 3x3): points 0, +-1, +-2, +-1/2; F(3x3, 7x7): +-1, +-2, +-2/3, +-1/4), with
 * their pairs when the matrices have them, else with the sizes at run time, no pairs. */
#define WINO_DISPATCH(x, F, ...)                                                               \
    do {                                                                                       \
        if ((x)->n == 8 && (x)->m == 6 && (x)->p0 == 1 && (x)->np == 3)                        \
            F(8, 6, 3, 1, 3, __VA_ARGS__);                                                     \
        else if ((x)->n == 9 && (x)->m == 3 && (x)->p0 == 0 && (x)->np == 4)                   \
            F(9, 3, 7, 0, 4, __VA_ARGS__);                                                     \
        else                                                                                   \
            F((x)->n, (x)->m, (x)->r, 0, 0, __VA_ARGS__);                                      \
    } while (0)

/* ---- filters -------------------------------------------------------------------------- */

/* gg[a][group][ci][l] = (G g)[a][l] of the filters (group * OPC_LANES + e, ci), their taps
 * gathered OPC_LANES output channels side by side (0 past Cout). */
static inline __attribute__((always_inline)) void gg_filters(int N, int M, int RR, int P0,
                                                             int NP, const wino_ctx *x,
                                                             int group, int ci)
{
    int cin = x->is.c;
    float taps[MAXN * MAXN * OPC_LANES];
    for (int e = 0; e < OPC_LANES; e++) {
        int co = group * OPC_LANES + e;
        const float *src = x->l->weight.data + ((size_t)co * cin + ci) * RR * RR;
        for (int kl = 0; kl < RR * RR; kl++)
            taps[kl * OPC_LANES + e] = co < x->os.c ? src[kl] : 0.0f;
    }
    size_t row = (size_t)x->geo.cout_groups * cin * RR * OPC_LANES;
    float *dst = x->gg + ((size_t)group * cin + ci) * RR * OPC_LANES;
    float g[MAXN][MAXN];
    memcpy(g, x->g, sizeof g);
    for (int l = 0; l < RR; l++) {
        opc_vlanes col[MAXN], res[MAXN];
        for (int k = 0; k < RR; k++)
            col[k] = opc_load_lanes(taps + (k * RR + l) * OPC_LANES);
        rows_mirrored(N, RR, P0, NP, g, x->g_sign, col, res);
        for (int a = 0; a < N; a++)
            opc_store_lanes(dst + a * row + l * OPC_LANES, res[a]);
    }
}

#define GG_FILTERS(N, M, R, P0, NP, x, grp, ci) gg_filters(N, M, R, P0, NP, x, grp, ci)

/* Units u0 .. u1 - 1 of (output channel group, input channel). */
static void gg_units(void *p, int u0, int u1)
{
    const wino_ctx *x = p;
    for (int u = u0; u < u1; u++)
        WINO_DISPATCH(x, GG_FILTERS, x, u / x->is.c, u % x->is.c);
}

/* part[b] = U[a][b] = ((G g)[a] GT)[b] of output channel groups g0 .. g1 - 1, packed as
 * their own (g1 - g0) * OPC_LANES x Cin matrix: one vector store per point and filter
 * group. */
static inline __attribute__((always_inline)) void u_part(int N, int M, int RR, int P0, int NP,
                                                         const wino_ctx *x, int a, int g0,
                                                         int g1, float *part)
{
    int cin = x->is.c, rows = (g1 - g0) * OPC_LANES;
    size_t point = opc_gemm_packed_floats(rows, cin);
    const float *src = x->gg + ((size_t)a * x->geo.cout_groups + g0) * cin * RR * OPC_LANES;
    float g[MAXN][MAXN], sign[MAXN]; /* copies the stores below cannot alias */
    memcpy(g, x->g, sizeof g);
    memcpy(sign, x->g_sign, sizeof sign);
    for (int grp = 0; grp < g1 - g0; grp++)
        for (int ci = 0; ci < cin; ci++, src += RR * OPC_LANES) {
            opc_vlanes t[MAXN], res[MAXN];
            for (int l = 0; l < RR; l++)
                t[l] = opc_load_lanes(src + l * OPC_LANES);
            rows_mirrored(N, RR, P0, NP, g, sign, t, res);
            for (int b = 0; b < N; b++)
                opc_store_lanes(part + b * point + opc_gemm_packed_at(cin, grp * OPC_LANES, ci),
                                res[b]);
        }
}

#define U_PART(N, M, R, P0, NP, x, a, g0, g1, part) u_part(N, M, R, P0, NP, x, a, g0, g1, part)

/* ---- inputs --------------------------------------------------------------------------- */

/* The input rows block k reads, channel ci, zero-padded and split into phases: input row
 * ty0*m - pad_top + ir at k->phases + ir * m * phase, its phase p at + p * phase. The
 * first q entries of a phase in whole vectors; the vector after them stays zero
 * (input_block). */
static void input_rows(const wino_ctx *x, const wino_block *k, int ci)
{
    int m = x->m, iw = x->is.w, q = (int)lanes_up((size_t)x->geo.q);
    const float *plane = x->in + (size_t)ci * x->is.h * iw;
    size_t phase = x->geo.phase;
    int x0 = k->tx0 * m - x->pad[1], span = q * m;
    /* The columns of the row inside the image: [c0, c1) of span. */
    int c0 = x0 < 0 ? -x0 : 0, c1 = iw - x0 < span ? iw - x0 : span;
    if (c1 < c0)
        c1 = c0;
    const opc_vlanes zero = {0};
    int rows_in = (k->rows - 1) * m + x->n;
    for (int ir = 0; ir < rows_in; ir++) {
        float *dst = k->phases + (size_t)ir * m * phase;
        int iy = k->ty0 * m - x->pad[0] + ir;
        if (iy < 0 || iy >= x->is.h) {
            for (int p = 0; p < m; p++)
                for (int c = 0; c < q; c += OPC_LANES)
                    opc_store_lanes(dst + p * phase + c, zero);
            continue;
        }
        /* Inline vector moves: library calls cost more than these short rows. */
        for (int c = 0; c < c0; c += OPC_LANES) /* the left padding */
            opc_store_lanes(k->row + c, zero);
        opc_copy_floats(k->row + c0, plane + (size_t)iy * iw + x0 + c0, c1 - c0);
        for (int c = c1; c < span; c += OPC_LANES)
            opc_store_lanes(k->row + c, zero);
        opc_to_phases(m, k->row, q, dst, phase);
    }
}

/* V[(a*n + b)][ci] of the OPC_LANES tiles from lane e = (BT d B)[a][b]. Column j of input
 * row i of the tiles is one vector of a phase split row when the lanes lie in one tile row
 * (or run past the block's last tile: the lanes past it are never used); else they are
 * gathered into the patch first. */
#define LANE_INDEX(l, unused) (l)

static inline __attribute__((always_inline)) void
input_vector(int N, int M, int P0, int NP, const wino_ctx *x, const wino_block *k, int ci,
             int e, const float bt[MAXN][MAXN], const float *sign)
{
    size_t phase = x->geo.phase, point = k->vpoint;
    const float *base[MAXN], *next[MAXN] = {0};
    int off[MAXN];
    int r = e / k->cw, tx = e % k->cw, first = k->cw - tx; /* lanes in tile row r */
    if (first >= OPC_LANES || r == k->rows - 1 ||
        OPC_LANES - first <= k->cw || r + 1 == k->rows - 1) {
        /* Lanes in at most two tile rows: vectors of phase-split rows, the second row's
         * vector loaded shifted so that its tiles land in the lanes after the first's. */
        for (int i = 0; i < N; i++) {
            base[i] = k->phases + (size_t)(r * M + i) * M * phase + tx;
            if (first < OPC_LANES && r + 1 < k->rows)
                next[i] = k->phases + (size_t)((r + 1) * M + i) * M * phase - first;
        }
        for (int j = 0; j < N; j++)
            off[j] = x->col_off[j];
    } else {
        for (int l = 0; l < OPC_LANES;) {
            int el = e + l, rl = el / k->cw, tl = el % k->cw;
            int len = OPC_LANES - l < k->cw - tl ? OPC_LANES - l : k->cw - tl;
            for (int i = 0; i < N; i++)
                for (int j = 0; j < N; j++) {
                    float *dst = k->patch + (i * N + j) * OPC_LANES + l;
                    if (rl < k->rows)
                        opc_copy_floats(dst, k->phases + (size_t)(rl * M + i) * M * phase +
                                                 x->col_off[j] + tl, len);
                    else
                        memset(dst, 0, (size_t)len * sizeof(float));
                }
            l += len;
        }
        for (int i = 0; i < N; i++)
            base[i] = k->patch + i * N * OPC_LANES;
        for (int j = 0; j < N; j++)
            off[j] = j * OPC_LANES;
    }
    typedef int vmask __attribute__((vector_size(sizeof(opc_vlanes))));
    const vmask lane = {OPC_LANES_EACH(LANE_INDEX, 0)};
    vmask in_first = lane < (vmask){0} + first;
    opc_vlanes t[MAXN][MAXN]; /* t[a][j] = (BT d)[a][j] */
    for (int j = 0; j < N; j++) {
        opc_vlanes col[MAXN], res[MAXN];
        for (int i = 0; i < N; i++) {
            col[i] = opc_load_lanes(base[i] + off[j]);
            if (next[0])
                col[i] = (opc_vlanes)(((vmask)col[i] & in_first) |
                                      ((vmask)opc_load_lanes(next[i] + off[j]) & ~in_first));
        }
        rows_mirrored(N, N, P0, NP, bt, sign, col, res);
        for (int a = 0; a < N; a++)
            t[a][j] = res[a];
    }
    float *v = k->v + (size_t)ci * k->ld + e;
    for (int a = 0; a < N; a++) {
        opc_vlanes res[MAXN];
        rows_mirrored(N, N, P0, NP, bt, sign, t[a], res);
        for (int b = 0; b < N; b++)
            opc_store_lanes(v + (size_t)(a * N + b) * point, res[b]);
    }
}

static inline __attribute__((always_inline)) void input_channel(int N, int M, int RR, int P0,
                                                                int NP, const wino_ctx *x,
                                                                const wino_block *k, int ci)
{
    float bt[MAXN][MAXN], sign[MAXN]; /* copies the stores cannot alias */
    memcpy(bt, x->bt, sizeof bt);
    memcpy(sign, x->bt_sign, sizeof sign);
    input_rows(x, k, ci);
    for (int e = 0; e < (int)k->ld; e += OPC_LANES)
        input_vector(N, M, P0, NP, x, k, ci, e, bt, sign);
}

#define INPUT_CHANNEL(N, M, R, P0, NP, x, k, ci) input_channel(N, M, R, P0, NP, x, k, ci)

static void input_channels(const wino_ctx *x, const wino_block *k, int c0, int c1)
{
    /* The vector after each phase's entries: zero (loads of the block's last tiles reach
     * into it). */
    const opc_vlanes zero = {0};
    size_t q = lanes_up((size_t)x->geo.q);
    for (int ph = 0; ph < ((k->rows - 1) * x->m + x->n) * x->m; ph++)
        opc_store_lanes(k->phases + ph * x->geo.phase + q, zero);
    for (int ci = c0; ci < c1; ci++)
        WINO_DISPATCH(x, INPUT_CHANNEL, x, k, ci);
}

/* ---- GEMMs and outputs ---------------------------------------------------------------- */

static const opc_gemm_epilogue NO_EPILOGUE = {0};

/* M_t = U_t V_t for every transform point t of block k and the output channel groups
 * ga .. gb - 1, U made a part at a time: a row a of points, a few output channel groups. */
static void gemm_groups(const wino_ctx *x, const wino_block *k, int ga, int gb)
{
    int n = x->n, cin = x->is.c, cout = x->os.c, step = x->geo.part_groups;
    for (int a = 0; a < n; a++)
        for (int g0 = ga; g0 < gb; g0 += step) {
            int g1 = g0 + step < gb ? g0 + step : gb;
            int co0 = g0 * OPC_LANES, rows = (g1 * OPC_LANES < cout ? g1 * OPC_LANES : cout) - co0;
            WINO_DISPATCH(x, U_PART, x, a, g0, g1, k->upart);
            size_t point = opc_gemm_packed_floats((g1 - g0) * OPC_LANES, cin);
            for (int b = 0; b < n; b++) {
                size_t t = (size_t)a * n + b;
                opc_gemm_packed(rows, k->nt, cin, k->upart + b * point, k->v + t * k->vpoint,
                                k->ld, k->mm + t * k->mpoint + (size_t)co0 * k->ld, k->ld,
                                &NO_EPILOGUE);
            }
        }
}

/* Output channel co of block k: AT M A + bias, activated, into the output lanes
 * O[i*m + j][e] (k->patch), then to the output rows through the phase split. */
static inline __attribute__((always_inline)) void output_channel(int N, int MM, int RR, int P0,
                                                                 int NP, const wino_ctx *x,
                                                                 const wino_block *k, int co)
{
    const opc_layer *l = x->l;
    size_t ld = k->ld, point = k->mpoint;
    const float *src = k->mm + (size_t)co * ld;
    float bias = l->bias.data ? l->bias.data[co] : 0.0f;
    opc_act_fn act = opc_layer_act(l, co);
    float *o = k->patch;
    float at[MAXN][MAXN];
    memcpy(at, x->at, sizeof at);
    for (size_t e = 0; e < ld; e += OPC_LANES) {
        opc_vlanes t[MAXN][MAXN]; /* t[i][b] = (AT M)[i][b] */
        for (int b = 0; b < N; b++) {
            opc_vlanes col[MAXN], res[MAXN];
            for (int a = 0; a < N; a++)
                col[a] = opc_load_lanes(src + (size_t)(a * N + b) * point + e);
            cols_mirrored(MM, N, P0, NP, at, col, res);
            for (int i = 0; i < MM; i++)
                t[i][b] = res[i];
        }
        for (int i = 0; i < MM; i++) {
            opc_vlanes res[MAXN];
            cols_mirrored(MM, N, P0, NP, at, t[i], res);
            for (int j = 0; j < MM; j++)
                opc_store_lanes(o + (size_t)(i * MM + j) * ld + e,
                                opc_act_lanes(res[j] + bias, act));
        }
    }
    int oh = x->os.h, ow = x->os.w, ox0 = k->tx0 * MM;
    int len = ow - ox0 < k->cw * MM ? ow - ox0 : k->cw * MM;
    for (int r = 0; r < k->rows; r++)
        for (int i = 0; i < MM; i++) {
            int oy = (k->ty0 + r) * MM + i;
            if (oy >= oh)
                break;
            opc_from_phases(MM, o + (size_t)i * MM * ld + r * k->cw, ld, k->cw, k->row);
            opc_copy_floats(x->out + ((size_t)co * oh + oy) * ow + ox0, k->row, len);
        }
}

#define OUTPUT_CHANNEL(N, M, R, P0, NP, x, k, co) output_channel(N, M, R, P0, NP, x, k, co)

static void output_channels(const wino_ctx *x, const wino_block *k, int c0, int c1)
{
    for (int co = c0; co < c1; co++)
        WINO_DISPATCH(x, OUTPUT_CHANNEL, x, k, co);
}

/* Each thread takes whole blocks, in whatever order they come free, and does all of a
 * block in its own buffers. */
static void block_loop(void *p, int thread, int thread_end)
{
    wino_ctx *x = p;
    for (int b; (b = atomic_fetch_add(&x->next, 1)) < x->geo.blocks;) {
        wino_block k = block_at(x, b, thread);
        input_channels(x, &k, 0, x->is.c);
        gemm_groups(x, &k, 0, x->geo.cout_groups);
        output_channels(x, &k, 0, x->os.c);
    }
}

/* A shared block: thread t takes the t-th share of the input channels... */
static void shared_inputs(void *p, int thread, int thread_end)
{
    const wino_ctx *x = p;
    int threads = x->threads;
    wino_block k = block_at(x, x->block, thread);
    input_channels(x, &k, x->is.c * thread / threads, x->is.c * (thread + 1) / threads);
}

/* ... then the t-th share of the output channel groups: U, the GEMMs and the outputs (each
 * thread reads back only the M it wrote). */
static void shared_outputs(void *p, int thread, int thread_end)
{
    const wino_ctx *x = p;
    int threads = x->threads;
    wino_block k = block_at(x, x->block, thread);
    int ga = x->geo.cout_groups * thread / threads, gb = x->geo.cout_groups * (thread + 1) / threads;
    gemm_groups(x, &k, ga, gb);
    int c1 = gb * OPC_LANES < x->os.c ? gb * OPC_LANES : x->os.c;
    output_channels(x, &k, ga * OPC_LANES, c1);
}

/* The first of the variant's finite points that starts a +- pair, and how many pairs
 * follow one another from there. */
static void point_pairs(const opc_wino_variant *v, int *p0, int *np)
{
    int count = v->m + v->r - 2;
    *p0 = 0;
    *np = 0;
    for (int i = 0; i + 1 < count; i++)
        if (v->points[i] != 0.0 && v->points[i + 1] == -v->points[i]) {
            *p0 = i;
            while (i + 1 < count && v->points[i] != 0.0 && v->points[i + 1] == -v->points[i]) {
                ++*np;
                i += 2;
            }
            return;
        }
}

void opc_fast_conv_winograd(const opc_kernel_args *a)
{
    const opc_wino_variant *v = a->param;
    wino_ctx x = {.l = a->layer, .in = a->in[0], .out = a->out, .is = a->in_shape[0],
                  .os = a->out_shape};
    opc_wino_mats w;
    opc_wino_build(v, &w);
    x.m = w.m;
    x.r = w.r;
    x.n = w.n;
    memcpy(x.at, w.at, sizeof x.at);
    memcpy(x.g, w.g, sizeof x.g);
    memcpy(x.bt, w.bt, sizeof x.bt);
    point_pairs(v, &x.p0, &x.np);
    if (!mirrored(w.bt, x.n, x.n, x.p0, x.np, 1, x.bt_sign) ||
        !mirrored(w.g, x.n, x.r, x.p0, x.np, 1, x.g_sign) ||
        !mirrored(w.at, x.m, x.n, x.p0, x.np, 0, NULL))
        x.np = 0;
    opc_layer_pads(x.l, x.is.h, x.is.w, x.pad);
    int threads = opc_pool_threads(a->pool);
    x.threads = threads;
    x.geo = geometry(v, &x.is, &x.os, threads);
    for (int j = 0; j < x.n; j++)
        x.col_off[j] = (int)(j % x.m * x.geo.phase + j / x.m);
    x.gg = a->scratch;
    x.vm = x.gg + x.geo.gg_floats;
    x.work = x.vm + (x.geo.shared ? x.geo.vm_floats : 0);
    atomic_init(&x.next, 0);
    opc_pool_for(a->pool, x.geo.cout_groups * x.is.c, gg_units, &x);
    if (!x.geo.shared) {
        opc_pool_for(a->pool, threads, block_loop, &x);
        return;
    }
    for (x.block = 0; x.block < x.geo.blocks; x.block++) {
        opc_pool_for(a->pool, threads, shared_inputs, &x);
        opc_pool_for(a->pool, threads, shared_outputs, &x);
    }
}
