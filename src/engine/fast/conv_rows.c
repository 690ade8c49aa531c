/* Fast convolution of layers with few input taps (Cin x kh x kw <= MAX_TAPS, as a network's
 * first layer on the image: 3 x 3 x 3), not 1x1. Unfolding the input (im2col) and a GEMM
 * with K = 27 cost twice the time of the arithmetic here: writing and reading back the
 * unfolded input took 40 % of MobileNet's first layer, and OpenBLAS runs a K = 27 GEMM at
 * half its speed. Instead each block of MR output channels x NR pixels of one output row
 * sums its K taps in registers, in tap order, straight from the input rows zero-padded and
 * deinterleaved by the stride (padded_rows.h), then adds bias and applies the activation
 * as it stores:
 *     out[co][oy][ox] = act(sum_t w[co][t] * in_t[oy][ox] + bias[co]),  t = (ci, ky, kx)
 * The weights are packed first by blocks of MR channels, [M / MR][K][MR]. Threads take
 * bands of output rows, those of their own part of the image first; every output is summed
 * by one thread in the same order whatever the thread count. */
#include "engine/fast/fast_kernels.h"

#include <stdatomic.h>
#include <string.h>

#include "engine/act.h"
#include "engine/lanes.h"
#include "engine/fast/padded_rows.h"

#define MR 8                   /* output channels of a register block */
#define NV 2                   /* pixel vectors of a register block: MR * NV sums */
#define NR (NV * OPC_LANES)    /* pixels of a register block */
#define MAX_TAPS 64            /* the tap offsets are kept in the context */
#define MAX_PARTS 16
/* Padded rows per thread, all input channels: in L2. */
#define BAND_FLOATS 32768

int opc_conv_rows_fits(const void *param, const opc_layer *l, const opc_shape *in,
                       const opc_shape *out)
{
    return l->group == 1 && in->c * l->kernel[0] * l->kernel[1] <= MAX_TAPS &&
           l->kernel[0] * l->kernel[1] > 1 && out->c >= MR && opc_rows_fit(l);
}

static int blocks_of(int m) { return (m + MR - 1) / MR; }

static opc_rows_geometry geometry(const opc_layer *l, const opc_shape *in, const opc_shape *out)
{
    return opc_rows_geometry_of(l, out, BAND_FLOATS / (size_t)in->c);
}

/* A band buffer per thread: every input channel's padded rows, and NR floats more, as the
 * last block of a row loads whole vectors past its end (those lanes are not stored). */
static size_t band_floats(const opc_rows_geometry *g, int channels)
{
    return (size_t)channels * g->rows * g->row + NR;
}

/* The packed weights, then the threads' band buffers. */
size_t opc_conv_rows_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                             const opc_shape *out, int threads)
{
    opc_rows_geometry g = geometry(l, in, out);
    size_t k = (size_t)in->c * l->kernel[0] * l->kernel[1];
    return (size_t)blocks_of(out->c) * MR * k + band_floats(&g, in->c) * threads;
}

typedef struct {
    const opc_kernel_args *a;
    opc_rows rows;
    const float *wp;       /* packed weights */
    float *bufs;           /* band buffers */
    int k, bands, parts;
    int off[MAX_TAPS];     /* tap t of output 0 of a band's first row, from the buffer */
    struct {
        _Alignas(64) atomic_int b; /* the next band of each part (a cache line each) */
    } next[MAX_PARTS];
} rows_ctx;

/* Output channels mb*MR .. +MR of the np <= NR pixels from ox of output row oy, whose
 * taps start at src. */
static inline __attribute__((always_inline)) void block(const rows_ctx *x, int mb, int oy,
                                                       int ox, int np, const float *src)
{
    const opc_layer *l = x->a->layer;
    const opc_shape os = x->a->out_shape;
    const float *w = x->wp + (size_t)mb * x->k * MR;
    opc_vlanes acc[MR][NV];
    for (int r = 0; r < MR; r++) /* tap 0, then the others added in order */
        for (int v = 0; v < NV; v++)
            acc[r][v] = w[r] * opc_load_lanes(src + x->off[0] + v * OPC_LANES);
    for (int t = 1; t < x->k; t++) {
        opc_vlanes xv[NV];
        for (int v = 0; v < NV; v++)
            xv[v] = opc_load_lanes(src + x->off[t] + v * OPC_LANES);
        for (int r = 0; r < MR; r++)
            for (int v = 0; v < NV; v++)
                acc[r][v] += w[t * MR + r] * xv[v];
    }
    int rows = os.c - mb * MR < MR ? os.c - mb * MR : MR;
    for (int r = 0; r < rows; r++) {
        int co = mb * MR + r;
        float bias = l->bias.data ? l->bias.data[co] : 0.0f;
        opc_act_fn act = opc_layer_act(l, co);
        float *dst = x->a->out + ((size_t)co * os.h + oy) * os.w + ox;
        for (int v = 0; v < NV && np > v * OPC_LANES; v++) {
            int cnt = np - v * OPC_LANES < OPC_LANES ? np - v * OPC_LANES : OPC_LANES;
            opc_store_lanes_n(dst + v * OPC_LANES, opc_act_lanes(acc[r][v] + bias, act),
                              cnt);
        }
    }
}

