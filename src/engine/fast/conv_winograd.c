/* Fast convolution by Winograd's minimal filtering F(m x m, r x r) (see winograd.h), for
 * stride-1, undilated, ungrouped r x r convolutions. The output is cut into m x m tiles;
 * for each tile and input channel the n x n input patch d (n = m + r - 1) becomes
 * V = BT d B, each filter g becomes U = G g GT, and for each of the n*n transform points t
 * one GEMM sums over the input channels:
 *     M_t [Cout x T] = U_t [Cout x Cin] * V_t [Cin x T]      (T tiles)
 * after which a tile's output is AT M A, plus bias, activated. That is n*n multiplies per
 * m*m outputs instead of m*m*r*r: 5.1x fewer for F(6x6, 3x3), 5.4x for F(3x3, 7x7).
 * The filters are transformed at every run: it costs about a tenth of a forward (BODY_25:
 * 11 % of the cycles, the transformed filters being 7.1x the weights of a 3x3 layer) and
 * keeps memory flat (no transformed copy of the model, which would add 0.7 GB for BODY_25).
 *
 * Two schedules, by how many blocks of tile rows the layer has (geometry(), few_blocks()):
 * - many blocks (large maps): U is made once for the layer, split over output channels;
 *   then each thread takes whole blocks and does all of a block in its own L2-sized
 *   buffers: input patches -> V, the n*n GEMMs, M -> output tiles. No waiting between
 *   phases.
 * - few blocks (small maps, typically many channels): the whole layer is one block and
 *   its phases are split between threads: inputs -> V over input channels; then the
 *   GEMMs by rows a of transform points, each thread making the n points' U_(a,b) in its
 *   own buffer right before their GEMMs (so U, up to 16x the size of the filters, never
 *   goes through memory whole); M -> outputs over output channels.
 * Every phase splits what it writes, never a sum, so no result depends on the thread
 * count. The transforms handle OPC_LANES tiles (or filters) at once, one lane each, so
 * their arithmetic is plain vector code. */
#include "engine/fast/fast_kernels.h"

#include <cblas.h>
#include <stdatomic.h>
#include <string.h>

#include "engine/act.h"
#include "engine/fast/winograd.h"

#define MAXN OPC_WINO_MAX_N
/* Tiles per transform unit along a tile row: a bounded slice, so the per-unit buffers are
 * small whatever the image width. */
#define CHUNK (4 * OPC_LANES)
#define CHUNK_V (CHUNK / OPC_LANES)
/* V + M of one block, in floats (1 MiB): small enough to stay in a core's L2 cache
 * between the transforms and the GEMMs, which measured 25% faster than letting them
 * spill to L3 on the OpenPose 7x7 layers. */
#define BLOCK_FLOATS ((size_t)1 << 18)
/* Readable floats after each thread's block (its own), for whole-vector loads of the last
 * tiles; in the few-blocks schedule the U rows follow M. */
#define SLACK_FLOATS (CHUNK + OPC_LANES)

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

typedef struct {
    int n;
    int tiles_y, tiles_x, chunks; /* chunks: CHUNK-wide slices of a tile row */
    int block_rows, blocks;       /* tile rows per block, number of blocks */
    size_t u_floats, block_floats;
    size_t gt_floats, urow_floats; /* few-blocks schedule: filters by lanes, one U row */
    int cin_groups;                /* input channels in OPC_LANES groups */
    int in_rows, row_floats;       /* many blocks: input rows the tiles cover, and the
                                      floats of one's column transform (n x chunk width) */
    size_t h_floats;               /* many blocks: every input row's column transform */
} wino_geometry;

/* V + M of the whole layer. */
static size_t per_layer_floats(const wino_geometry *g, const opc_shape *in,
                               const opc_shape *out)
{
    return (size_t)g->n * g->n * (in->c + out->c) * g->tiles_y * g->tiles_x;
}

/* Whether the layer takes the few-blocks schedule (see the top): with fewer than 4 blocks
 * a thread, sharing out whole blocks leaves threads idle at the end (the few-blocks
 * schedule measured 4-7 % faster on BODY_25, 2-3 % on COCO, than with 2 a thread). */
