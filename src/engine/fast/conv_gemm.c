/* Fast convolution as GEMM. Per group g, with K = cin_g*kh*kw, N = OH*OW:
 *   out_g [cout_g x N] = weight_g [cout_g x K] * cols_g [K x N]
 * The OIHW weights already are the row-major [cout x K] matrix. 1x1 stride-1 unpadded
 * convs multiply the input itself (it is the [cin x N] matrix); the others unfold the
 * input (im2col) one band of output rows at a time into a buffer of the thread's own,
 * sized to stay in its cache whatever the image size. Ungrouped layers multiply on the
 * project's own GEMM (gemm_micro.h), the weights packed at every run; grouped ones on
 * OpenBLAS (cblas_sgemm).
 * The work is split between the net's threads by output columns (pixel ranges, bands),
 * each running single-threaded GEMMs, and bias and activation are applied to each slice
 * right after its GEMM, while it is still in cache. The slices depend on the shapes only,
 * so no result depends on the thread count. */
#include "engine/fast/fast_kernels.h"
#include "engine/fast/parts.h"

#include <cblas.h>
#include <stdatomic.h>
#include <string.h>

#include "engine/act.h"
#include "engine/fast/gemm_micro.h"
#include "engine/lanes.h"

/* Output columns per 1x1 slice, at most: enough to amortise packing the weights, small
 * enough that there are slices for every thread. */
#define SLICE_COLS 512
/* The slices of a layer come in a multiple of this many, so 1, 2 or 4 threads share them
 * evenly (5 slices on 2 threads left one waiting a fifth of the layer). */
#define SLICE_GROUPS 4
/* Largest im2col band, in floats (1 MiB): one core's L2 cache. */
#define BAND_FLOATS ((size_t)1 << 18)

/* out[c][begin .. begin + len) = act(out[c][...] + bias[c]) for every channel c. */
static void bias_act_cols(const opc_layer *l, float *out, int channels, size_t n_total,
                          size_t begin, size_t len)
{
    if (!l->bias.data && l->act == OPC_ACT_NONE)
        return;
    for (int c = 0; c < channels; c++)
        opc_bias_act_row(out + (size_t)c * n_total + begin, len,
                         l->bias.data ? l->bias.data[c] : 0.0f, opc_layer_act(l, c));
}

int opc_conv1x1_fits(const void *param, const opc_layer *l, const opc_shape *in,
                     const opc_shape *out)
{
    int pad[4];
    opc_layer_pads(l, in->h, in->w, pad);
    return l->kernel[0] == 1 && l->kernel[1] == 1 && l->stride[0] == 1 && l->stride[1] == 1 &&
           !pad[0] && !pad[1] && !pad[2] && !pad[3];
}

/* Columns per slice of an N-column layer: about N / (a multiple of SLICE_GROUPS), whole
 * vectors, at most SLICE_COLS. From the shape alone, never the thread count. */
static size_t slice_cols(size_t n)
{
    size_t slices = (n + SLICE_COLS - 1) / SLICE_COLS;
    slices = (slices + SLICE_GROUPS - 1) / SLICE_GROUPS * SLICE_GROUPS;
    size_t cols = (n + slices - 1) / slices;
    return (cols + OPC_LANES - 1) / OPC_LANES * OPC_LANES;
}

typedef struct {
    const opc_kernel_args *a;
    size_t cols; /* per slice */
} conv1x1_ctx;

/* Slices s0 .. s1 - 1, each one GEMM per group whatever the thread count (OpenBLAS picks
 * its kernel by size, so merging slices could change the rounding).
 * in: Cin x N, weight: [Cout, cin_g], out: Cout x N. */
