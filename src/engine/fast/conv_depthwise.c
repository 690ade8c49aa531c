/* Fast depthwise convolution (group == in channels == out channels): each output channel
 * sees one input channel, too little work per GEMM, so it is a direct loop. A thread
 * copies the input rows a band of output rows needs into its scratch, zero-padded and
 * deinterleaved by the stride (padded_rows.h), so every tap of OPC_LANES consecutive
 * outputs is one vector. Then it walks the band's output vectors row by row, four at a
 * time (across rows when rows are short, so narrow planes keep four sums in flight too);
 * each sums bias + all taps in registers, in (ky, kx) order, and the activation is
 * applied as it is stored. 3x3 kernels, nearly all depthwise layers, get their own copy
 * of the loop with the taps unrolled and the weights and activation fixed per channel; at
 * stride 1 that copy takes four rows down each column instead, sharing their input rows.
 * The usual 3x3 layers, "same" at stride 1 and stride 2 with padding 0 or 1 before, read
 * the input plane itself, with no copy (dw_same_3x3, dw_s2_3x3). */
#include "engine/fast/fast_kernels.h"

#include <string.h>

#include "engine/act.h"
#include "engine/lanes.h"
#include "engine/fast/padded_rows.h"

int opc_depthwise_fits(const void *param, const opc_layer *l, const opc_shape *in,
                       const opc_shape *out)
{
    return l->group == in->c && out->c == in->c && l->weight.shape[1] == 1 && opc_rows_fit(l);
}

/* The work is cut into units, one channel of one part of the output rows (parts of at
 * least DW_PART_ROWS rows, at most one per thread, cut as parts.h cuts them), and the units,
 * part by part, into DW_PIECES pieces per thread, each with its own padded-rows buffer,
 * which the pool hands out thread t's share first. Where the rows make one part per
 * thread, a core works on the rows the 1x1 convolutions around it read and write on that
 * core; on smaller maps each thread takes a run of consecutive channels. (Before, threads
 * took one channel at a time from a counter they shared, and its cache line went from core
 * to core at every channel.) */
#define DW_PART_ROWS 16
#define DW_PIECES 4

/* The padded rows of a band stay in L2 (64 KB; measured on MobileNet: no slower than a
 * whole plane, and a 24 KB band for L1 was no faster). */
#define DW_BAND_FLOATS 16384

/* One band of padded rows per piece. */
size_t opc_depthwise_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                             const opc_shape *out, int threads)
{
    opc_rows_geometry g = opc_rows_geometry_of(l, out, DW_BAND_FLOATS);
    return (size_t)g.rows * g.row * threads * DW_PIECES;
}

typedef struct {
    const opc_kernel_args *a;
    opc_rows rows;
    int parts;  /* the rows are cut in this many parts */
    int pieces; /* and the parts x channels units in this many pieces */
    int same;   /* dw_same_3x3 takes the layer (same_3x3) */
    int s2;     /* dw_s2_3x3 takes it (s2_3x3) */
} dw_ctx;

/* Output rows [oy0, oy1) of channel c from their padded input rows `src` (the first is
 * padded row oy0 * sh, input row oy0 * sh - pad). Inlined with constant kh, kw and act for
 * the common cases: the tap loops unroll, and the weights, copied to a local the stores
 * cannot alias, stay in registers. Output vectors are numbered row by row (v of nvec in
 * row oy); each pass of the main loop takes the next four. */
