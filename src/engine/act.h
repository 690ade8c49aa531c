/* Fused activations, shared by every kernel: y = act(x + bias) over one channel's row.
 * The arithmetic is the same in both engines (max, min, one multiply; expf for sigmoid,
 * lane by lane), so activations never add a difference between them, except ELU's expm1:
 * the reference engine's is libm's expm1f, the fast kernels' a vector one as accurate
 * (lane by lane, expm1f took three quarters of Lightweight OpenPose's ELU layers' time). */
#ifndef OPC_ENGINE_ACT_H
#define OPC_ENGINE_ACT_H

#include <math.h>
#include <stddef.h>

#include "engine/lanes.h"
#include "model/graph.h"

/* One layer's activation for one channel: PReLU's slope, ELU's alpha or CLAMP's min in a,
 * CLAMP's max in b. */
typedef struct opc_act_fn {
    opc_act act;
    float a, b;
} opc_act_fn;

static inline opc_act_fn opc_layer_act(const opc_layer *l, int c)
{
    opc_act_fn f = {l->act, l->act_param[0], l->act_param[1]};
    if (l->act == OPC_ACT_PRELU)
        f.a = l->slope.count == 1 ? l->slope.data[0] : l->slope.data[c];
    return f;
}

static inline float opc_act1(float x, opc_act_fn f)
{
    switch (f.act) {
    case OPC_ACT_RELU:
        return x > 0.0f ? x : 0.0f;
    case OPC_ACT_RELU6:
        return x > 0.0f ? (x < 6.0f ? x : 6.0f) : 0.0f;
    case OPC_ACT_PRELU:
        return x > 0.0f ? x : x * f.a;
    case OPC_ACT_ELU:
        return x > 0.0f ? x : f.a * expm1f(x);
    case OPC_ACT_SIGMOID:
        return 1.0f / (1.0f + expf(-x));
    case OPC_ACT_CLAMP:
        return x > f.a ? (x < f.b ? x : f.b) : f.a;
    default:
        return x;
    }
}

/* x[i] = act(x[i] + bias) for i < n; one loop per activation so each vectorises. */
static inline void opc_bias_act_row(float *restrict x, size_t n, float bias, opc_act_fn f)
{
    switch (f.act) {
    case OPC_ACT_RELU:
        for (size_t i = 0; i < n; i++) {
            float v = x[i] + bias;
            x[i] = v > 0.0f ? v : 0.0f;
        }
        break;
    case OPC_ACT_RELU6:
        for (size_t i = 0; i < n; i++) {
            float v = x[i] + bias;
            x[i] = v > 0.0f ? (v < 6.0f ? v : 6.0f) : 0.0f;
        }
        break;
    case OPC_ACT_PRELU:
        for (size_t i = 0; i < n; i++) {
            float v = x[i] + bias;
            x[i] = v > 0.0f ? v : v * f.a;
        }
        break;
    case OPC_ACT_CLAMP:
        for (size_t i = 0; i < n; i++) {
            float v = x[i] + bias;
            x[i] = v > f.a ? (v < f.b ? v : f.b) : f.a;
        }
        break;
    case OPC_ACT_ELU:
    case OPC_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            x[i] = opc_act1(x[i] + bias, f);
        break;
    default:
        if (bias != 0.0f)
            for (size_t i = 0; i < n; i++)
                x[i] += bias;
        break;
    }
}

/* expm1 of every lane of x <= 0 (lanes above 0 give expm1(0) = 0), within 1e-7 relative
 * of the exact value, as libm's expm1f (test_engine_act sweeps it): x = n ln2 + r with
 * |r| <= ln2 / 2 (ln2 in two parts, so r is exact), expm1(r) by its Taylor series to r^7
 * (the next term is below 1e-8 of it), and expm1(x) = 2^n expm1(r) + (2^n - 1), which for
 * n = 0 is expm1(r) itself, so small |x| keep their relative accuracy. Below -87 expm1 is
 * -1 in float. */
static inline opc_vlanes opc_expm1_lanes(opc_vlanes x)
{
    typedef int vint __attribute__((vector_size(sizeof(opc_vlanes))));
    const opc_vlanes zero = {0};
    vint keep = (x < zero) | (x != x);
    x = (opc_vlanes)((vint)x & keep); /* min(x, 0), NaN kept: it stays NaN below */
    vint lo = x < zero - 87.0f;
    x = (opc_vlanes)(((vint)x & ~lo) | ((vint)(zero - 87.0f) & lo));
    opc_vlanes t = x * 1.44269504f + 12582912.0f; /* round(x / ln2), in the low bits */
    opc_vlanes n = t - 12582912.0f;
    opc_vlanes r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
    opc_vlanes p = 1.0f / 5040 + zero;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * (r * r) + r;
    opc_vlanes s = (opc_vlanes)((__builtin_convertvector(n, vint) + 127) << 23); /* 2^n */
    return s * p + (s - 1.0f);
}

/* The activation of a whole vector, the arithmetic of opc_act1 but for ELU, whose expm1 is
 * opc_expm1_lanes (selects by comparison masks: the vector extension has no ?: in C). */
static inline opc_vlanes opc_act_lanes(opc_vlanes x, opc_act_fn f)
{
    typedef int vmask __attribute__((vector_size(sizeof(opc_vlanes))));
    const opc_vlanes zero = {0};
    switch (f.act) {
    case OPC_ACT_RELU:
        return (opc_vlanes)((vmask)x & (x > zero));
    case OPC_ACT_RELU6: {
        opc_vlanes six = zero + 6.0f;
        vmask big = x < six;
        opc_vlanes y = (opc_vlanes)(((vmask)x & big) | ((vmask)six & ~big));
        return (opc_vlanes)((vmask)y & (x > zero));
    }
    case OPC_ACT_PRELU: {
        vmask pos = x > zero;
        return (opc_vlanes)(((vmask)x & pos) | ((vmask)(x * f.a) & ~pos));
    }
    case OPC_ACT_CLAMP: {
        opc_vlanes lo = zero + f.a, hi = zero + f.b;
        vmask small = x < hi;
        opc_vlanes y = (opc_vlanes)(((vmask)x & small) | ((vmask)hi & ~small));
        vmask above = x > lo;
        return (opc_vlanes)(((vmask)y & above) | ((vmask)lo & ~above));
    }
    case OPC_ACT_ELU: { /* Lightweight OpenPose's CPM stage: 8 layers */
        vmask pos = x > zero;
        return (opc_vlanes)(((vmask)x & pos) | ((vmask)(f.a * opc_expm1_lanes(x)) & ~pos));
    }
    case OPC_ACT_SIGMOID: /* rare (a network's last layer or two): lane by lane */
        for (int i = 0; i < OPC_LANES; i++)
            x[i] = opc_act1(x[i], f);
        return x;
    default:
        return x;
    }
}

#endif
