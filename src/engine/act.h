/* Fused activations, shared by every kernel: y = act(x + bias) over one channel's row.
 * The arithmetic is the same in both engines (max, min, one multiply; expm1f / expf for
 * ELU and sigmoid, lane by lane), so activations never add a difference between them. */
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

/* The activation of a whole vector, same arithmetic as opc_act1 (selects by comparison
 * masks: the vector extension has no ?: in C). */
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
    case OPC_ACT_ELU:
    case OPC_ACT_SIGMOID: /* rare (a few layers a network): lane by lane */
        for (int i = 0; i < OPC_LANES; i++)
            x[i] = opc_act1(x[i], f);
        return x;
    default:
        return x;
    }
}

#endif
