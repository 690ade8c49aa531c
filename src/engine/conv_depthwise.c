/* Fast depthwise convolution (group == in channels == out channels): each output channel
 * sees one input channel, too little work per GEMM, so it is a direct loop. Channels are
 * split between threads; within a channel each output row accumulates bias + the taps in
 * (ky, kx) order, a vectorisable row update per tap, then the activation. */
#include "engine/fast_kernels.h"

#include "engine/act.h"

int opc_depthwise_fits(const opc_layer *l, const opc_shape *in, const opc_shape *out)
{
    return l->group == in->c && out->c == in->c && l->weight.shape[1] == 1;
}

typedef struct {
    const opc_layer *l;
    const float *in;
    float *out;
    opc_shape is, os;
    int pad[4];
} dw_ctx;

/* Channels [c0, c1): in C x H x W, weight [C, 1, kh, kw] -> out C x OH x OW. */
static void dw_channels(void *p, int c0, int c1)
{
    const dw_ctx *d = p;
    const opc_layer *l = d->l;
    int kh = l->kernel[0], kw = l->kernel[1], sx = l->stride[1], ow = d->os.w;
    for (int c = c0; c < c1; c++) {
        const float *wt = l->weight.data + (size_t)c * kh * kw;
        const float *plane = d->in + (size_t)c * d->is.h * d->is.w;
        float bias = l->bias.data ? l->bias.data[c] : 0.0f;
        for (int oy = 0; oy < d->os.h; oy++) {
            float *restrict row = d->out + ((size_t)c * d->os.h + oy) * ow;
            for (int ox = 0; ox < ow; ox++)
                row[ox] = bias;
            for (int ky = 0; ky < kh; ky++) {
                int iy = oy * l->stride[0] - d->pad[0] + ky * l->dilation[0];
                if (iy < 0 || iy >= d->is.h)
                    continue;
                const float *restrict src = plane + (size_t)iy * d->is.w;
                for (int kx = 0; kx < kw; kx++) {
                    float w = wt[ky * kw + kx];
                    int kxo = kx * l->dilation[1] - d->pad[1];
                    int ox0 = opc_first_out(0, sx, d->pad[1], kx * l->dilation[1]);
                    int ox1 = opc_first_out(d->is.w, sx, d->pad[1], kx * l->dilation[1]);
                    if (ox1 > ow)
                        ox1 = ow;
                    if (sx == 1) {
                        for (int ox = ox0; ox < ox1; ox++)
                            row[ox] += w * src[ox + kxo];
                    } else {
                        for (int ox = ox0; ox < ox1; ox++)
                            row[ox] += w * src[ox * sx + kxo];
                    }
                }
            }
            opc_bias_act_row(row, (size_t)ow, 0.0f, l->act, opc_layer_slope(l, c));
        }
    }
}

void opc_fast_conv_depthwise(const opc_kernel_args *a)
{
    dw_ctx d = {a->layer, a->in[0], a->out, a->in_shape[0], a->out_shape, {0}};
    opc_layer_pads(a->layer, d.is.h, d.is.w, d.pad);
    opc_pool_for(a->pool, d.os.c, dw_channels, &d);
}