static int few_blocks(const wino_geometry *g, int threads) { return g->blocks < 4 * threads; }

/* Blocks are runs of whole tile rows. Each GEMM of a block packs U_t (Cout x Cin) anew, so
 * a block must have enough tiles to pay for that: at least Cout * Cin / 1024 (and 16), which
 * leaves the wide layers one block. The sizes depend on the shapes only, never on the
 * thread count, so neither do the results. */
static wino_geometry geometry(const opc_wino_variant *v, const opc_shape *in,
                              const opc_shape *out)
{
    wino_geometry g;
    g.n = v->m + v->r - 1;
    size_t nn = (size_t)g.n * g.n;
    g.tiles_y = (out->h + v->m - 1) / v->m;
    g.tiles_x = (out->w + v->m - 1) / v->m;
    g.chunks = (g.tiles_x + CHUNK - 1) / CHUNK;
    size_t per_row = nn * (size_t)(in->c + out->c) * g.tiles_x;
    size_t min_tiles = (size_t)out->c * in->c / 1024;
    if (min_tiles < 16)
        min_tiles = 16;
    size_t rows = BLOCK_FLOATS / per_row, need = (min_tiles + g.tiles_x - 1) / g.tiles_x;
    if (rows < need)
        rows = need;
    g.block_rows = rows > (size_t)g.tiles_y ? g.tiles_y : (int)rows;
    g.blocks = (g.tiles_y + g.block_rows - 1) / g.block_rows;
    g.u_floats = nn * (size_t)out->c * in->c;
    g.block_floats = per_row * g.block_rows;
    g.cin_groups = (in->c + OPC_LANES - 1) / OPC_LANES;
    g.gt_floats = (size_t)out->c * g.cin_groups * v->r * v->r * OPC_LANES;
    g.urow_floats = (size_t)g.n * out->c * in->c;
    g.in_rows = (g.tiles_y - 1) * v->m + g.n;
    int width = g.tiles_x < CHUNK ? (g.tiles_x + OPC_LANES - 1) / OPC_LANES * OPC_LANES : CHUNK;
    g.row_floats = g.n * width;
    g.h_floats = (size_t)in->c * g.chunks * g.in_rows * g.row_floats;
    return g;
}

/* Many blocks: U, the input rows' column transforms, then V + M for each thread. Few: the
 * filters by lanes, V + M of the whole layer (no bigger than 4 * threads blocks), one U row
 * per thread. */
size_t opc_winograd_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                            const opc_shape *out, int threads)
{
    wino_geometry g = geometry(param, in, out);
    if (few_blocks(&g, threads))
        return g.gt_floats + per_layer_floats(&g, in, out) + g.urow_floats * (size_t)threads;
    return g.u_floats + g.h_floats + (g.block_floats + SLACK_FLOATS) * (size_t)threads;
}

/* One block of tile rows and where its transforms live. */
typedef struct {
    int ty0, nt;   /* tile rows from ty0; nt tiles */
    /* Channel-major, so that a transform reads or writes one contiguous block per
     * channel; the GEMM of point t takes every (n*n)-th row. */
    float *v;      /* [Cin][n*n][nt] */
    float *mm;     /* [Cout][n*n][nt] */
} wino_block;

typedef struct {
    const opc_layer *l;
    int m, r, n;
    opc_wino_op at, g, bt;
    const float *in;
    float *out;
    opc_shape is, os;
    int pad[4];
    wino_geometry geo;
    float *u;           /* many blocks: [Cout][n*n][Cin] */
    float *h;           /* many blocks: [Cin][chunks][in_rows][row_floats], or NULL */
    float *blocks;      /* many blocks: each thread's V + M */
    float *gt;          /* few blocks: [Cout][Cin / OPC_LANES][r*r][OPC_LANES] */
    float *urows;       /* few blocks: each thread's U row [n][Cout][Cin] */
    float g_rows[MAXN][MAXN]; /* G, for one row at a time */
    wino_block cur;     /* the block all threads work on (few blocks) */
    atomic_int next;    /* the next block or row to take */
} wino_ctx;