static void conv1x1_slices(void *p, int s0, int s1)
{
    const conv1x1_ctx *x = p;
    const opc_kernel_args *a = x->a;
    const opc_layer *l = a->layer;
    const opc_shape in = a->in_shape[0], out = a->out_shape;
    int cin_g = in.c / l->group, cout_g = out.c / l->group;
    size_t n = (size_t)out.h * out.w;
    for (int sl = s0; sl < s1; sl++) {
        size_t begin = (size_t)sl * x->cols;
        size_t len = n - begin < x->cols ? n - begin : x->cols;
        for (int g = 0; g < l->group; g++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cout_g, (int)len, cin_g,
                        1.0f, l->weight.data + (size_t)g * cout_g * cin_g, cin_g,
                        a->in[0] + (size_t)g * cin_g * n + begin, (int)n, 0.0f,
                        a->out + (size_t)g * cout_g * n + begin, (int)n);
        bias_act_cols(l, a->out, out.c, n, begin, len);
    }
}

void opc_fast_conv1x1(const opc_kernel_args *a)
{
    size_t n = (size_t)a->out_shape.h * a->out_shape.w;
    conv1x1_ctx x = {a, slice_cols(n)};
    opc_pool_for(a->pool, (int)((n + x.cols - 1) / x.cols), conv1x1_slices, &x);
}

/* ---- 1x1 convolutions with the project's own GEMM -------------------------------------- */

/* Ungrouped 1x1 convolutions run on gemm_micro.h's kernel: the weights packed once
 * (Cout x Cin floats, 0.6 MiB at most in the OpenPose networks), the pixels in slices of a
 * few register blocks, so that a slice of the input stays in the core's L2 cache while
 * every output channel's block runs over it, bias and activation applied as a block is
 * stored. OpenBLAS's kernel depends on the CPU it detects and on OPENBLAS_CORETYPE: with
 * the Haswell one pinned, BODY_25's 1x1 layers ran at 8-20 GFLOP/s on one core. */
int opc_conv1x1_gemm_fits(const void *param, const opc_layer *l, const opc_shape *in,
                          const opc_shape *out)
{
    return l->group == 1 && opc_conv1x1_fits(param, l, in, out);
}

/* Floats of the input a slice may span (256 KiB). */
#define SLICE_INPUT_FLOATS ((size_t)1 << 16)

typedef struct {
    const opc_kernel_args *a;
    int cols;  /* pixels per slice */
} gemm1x1_ctx;

/* The weights as the own GEMM's packed A, [Cout x K] (K = Cin * kh * kw), made once per
 * net: packed at every run, the two threads each packed half and then read the whole, most
 * of it from the other core's cache. */
size_t opc_gemm_weights_packed_floats(const opc_layer *l)
{
    return opc_gemm_packed_floats(l->weight.shape[0],
                                  l->weight.shape[1] * l->weight.shape[2] * l->weight.shape[3]);
}

void opc_gemm_weights_pack(const opc_layer *l, float *dst)
{
    int m = l->weight.shape[0], k = l->weight.shape[1] * l->weight.shape[2] * l->weight.shape[3];
    for (int pn = 0; pn < (m + OPC_LANES - 1) / OPC_LANES; pn++) {
        float *d = dst + opc_gemm_packed_at(k, pn * OPC_LANES, 0);
        for (int kk = 0; kk < k; kk++)
            for (int e = 0; e < OPC_LANES; e++) {
                int co = pn * OPC_LANES + e;
                *d++ = co < m ? l->weight.data[(size_t)co * k + kk] : 0.0f;
            }
    }
}

static void gemm1x1_parts(void *p, int t0, int t1)
{
    const gemm1x1_ctx *x = p;
    const opc_kernel_args *a = x->a;
    size_t n = (size_t)a->out_shape.h * a->out_shape.w;
    opc_gemm_epilogue ep = {a->layer, 0};
    for (int t = t0; t < t1; t++) {
        size_t p0, p1;
        opc_part_pixels(a->out_shape.h, a->out_shape.w, t, opc_pool_threads(a->pool), &p0, &p1);
        for (size_t begin = p0; begin < p1; begin += (size_t)x->cols) {
            int len = p1 - begin < (size_t)x->cols ? (int)(p1 - begin) : x->cols;
            opc_gemm_packed(a->out_shape.c, len, a->in_shape[0].c, a->packed, a->in[0] + begin,
                            n, a->out + begin, n, &ep);
        }
    }
}

