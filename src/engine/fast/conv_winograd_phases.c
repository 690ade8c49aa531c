/* Dilated convolutions by Winograd, on the input's phases. With dilation d, stride 1 and
 * padding d*(r-1)/2 on every side ("same"), output pixel (d*Y + py, d*X + px) reads only
 * input pixels (d*(Y - (r-1)/2 + ky) + py, d*(X - (r-1)/2 + kx) + px): phase (py, px) of
 * the output is an undilated, "same"-padded r x r convolution of phase (py, px) of the
 * input. (Lightweight OpenPose's refinement stage has five such 3x3 layers, d = 2, which
 * im2col + GEMM ran at 40 % of the undilated Winograd layers' speed beside them.)
 *
 * The d*d phases, each Hp x Wp (Hp = ceil(H / d), Wp = ceil(W / d); shorter phases
 * padded with zeros), are stacked one below the other with a zero row between them, and
 * the Winograd kernel (conv_winograd.c) runs once on the stack: a phase's edge rows read
 * the zero rows as their padding, and the outputs on those rows are dropped. One call
 * keeps the kernel's blocks as large as on the undilated layers (d*d calls on maps a
 * quarter the size would transform the filters four times as often). The phases are
 * copies, so results are the Winograd kernel's, independent of the thread count. */
#include "engine/fast/fast_kernels.h"

#include <string.h>

/* Floats rounded up to whole cache lines: the kernel's scratch starts 64-byte aligned. */
static size_t lines_up(size_t n) { return (n + 15) / 16 * 16; }

/* The undilated layer run on the stack, and the stack's shapes. */
typedef struct {
    opc_layer l;
    opc_shape in, out;
    int d, hp, wp; /* dilation, a phase's rows and columns */
} stack_geometry;

static stack_geometry stack_of(const opc_layer *l, const opc_shape *in, const opc_shape *out)
{
    stack_geometry s;
    s.d = l->dilation[0];
    s.hp = (in->h + s.d - 1) / s.d;
    s.wp = (in->w + s.d - 1) / s.d;
    s.l = *l;
    s.l.dilation[0] = s.l.dilation[1] = 1;
    s.l.pad_same = 0;
    for (int i = 0; i < 4; i++)
        s.l.pad[i] = (l->kernel[0] - 1) / 2;
    int rows = s.d * s.d * (s.hp + 1) - 1;
    s.in = (opc_shape){in->c, rows, s.wp};
    s.out = (opc_shape){out->c, rows, s.wp};
    return s;
}

int opc_winograd_phases_fits(const void *param, const opc_layer *l, const opc_shape *in,
                             const opc_shape *out)
{
    int pad[4], d = l->dilation[0], half = (l->kernel[0] - 1) / 2;
    opc_layer_pads(l, in->h, in->w, pad);
    if (d < 2 || l->dilation[1] != d || l->kernel[0] != l->kernel[1] || l->kernel[0] % 2 == 0)
        return 0;
    for (int i = 0; i < 4; i++)
        if (pad[i] != d * half)
            return 0;
    stack_geometry s = stack_of(l, in, out);
    return opc_winograd_fits(param, &s.l, &s.in, &s.out);
}

size_t opc_winograd_phases_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                                   const opc_shape *out, int threads)
{
    stack_geometry s = stack_of(l, in, out);
    size_t plane = (size_t)s.in.h * s.in.w;
    return lines_up(plane * s.in.c) + lines_up(plane * s.out.c) +
           opc_winograd_scratch(param, &s.l, &s.in, &s.out, threads);
}

typedef struct {
    const opc_kernel_args *a;
    stack_geometry s;
    float *stack_in, *stack_out;
} phases_ctx;

/* Input channels c0 .. c1 - 1 onto the stack: phase k = py * d + px at rows k * (hp + 1)..,
 * zeros past the image and on the rows between phases. Each stack row is written once. */
static void gather(void *p, int c0, int c1)
{
    const phases_ctx *x = p;
    const stack_geometry *s = &x->s;
    const opc_shape is = x->a->in_shape[0];
    for (int c = c0; c < c1; c++) {
        const float *src = x->a->in[0] + (size_t)c * is.h * is.w;
        float *dst = x->stack_in + (size_t)c * s->in.h * s->in.w;
        for (int r = 0; r < s->in.h; r++) {
            float *row = dst + (size_t)r * s->wp;
            int k = r / (s->hp + 1), py = k / s->d, px = k % s->d;
            int y = py + r % (s->hp + 1) * s->d, i = 0; /* the row's input row */
            if (r % (s->hp + 1) < s->hp && y < is.h) {
                const float *in = src + (size_t)y * is.w;
                for (int xx = px; xx < is.w; xx += s->d, i++)
                    row[i] = in[xx];
            }
            memset(row + i, 0, (size_t)(s->wp - i) * sizeof(float));
        }
    }
}

/* Output channels c0 .. c1 - 1 from the stack: the phases' rows back in place. */
static void scatter(void *p, int c0, int c1)
{
    const phases_ctx *x = p;
    const stack_geometry *s = &x->s;
    const opc_shape os = x->a->out_shape;
    for (int c = c0; c < c1; c++) {
        const float *src = x->stack_out + (size_t)c * s->out.h * s->out.w;
        float *dst = x->a->out + (size_t)c * os.h * os.w;
        for (int k = 0; k < s->d * s->d; k++) {
            int py = k / s->d, px = k % s->d;
            for (int y = py, r = k * (s->hp + 1); y < os.h; y += s->d, r++) {
                const float *row = src + (size_t)r * s->wp;
                float *out = dst + (size_t)y * os.w;
                for (int xx = px, i = 0; xx < os.w; xx += s->d, i++)
                    out[xx] = row[i];
            }
        }
    }
}

void opc_fast_conv_winograd_phases(const opc_kernel_args *a)
{
    phases_ctx x = {.a = a, .s = stack_of(a->layer, &a->in_shape[0], &a->out_shape)};
    size_t plane = (size_t)x.s.in.h * x.s.in.w;
    x.stack_in = a->scratch;
    x.stack_out = x.stack_in + lines_up(plane * x.s.in.c);
    opc_pool_for(a->pool, x.s.in.c, gather, &x);
    opc_kernel_args w = *a;
    w.layer = &x.s.l;
    w.n_inputs = 1;
    w.in[0] = x.stack_in;
    w.in_shape[0] = x.s.in;
    w.out = x.stack_out;
    w.out_shape = x.s.out;
    w.scratch = x.stack_out + lines_up(plane * x.s.out.c);
    opc_fast_conv_winograd(&w);
    opc_pool_for(a->pool, x.s.out.c, scatter, &x);
}
