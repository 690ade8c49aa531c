/* Fast depthwise convolution (group == in channels == out channels): each output channel
 * sees one input channel, too little work per GEMM, so it is a direct loop, split between
 * threads by channel. Each input row a channel needs is copied once into a zero-padded
 * row, deinterleaved by the horizontal stride: phase p holds padded columns p, p + s,
 * p + 2s, ..., so the tap (ky, kx) of OPC_LANES consecutive outputs is one contiguous
 * vector (phase kx*d % s, from kx*d / s on). A ring keeps the rows the taps of the current
 * output row need. Each output vector then sums bias + all taps in registers, in (ky, kx)
 * order, and the activation is applied as it is stored. */
#include "engine/fast_kernels.h"

#include <limits.h>
#include <stdatomic.h>
#include <string.h>

#include "engine/act.h"
#include "engine/lanes.h"

/* Kernels up to this size (per side, dilation included) and strides up to it keep their
 * ring, row pointers and row phases on the stack; bigger depthwise kernels or strides,
 * unknown in pose nets, go to im2col. */
#define DW_MAX_SPAN 16

int opc_depthwise_fits(const void *param, const opc_layer *l, const opc_shape *in,
                       const opc_shape *out)
{
    return l->group == in->c && out->c == in->c && l->weight.shape[1] == 1 &&
           (l->kernel[0] - 1) * l->dilation[0] + 1 <= DW_MAX_SPAN && l->kernel[1] <= DW_MAX_SPAN &&
           l->stride[1] <= DW_MAX_SPAN;
}

typedef struct {
    int span;    /* input rows one output row's taps cover: (kh - 1) * dh + 1 */
    int phase;   /* floats per phase of a deinterleaved row, whole vectors */
    size_t row;  /* floats per deinterleaved row: stride * phase */
} dw_geometry;

static dw_geometry geometry(const opc_layer *l, const opc_shape *out)
{
    dw_geometry g;
    int sw = l->stride[1], reach = (l->kernel[1] - 1) * l->dilation[1] / sw;
    g.span = (l->kernel[0] - 1) * l->dilation[0] + 1;
    g.phase = (out->w + reach + OPC_LANES - 1) / OPC_LANES * OPC_LANES + OPC_LANES;
    g.row = (size_t)sw * g.phase;
    return g;
}

/* A ring of span rows per thread. */
size_t opc_depthwise_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                             const opc_shape *out, int threads)
{
    dw_geometry g = geometry(l, out);
    return (size_t)g.span * g.row * threads;
}

typedef struct {
    const opc_kernel_args *a;
    dw_geometry geo;
    int pad[4];
    int tap[DW_MAX_SPAN]; /* where tap kx of output 0 is in a deinterleaved row */
    /* Per phase p of a deinterleaved row: entries [i0, i1) are inside the image, entry i
     * being input column i * stride + c0 (the same for every row and channel). */
    int c0[DW_MAX_SPAN], i0[DW_MAX_SPAN], i1[DW_MAX_SPAN]; /* stride <= DW_MAX_SPAN */
    atomic_int next;      /* the next channel to take */
} dw_ctx;

static void phase_bounds(dw_ctx *x)
{
    int s = x->a->layer->stride[1], q = x->geo.phase, w = x->a->in_shape[0].w;
    for (int p = 0; p < s; p++) {
        int c0 = p - x->pad[1]; /* the input column of entry 0 */
        /* entries [i0, i1) are inside the image: 0 <= i*s + c0 < W */
        int i0 = c0 >= 0 ? 0 : (-c0 + s - 1) / s;
        int i1 = w - c0 <= 0 ? 0 : (w - c0 + s - 1) / s;
        if (i1 > q)
            i1 = q;
        if (i0 > i1)
            i0 = i1;
        x->c0[p] = c0;
        x->i0[p] = i0;
        x->i1[p] = i1;
    }
}

/* Input row iy of plane, zero-padded and deinterleaved into dst (see the top): entry i of
 * phase p is padded column i*s + p, input column i*s + p - pad. The zero runs are a few
 * floats: plain loops, cheaper than calls. */
static void padded_row(const dw_ctx *x, const float *plane, int iy, float *dst)
{
    const opc_shape is = x->a->in_shape[0];
    int s = x->a->layer->stride[1], q = x->geo.phase;
    if (iy < 0 || iy >= is.h) {
        memset(dst, 0, x->geo.row * sizeof(float));
        return;
    }
    const float *src = plane + (size_t)iy * is.w;
    for (int p = 0; p < s; p++, dst += q) {
        int c0 = x->c0[p], i0 = x->i0[p], i1 = x->i1[p];
        for (int i = 0; i < i0; i++)
            dst[i] = 0.0f;
        int i = i0;
        if (s == 1) {
            opc_copy_floats(dst + i0, src + i0 + c0, i1 - i0);
            i = i1;
        } else if (s == 2) { /* whole vectors: the even lanes of two loads */
            for (; i + OPC_LANES <= i1 && 2 * i + c0 + 2 * OPC_LANES <= is.w; i += OPC_LANES)
                opc_store_lanes(dst + i, opc_even_lanes(opc_load_lanes(src + 2 * i + c0),
                                                        opc_load_lanes(src + 2 * i + c0 +
                                                                       OPC_LANES)));
        }
        for (; i < i1; i++)
            dst[i] = src[i * s + c0];
        for (int i = i1; i < q; i++)
            dst[i] = 0.0f;
    }
}