static wino_block block_at(const wino_ctx *x, int b, int thread)
{
    wino_block k;
    k.ty0 = b * x->geo.block_rows;
    int rows = x->geo.tiles_y - k.ty0 < x->geo.block_rows ? x->geo.tiles_y - k.ty0
                                                         : x->geo.block_rows;
    k.nt = rows * x->geo.tiles_x;
    k.v = x->blocks + (size_t)thread * (x->geo.block_floats + SLACK_FLOATS);
    k.mm = k.v + (size_t)x->n * x->n * x->is.c * k.nt;
    return k;
}

/* U[co][t][ci0 + e] = (G g GT)[t] for the filters (co, ci0 + e), e < cnt. */
static void weight_lanes(const wino_ctx *x, int co, int ci0, int cnt)
{
    int n = x->n, r = x->r, cin = x->is.c;
    float gk[MAXN][MAXN * OPC_LANES], t[MAXN][MAXN * OPC_LANES], u[MAXN][OPC_LANES];
    opc_vlanes tmp[MAXN * MAXN];
    const float *src = x->l->weight.data + ((size_t)co * cin + ci0) * r * r;
    for (int e = 0; e < OPC_LANES; e++)
        for (int k = 0; k < r; k++)
            for (int l = 0; l < r; l++)
                gk[k][l * OPC_LANES + e] = e < cnt ? src[(size_t)e * r * r + k * r + l] : 0.0f;
    const float *rows[MAXN] = {0};
    for (int k = 0; k < r; k++)
        rows[k] = gk[k];
    opc_wino_apply(&x->g, rows, OPC_LANES, t[0], MAXN * OPC_LANES, OPC_LANES, r, tmp); /* G g */
    float *dst = x->u + (size_t)co * n * n * cin + ci0;
    for (int a = 0; a < n; a++) {                               /* U = t GT, row a */
        const float *cols[MAXN] = {0};
        for (int l = 0; l < r; l++)
            cols[l] = t[a] + l * OPC_LANES;
        opc_wino_apply(&x->g, cols, OPC_LANES, u[0], OPC_LANES, OPC_LANES, 1, tmp);
        for (int b = 0; b < n; b++)
            opc_store_lanes_n(dst + (size_t)(a * n + b) * cin, opc_load_lanes(u[b]), cnt);
    }
}

static void weight_channels(const wino_ctx *x, int co0, int co1)
{
    for (int co = co0; co < co1; co++)
        for (int ci = 0; ci < x->is.c; ci += OPC_LANES)
            weight_lanes(x, co, ci, x->is.c - ci < OPC_LANES ? x->is.c - ci : OPC_LANES);
}

/* Largest deinterleaved row slice (see row_transform), rounded up to whole vectors. */
#define SEG_FLOATS (MAXN * (CHUNK + MAXN) + OPC_LANES)

/* h[b * nv * OPC_LANES + e] = (d B)[b] of input row iy for the tiles tx0 + e, e < nv lanes
 * of vectors: the column half of the input transform. The row slice is first deinterleaved by column phase: entry
 * (p, s) is column x0 + s*m + p, so column j of tile e is entry (j % m, e + j / m) and the
 * lanes of one tile column are contiguous (no transposition; shared columns read once). */
