/* Fast FakeQuantize: channels split between threads, each element through the shared
 * opc_fq1 (engine/fake_quantize.h), so both engines give the same bits. Compiled without
 * floating-point contraction (unlike the other elementwise kernels) for that reason. */
#include "engine/fake_quantize.h"
#include "engine/fast/fast_kernels.h"

static void quantize_channels(void *p, int c0, int c1)
{
    const opc_kernel_args *a = p;
    size_t hw = (size_t)a->out_shape.h * a->out_shape.w;
    for (int c = c0; c < c1; c++) {
        opc_fq_fn f = opc_layer_fq(a->layer, c);
        const float *x = a->in[0] + c * hw;
        float *y = a->out + c * hw;
        for (size_t i = 0; i < hw; i++)
            y[i] = opc_fq1(x[i], f);
    }
}

void opc_fast_fake_quantize(const opc_kernel_args *a)
{
    opc_pool_for(a->pool, a->out_shape.c, quantize_channels, (void *)a);
}