static inline __attribute__((always_inline)) void dw_band(const dw_ctx *x, int c, int oy0,
                                                          int oy1, const float *src, int kh,
                                                          int kw, opc_act act)
{
    const opc_kernel_args *a = x->a;
    const opc_layer *l = a->layer;
    const opc_shape os = a->out_shape;
    int sh = l->stride[0], dh = l->dilation[0];
    size_t row = x->rows.geo.row;
    float wk[OPC_ROWS_MAX_SPAN * OPC_ROWS_MAX_SPAN];
    int off[OPC_ROWS_MAX_SPAN * OPC_ROWS_MAX_SPAN]; /* tap (ky, kx) of output 0, from its row start */
    for (int ky = 0; ky < kh; ky++)
        for (int kx = 0; kx < kw; kx++) {
            wk[ky * kw + kx] = l->weight.data[((size_t)c * kh + ky) * kw + kx];
            off[ky * kw + kx] = (int)(ky * dh * row) + x->rows.tap[kx];
        }
    float bias = l->bias.data ? l->bias.data[c] : 0.0f;
    opc_act_fn f = opc_layer_act(l, c);
    f.act = act; /* the caller's constant, so each activation's loop is its own */
    float *out = a->out + (size_t)c * os.h * os.w;
    int nvec = (os.w + OPC_LANES - 1) / OPC_LANES, n = (oy1 - oy0) * nvec;
    int oy = oy0, v = 0; /* the next output vector */
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        const float *p[4];
        float *d[4];
        int cnt[4];
        for (int j = 0; j < 4; j++) { /* the four vectors' inputs and outputs */
            p[j] = src + (size_t)(oy - oy0) * sh * row + v * OPC_LANES;
            d[j] = out + (size_t)oy * os.w + v * OPC_LANES;
            cnt[j] = os.w - v * OPC_LANES < OPC_LANES ? os.w - v * OPC_LANES : OPC_LANES;
            if (++v == nvec)
                v = 0, oy++;
        }
        opc_vlanes s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
        s0 += bias;
        s1 += bias;
        s2 += bias;
        s3 += bias;
        for (int t = 0; t < kh * kw; t++) {
            s0 += wk[t] * opc_load_lanes(p[0] + off[t]);
            s1 += wk[t] * opc_load_lanes(p[1] + off[t]);
            s2 += wk[t] * opc_load_lanes(p[2] + off[t]);
            s3 += wk[t] * opc_load_lanes(p[3] + off[t]);
        }
        opc_store_lanes_n(d[0], opc_act_lanes(s0, f), cnt[0]);
        opc_store_lanes_n(d[1], opc_act_lanes(s1, f), cnt[1]);
        opc_store_lanes_n(d[2], opc_act_lanes(s2, f), cnt[2]);
        opc_store_lanes_n(d[3], opc_act_lanes(s3, f), cnt[3]);
    }
    for (; i < n; i++) { /* the last 0-3 vectors */
        const float *p = src + (size_t)(oy - oy0) * sh * row + v * OPC_LANES;
        opc_vlanes s0 = {0};
        s0 += bias;
        for (int t = 0; t < kh * kw; t++)
            s0 += wk[t] * opc_load_lanes(p + off[t]);
        int cnt = os.w - v * OPC_LANES < OPC_LANES ? os.w - v * OPC_LANES : OPC_LANES;
        opc_store_lanes_n(out + (size_t)oy * os.w + v * OPC_LANES, opc_act_lanes(s0, f),
                          cnt);
        if (++v == nvec)
            v = 0, oy++;
    }
}

/* Channel c's 3x3 weights, bias and activation into the caller's locals; act is the caller's
 * constant, so that each activation's loop is its own. */
static inline __attribute__((always_inline)) void taps_3x3(const opc_layer *l, int c,
                                                           opc_act act, float w[9],
                                                           float *bias, opc_act_fn *f)
{
    memcpy(w, l->weight.data + (size_t)c * 9, 9 * sizeof *w);
    *bias = l->bias.data ? l->bias.data[c] : 0.0f;
    *f = opc_layer_act(l, c);
    f->act = act;
}

/* Input row r of the six under four output rows: its taps a0, a1, a2 (kx = 0, 1, 2) added
 * to the outputs it feeds, r - 2 .. r, with the 3x3 weights w, so that each output sums its
 * taps in (ky, kx) order, as dw_band does. Inlined with constant r. */
static inline __attribute__((always_inline)) void row_taps(opc_vlanes s[4], int r, opc_vlanes a0,
                                                           opc_vlanes a1, opc_vlanes a2,
                                                           const float *w)
{
#pragma GCC unroll 3
    for (int ky = 0; ky < 3; ky++)
        if (r - ky >= 0 && r - ky < 4) {
            s[r - ky] += w[3 * ky] * a0;
            s[r - ky] += w[3 * ky + 1] * a1;
            s[r - ky] += w[3 * ky + 2] * a2;
        }
}

/* The same for 3x3 kernels at stride 1 and dilation 1 (taps 0, 1, 2 of a deinterleaved
 * row), output vectors four rows at a time down one column, walking the columns: the four
 * share their 6 input rows, and each row's taps 1 and 2 are shuffled from two aligned
 * vectors, the second being the next column's first. So 6 aligned loads per 4 outputs, not
 * 36 loads mostly split across cache lines, which bounded the loop. The rows left over go
 * to dw_band. */