static void row_transform(const wino_ctx *x, const float *plane, int iy, int tx0, int nv,
                          float *h)
{
    int n = x->n, m = x->m, iw = x->is.w, w = nv * OPC_LANES;
    int q = w + (n - 1) / m;
    float seg[SEG_FLOATS];
    opc_vlanes tmp[MAXN * CHUNK_V];
    if (iy < 0 || iy >= x->is.h) {
        memset(h, 0, (size_t)n * w * sizeof(float));
        return;
    }
    int x0 = tx0 * m - x->pad[1];
    const float *src = plane + (size_t)iy * iw + x0;
    for (int p = 0; p < m; p++) {
        /* Entries s of phase p inside the image: 0 <= x0 + s*m + p < iw. */
        int s0 = x0 + p >= 0 ? 0 : (-(x0 + p) + m - 1) / m;
        int s1 = iw - x0 - p <= 0 ? 0 : (iw - x0 - p + m - 1) / m;
        if (s1 > q)
            s1 = q;
        if (s0 > s1)
            s0 = s1;
        float *d = seg + p * q;
        for (int s = 0; s < s0; s++)
            d[s] = 0.0f;
        for (int s = s0; s < s1; s++)
            d[s] = src[s * m + p];
        for (int s = s1; s < q; s++)
            d[s] = 0.0f;
    }
    const float *cols[MAXN] = {0};
    for (int j = 0; j < n; j++)
        cols[j] = seg + (j % m) * q + j / m;
    opc_wino_apply(&x->bt, cols, OPC_LANES, h, (size_t)w, OPC_LANES, nv, tmp);
}

/* The column transform of input row `row` (counted from the first the tiles cover) of
 * channel ci, chunk tx0, in the layer-wide store (many blocks). */
static float *h_row(const wino_ctx *x, int ci, int tx0, int row)
{
    size_t unit = (size_t)ci * x->geo.chunks + tx0 / CHUNK;
    return x->h + (unit * x->geo.in_rows + row) * x->geo.row_floats;
}

/* Every input row's column transform, channel and chunk units u0 .. u1 - 1. */
static void h_rows(void *p, int u0, int u1)
{
    const wino_ctx *x = p;
    for (int u = u0; u < u1; u++) {
        int ci = u / x->geo.chunks, tx0 = u % x->geo.chunks * CHUNK, tx_n = x->geo.tiles_x;
        int cw = tx_n - tx0 < CHUNK ? tx_n - tx0 : CHUNK, nv = (cw + OPC_LANES - 1) / OPC_LANES;
        const float *plane = x->in + (size_t)ci * x->is.h * x->is.w;
        for (int row = 0; row < x->geo.in_rows; row++)
            row_transform(x, plane, row - x->pad[0], tx0, nv, h_row(x, ci, tx0, row));
    }
}

/* V[ci][t][...] for the tiles tx0 .. tx0 + cw - 1 of every tile row of block k. The
 * column transforms of an input row are shared by the n / m tile rows that overlap it:
 * they come from the layer-wide store when there is one, else from a ring of the last n
 * rows. */
static void input_unit(const wino_ctx *x, const wino_block *k, int ci, int tx0, int cw)
{
    int n = x->n, m = x->m, rows = k->nt / x->geo.tiles_x;
    int nv = (cw + OPC_LANES - 1) / OPC_LANES, w = nv * OPC_LANES;
    float ring[MAXN][MAXN * CHUNK], y[MAXN][MAXN * CHUNK]; /* [row][b * w + e] */
    opc_vlanes tmp[MAXN * MAXN * CHUNK_V];
    const float *plane = x->in + (size_t)ci * x->is.h * x->is.w;
    int iy0 = k->ty0 * m - x->pad[0], have = 0; /* ring rows computed so far */
    float *dst = k->v + (size_t)ci * n * n * k->nt + tx0;
    for (int r = 0; r < rows; r++) {
        const float *in[MAXN] = {0};
        if (x->h) {
            for (int i = 0; i < n; i++)
                in[i] = h_row(x, ci, tx0, (k->ty0 + r) * m + i);
        } else {
            for (; have < r * m + n; have++)
                row_transform(x, plane, iy0 + have, tx0, nv, ring[have % n]);
            for (int i = 0; i < n; i++)
                in[i] = ring[(r * m + i) % n];
        }
        opc_wino_apply(&x->bt, in, OPC_LANES, y[0], MAXN * CHUNK, OPC_LANES, n * nv, tmp);
        for (int t = 0; t < n * n; t++)
            opc_copy_floats(dst + (size_t)t * k->nt + (size_t)r * x->geo.tiles_x,
                            y[t / n] + (t % n) * w, cw);
    }
}

