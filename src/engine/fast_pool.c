/* Fast max pooling: channels split between threads; each output's window is clipped to
 * the image up front (the same rule as the reference: padding never wins, a window wholly
 * in the padding gives -FLT_MAX), so the inner loops carry no bounds tests. */
#include "engine/fast_kernels.h"

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

/* Channels [c0, c1): C x H x W -> C x OH x OW. */
static void pool_channels(void *p, int c0, int c1)
{
    const pool_ctx *x = p;
    const opc_layer *l = x->l;
    int dy = l->dilation[0], dx = l->dilation[1];
    for (int c = c0; c < c1; c++) {
        const float *plane = x->in + (size_t)c * x->is.h * x->is.w;
        float *dst = x->out + (size_t)c * x->os.h * x->os.w;
        for (int oy = 0; oy < x->os.h; oy++) {
            int ky0, ky1, y0 = oy * l->stride[0] - x->pad[0];
            clip_window(l, 0, oy, x->is.h, x->pad[0], &ky0, &ky1);
            for (int ox = 0; ox < x->os.w; ox++) {
                int kx0, kx1, x0 = ox * l->stride[1] - x->pad[1];
                clip_window(l, 1, ox, x->is.w, x->pad[1], &kx0, &kx1);
                float m = -FLT_MAX;
                for (int ky = ky0; ky < ky1; ky++) {
                    const float *row = plane + (size_t)(y0 + ky * dy) * x->is.w + x0;
                    for (int kx = kx0; kx < kx1; kx++)
                        m = row[kx * dx] > m ? row[kx * dx] : m;
                }
                *dst++ = m;
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
