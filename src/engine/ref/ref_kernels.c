/* The REFERENCE engine: one plain, single-threaded loop nest per op, written to be
 * obviously correct rather than fast. Sums are accumulated in double so that the
 * reference is the more accurate side of every fast-vs-reference comparison. */
#include "engine/ref/ref_kernels.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "engine/act.h"
#include "engine/fake_quantize.h"

/* in: C x H x W, weight: [Cout, C/group, kh, kw], out: Cout x OH x OW. Zero padding. */
void opc_ref_conv(const opc_kernel_args *a)
{
    const opc_layer *l = a->layer;
    const opc_shape in = a->in_shape[0], out = a->out_shape;
    int pad[4];
    opc_layer_pads(l, in.h, in.w, pad);
    int cin_g = in.c / l->group, cout_g = out.c / l->group;
    for (int oc = 0; oc < out.c; oc++) {
        int g = oc / cout_g;
        const float *wt = l->weight.data + (size_t)oc * cin_g * l->kernel[0] * l->kernel[1];
        for (int oy = 0; oy < out.h; oy++)
            for (int ox = 0; ox < out.w; ox++) {
                double sum = l->bias.data ? l->bias.data[oc] : 0.0;
                for (int ic = 0; ic < cin_g; ic++) {
                    const float *plane = a->in[0] + (size_t)(g * cin_g + ic) * in.h * in.w;
                    const float *w = wt + (size_t)ic * l->kernel[0] * l->kernel[1];
                    for (int ky = 0; ky < l->kernel[0]; ky++) {
                        int iy = oy * l->stride[0] - pad[0] + ky * l->dilation[0];
                        if (iy < 0 || iy >= in.h)
                            continue; /* zero padding */
                        for (int kx = 0; kx < l->kernel[1]; kx++) {
                            int ix = ox * l->stride[1] - pad[1] + kx * l->dilation[1];
                            if (ix >= 0 && ix < in.w)
                                sum += (double)w[ky * l->kernel[1] + kx] * plane[iy * in.w + ix];
                        }
                    }
                }
                a->out[((size_t)oc * out.h + oy) * out.w + ox] =
                    opc_act1((float)sum, opc_layer_act(l, oc));
            }
    }
}

/* C x H x W -> C x OH x OW. Padding never wins the max: window positions outside the image
 * are skipped, which is both Caffe's window clipping and TF SAME's -inf padding. A window
 * lying wholly in the padding (only possible with pad >= kernel) gives -FLT_MAX, as in Caffe. */
void opc_ref_maxpool(const opc_kernel_args *a)
{
    const opc_layer *l = a->layer;
    const opc_shape in = a->in_shape[0], out = a->out_shape;
    int pad[4];
    opc_layer_pads(l, in.h, in.w, pad);
    for (int c = 0; c < out.c; c++)
        for (int oy = 0; oy < out.h; oy++)
            for (int ox = 0; ox < out.w; ox++) {
                float m = -FLT_MAX;
                for (int ky = 0; ky < l->kernel[0]; ky++)
                    for (int kx = 0; kx < l->kernel[1]; kx++) {
                        int iy = oy * l->stride[0] - pad[0] + ky * l->dilation[0];
                        int ix = ox * l->stride[1] - pad[1] + kx * l->dilation[1];
                        if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w)
                            continue;
                        float x = a->in[0][((size_t)c * in.h + iy) * in.w + ix];
                        if (x > m)
                            m = x;
                    }
                a->out[((size_t)c * out.h + oy) * out.w + ox] = m;
            }
}

/* Inputs Ci x H x W -> (sum Ci) x H x W. The planner may have placed an input at its very
 * place inside the output already; such an input needs no copy. Both engines use this. */
void opc_concat(const opc_kernel_args *a)
{
    size_t offset = 0;
    for (int k = 0; k < a->n_inputs; k++) {
        const opc_shape s = a->in_shape[k];
        size_t n = (size_t)s.c * s.h * s.w;
        if (a->in[k] != a->out + offset)
            memcpy(a->out + offset, a->in[k], n * sizeof(float));
        offset += n;
    }
}

/* out = act(in0 + in1 + ...), summed in input order. */
void opc_ref_add(const opc_kernel_args *a)
{
    const opc_layer *l = a->layer;
    const opc_shape s = a->out_shape;
    size_t hw = (size_t)s.h * s.w;
    for (int c = 0; c < s.c; c++)
        for (size_t i = 0; i < hw; i++) {
            size_t at = (size_t)c * hw + i;
            float sum = a->in[0][at];
            for (int k = 1; k < a->n_inputs; k++)
                sum += a->in[k][at];
            a->out[at] = opc_act1(sum, opc_layer_act(l, c));
        }
}

/* out = act(in), elementwise. */
void opc_ref_act(const opc_kernel_args *a)
{
    const opc_layer *l = a->layer;
    const opc_shape s = a->out_shape;
    size_t hw = (size_t)s.h * s.w;
    for (int c = 0; c < s.c; c++)
        for (size_t i = 0; i < hw; i++)
            a->out[c * hw + i] = opc_act1(a->in[0][c * hw + i], opc_layer_act(l, c));
}