/* Units u0 .. u1 - 1 of (input channel, chunk) of block k. */
static void input_units(const wino_ctx *x, const wino_block *k, int u0, int u1)
{
    for (int u = u0; u < u1; u++) {
        int tx0 = u % x->geo.chunks * CHUNK, tx_n = x->geo.tiles_x;
        input_unit(x, k, u / x->geo.chunks, tx0, tx_n - tx0 < CHUNK ? tx_n - tx0 : CHUNK);
    }
}

/* The GEMMs of transform points t0 .. t1 - 1 of block k, each single-threaded. */
static void gemm_points(const wino_ctx *x, const wino_block *k, int t0, int t1)
{
    int cin = x->is.c, cout = x->os.c, nt = k->nt, nn = x->n * x->n;
    for (int t = t0; t < t1; t++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cout, nt, cin, 1.0f,
                    x->u + (size_t)t * cin, nn * cin, k->v + (size_t)t * nt, nn * nt, 0.0f,
                    k->mm + (size_t)t * nt, nn * nt);
}

/* dst[e * m + j] = y[j * CHUNK + e] for e < cnt, j < m: the m output columns of cnt tiles. */
static inline __attribute__((always_inline)) void interleave(int m, float *restrict dst,
                                                             const float *restrict y, int cnt)
{
    for (int e = 0; e < cnt; e++)
        for (int j = 0; j < m; j++)
            dst[e * m + j] = y[j * CHUNK + e];
}

/* dst[0 .. len - 1]: one output row of the tiles in y (see interleave); the image's right
 * edge may cut the last tile. */
static void store_row(int m, float *restrict dst, const float *restrict y, int len)
{
    int whole = len / m;
    switch (m) { /* constant m: unrolled, no multiply per element */
    case 2: interleave(2, dst, y, whole); break;
    case 3: interleave(3, dst, y, whole); break;
    case 4: interleave(4, dst, y, whole); break;
    case 6: interleave(6, dst, y, whole); break;
    default: interleave(m, dst, y, whole); break;
    }
    for (int j = 0; j < len - whole * m; j++)
        dst[whole * m + j] = y[j * CHUNK + whole];
}

/* Output channel co, tiles tx0 .. tx0 + cw - 1 of every tile row of block k:
 * AT M A + bias, activated. When a tile row is narrower than a vector (8 tiles or fewer,
 * dividing OPC_LANES, as on the 46-wide maps), one vector holds several tile rows: M has
 * them side by side already. */
static void output_unit(const wino_ctx *x, const wino_block *k, int co, int tx0, int cw)
{
    const opc_layer *l = x->l;
    int n = x->n, m = x->m, oh = x->os.h, ow = x->os.w, tx_n = x->geo.tiles_x;
    int rows = k->nt / tx_n;
    int stack = x->geo.chunks == 1 && tx_n < OPC_LANES && OPC_LANES % tx_n == 0
                    ? OPC_LANES / tx_n : 1;
    int nv = (cw * stack + OPC_LANES - 1) / OPC_LANES, w = nv * OPC_LANES;
    float mv[MAXN][MAXN * CHUNK], t[MAXN][MAXN * CHUNK], y[MAXN][CHUNK]; /* [.][b * w + e] */
    opc_vlanes tmp[MAXN * MAXN * CHUNK_V];
    float bias = l->bias.data ? l->bias.data[co] : 0.0f;
    opc_act_fn act = opc_layer_act(l, co);
    const float *src = k->mm + (size_t)co * n * n * k->nt + tx0;
    int x0 = tx0 * m, len = ow - x0 < cw * m ? ow - x0 : cw * m;
    for (int r = 0; r < rows; r += stack) {
        /* Whole vectors: lanes past the tiles hold the next tiles' values (or, at the very
         * end, the scratch's slack), used for nothing; partial loads would stall. */
        const float *in[MAXN] = {0};
        size_t xvs = OPC_LANES;
        if (nv == 1) { /* M's rows straight in: point (a, b) of the tiles at in[a] + b*nt */
            for (int a = 0; a < n; a++)
                in[a] = src + (size_t)a * n * k->nt + (size_t)r * tx_n;
            xvs = (size_t)k->nt;
        } else {
            for (int tpt = 0; tpt < n * n; tpt++) {
                float *d = mv[tpt / n] + (tpt % n) * w;
                const float *s = src + (size_t)tpt * k->nt + (size_t)r * tx_n;
                for (int e = 0; e < w; e += OPC_LANES)
                    opc_store_lanes(d + e, opc_load_lanes(s + e));
            }
            for (int a = 0; a < n; a++)
                in[a] = mv[a];
        }
        opc_wino_apply(&x->at, in, xvs, t[0], MAXN * CHUNK, OPC_LANES, n * nv, tmp);
        for (int i = 0; i < m; i++) {
            for (int b = 0; b < n; b++)
                in[b] = t[i] + b * w;
            opc_wino_apply(&x->at, in, OPC_LANES, y[0], CHUNK, OPC_LANES, nv, tmp);
            for (int j = 0; j < m; j++)
                for (int e = 0; e < w; e += OPC_LANES)
                    opc_store_lanes(y[j] + e, opc_act_lanes(opc_load_lanes(y[j] + e) + bias, act));
            for (int g = 0; g < stack && r + g < rows; g++) {
                int oy = (k->ty0 + r + g) * m + i;
                if (oy >= oh)
                    break;
                float *dst = x->out + ((size_t)co * oh + oy) * ow + x0;
                store_row(m, dst, y[0] + g * cw, len);
            }
        }
    }
}