void opc_fast_conv1x1_gemm(const opc_kernel_args *a)
{
    int nr = OPC_GEMM_NV * OPC_LANES, cin = a->in_shape[0].c;
    int cols = (int)(SLICE_INPUT_FLOATS / (size_t)cin) / nr * nr;
    gemm1x1_ctx x = {a, cols < nr ? nr : cols > 8 * nr ? 8 * nr : cols};
    opc_pool_for(a->pool, opc_pool_threads(a->pool), gemm1x1_parts, &x);
}

/* Output rows per im2col band of at most `floats` (one row at least). */
static int band_rows(const opc_layer *l, const opc_shape *in, const opc_shape *out,
                     size_t floats)
{
    size_t rows_k = (size_t)in->c * l->kernel[0] * l->kernel[1]; /* all groups' K */
    size_t per_row = rows_k * (size_t)out->w;
    size_t rows = floats / (per_row ? per_row : 1);
    if (rows < 1)
        rows = 1;
    return rows < (size_t)out->h ? (int)rows : out->h;
}

/* Floats of one band buffer. */
static size_t band_floats(const opc_layer *l, const opc_shape *in, const opc_shape *out,
                          size_t floats)
{
    return (size_t)in->c * l->kernel[0] * l->kernel[1] * (size_t)band_rows(l, in, out, floats) *
           out->w;
}

/* One band buffer per thread. */
size_t opc_im2col_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                          const opc_shape *out, int threads)
{
    return band_floats(l, in, out, BAND_FLOATS) * threads;
}

typedef struct {
    const opc_kernel_args *a;
    int pad[4];
    int band, bands;      /* rows per band, number of bands */
    const float *packed;  /* the weights packed for the own GEMM, or NULL: OpenBLAS's */
    float *bufs;          /* the threads' band buffers */
    atomic_int next;      /* the next band to take */
} im2col_ctx;

/* Unfolds output rows [oy0, oy0 + rows) into cols: row r of cols is input channel
 * r / (kh*kw) at kernel tap (r / kw % kh, r % kw), zero where the tap is in the padding. */
static void im2col(const im2col_ctx *x, int oy0, int rows, float *cols)
{
    const opc_layer *l = x->a->layer;
    const opc_shape is = x->a->in_shape[0], os = x->a->out_shape;
    int kh = l->kernel[0], kw = l->kernel[1], ow = os.w;
    int k_rows = is.c * kh * kw;
    for (int r = 0; r < k_rows; r++) {
        int c = r / (kh * kw), ky = r / kw % kh, kx = r % kw;
        int kxo = kx * l->dilation[1];
        int ox0 = opc_first_out(0, l->stride[1], x->pad[1], kxo);
        int ox1 = opc_first_out(is.w, l->stride[1], x->pad[1], kxo);
        if (ox0 > ow)
            ox0 = ow;
        if (ox1 > ow)
            ox1 = ow;
        if (ox1 < ox0)
            ox1 = ox0;
        float *dst = cols + (size_t)r * rows * ow;
        for (int oy = oy0; oy < oy0 + rows; oy++, dst += ow) {
            int iy = oy * l->stride[0] - x->pad[0] + ky * l->dilation[0];
            if (iy < 0 || iy >= is.h) {
                memset(dst, 0, (size_t)ow * sizeof(float));
                continue;
            }
            const float *src = x->a->in[0] + ((size_t)c * is.h + iy) * is.w;
            /* The padding runs are mostly empty: a call each cost more than the copy. */
            if (ox0 > 0)
                memset(dst, 0, (size_t)ox0 * sizeof(float));
            int ix = ox0 * l->stride[1] - x->pad[1] + kxo;
            if (l->stride[1] == 1)
                memcpy(dst + ox0, src + ix, (size_t)(ox1 - ox0) * sizeof(float));
            else if (l->stride[1] == 2)
                opc_copy_even(dst + ox0, src + ix, ox1 - ox0, is.w - ix);
            else
                for (int ox = ox0; ox < ox1; ox++, ix += l->stride[1])
                    dst[ox] = src[ix];
            if (ox1 < ow)
                memset(dst + ox1, 0, (size_t)(ow - ox1) * sizeof(float));
        }
    }
}

