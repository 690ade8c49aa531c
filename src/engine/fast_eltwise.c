/* Fast per-channel elementwise ops (ADD, ACT, AFFINE, INSTANCE_NORM): channels are split
 * between threads, and each channel is a few vectorisable passes over its H x W plane. */
#include "engine/fast_kernels.h"

#include <math.h>
#include <string.h>

#include "engine/act.h"

typedef void (*channel_fn)(const opc_kernel_args *a, int c, size_t hw);

typedef struct {
    const opc_kernel_args *a;
    channel_fn fn;
} eltwise_ctx;

static void run_channels(void *p, int c0, int c1)
{
    const eltwise_ctx *e = p;
    size_t hw = (size_t)e->a->out_shape.h * e->a->out_shape.w;
    for (int c = c0; c < c1; c++)
        e->fn(e->a, c, hw);
}

static void for_channels(const opc_kernel_args *a, channel_fn fn)
{
    eltwise_ctx e = {a, fn};
    opc_pool_for(a->pool, a->out_shape.c, run_channels, &e);
}

/* out[c] = act(in0[c] + in1[c] + ...), summed in input order. */
static void add_channel(const opc_kernel_args *a, int c, size_t hw)
{
    float *restrict y = a->out + c * hw;
    memcpy(y, a->in[0] + c * hw, hw * sizeof(float));
    for (int k = 1; k < a->n_inputs; k++) {
        const float *restrict x = a->in[k] + c * hw;
        for (size_t i = 0; i < hw; i++)
            y[i] += x[i];
    }
    opc_bias_act_row(y, hw, 0.0f, a->layer->act, opc_layer_slope(a->layer, c));
}

static void act_channel(const opc_kernel_args *a, int c, size_t hw)
{
    memcpy(a->out + c * hw, a->in[0] + c * hw, hw * sizeof(float));
    opc_bias_act_row(a->out + c * hw, hw, 0.0f, a->layer->act, opc_layer_slope(a->layer, c));
}

/* out[c] = act(weight[c] * in[c] + bias[c]). */
static void affine_channel(const opc_kernel_args *a, int c, size_t hw)
{
    const opc_layer *l = a->layer;
    const float *restrict x = a->in[0] + c * hw;
    float *restrict y = a->out + c * hw;
    float w = l->weight.data[c];
    for (size_t i = 0; i < hw; i++)
        y[i] = w * x[i];
    opc_bias_act_row(y, hw, l->bias.data ? l->bias.data[c] : 0.0f, l->act, opc_layer_slope(l, c));
}

/* Mean and biased variance of channel c in double (two passes: a channel that is nearly
 * constant keeps its tiny variance), then out = act((x - mean) * k + bias) with
 * k = weight / sqrt(var + eps), also in double: folding mean into a float shift would lose
 * |mean * k| * 2^-24, which is large exactly for the nearly constant channels. */
static void instance_norm_channel(const opc_kernel_args *a, int c, size_t hw)
{
    const opc_layer *l = a->layer;
    const float *restrict x = a->in[0] + c * hw;
    float *restrict y = a->out + c * hw;
    double sum = 0, sq = 0;
    for (size_t i = 0; i < hw; i++)
        sum += x[i];
    double mean = sum / (double)hw;
    for (size_t i = 0; i < hw; i++)
        sq += ((double)x[i] - mean) * ((double)x[i] - mean);
    double k = l->weight.data[c] / sqrt(sq / (double)hw + (double)l->eps);
    double b = l->bias.data ? l->bias.data[c] : 0.0;
    for (size_t i = 0; i < hw; i++)
        y[i] = (float)(((double)x[i] - mean) * k + b);
    opc_bias_act_row(y, hw, 0.0f, l->act, opc_layer_slope(l, c));
}

void opc_fast_add(const opc_kernel_args *a) { for_channels(a, add_channel); }
void opc_fast_act(const opc_kernel_args *a) { for_channels(a, act_channel); }
void opc_fast_affine(const opc_kernel_args *a) { for_channels(a, affine_channel); }
void opc_fast_instance_norm(const opc_kernel_args *a) { for_channels(a, instance_norm_channel); }