/* Units u0 .. u1 - 1 of (output channel, chunk) of block k. */
static void output_units(const wino_ctx *x, const wino_block *k, int u0, int u1)
{
    for (int u = u0; u < u1; u++) {
        int tx0 = u % x->geo.chunks * CHUNK, tx_n = x->geo.tiles_x;
        output_unit(x, k, u / x->geo.chunks, tx0, tx_n - tx0 < CHUNK ? tx_n - tx0 : CHUNK);
    }
}

/* gt[co][group][k*r + l][e] = g[co][group*OPC_LANES + e][k][l] (0 past Cin): the filters
 * with OPC_LANES input channels side by side, for the U rows. */
static void transpose_filters(void *p, int co0, int co1)
{
    const wino_ctx *x = p;
    int r2 = x->r * x->r, cin = x->is.c;
    for (int co = co0; co < co1; co++)
        for (int grp = 0; grp < x->geo.cin_groups; grp++) {
            float *dst = x->gt + ((size_t)co * x->geo.cin_groups + grp) * r2 * OPC_LANES;
            for (int e = 0; e < OPC_LANES; e++) {
                int ci = grp * OPC_LANES + e;
                const float *src = x->l->weight.data + ((size_t)co * cin + ci) * r2;
                for (int kl = 0; kl < r2; kl++)
                    dst[kl * OPC_LANES + e] = ci < cin ? src[kl] : 0.0f;
            }
        }
}

/* urow[b][co][ci] = (G g GT)[a][b] for every filter: row a of U. */
static void u_row(const wino_ctx *x, int a, float *urow)
{
    int n = x->n, r = x->r, cin = x->is.c, r2 = r * r;
    opc_vlanes tmp[MAXN * MAXN];
    for (int co = 0; co < x->os.c; co++)
        for (int grp = 0; grp < x->geo.cin_groups; grp++) {
            const float *g = x->gt + ((size_t)co * x->geo.cin_groups + grp) * r2 * OPC_LANES;
            float t[MAXN][OPC_LANES], u[MAXN][OPC_LANES];
            for (int l = 0; l < r; l++) { /* t = (G g)[a] */
                opc_vlanes acc = {0};
                for (int k = 0; k < r; k++)
                    acc += x->g_rows[a][k] * opc_load_lanes(g + (k * r + l) * OPC_LANES);
                opc_store_lanes(t[l], acc);
            }
            const float *cols[MAXN] = {0};
            for (int l = 0; l < r; l++)
                cols[l] = t[l];
            opc_wino_apply(&x->g, cols, OPC_LANES, u[0], OPC_LANES, OPC_LANES, 1, tmp); /* t GT */
            int ci0 = grp * OPC_LANES, cnt = cin - ci0 < OPC_LANES ? cin - ci0 : OPC_LANES;
            for (int b = 0; b < n; b++)
                opc_store_lanes_n(urow + ((size_t)b * x->os.c + co) * cin + ci0,
                                  opc_load_lanes(u[b]), cnt);
        }
}

