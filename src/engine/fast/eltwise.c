/* Fast elementwise ops (ADD, ACT, AFFINE, INSTANCE_NORM): a few vectorisable passes over
 * each channel's H x W plane, the threads splitting the pixels (instance norm, whose
 * statistics are per channel: the channels). */
#include "engine/fast/fast_kernels.h"

#include <math.h>
#include <string.h>

#include "engine/act.h"
#include "engine/lanes.h"
#include "engine/fast/parts.h"

typedef void (*span_fn)(const opc_kernel_args *a, int c, size_t begin, size_t end);
typedef void (*channel_fn)(const opc_kernel_args *a, int c, size_t hw);

typedef struct {
    const opc_kernel_args *a;
    span_fn span;
    channel_fn fn;
    size_t hw;
} eltwise_ctx;

/* Parts t0 .. t1 - 1 of the rows (parts.h), every channel: the threads split the pixels as
 * the convolutions before and after them do, so each reads what its own core wrote; split
 * by channels, every element crossed between the cores. */
static void run_parts(void *p, int t0, int t1)
{
    const eltwise_ctx *e = p;
    for (int t = t0; t < t1; t++) {
        size_t begin, end;
        opc_part_pixels(e->a->out_shape.h, e->a->out_shape.w, t, opc_pool_threads(e->a->pool),
                        &begin, &end);
        if (begin < end)
            for (int c = 0; c < e->a->out_shape.c; c++)
                e->span(e->a, c, begin, end);
    }
}

static void for_parts(const opc_kernel_args *a, span_fn fn)
{
    size_t hw = (size_t)a->out_shape.h * a->out_shape.w;
    eltwise_ctx e = {.a = a, .span = fn, .hw = hw};
    opc_pool_for(a->pool, opc_pool_threads(a->pool), run_parts, &e);
}

static void run_channels(void *p, int c0, int c1)
{
    const eltwise_ctx *e = p;
    for (int c = c0; c < c1; c++)
        e->fn(e->a, c, e->hw);
}

static void for_channels(const opc_kernel_args *a, channel_fn fn)
{
    eltwise_ctx e = {.a = a, .fn = fn, .hw = (size_t)a->out_shape.h * a->out_shape.w};
    opc_pool_for(a->pool, a->out_shape.c, run_channels, &e);
}

/* out[c] = act(in0[c] + in1[c] + ...), summed in input order, pixels [i0, i1). Here and
 * below out may be in[0] itself (see memplan.h): every element is read before it is
 * written. */
static void add_span(const opc_kernel_args *a, int c, size_t i0, size_t i1)
{
    size_t hw = (size_t)a->out_shape.h * a->out_shape.w, at = c * hw + i0, len = i1 - i0;
    float *y = a->out + at;
    if (y != a->in[0] + at)
        memcpy(y, a->in[0] + at, len * sizeof(float));
    for (int k = 1; k < a->n_inputs; k++) {
        const float *x = a->in[k] + at;
        for (size_t i = 0; i < len; i++)
            y[i] += x[i];
    }
    opc_bias_act_row(y, len, 0.0f, opc_layer_act(a->layer, c));
}

static void act_span(const opc_kernel_args *a, int c, size_t i0, size_t i1)
{
    size_t hw = (size_t)a->out_shape.h * a->out_shape.w, at = c * hw + i0;
    if (a->out != a->in[0])
        memcpy(a->out + at, a->in[0] + at, (i1 - i0) * sizeof(float));
    opc_bias_act_row(a->out + at, i1 - i0, 0.0f, opc_layer_act(a->layer, c));
}