static inline __attribute__((always_inline)) void dw_band_3x3s1(const dw_ctx *x, int c, int oy0,
                                                                int oy1, const float *src,
                                                                opc_act act)
{
    const opc_kernel_args *a = x->a;
    const opc_shape os = a->out_shape;
    size_t row = x->rows.geo.row;
    float wk[9], bias; /* locals the stores cannot alias: they stay in registers */
    opc_act_fn f;
    taps_3x3(a->layer, c, act, wk, &bias, &f);
    float *out = a->out + (size_t)c * os.h * os.w;
    int nvec = (os.w + OPC_LANES - 1) / OPC_LANES, oy = oy0;
    for (; oy + 4 <= oy1; oy += 4) {
        const float *p = src + (size_t)(oy - oy0) * row;
        opc_vlanes cur[6]; /* each input row's vector at the current column */
        for (int r = 0; r < 6; r++)
            cur[r] = opc_load_lanes(p + r * row);
        for (int v = 0; v < nvec; v++) {
            opc_vlanes s[4] = {{0}};
            for (int j = 0; j < 4; j++)
                s[j] += bias;
#pragma GCC unroll 6
            for (int r = 0; r < 6; r++) { /* input row r feeds outputs r-2..r */
                opc_vlanes nxt = opc_load_lanes(p + r * row + (v + 1) * OPC_LANES);
                opc_vlanes a0 = cur[r], a1 = opc_shift_lanes_1(cur[r], nxt),
                           a2 = opc_shift_lanes_2(cur[r], nxt);
                cur[r] = nxt;
                row_taps(s, r, a0, a1, a2, wk);
            }
            int cnt = os.w - v * OPC_LANES < OPC_LANES ? os.w - v * OPC_LANES : OPC_LANES;
            for (int j = 0; j < 4; j++)
                opc_store_lanes_n(out + (size_t)(oy + j) * os.w + v * OPC_LANES,
                                  opc_act_lanes(s[j], f), cnt);
        }
    }
    if (oy < oy1)
        dw_band(x, c, oy, oy1, src + (size_t)(oy - oy0) * row, 3, 3, act);
}

/* 3x3 at stride 1 with one row and column of zeros around the input ("same" padding), the
 * usual depthwise layer: as dw_band_3x3s1, four output rows down each column, but read
 * from the input plane itself, with no padded copy (the copy, and the padding it writes,
 * were half the time of such layers on the hourglass's 48x48 maps). A vector's tap 0 comes
 * from the vector before it, tap 2 from the one after; past the ends of a row the masked
 * loads give zeros, and rows above and below the plane are zero_row (at least the row's
 * vectors long). The sums are those of dw_band_3x3s1, in the same order. */
static inline __attribute__((always_inline)) void dw_same_3x3(const dw_ctx *x, int c, int oy0,
                                                              int oy1, const float *zero_row,
                                                              opc_act act)
{
    const opc_kernel_args *a = x->a;
    int h = a->out_shape.h, w = a->out_shape.w;
    const float *plane = a->in[0] + (size_t)c * h * w;
    float wk[9], bias; /* locals the stores cannot alias: they stay in registers */
    opc_act_fn f;
    taps_3x3(a->layer, c, act, wk, &bias, &f);
    float *out = a->out + (size_t)c * h * w;
    int nvec = (w + OPC_LANES - 1) / OPC_LANES;
    for (int oy = oy0; oy < oy1; oy += 4) {
        int rows = oy1 - oy < 4 ? oy1 - oy : 4; /* the last group may have fewer */
        const float *src[6]; /* input rows oy - 1 .. oy + 4 */
        opc_vlanes prev[6], cur[6];
        for (int r = 0; r < 6; r++) {
            int iy = oy - 1 + r;
            src[r] = iy >= 0 && iy < h && r < rows + 2 ? plane + (size_t)iy * w : zero_row;
            prev[r] = (opc_vlanes){0};
            cur[r] = opc_load_lanes_n(src[r], w < OPC_LANES ? w : OPC_LANES);
        }
        for (int v = 0; v < nvec; v++) {
            int ahead = w - (v + 1) * OPC_LANES; /* floats of the row after this vector */
            opc_vlanes s[4] = {{0}};
            for (int j = 0; j < 4; j++)
                s[j] += bias;
#pragma GCC unroll 6
            for (int r = 0; r < 6; r++) { /* input row r feeds outputs r-2..r */
                const float *q = src[r] + (v + 1) * OPC_LANES;
                opc_vlanes nxt = ahead >= OPC_LANES ? opc_load_lanes(q)
                                 : ahead > 0        ? opc_load_lanes_n(q, ahead)
                                                    : (opc_vlanes){0};
                opc_vlanes a0 = opc_shift_lanes_back_1(prev[r], cur[r]), a1 = cur[r],
                           a2 = opc_shift_lanes_1(cur[r], nxt);
                prev[r] = cur[r];
                cur[r] = nxt;
                row_taps(s, r, a0, a1, a2, wk);
            }
            int cnt = w - v * OPC_LANES < OPC_LANES ? w - v * OPC_LANES : OPC_LANES;
            for (int j = 0; j < rows; j++)
                opc_store_lanes_n(out + (size_t)(oy + j) * w + v * OPC_LANES,
                                  opc_act_lanes(s[j], f), cnt);
        }
    }
}

