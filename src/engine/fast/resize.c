/* Fast resizes: bilinear (TF legacy rule, see opc_resize_coord) and nearest; channels split
 * between threads; the arithmetic is the reference's, in the same order. The bilinear
 * source columns and weights are worked out once per layer, not per channel and row. */
#include "engine/fast/fast_kernels.h"

#include <string.h>

#include "engine/act.h"
#include "engine/ref/ref_kernels.h"

typedef struct {
    int x0, x1; /* source columns */
    float fx;   /* weight of x1 */
} resize_col;

int opc_resize_bilinear_fits(const void *param, const opc_layer *l, const opc_shape *in,
                             const opc_shape *out)
{
    return l->resize_mode == OPC_RESIZE_BILINEAR;
}

/* One resize_col per output column. */
size_t opc_resize_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                          const opc_shape *out, int threads)
{
    return (size_t)out->w * (sizeof(resize_col) / sizeof(float));
}

typedef struct {
    const opc_kernel_args *a;
    const resize_col *cols;
} resize_ctx;

static void resize_channels(void *p, int c0, int c1)
{
    const resize_ctx *r = p;
    const opc_kernel_args *a = r->a;
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
                resize_col k = r->cols[ox];
                float top = r0[k.x0] + (r0[k.x1] - r0[k.x0]) * k.fx;
                float bottom = r1[k.x0] + (r1[k.x1] - r1[k.x0]) * k.fx;
                *y++ = top + (bottom - top) * fy;
            }
            opc_bias_act_row(y - out.w, (size_t)out.w, 0.0f, opc_layer_act(l, c));
        }
    }
}

void opc_fast_resize_bilinear(const opc_kernel_args *a)
{
    resize_col *cols = (resize_col *)a->scratch;
    for (int ox = 0; ox < a->out_shape.w; ox++)
        opc_resize_coord(ox, a->in_shape[0].w, a->out_shape.w, &cols[ox].x0, &cols[ox].x1,
                         &cols[ox].fx);
    resize_ctx r = {a, cols};
    opc_pool_for(a->pool, a->out_shape.c, resize_channels, &r);
}

/* Nearest: each output row is a gather of one source row, copied on when the next output
 * row reads the same source row (a factor-f upsampling writes each row once, copies f-1). */
static void nearest_channels(void *p, int c0, int c1)
{
    const opc_kernel_args *a = p;
    const opc_shape in = a->in_shape[0], out = a->out_shape;
    for (int c = c0; c < c1; c++) {
        const float *x = a->in[0] + (size_t)c * in.h * in.w;
        float *y = a->out + (size_t)c * out.h * out.w;
        opc_act_fn act = opc_layer_act(a->layer, c);
        int prev = -1;
        for (int oy = 0; oy < out.h; oy++, y += out.w) {
            int sy = opc_resize_nearest_src(oy, in.h, out.h);
            if (sy == prev) {
                memcpy(y, y - out.w, (size_t)out.w * sizeof *y);
                continue;
            }
            const float *r = x + (size_t)sy * in.w;
            for (int ox = 0; ox < out.w; ox++)
                y[ox] = r[opc_resize_nearest_src(ox, in.w, out.w)];
            opc_bias_act_row(y, (size_t)out.w, 0.0f, act);
            prev = sy;
        }
    }
}

void opc_fast_resize_nearest(const opc_kernel_args *a)
{
    opc_pool_for(a->pool, a->out_shape.c, nearest_channels, (void *)a);
}
