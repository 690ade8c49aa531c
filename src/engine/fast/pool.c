/* Fast max pooling: channels split between threads; each output's window is clipped to
 * the image up front (the same rule as the reference: padding never wins, a window wholly
 * in the padding gives -FLT_MAX), so the inner loops carry no bounds tests. */
#include "engine/fast/fast_kernels.h"

#include <float.h>

typedef struct {
    const opc_layer *l;
    const float *in;
    float *out;
    opc_shape is, os;
    int pad[4];
} pool_ctx;

/* Taps [*k0, *k1) of the window at output index o that fall inside [0, size). */
static void clip_window(const opc_layer *l, int d, int o, int size, int pad, int *k0, int *k1)
{
    int start = o * l->stride[d] - pad, dil = l->dilation[d];
    *k0 = start >= 0 ? 0 : (-start + dil - 1) / dil;
    int last = size - 1 - start; /* the largest tap offset still inside */
    *k1 = last < 0 ? 0 : last / dil + 1;
    if (*k1 > l->kernel[d])
        *k1 = l->kernel[d];
    if (*k1 < *k0)
        *k1 = *k0;
}

/* The max over taps [ky0, ky1) x [kx0, kx1) of the window at (y0, x0), in (ky, kx) order. */
static inline float window_max(const pool_ctx *x, const float *plane, int y0, int x0, int ky0,
                               int ky1, int kx0, int kx1)
{
    const opc_layer *l = x->l;
    float m = -FLT_MAX;
    for (int ky = ky0; ky < ky1; ky++) {
        const float *row = plane + (size_t)(y0 + ky * l->dilation[0]) * x->is.w;
        for (int kx = kx0; kx < kx1; kx++) {
            float v = row[x0 + kx * l->dilation[1]];
            m = v > m ? v : m;
        }
    }
    return m;
}

/* Channels [c0, c1): C x H x W -> C x OH x OW. Outputs [ix0, ix1) of a row have their whole
 * window inside the image horizontally: a plain loop that vectorises; the others clip. */
static void pool_channels(void *p, int c0, int c1)
{
    const pool_ctx *x = p;
    const opc_layer *l = x->l;
    int sx = l->stride[1], kw = l->kernel[1];
    int ix0 = opc_first_out(0, sx, x->pad[1], 0);
    int ix1 = opc_first_out(x->is.w, sx, x->pad[1], (kw - 1) * l->dilation[1]);
    ix0 = ix0 < x->os.w ? ix0 : x->os.w;
    ix1 = ix1 < ix0 ? ix0 : ix1 < x->os.w ? ix1 : x->os.w;
    for (int c = c0; c < c1; c++) {
        const float *plane = x->in + (size_t)c * x->is.h * x->is.w;
        float *dst = x->out + (size_t)c * x->os.h * x->os.w;
        for (int oy = 0; oy < x->os.h; oy++, dst += x->os.w) {
            int ky0, ky1, y0 = oy * l->stride[0] - x->pad[0];
            clip_window(l, 0, oy, x->is.h, x->pad[0], &ky0, &ky1);
            for (int ox = ix0; ox < ix1; ox++)
                dst[ox] = window_max(x, plane, y0, ox * sx - x->pad[1], ky0, ky1, 0, kw);
            for (int ox = 0; ox < x->os.w; ox++) {
                if (ox == ix0)
                    ox = ix1; /* past the unclipped ones */
                if (ox >= x->os.w)
                    break;
                int kx0, kx1;
                clip_window(l, 1, ox, x->is.w, x->pad[1], &kx0, &kx1);
                dst[ox] = window_max(x, plane, y0, ox * sx - x->pad[1], ky0, ky1, kx0, kx1);
            }
        }
    }
}

void opc_fast_maxpool(const opc_kernel_args *a)
{
    pool_ctx x = {a->layer, a->in[0], a->out, a->in_shape[0], a->out_shape, {0}};
    opc_layer_pads(a->layer, x.is.h, x.is.w, x.pad);
    opc_pool_for(a->pool, x.os.c, pool_channels, &x);
}