/* Takes bands until none are left, in buffer `slot` of the scratch.
 * in: Cin x H x W, weight: [Cout, cin_g, kh, kw], out: Cout x OH x OW. */
static void im2col_bands(void *p, int slot, int slot_end)
{
    im2col_ctx *x = p;
    const opc_kernel_args *a = x->a;
    const opc_layer *l = a->layer;
    const opc_shape in = a->in_shape[0], out = a->out_shape;
    int cin_g = in.c / l->group, cout_g = out.c / l->group;
    int k = cin_g * l->kernel[0] * l->kernel[1];
    size_t n = (size_t)out.h * out.w;
    float *cols = x->bufs + (size_t)slot * in.c * l->kernel[0] * l->kernel[1] * x->band * out.w;
    for (int b; (b = atomic_fetch_add(&x->next, 1)) < x->bands;) {
        int oy0 = b * x->band, rows = out.h - oy0 < x->band ? out.h - oy0 : x->band;
        size_t nb = (size_t)rows * out.w, begin = (size_t)oy0 * out.w;
        im2col(x, oy0, rows, cols);
        if (x->packed) { /* ungrouped: bias and activation applied as C is stored */
            opc_gemm_epilogue ep = {l, 0};
            opc_gemm_packed(out.c, (int)nb, k, x->packed, cols, nb, a->out + begin, n, &ep);
            continue;
        }
        for (int g = 0; g < l->group; g++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cout_g, (int)nb, k, 1.0f,
                        l->weight.data + (size_t)g * cout_g * k, k, cols + (size_t)g * k * nb,
                        (int)nb, 0.0f, a->out + (size_t)g * cout_g * n + begin, (int)n);
        bias_act_cols(l, a->out, out.c, n, begin, nb);
    }
}

/* Bands of output rows, each unfolded and multiplied by the weights, one thread each. */
static void im2col_run(const opc_kernel_args *a, const float *packed, float *bufs,
                       size_t floats)
{
    im2col_ctx x = {.a = a, .packed = packed, .bufs = bufs};
    opc_layer_pads(a->layer, a->in_shape[0].h, a->in_shape[0].w, x.pad);
    x.band = band_rows(a->layer, &a->in_shape[0], &a->out_shape, floats);
    x.bands = (a->out_shape.h + x.band - 1) / x.band;
    atomic_init(&x.next, 0);
    opc_pool_for(a->pool, opc_pool_threads(a->pool), im2col_bands, &x);
}

void opc_fast_conv_im2col(const opc_kernel_args *a)
{
    im2col_run(a, NULL, a->scratch, BAND_FLOATS);
}

/* Ungrouped convolutions that no direct kernel takes (dilated or strided 3x3 layers of
 * Lightweight OpenPose and MobileNets) unfold a band and multiply it on the own GEMM, as
 * the 1x1 layers do, the weights packed once ([Cout x Cin*kh*kw], 0.6 MiB for
 * Lightweight OpenPose's 128-channel dilated layers): with OpenBLAS pinned to its Haswell
 * kernel those ran at 145 GFLOP/s on two cores, a quarter of the network's time. A band
 * is at most IM2COL_GEMM_FLOATS, a slice of B that stays in L2 while every row block of
 * the weights runs over it. */
#define IM2COL_GEMM_FLOATS ((size_t)1 << 16)

int opc_im2col_gemm_fits(const void *param, const opc_layer *l, const opc_shape *in,
                         const opc_shape *out)
{
    return l->group == 1;
}

size_t opc_im2col_gemm_scratch(const void *param, const opc_layer *l, const opc_shape *in,
                               const opc_shape *out, int threads)
{
    return band_floats(l, in, out, IM2COL_GEMM_FLOATS) * threads;
}

void opc_fast_conv_im2col_gemm(const opc_kernel_args *a)
{
    im2col_run(a, a->packed, a->scratch, IM2COL_GEMM_FLOATS);
}