/* Input row r of the five under two output rows at stride 2: its taps added to the outputs it
 * feeds (r / 2 - 1 .. r / 2), in (ky, kx) order as dw_band sums them. Inlined with constant
 * r. */
static inline __attribute__((always_inline)) void row_taps_s2(opc_vlanes s[2], int r,
                                                              opc_vlanes a0, opc_vlanes a1,
                                                              opc_vlanes a2, const float *w)
{
#pragma GCC unroll 2
    for (int j = 0; j < 2; j++) {
        int ky = r - 2 * j;
        if (ky >= 0 && ky < 3) {
            s[j] += w[3 * ky] * a0;
            s[j] += w[3 * ky + 1] * a1;
            s[j] += w[3 * ky + 2] * a2;
        }
    }
}

/* The input floats [col, col + 2 * OPC_LANES) of row src (w floats; zeros past them) as
 * their even and odd entries. */
static inline __attribute__((always_inline)) void load_pairs(const float *src, int w, int col,
                                                             opc_vlanes *even, opc_vlanes *odd)
{
    int n0 = w - col, n1 = w - col - OPC_LANES;
    opc_vlanes a = n0 >= OPC_LANES ? opc_load_lanes(src + col)
                   : n0 > 0        ? opc_load_lanes_n(src + col, n0)
                                   : (opc_vlanes){0};
    opc_vlanes b = n1 >= OPC_LANES ? opc_load_lanes(src + col + OPC_LANES)
                   : n1 > 0        ? opc_load_lanes_n(src + col + OPC_LANES, n1)
                                   : (opc_vlanes){0};
    *even = opc_even_lanes(a, b);
    *odd = opc_odd_lanes(a, b);
}

/* 3x3 at stride 2 with no padding or one row and column of it above and to the left (TF's
 * "same" on even sides pads only below and to the right), MobileNets' downsampling layers:
 * read from the input plane itself, two output rows at a time, with no padded copy (the
 * copy, which deinterleaves the columns, took most of the hourglass's first such layer, 96
 * channels of 96x96). Output vector v (L = OPC_LANES outputs) reads input columns 2vL - pad
 * .. 2(v + 1)L - pad: their even and odd entries are the taps, one of them shifted a lane
 * with the vector after (pad 0) or before (pad 1). Rows outside the plane are zero_row, columns past it zeros.
 * The sums are those of dw_band, in the same order. That layer took 0.24 ms of a 4.3 ms
 * forward on one thread before, 0.09 now; MobileNetV2-small's two largest 0.68 ms, 0.31. */
