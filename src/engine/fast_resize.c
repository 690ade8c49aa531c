/* Fast bilinear resize (TF legacy rule, see opc_resize_coord): channels split between
 * threads; the arithmetic is the reference's, in the same order. */
#include "engine/fast_kernels.h"

#include "engine/act.h"
#include "engine/ref_kernels.h"

typedef struct {
    const opc_kernel_args *a;
} resize_ctx;

static void resize_channels(void *p, int c0, int c1)
{
    const opc_kernel_args *a = ((const resize_ctx *)p)->a;
    const opc_layer *l = a->layer;
    const opc_shape in = a->in_shape[0], out = a->out_shape;
    for (int c = c0; c < c1; c++) {
        const float *x = a->in[0] + (size_t)c * in.h * in.w;
        float *y = a->out + (size_t)c * out.h * out.w;
        for (int oy = 0; oy < out.h; oy++) {
            int y0, y1;
            float fy;
            opc_resize_coord(oy, in.h, out.h, &y0, &y1, &fy);
            const float *r0 = x + (size_t)y0 * in.w, *r1 = x + (size_t)y1 * in.w;
            for (int ox = 0; ox < out.w; ox++) {
                int x0, x1;
                float fx;
                opc_resize_coord(ox, in.w, out.w, &x0, &x1, &fx);
                float top = r0[x0] + (r0[x1] - r0[x0]) * fx;
                float bottom = r1[x0] + (r1[x1] - r1[x0]) * fx;
                *y++ = top + (bottom - top) * fy;
            }
            opc_bias_act_row(y - out.w, (size_t)out.w, 0.0f, l->act, opc_layer_slope(l, c));
        }
    }
}

void opc_fast_resize_bilinear(const opc_kernel_args *a)
{
    resize_ctx r = {a};
    opc_pool_for(a->pool, a->out_shape.c, resize_channels, &r);
}