static void dw_channel(const dw_ctx *x, int c, float *ring, int *tags)
{
    const opc_kernel_args *a = x->a;
    const opc_layer *l = a->layer;
    const opc_shape is = a->in_shape[0], os = a->out_shape;
    int kh = l->kernel[0], kw = l->kernel[1], dh = l->dilation[0];
    const float *wt = l->weight.data + (size_t)c * kh * kw;
    const float *plane = a->in[0] + (size_t)c * is.h * is.w;
    float bias = l->bias.data ? l->bias.data[c] : 0.0f, slope = opc_layer_slope(l, c);
    for (int i = 0; i < x->geo.span; i++)
        tags[i] = INT_MIN; /* no row yet */
    int span = x->geo.span;
    for (int oy = 0; oy < os.h; oy++) {
        const float *rows[DW_MAX_SPAN];
        int iy0 = oy * l->stride[0] - x->pad[0];
        int slot0 = (iy0 % span + span) % span; /* ring slot of row iy0: one division a row */
        for (int ky = 0; ky < kh; ky++) {
            int iy = iy0 + ky * dh;
            int slot = slot0 + ky * dh < span ? slot0 + ky * dh : slot0 + ky * dh - span;
            float *r = ring + (size_t)slot * x->geo.row;
            if (tags[slot] != iy) {
                padded_row(x, plane, iy, r);
                tags[slot] = iy;
            }
            rows[ky] = r;
        }
        float *dst = a->out + ((size_t)c * os.h + oy) * os.w;
        int nvec = (os.w + OPC_LANES - 1) / OPC_LANES, v = 0;
        for (; v + 4 <= nvec; v += 4) { /* four independent sums in flight */
            opc_vlanes a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
            a0 += bias;
            a1 += bias;
            a2 += bias;
            a3 += bias;
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++) {
                    float w = wt[ky * kw + kx];
                    const float *p = rows[ky] + x->tap[kx] + v * OPC_LANES;
                    a0 += w * opc_load_lanes(p);
                    a1 += w * opc_load_lanes(p + OPC_LANES);
                    a2 += w * opc_load_lanes(p + 2 * OPC_LANES);
                    a3 += w * opc_load_lanes(p + 3 * OPC_LANES);
                }
            float *d = dst + v * OPC_LANES;
            opc_store_lanes(d, opc_act_lanes(a0, l->act, slope));
            opc_store_lanes(d + OPC_LANES, opc_act_lanes(a1, l->act, slope));
            opc_store_lanes(d + 2 * OPC_LANES, opc_act_lanes(a2, l->act, slope));
            opc_store_lanes_n(d + 3 * OPC_LANES, opc_act_lanes(a3, l->act, slope),
                              os.w - (v + 3) * OPC_LANES < OPC_LANES ? os.w - (v + 3) * OPC_LANES
                                                                     : OPC_LANES);
        }
        for (; v < nvec; v++) {
            opc_vlanes acc = {0};
            acc += bias;
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++)
                    acc += wt[ky * kw + kx] * opc_load_lanes(rows[ky] + x->tap[kx] + v * OPC_LANES);
            int ox = v * OPC_LANES;
            opc_store_lanes_n(dst + ox, opc_act_lanes(acc, l->act, slope),
                              os.w - ox < OPC_LANES ? os.w - ox : OPC_LANES);
        }
    }
}

/* Takes channels until none are left, with ring buffer `slot`. */
static void dw_channels(void *p, int slot, int slot_end)
{
    dw_ctx *x = p;
    float *ring = x->a->scratch + (size_t)slot * x->geo.span * x->geo.row;
    int tags[DW_MAX_SPAN];
    for (int c; (c = atomic_fetch_add(&x->next, 1)) < x->a->out_shape.c;)
        dw_channel(x, c, ring, tags);
}

void opc_fast_conv_depthwise(const opc_kernel_args *a)
{
    dw_ctx x = {.a = a, .geo = geometry(a->layer, &a->out_shape)};
    opc_layer_pads(a->layer, a->in_shape[0].h, a->in_shape[0].w, x.pad);
    phase_bounds(&x);
    int sw = a->layer->stride[1];
    for (int kx = 0; kx < a->layer->kernel[1]; kx++) {
        int off = kx * a->layer->dilation[1];
        x.tap[kx] = off % sw * x.geo.phase + off / sw;
    }
    atomic_init(&x.next, 0);
    opc_pool_for(a->pool, opc_pool_threads(a->pool), dw_channels, &x);
}
