/* Fast 1x1 convolution with 8 to 384 inputs and 16 to 384 outputs, as in MobileNets: a
 * direct register-blocked kernel instead of a GEMM call. With K (input channels) this
 * small, OpenBLAS spends a good share of its time packing, zeroing the output before it
 * accumulates, and then bias and activation take one more pass; here each block of
 * MR output channels x NR pixels is summed in registers over k, in order, and stored
 * once with bias and activation applied:
 *     out[co][p] = act(sum_k w[co][k] * in[k][p] + bias[co])
 * The weights are packed once by blocks of MR channels, [M / MR][K][MR], so the MR
 * weights of one k are adjacent (packed at every run by the calling thread, they cost the
 * hourglass 4-5 % of a 2-thread forward: the other core waited, then read them across).
 * Threads take parts of the rows (parts.h); every output is summed in the same order
 * whatever the thread count. */
#include "engine/fast/fast_kernels.h"

#include <string.h>

#include "engine/act.h"
#include "engine/lanes.h"
#include "engine/fast/gemm_micro.h"
#include "engine/fast/parts.h"

/* A register block as the own GEMM's (gemm_micro.h): MR output channels x NV pixel vectors,
 * within the level's registers (8 x 3 with AVX-512, 4 x 3 with AVX2). It was 8 x 2 at every
 * level, which spilled AVX2's 16 registers; with that and the row loop below not unrolled,
 * the hourglass took 1.09-1.13x as long on one thread (AVX-512), its 1x1 layers 1.5x as
 * long with AVX2, and MobileNetV2-small 1.04-1.06x. */
#define MR OPC_GEMM_MR
#define NV OPC_GEMM_NV
#define NR (NV * OPC_LANES)    /* pixels of a register block: the pool's unit of work */
/* Where this beats OpenBLAS, measured layer by layer on MobileNetV2-small (K 8 to 288, M 8
 * to 288, 621 to 39744 pixels) and the COCO net (K 128, M 128 and 512) with OpenBLAS's
 * Cooperlake kernel: K 64 to 128 with M >= 64 and the packed weights within a core's L1
 * cache (32 KiB), by 6-12 % (156 GFLOP/s on 2 cores where OpenBLAS gave 134; it reaches 200
 * on a large square SGEMM); with more weights they streamed from L2 for every block of
 * pixels (5-10 % slower on COCO's 128 x 512). Where OPENBLAS_CORETYPE=Haswell is set (as on
 * the Zen 5 machines now, whose cores older OpenBLAS builds misdetect), OpenBLAS runs
 * 8-wide: PoseNet's MobileNetV1 layers (K and M 24 to 384, 289 to 4225 pixels) took 8.2 ms
 * here against 12.6 with OpenBLAS at 257x257 on one thread (all 17 of them faster), and
 * MobileNetV2-small did not change beyond the noise; hence K and M from 16 to 384 (COCO's
 * 512-channel layers stay with OpenBLAS). Against the own GEMM (conv_1x1_gemm), which takes
 * the others since: K from 8, as MobileNetV2-small's 8 -> 48 expansion on its 216x184 map
 * took 0.81 ms here and 1.09 there (the net 0.97-0.99x on one and two threads). */
#define MIN_K 8
#define MAX_K 384
#define MIN_M 16
#define MAX_M 384

int opc_pointwise_fits(const void *param, const opc_layer *l, const opc_shape *in,
                       const opc_shape *out)
{
    return l->group == 1 && in->c >= MIN_K && in->c <= MAX_K && out->c >= MIN_M &&
           out->c <= MAX_M && opc_conv1x1_fits(param, l, in, out);
}

static int blocks_of(int m) { return (m + MR - 1) / MR; }

/* The packed weights: [M / MR][K][MR], zero past M. */
size_t opc_pointwise_packed_floats(const opc_layer *l)
{
    return (size_t)blocks_of(l->weight.shape[0]) * MR * l->weight.shape[1];
}

void opc_pointwise_pack(const opc_layer *l, float *dst)
{
    int m = l->weight.shape[0], k = l->weight.shape[1];
    for (int mb = 0; mb < blocks_of(m); mb++)
        for (int kk = 0; kk < k; kk++)
            for (int r = 0; r < MR; r++) {
                int co = mb * MR + r;
                *dst++ = co < m ? l->weight.data[(size_t)co * k + kk] : 0.0f;
            }
}