/* Takes rows a of transform points until none are left: U row a in buffer `slot`, then
 * its n GEMMs, M_(a,b) = U_(a,b) V_(a,b) for the whole layer. */
static void row_gemms(void *p, int slot, int slot_end)
{
    wino_ctx *x = p;
    const wino_block *k = &x->cur;
    int cin = x->is.c, cout = x->os.c, n = x->n, nn = n * n, nt = k->nt;
    float *urow = x->urows + (size_t)slot * x->geo.urow_floats;
    for (int a; (a = atomic_fetch_add(&x->next, 1)) < n;) {
        u_row(x, a, urow);
        for (int b = 0; b < n; b++) {
            int t = a * n + b;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cout, nt, cin, 1.0f,
                        urow + (size_t)b * cout * cin, cin, k->v + (size_t)t * nt, nn * nt,
                        0.0f, k->mm + (size_t)t * nt, nn * nt);
        }
    }
}

/* The pool's loop bodies. */
static void weights_loop(void *p, int co0, int co1) { weight_channels(p, co0, co1); }
static void input_loop(void *p, int u0, int u1)
{
    const wino_ctx *x = p;
    input_units(x, &x->cur, u0, u1);
}
static void output_loop(void *p, int u0, int u1)
{
    const wino_ctx *x = p;
    output_units(x, &x->cur, u0, u1);
}

/* Per-thread mode: each thread takes whole blocks, in whatever order they come free, and
 * does all of a block in its own buffers: no waiting on the others between phases. */
static void block_loop(void *p, int thread, int thread_end)
{
    wino_ctx *x = p;
    int units_in = x->is.c * x->geo.chunks, units_out = x->os.c * x->geo.chunks;
    for (int b; (b = atomic_fetch_add(&x->next, 1)) < x->geo.blocks;) {
        wino_block k = block_at(x, b, thread);
        input_units(x, &k, 0, units_in);
        gemm_points(x, &k, 0, x->n * x->n);
        output_units(x, &k, 0, units_out);
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
    opc_wino_op_build(w.at, w.m, w.n, &x.at);
    opc_wino_op_build(w.g, w.n, w.r, &x.g);
    opc_wino_op_build(w.bt, w.n, w.n, &x.bt);
    opc_layer_pads(x.l, x.is.h, x.is.w, x.pad);
    x.geo = geometry(v, &x.is, &x.os);
    int threads = opc_pool_threads(a->pool);
    atomic_init(&x.next, 0);
    if (!few_blocks(&x.geo, threads)) {
        x.u = a->scratch;
        x.h = x.u + x.geo.u_floats;
        x.blocks = x.h + x.geo.h_floats;
        opc_pool_for(a->pool, x.os.c, weights_loop, &x);
        opc_pool_for(a->pool, x.is.c * x.geo.chunks, h_rows, &x);
        opc_pool_for(a->pool, threads, block_loop, &x);
        return;
    }
    memcpy(x.g_rows, w.g, sizeof x.g_rows);
    x.gt = a->scratch;
    x.cur = (wino_block){0, x.geo.tiles_y * x.geo.tiles_x, x.gt + x.geo.gt_floats, NULL};
    x.cur.mm = x.cur.v + (size_t)x.n * x.n * x.is.c * x.cur.nt;
    x.urows = x.cur.mm + (size_t)x.n * x.n * x.os.c * x.cur.nt;
    opc_pool_for(a->pool, x.os.c, transpose_filters, &x);
    opc_pool_for(a->pool, x.is.c * x.geo.chunks, input_loop, &x);
    opc_pool_for(a->pool, threads, row_gemms, &x);
    opc_pool_for(a->pool, x.os.c * x.geo.chunks, output_loop, &x);
}