/* out[c] = act(weight[c] * in[c] + bias[c]). */
void opc_ref_affine(const opc_kernel_args *a)
{
    const opc_layer *l = a->layer;
    const opc_shape s = a->out_shape;
    size_t hw = (size_t)s.h * s.w;
    for (int c = 0; c < s.c; c++) {
        float w = l->weight.data[c], b = l->bias.data ? l->bias.data[c] : 0.0f;
        for (size_t i = 0; i < hw; i++)
            a->out[c * hw + i] =
                opc_act1(w * a->in[0][c * hw + i] + b, opc_layer_act(l, c));
    }
}

/* Per channel: mean and biased (population) variance over H x W of this input, then
 * out = act((x - mean) / sqrt(var + eps) * weight + bias): TF FusedBatchNorm in training
 * mode. Two passes in double, so nearly constant channels keep their tiny variance. */
void opc_ref_instance_norm(const opc_kernel_args *a)
{
    const opc_layer *l = a->layer;
    const opc_shape s = a->out_shape;
    size_t hw = (size_t)s.h * s.w;
    for (int c = 0; c < s.c; c++) {
        const float *x = a->in[0] + c * hw;
        double mean = 0, var = 0;
        for (size_t i = 0; i < hw; i++)
            mean += x[i];
        mean /= (double)hw;
        for (size_t i = 0; i < hw; i++)
            var += ((double)x[i] - mean) * ((double)x[i] - mean);
        var /= (double)hw;
        double k = l->weight.data[c] / sqrt(var + (double)l->eps);
        double b = l->bias.data ? l->bias.data[c] : 0.0;
        for (size_t i = 0; i < hw; i++)
            a->out[c * hw + i] =
                opc_act1((float)(((double)x[i] - mean) * k + b), opc_layer_act(l, c));
    }
}

/* TF's legacy ResizeBilinear (align_corners = false, no half-pixel centres): source
 * coordinate = dst * (in / out) in float, lower neighbour = floor, upper = ceil clamped to
 * the last row/column; lerp first along x, then y, in TF's order. */
void opc_resize_coord(int dst, int in, int out, int *lo, int *hi, float *frac)
{
    float scale = (float)in / (float)out;
    float src = (float)dst * scale;
    float fl = floorf(src);
    *lo = (int)fl < in - 1 ? (int)fl : in - 1; /* float rounding must not leave the row */
    int up = (int)ceilf(src);
    *hi = up < in - 1 ? up : in - 1;
    *frac = src - fl;
}

void opc_ref_resize(const opc_kernel_args *a)
{
    const opc_layer *l = a->layer;
    const opc_shape in = a->in_shape[0], out = a->out_shape;
    if (l->resize_mode == OPC_RESIZE_NEAREST) {
        for (int c = 0; c < out.c; c++)
            for (int oy = 0; oy < out.h; oy++)
                for (int ox = 0; ox < out.w; ox++) {
                    int sy = opc_resize_nearest_src(oy, in.h, out.h);
                    int sx = opc_resize_nearest_src(ox, in.w, out.w);
                    a->out[((size_t)c * out.h + oy) * out.w + ox] = opc_act1(
                        a->in[0][((size_t)c * in.h + sy) * in.w + sx], opc_layer_act(l, c));
                }
        return;
    }
    for (int c = 0; c < out.c; c++) {
        const float *x = a->in[0] + (size_t)c * in.h * in.w;
        for (int oy = 0; oy < out.h; oy++) {
            int y0, y1;
            float fy;
            opc_resize_coord(oy, in.h, out.h, &y0, &y1, &fy);
            for (int ox = 0; ox < out.w; ox++) {
                int x0, x1;
                float fx;
                opc_resize_coord(ox, in.w, out.w, &x0, &x1, &fx);
                float tl = x[y0 * in.w + x0], tr = x[y0 * in.w + x1];
                float bl = x[y1 * in.w + x0], br = x[y1 * in.w + x1];
                float top = tl + (tr - tl) * fx, bottom = bl + (br - bl) * fx;
                a->out[((size_t)c * out.h + oy) * out.w + ox] =
                    opc_act1(top + (bottom - top) * fy, opc_layer_act(l, c));
            }
        }
    }
}

/* out = FakeQuantize(in), per channel's limits (engine/fake_quantize.h). */
void opc_ref_fake_quantize(const opc_kernel_args *a)
{
    const opc_shape s = a->out_shape;
    size_t hw = (size_t)s.h * s.w;
    for (int c = 0; c < s.c; c++) {
        opc_fq_fn f = opc_layer_fq(a->layer, c);
        for (size_t i = 0; i < hw; i++)
            a->out[c * hw + i] = opc_fq1(a->in[0][c * hw + i], f);
    }
}
