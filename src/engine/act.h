/* Fused activations, shared by every kernel: y = act(x + bias) over one channel's row.
 * The arithmetic is the same in both engines (max, min, one multiply), so activations
 * never add a difference between them. */
#ifndef OPC_ENGINE_ACT_H
#define OPC_ENGINE_ACT_H

#include <stddef.h>

#include "model/graph.h"

/* The PReLU slope of channel c (one shared slope or one per channel); 0 without PReLU. */
static inline float opc_layer_slope(const opc_layer *l, int c)
{
    if (l->act != OPC_ACT_PRELU)
        return 0.0f;
    return l->slope.count == 1 ? l->slope.data[0] : l->slope.data[c];
}

static inline float opc_act1(float x, opc_act act, float slope)
{
    switch (act) {
    case OPC_ACT_RELU:
        return x > 0.0f ? x : 0.0f;
    case OPC_ACT_RELU6:
        return x > 0.0f ? (x < 6.0f ? x : 6.0f) : 0.0f;
    case OPC_ACT_PRELU:
        return x > 0.0f ? x : x * slope;
    default:
        return x;
    }
}

/* x[i] = act(x[i] + bias) for i < n; one loop per activation so each vectorises. */
static inline void opc_bias_act_row(float *restrict x, size_t n, float bias, opc_act act,
                                    float slope)
{
    switch (act) {
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
            x[i] = v > 0.0f ? v : v * slope;
        }
        break;
    default:
        if (bias != 0.0f)
            for (size_t i = 0; i < n; i++)
                x[i] += bias;
        break;
    }
}

#endif