/* Output rows of band b, with band buffer buf. */
static void band(const rows_ctx *x, int b, float *buf)
{
    const opc_kernel_args *a = x->a;
    const opc_shape is = a->in_shape[0], os = a->out_shape;
    const opc_rows_geometry *g = &x->rows.geo;
    int sh = a->layer->stride[0], oy0 = b * g->band;
    int oy1 = oy0 + g->band < os.h ? oy0 + g->band : os.h;
    for (int c = 0; c < is.c; c++)
        for (int r = 0; r < (oy1 - oy0 - 1) * sh + g->span; r++)
            opc_padded_row(&x->rows, a->in[0] + (size_t)c * is.h * is.w,
                           oy0 * sh + r - x->rows.pad[0],
                           buf + ((size_t)c * g->rows + r) * g->row);
    for (int oy = oy0; oy < oy1; oy++) {
        const float *src = buf + (size_t)(oy - oy0) * sh * g->row;
        for (int mb = 0; mb < blocks_of(os.c); mb++) /* a row of MR channels at a time */
            for (int ox = 0; ox < os.w; ox += NR)
                block(x, mb, oy, ox, os.w - ox < NR ? os.w - ox : NR, src + ox);
    }
}

/* Takes bands of its own part, then of the others, with band buffer `slot`. */
static void bands(void *p, int slot, int slot_end)
{
    rows_ctx *x = p;
    float *buf = x->bufs + band_floats(&x->rows.geo, x->a->in_shape[0].c) * (size_t)slot;
    memset(buf, 0, band_floats(&x->rows.geo, x->a->in_shape[0].c) * sizeof(float));
    for (int k = 0; k < x->parts; k++) {
        int part = (slot + k) % x->parts, end = x->bands * (part + 1) / x->parts;
        for (int b; (b = atomic_fetch_add(&x->next[part].b, 1)) < end;)
            band(x, b, buf);
    }
}

void opc_fast_conv_rows(const opc_kernel_args *a)
{
    const opc_layer *l = a->layer;
    rows_ctx x = {.a = a, .wp = a->scratch};
    opc_rows_init(&x.rows, l, &a->in_shape[0], &a->out_shape,
                  BAND_FLOATS / (size_t)a->in_shape[0].c);
    const opc_rows_geometry *g = &x.rows.geo;
    int kh = l->kernel[0], kw = l->kernel[1], m = a->out_shape.c;
    x.k = a->in_shape[0].c * kh * kw;
    for (int t = 0; t < x.k; t++) {
        int c = t / (kh * kw), ky = t / kw % kh, kx = t % kw;
        x.off[t] = (int)(((size_t)c * g->rows + (size_t)ky * l->dilation[0]) * g->row) +
                   x.rows.tap[kx];
    }
    float *wp = a->scratch;
    for (int mb = 0; mb < blocks_of(m); mb++)
        for (int t = 0; t < x.k; t++)
            for (int r = 0; r < MR; r++) {
                int co = mb * MR + r;
                wp[((size_t)mb * x.k + t) * MR + r] = co < m ? l->weight.data[(size_t)co * x.k + t]
                                                             : 0.0f;
            }
    x.bufs = a->scratch + (size_t)blocks_of(m) * MR * x.k;
    x.bands = (a->out_shape.h + g->band - 1) / g->band;
    int threads = opc_pool_threads(a->pool);
    x.parts = threads < MAX_PARTS ? threads : MAX_PARTS;
    for (int k = 0; k < x.parts; k++)
        atomic_init(&x.next[k].b, x.bands * k / x.parts);
    opc_pool_for(a->pool, threads, bands, &x);
}