typedef struct {
    const opc_kernel_args *a;
    const float *wp; /* packed weights */
    int m, k;
    size_t n;        /* pixels */
} pw_ctx;

/* Output channels mb*MR .. +rows of the np <= nv * OPC_LANES pixels from p (nv <= NV and,
 * but in a last short block, rows = MR: constants where inlined). */
static inline __attribute__((always_inline)) void block(const pw_ctx *x, int mb, int rows,
                                                       size_t p, int nv, int np)
{
    const opc_layer *l = x->a->layer;
    const float *in = x->a->in[0] + p, *w = x->wp + (size_t)mb * x->k * MR;
    int last = np - (nv - 1) * OPC_LANES; /* pixels of the last vector, 1 to OPC_LANES */
    opc_vlanes acc[MR][NV];
    memset(acc, 0, sizeof acc);
    for (int k = 0; k < x->k; k++, in += x->n, w += MR) {
        opc_vlanes xv[NV];
        for (int v = 0; v < nv - 1; v++)
            xv[v] = opc_load_lanes(in + v * OPC_LANES);
        xv[nv - 1] = last == OPC_LANES ? opc_load_lanes(in + (nv - 1) * OPC_LANES)
                                       : opc_load_lanes_n(in + (nv - 1) * OPC_LANES, last);
        for (int r = 0; r < MR; r++)
            for (int v = 0; v < nv; v++)
                acc[r][v] += w[r] * xv[v];
    }
    /* Unrolled, so that acc stays in registers (GCC stored all of it to the stack for a
     * run-time row loop: K = 24 layers ran at 140 GFLOP/s where K = 144 ran at 193). */
#pragma GCC unroll 8
    for (int r = 0; r < rows; r++) {
        int co = mb * MR + r;
        float bias = l->bias.data ? l->bias.data[co] : 0.0f;
        opc_act_fn act = opc_layer_act(l, co);
        float *dst = x->a->out + (size_t)co * x->n + p;
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++) {
            opc_vlanes y = opc_act_lanes(acc[r][v] + bias, act);
            if (v < nv - 1 || last == OPC_LANES)
                opc_store_lanes(dst + v * OPC_LANES, y);
            else
                opc_store_lanes_n(dst + v * OPC_LANES, y, last);
        }
    }
}

/* The block of channels mb*MR .. +rows over the np <= NR pixels from px, with constant vector
 * counts: a short tile (the last of a part; 18 pixels on the hourglass's 6x6 maps at 2
 * threads) sums only the vectors it has. */
static inline __attribute__((always_inline)) void tile(const pw_ctx *x, int mb, int rows,
                                                      size_t px, int np)
{
    if (np == NR)
        block(x, mb, rows, px, NV, NR);
    else if (np <= OPC_LANES)
        block(x, mb, rows, px, 1, np);
#if NV > 2
    else if (np <= 2 * OPC_LANES)
        block(x, mb, rows, px, 2, np);
#endif
    else
        block(x, mb, rows, px, NV, np);
}

/* Parts t0 .. t1 - 1 (parts.h), in tiles of NR pixels from each part's start. */
static void pixel_parts(void *p, int t0, int t1)
{
    const pw_ctx *x = p;
    int mblocks = blocks_of(x->m), parts = opc_pool_threads(x->a->pool);
    for (int t = t0; t < t1; t++) {
        size_t p0, p1;
        opc_part_pixels(x->a->out_shape.h, x->a->out_shape.w, t, parts, &p0, &p1);
        for (size_t px = p0; px < p1; px += NR) {
            int np = p1 - px < NR ? (int)(p1 - px) : NR;
            for (int mb = 0; mb < mblocks; mb++) {
                int rows = x->m - mb * MR;
                if (rows >= MR)
                    tile(x, mb, MR, px, np);
                else
                    tile(x, mb, rows, px, np);
            }
        }
    }
}

void opc_fast_conv_pointwise(const opc_kernel_args *a)
{
    pw_ctx x = {a, a->packed, a->out_shape.c, a->in_shape[0].c,
                (size_t)a->out_shape.h * a->out_shape.w};
    opc_pool_for(a->pool, opc_pool_threads(a->pool), pixel_parts, &x);
}
