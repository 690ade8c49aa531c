/* The fused activations (src/engine/act.h): the fast kernels' vector expm1, which ELU
 * layers use, against the exact value on every 61st float of [-100, 0] and on edge values
 * (denormals, the -87 clamp, -0, -infinity, NaN), and ELU through opc_act_lanes against
 * the reference engine's opc_act1. Compiled at the baseline level (4 lanes); the wider
 * levels' copies run through test_engine_ops's ELU cases. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "engine/act.h"
#include "testutil.h"

/* Relative error of the vector expm1 at x against expm1 in double. */
static double expm1_error(float x)
{
    opc_vlanes v = {0};
    v += x;
    float y = opc_expm1_lanes(v)[OPC_LANES - 1];
    double ref = expm1((double)x);
    return ref == 0.0 ? fabs((double)y) : fabs((double)y - ref) / fabs(ref);
}

static void expm1_sweep(void)
{
    double worst = 0.0;
    float at = 0.0f;
    uint32_t bits;
    float x = -100.0f;
    memcpy(&bits, &x, sizeof bits);
    for (; bits > 0x80000000u; bits = bits > 0x80000000u + 61 ? bits - 61 : 0x80000000u) {
        memcpy(&x, &bits, sizeof x);
        double e = expm1_error(x);
        if (!(e <= worst)) {
            worst = e;
            at = x;
        }
    }
    CHECK(worst <= 1e-7, "expm1: relative error %.3g at %.9g", worst, at);
    const float edges[] = {-0.0f, -1e-45f, -1.17549435e-38f, -1e-7f, -0.34657359f,
                           -0.34657362f, -86.99f, -87.0f, -87.01f, -88.8f, -1e30f};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        CHECK(expm1_error(edges[i]) <= 1e-7, "expm1(%.9g): relative error %.3g", edges[i],
              expm1_error(edges[i]));
}

/* ELU through the vector path and the reference path agree, lanes of mixed signs. */
static void elu_lanes(void)
{
    opc_act_fn f = {OPC_ACT_ELU, 0.7f, 0.0f};
    for (int k = -4000; k <= 4000; k += OPC_LANES) {
        opc_vlanes x;
        for (int i = 0; i < OPC_LANES; i++)
            x[i] = (float)(k + i) * 0.0031f * (i % 2 ? 1.0f : -1.0f);
        opc_vlanes y = opc_act_lanes(x, f);
        for (int i = 0; i < OPC_LANES; i++) {
            float ref = opc_act1(x[i], f);
            CHECK(fabsf(y[i] - ref) <= 2e-7f * fabsf(ref) + 1e-30f, "elu(%.9g): %.9g, %.9g",
                  x[i], y[i], ref);
        }
    }
    opc_vlanes x = {0};
    x[0] = NAN;
    x[1] = -INFINITY;
    x[2] = INFINITY;
    opc_vlanes y = opc_act_lanes(x, f);
    CHECK(isnan(y[0]), "elu(nan) = %g", y[0]);
    CHECK(y[1] == -0.7f, "elu(-inf) = %g", y[1]);
    CHECK(y[2] == INFINITY, "elu(inf) = %g", y[2]);
}

int main(void)
{
    expm1_sweep();
    elu_lanes();
    return opc_test_result();
}
