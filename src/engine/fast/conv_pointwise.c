/* Fast 1x1 convolution with 64 to 128 input channels, as in MobileNet's PAF stages: a
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
#include "engine/fast/parts.h"

#define MR 8                   /* output channels of a register block */
#define NV 2                   /* pixel vectors of a register block: MR * NV sums */
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
 * 512-channel layers stay with OpenBLAS). */
#define MIN_K 16
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

/* Output channels mb*MR .. +MR of the np <= NR pixels from p. */
static inline __attribute__((always_inline)) void block(const pw_ctx *x, int mb, size_t p,
                                                       int np)
{
    const opc_layer *l = x->a->layer;
    const float *in = x->a->in[0] + p, *w = x->wp + (size_t)mb * x->k * MR;
    opc_vlanes acc[MR][NV];
    memset(acc, 0, sizeof acc);
    for (int k = 0; k < x->k; k++, in += x->n, w += MR) {
        opc_vlanes xv[NV];
        for (int v = 0; v < NV; v++) {
            int cnt = np - v * OPC_LANES; /* the pixels of this vector, 0 to OPC_LANES */
            cnt = cnt < 0 ? 0 : cnt > OPC_LANES ? OPC_LANES : cnt;
            xv[v] = cnt == OPC_LANES ? opc_load_lanes(in + v * OPC_LANES)
                                     : opc_load_lanes_n(in + v * OPC_LANES, cnt);
        }
        for (int r = 0; r < MR; r++)
            for (int v = 0; v < NV; v++)
                acc[r][v] += w[r] * xv[v];
    }
    int rows = x->m - mb * MR < MR ? x->m - mb * MR : MR;
    for (int r = 0; r < rows; r++) {
        int co = mb * MR + r;
        float bias = l->bias.data ? l->bias.data[co] : 0.0f;
        opc_act_fn act = opc_layer_act(l, co);
        float *dst = x->a->out + (size_t)co * x->n + p;
        for (int v = 0; v < NV; v++) {
            int cnt = np - v * OPC_LANES;
            if (cnt <= 0)
                break;
            opc_store_lanes_n(dst + v * OPC_LANES, opc_act_lanes(acc[r][v] + bias, act),
                              cnt < OPC_LANES ? cnt : OPC_LANES);
        }
    }
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
                if (np == NR)
                    block(x, mb, px, NR); /* constant: the full-tile loads inline */
                else
                    block(x, mb, px, np);
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