static inline __attribute__((always_inline)) void dw_s2_3x3(const dw_ctx *x, int c, int oy0,
                                                            int oy1, const float *zero_row,
                                                            opc_act act)
{
    const opc_kernel_args *a = x->a;
    int ih = a->in_shape[0].h, iw = a->in_shape[0].w, oh = a->out_shape.h, ow = a->out_shape.w;
    int pt = x->rows.pad[0], pl = x->rows.pad[1];
    const float *plane = a->in[0] + (size_t)c * ih * iw;
    float wk[9], bias; /* locals the stores cannot alias: they stay in registers */
    opc_act_fn f;
    taps_3x3(a->layer, c, act, wk, &bias, &f);
    float *out = a->out + (size_t)c * oh * ow;
    int nvec = (ow + OPC_LANES - 1) / OPC_LANES;
    for (int oy = oy0; oy < oy1; oy += 2) {
        int rows = oy1 - oy < 2 ? 1 : 2;
        const float *src[5]; /* input rows 2 oy - pt .. + 4 */
        opc_vlanes ev[5], od[5];
        for (int r = 0; r < 5; r++) {
            int iy = 2 * oy - pt + r;
            src[r] = iy >= 0 && iy < ih ? plane + (size_t)iy * iw : zero_row;
            ev[r] = od[r] = (opc_vlanes){0}; /* pad 1: the columns before the row's first */
            if (pl == 0)
                load_pairs(src[r], iw, 0, &ev[r], &od[r]);
        }
        for (int v = 0; v < nvec; v++) {
            opc_vlanes s[2] = {{0}};
            s[0] += bias;
            s[1] += bias;
#pragma GCC unroll 5
            for (int r = 0; r < 5; r++) {
                opc_vlanes e, o, a0, a1, a2;
                if (pl == 0) { /* taps 2ox, 2ox + 1, 2ox + 2 */
                    load_pairs(src[r], iw, 2 * (v + 1) * OPC_LANES, &e, &o);
                    a0 = ev[r];
                    a1 = od[r];
                    a2 = opc_shift_lanes_1(ev[r], e);
                } else { /* taps 2ox - 1, 2ox, 2ox + 1 */
                    load_pairs(src[r], iw, 2 * v * OPC_LANES, &e, &o);
                    a0 = opc_shift_lanes_back_1(od[r], o);
                    a1 = e;
                    a2 = o;
                }
                ev[r] = e;
                od[r] = o;
                row_taps_s2(s, r, a0, a1, a2, wk);
            }
            int cnt = ow - v * OPC_LANES < OPC_LANES ? ow - v * OPC_LANES : OPC_LANES;
            for (int j = 0; j < rows; j++)
                opc_store_lanes_n(out + (size_t)(oy + j) * ow + v * OPC_LANES,
                                  opc_act_lanes(s[j], f), cnt);
        }
    }
}

/* Whether the layer is 3x3 with an activation the 3x3 loops are unrolled for (the others go
 * to dw_band). */
static int unrolled_3x3(const opc_layer *l)
{
    return l->kernel[0] == 3 && l->kernel[1] == 3 &&
           (l->act == OPC_ACT_NONE || l->act == OPC_ACT_RELU || l->act == OPC_ACT_RELU6 ||
            l->act == OPC_ACT_ELU);
}

/* Whether dw_same_3x3 takes the layer: unrolled_3x3, stride and dilation 1, one row and
 * column of padding on each side. */
static int same_3x3(const dw_ctx *x)
{
    const opc_layer *l = x->a->layer;
    const opc_shape *in = &x->a->in_shape[0], *out = &x->a->out_shape;
    return unrolled_3x3(l) && l->stride[0] == 1 && l->stride[1] == 1 && l->dilation[0] == 1 &&
           l->dilation[1] == 1 && x->rows.pad[0] == 1 && x->rows.pad[1] == 1 &&
           out->h == in->h && out->w == in->w;
}

/* Whether dw_s2_3x3 takes the layer: unrolled_3x3, stride 2, dilation 1, no padding or one
 * row and column above and to the left (what the outputs read below and to the right of the
 * plane is padding: zeros). */
static int s2_3x3(const dw_ctx *x)
{
    const opc_layer *l = x->a->layer;
    int pt = x->rows.pad[0], pl = x->rows.pad[1];
    return unrolled_3x3(l) && l->stride[0] == 2 && l->stride[1] == 2 && l->dilation[0] == 1 &&
           l->dilation[1] == 1 && pt >= 0 && pt <= 1 && pl >= 0 && pl <= 1;
}

/* A 3x3 band with the activation fixed: by columns at stride 1 (s1), else by rows. */
static inline __attribute__((always_inline)) void dw_band_3x3(const dw_ctx *x, int c, int oy0,
                                                              int oy1, const float *src, int s1,
                                                              opc_act act)
{
    if (s1)
        dw_band_3x3s1(x, c, oy0, oy1, src, act);
    else
        dw_band(x, c, oy0, oy1, src, 3, 3, act);
}

/* Copies the padded input rows of output rows [oy0, oy1) of `plane` into buf. */
static void band_rows(const dw_ctx *x, const float *plane, int oy0, int oy1, float *buf)
{
    int sh = x->a->layer->stride[0];
    for (int r = 0; r < (oy1 - oy0 - 1) * sh + x->rows.geo.span; r++)
        opc_padded_row(&x->rows, plane, oy0 * sh + r - x->rows.pad[0],
                       buf + (size_t)r * x->rows.geo.row);
}

