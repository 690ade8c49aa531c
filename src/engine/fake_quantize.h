/* OpenVINO's FakeQuantize (opset1), element by element, shared by both engines so that
 * they agree to the bit: a level flip between them would be 1/(levels-1) of the range.
 * In double, as the float64 reference of testdata/lwopenpose computes it; the input is
 * what our float32 layers made, so flips against that reference remain (its README). */
#ifndef OPC_ENGINE_FAKE_QUANTIZE_H
#define OPC_ENGINE_FAKE_QUANTIZE_H

#include <math.h>

#include "model/graph.h"

/* The limits of channel c: input low, high, output low, high. */
typedef struct opc_fq_fn {
    double il, ih, ol, oh, steps;
} opc_fq_fn;

static inline opc_fq_fn opc_layer_fq(const opc_layer *l, int c)
{
    int n = l->weight.shape[1], k = n == 1 ? 0 : c;
    const float *w = l->weight.data;
    return (opc_fq_fn){w[k], w[n + k], w[2 * n + k], w[3 * n + k], l->levels - 1.0};
}

/* x <= min(il, ih): ol; x > max(il, ih): oh; otherwise
 * round((x - il) / (ih - il) * steps) / steps * (oh - ol) + ol, rounding half to even. */
static inline float opc_fq1(float x, opc_fq_fn f)
{
    double v = x;
    if (v <= fmin(f.il, f.ih))
        return (float)f.ol;
    if (v > fmax(f.il, f.ih))
        return (float)f.oh;
    return (float)(nearbyint((v - f.il) / (f.ih - f.il) * f.steps) / f.steps * (f.oh - f.ol) +
                   f.ol);
}

#endif