/* out[c] = act(weight[c] * in[c] + bias[c]). */
static void affine_span(const opc_kernel_args *a, int c, size_t i0, size_t i1)
{
    const opc_layer *l = a->layer;
    size_t hw = (size_t)a->out_shape.h * a->out_shape.w, at = c * hw + i0;
    const float *x = a->in[0] + at;
    float *y = a->out + at;
    float w = l->weight.data[c];
    for (size_t i = 0; i < i1 - i0; i++)
        y[i] = w * x[i];
    opc_bias_act_row(y, i1 - i0, l->bias.data ? l->bias.data[c] : 0.0f, opc_layer_act(l, c));
}

/* Mean and biased variance of channel c in one pass in double over d = x - x[0]: with a
 * shift that is one of the values, S2 - S1^2 / n loses at most about n * 2^-53 of the
 * variance (|x[0] - mean|^2 <= n * var), so nearly constant channels keep their tiny
 * variance. The sums run on OPC_LANES / 2 double lanes, two sets of them, added up in a
 * fixed order at the end (C does not let the compiler reorder a plain loop's sum into
 * lanes), so they vectorise and stay deterministic. Then, in float, y = act(((x - mh) - ml)
 * * k + bias) with mean = mh + ml split into two floats: x - mh is exact near the mean, so
 * even a channel whose |mean| dwarfs its spread keeps its output to a few float roundings
 * (a plain float mean would shift every output by up to |mean * k| * 2^-24). */
typedef double vdouble __attribute__((vector_size(OPC_LANES / 2 * sizeof(double))));
typedef float vhalf __attribute__((vector_size(OPC_LANES / 2 * sizeof(float))));

static inline vdouble load_half(const float *p)
{
    vhalf h;
    memcpy(&h, p, sizeof h);
    return __builtin_convertvector(h, vdouble);
}

static double lanes_sum(vdouble v)
{
    double s = 0;
    for (int e = 0; e < OPC_LANES / 2; e++)
        s += v[e];
    return s;
}

static void instance_norm_channel(const opc_kernel_args *a, int c, size_t hw)
{
    enum { H = OPC_LANES / 2 };
    const opc_layer *l = a->layer;
    const float *x = a->in[0] + c * hw;
    float *y = a->out + c * hw;
    double shift = x[0], s1 = 0, s2 = 0;
    vdouble p0 = {0}, p1 = {0}, q0 = {0}, q1 = {0};
    size_t body = hw / (2 * H) * (2 * H);
    for (size_t i = 0; i < body; i += 2 * H) {
        vdouble d0 = load_half(x + i) - shift, d1 = load_half(x + i + H) - shift;
        p0 += d0;
        p1 += d1;
        q0 += d0 * d0;
        q1 += d1 * d1;
    }
    for (size_t i = body; i < hw; i++) {
        double d = x[i] - shift;
        s1 += d;
        s2 += d * d;
    }
    s1 += lanes_sum(p0 + p1);
    s2 += lanes_sum(q0 + q1);
    double n = (double)hw, mean = shift + s1 / n, var = (s2 - s1 * s1 / n) / n;
    float mh = (float)mean, ml = (float)(mean - mh);
    float k = (float)(l->weight.data[c] / sqrt((var > 0 ? var : 0) + (double)l->eps));
    float b = l->bias.data ? l->bias.data[c] : 0.0f;
    opc_act_fn act = opc_layer_act(l, c);
    size_t vec = hw / OPC_LANES * OPC_LANES;
    for (size_t i = 0; i < vec; i += OPC_LANES)
        opc_store_lanes(y + i, opc_act_lanes(((opc_load_lanes(x + i) - mh) - ml) * k + b, act));
    for (size_t i = vec; i < hw; i++)
        y[i] = opc_act1(((x[i] - mh) - ml) * k + b, act);
}

void opc_fast_add(const opc_kernel_args *a) { for_parts(a, add_span); }
void opc_fast_act(const opc_kernel_args *a) { for_parts(a, act_span); }
void opc_fast_affine(const opc_kernel_args *a) { for_parts(a, affine_span); }
void opc_fast_instance_norm(const opc_kernel_args *a) { for_channels(a, instance_norm_channel); }