/* Output rows [oy_begin, oy_end) of channel c of a 3x3 layer, with activation act (a
 * constant where inlined): straight from the plane where dw_same_3x3 or dw_s2_3x3 takes the
 * layer (buf: a zero row), else band by band from padded rows. */
static inline __attribute__((always_inline)) void dw_channel_3x3(const dw_ctx *x, int c,
                                                                 int oy_begin, int oy_end,
                                                                 float *buf, opc_act act)
{
    if (x->same) {
        dw_same_3x3(x, c, oy_begin, oy_end, buf, act);
        return;
    }
    if (x->s2) {
        dw_s2_3x3(x, c, oy_begin, oy_end, buf, act);
        return;
    }
    const opc_layer *l = x->a->layer;
    const opc_shape is = x->a->in_shape[0];
    int s1 = l->stride[0] == 1 && l->stride[1] == 1 && l->dilation[0] == 1 && l->dilation[1] == 1;
    for (int oy0 = oy_begin; oy0 < oy_end; oy0 += x->rows.geo.band) {
        int oy1 = oy0 + x->rows.geo.band < oy_end ? oy0 + x->rows.geo.band : oy_end;
        band_rows(x, x->a->in[0] + (size_t)c * is.h * is.w, oy0, oy1, buf);
        dw_band_3x3(x, c, oy0, oy1, buf, s1, act);
    }
}

/* Output rows [oy_begin, oy_end) of channel c. */
static void dw_channel(const dw_ctx *x, int c, int oy_begin, int oy_end, float *buf)
{
    const opc_layer *l = x->a->layer;
    if (unrolled_3x3(l)) {
        switch (l->act) {
        case OPC_ACT_NONE:
            dw_channel_3x3(x, c, oy_begin, oy_end, buf, OPC_ACT_NONE);
            return;
        case OPC_ACT_RELU:
            dw_channel_3x3(x, c, oy_begin, oy_end, buf, OPC_ACT_RELU);
            return;
        case OPC_ACT_RELU6:
            dw_channel_3x3(x, c, oy_begin, oy_end, buf, OPC_ACT_RELU6);
            return;
        default: /* OPC_ACT_ELU (unrolled_3x3): Lightweight OpenPose's CPM stage */
            dw_channel_3x3(x, c, oy_begin, oy_end, buf, OPC_ACT_ELU);
            return;
        }
    }
    const opc_shape is = x->a->in_shape[0];
    for (int oy0 = oy_begin; oy0 < oy_end; oy0 += x->rows.geo.band) { /* any other layer */
        int oy1 = oy0 + x->rows.geo.band < oy_end ? oy0 + x->rows.geo.band : oy_end;
        band_rows(x, x->a->in[0] + (size_t)c * is.h * is.w, oy0, oy1, buf);
        dw_band(x, c, oy0, oy1, buf, l->kernel[0], l->kernel[1], l->act);
    }
}

/* Pieces i0 .. i1 - 1, piece i with padded-rows buffer i: units u of the piece, channel u %
 * C of part u / C. */
static void dw_pieces(void *p, int i0, int i1)
{
    const dw_ctx *x = p;
    size_t floats = (size_t)x->rows.geo.rows * x->rows.geo.row;
    int oh = x->a->out_shape.h, c = x->a->out_shape.c;
    long units = (long)x->parts * c;
    for (int i = i0; i < i1; i++) {
        float *buf = x->a->scratch + (size_t)i * floats;
        /* the padding columns (see padded_row), or dw_same_3x3's and dw_s2_3x3's zero row */
        memset(buf, 0, (x->same || x->s2 ? x->rows.geo.row : floats) * sizeof(float));
        for (long u = units * i / x->pieces; u < units * (i + 1) / x->pieces; u++) {
            int part = (int)(u / c);
            dw_channel(x, (int)(u % c), oh * part / x->parts, oh * (part + 1) / x->parts, buf);
        }
    }
}

void opc_fast_conv_depthwise(const opc_kernel_args *a)
{
    dw_ctx x = {.a = a};
    opc_rows_init(&x.rows, a->layer, &a->in_shape[0], &a->out_shape, DW_BAND_FLOATS);
    int threads = opc_pool_threads(a->pool);
    x.parts = a->out_shape.h / DW_PART_ROWS;
    x.parts = x.parts < 1 ? 1 : x.parts > threads ? threads : x.parts;
    x.pieces = threads * DW_PIECES;
    x.same = same_3x3(&x);
    x.s2 = s2_3x3(&x);
    opc_pool_for(a->pool, x.pieces, dw_pieces, &x);
}
