/* Fast convolution as GEMM (cblas_sgemm). Per group g, with K = cin_g*kh*kw, N = OH*OW:
 *   out_g [cout_g x N] = weight_g [cout_g x K] * cols_g [K x N]
 * The OIHW weights already are the row-major [cout x K] matrix, so they are used in place.
 * 1x1 stride-1 unpadded convs multiply the input itself (it is the [cin x N] matrix);
 * the others unfold the input (im2col) one band of output rows at a time, so the scratch
 * stays bounded whatever the image size. Bias and activation are one pass over each band
 * right after its GEMM, while it is still in cache. */
#include "engine/fast_kernels.h"

#include <cblas.h>
#include <string.h>

#include "engine/act.h"

/* Largest im2col band, in floats (16 MiB): big enough for efficient GEMMs, small enough
 * that a full-size OpenPose layer does not need hundreds of MB of scratch. */
#define IM2COL_BAND_FLOATS ((size_t)4 << 20)

typedef struct {
    const opc_layer *l;
    float *out;        /* Cout x N */
    size_t n_total;    /* N */
    size_t begin, len; /* the band: columns [begin, begin + len) of every channel */
} bias_act_ctx;

/* Channels [c0, c1): out[c][band] = act(out[c][band] + bias[c]). */
static void bias_act_channels(void *p, int c0, int c1)
{
    const bias_act_ctx *b = p;
    for (int c = c0; c < c1; c++)
        opc_bias_act_row(b->out + (size_t)c * b->n_total + b->begin, b->len,
                         b->l->bias.data ? b->l->bias.data[c] : 0.0f, b->l->act,
                         opc_layer_slope(b->l, c));
}

static void bias_act(opc_pool *pool, const opc_layer *l, float *out, int channels,
                     size_t n_total, size_t begin, size_t len)
{
    bias_act_ctx b = {l, out, n_total, begin, len};
    if (l->bias.data || l->act != OPC_ACT_NONE)
        opc_pool_for(pool, channels, bias_act_channels, &b);
}

int opc_conv1x1_fits(const opc_layer *l, const opc_shape *in, const opc_shape *out)
{
    int pad[4];
    opc_layer_pads(l, in->h, in->w, pad);
    return l->kernel[0] == 1 && l->kernel[1] == 1 && l->stride[0] == 1 && l->stride[1] == 1 &&
           !pad[0] && !pad[1] && !pad[2] && !pad[3];
}

/* in: Cin x N, weight: [Cout, cin_g], out: Cout x N. */
void opc_fast_conv1x1(const opc_kernel_args *a)
{
    const opc_layer *l = a->layer;
    const opc_shape in = a->in_shape[0], out = a->out_shape;
    int cin_g = in.c / l->group, cout_g = out.c / l->group;
    size_t n = (size_t)out.h * out.w;
    for (int g = 0; g < l->group; g++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cout_g, (int)n, cin_g, 1.0f,
                    l->weight.data + (size_t)g * cout_g * cin_g, cin_g,
                    a->in[0] + (size_t)g * cin_g * n, (int)n, 0.0f,
                    a->out + (size_t)g * cout_g * n, (int)n);
    bias_act(a->pool, l, a->out, out.c, n, 0, n);
}

/* Output rows per im2col band. */
static int band_rows(const opc_layer *l, const opc_shape *in, const opc_shape *out)
{
    size_t rows_k = (size_t)in->c * l->kernel[0] * l->kernel[1]; /* all groups' K */
    size_t per_row = rows_k * (size_t)out->w;
    size_t rows = IM2COL_BAND_FLOATS / (per_row ? per_row : 1);
    if (rows < 1)
        rows = 1;
    return rows < (size_t)out->h ? (int)rows : out->h;
}

size_t opc_im2col_scratch(const opc_layer *l, const opc_shape *in, const opc_shape *out)
{
    return (size_t)in->c * l->kernel[0] * l->kernel[1] * (size_t)band_rows(l, in, out) * out->w;
}

typedef struct {
    const opc_layer *l;
    const float *in;
    opc_shape is, os;
    int pad[4];
    int oy0, rows;     /* the band of output rows */
    float *cols;       /* [Cin*kh*kw] x [rows*OW] */
} im2col_ctx;

/* Rows [r0, r1) of the unfolded band; row r is input channel r / (kh*kw) at kernel tap
 * (r / kw % kh, r % kw). Each row is written by one thread. */
static void im2col_rows(void *p, int r0, int r1)
{
    const im2col_ctx *x = p;
    const opc_layer *l = x->l;
    int kh = l->kernel[0], kw = l->kernel[1], ow = x->os.w;
    size_t nb = (size_t)x->rows * ow;
    for (int r = r0; r < r1; r++) {
        int c = r / (kh * kw), ky = r / kw % kh, kx = r % kw;
        int kxo = kx * l->dilation[1];
        int ox0 = opc_first_out(0, l->stride[1], x->pad[1], kxo);
        int ox1 = opc_first_out(x->is.w, l->stride[1], x->pad[1], kxo);
        if (ox0 > ow)
            ox0 = ow;
        if (ox1 > ow)
            ox1 = ow;
        if (ox1 < ox0)
            ox1 = ox0;
        float *dst = x->cols + (size_t)r * nb;
        for (int oy = x->oy0; oy < x->oy0 + x->rows; oy++, dst += ow) {
            int iy = oy * l->stride[0] - x->pad[0] + ky * l->dilation[0];
            if (iy < 0 || iy >= x->is.h) {
                memset(dst, 0, (size_t)ow * sizeof(float));
                continue;
            }
            const float *src = x->in + ((size_t)c * x->is.h + iy) * x->is.w;
            memset(dst, 0, (size_t)ox0 * sizeof(float));
            int ix = ox0 * l->stride[1] - x->pad[1] + kxo;
            if (l->stride[1] == 1) {
                memcpy(dst + ox0, src + ix, (size_t)(ox1 - ox0) * sizeof(float));
            } else {
                for (int ox = ox0; ox < ox1; ox++, ix += l->stride[1])
                    dst[ox] = src[ix];
            }
            memset(dst + ox1, 0, (size_t)(ow - ox1) * sizeof(float));
        }
    }
}

/* in: Cin x H x W, weight: [Cout, cin_g, kh, kw], out: Cout x OH x OW. */
void opc_fast_conv_im2col(const opc_kernel_args *a)
{
    const opc_layer *l = a->layer;
    const opc_shape in = a->in_shape[0], out = a->out_shape;
    int cin_g = in.c / l->group, cout_g = out.c / l->group;
    int k = cin_g * l->kernel[0] * l->kernel[1];
    size_t n = (size_t)out.h * out.w;
    im2col_ctx x = {.l = l, .in = a->in[0], .is = in, .os = out, .cols = a->scratch};
    opc_layer_pads(l, in.h, in.w, x.pad);
    int band = band_rows(l, &in, &out);
    for (x.oy0 = 0; x.oy0 < out.h; x.oy0 += band) {
        x.rows = out.h - x.oy0 < band ? out.h - x.oy0 : band;
        size_t nb = (size_t)x.rows * out.w, begin = (size_t)x.oy0 * out.w;
        opc_pool_for(a->pool, in.c * l->kernel[0] * l->kernel[1], im2col_rows, &x);
        for (int g = 0; g < l->group; g++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cout_g, (int)nb, k, 1.0f,
                        l->weight.data + (size_t)g * cout_g * k, k,
                        x.cols + (size_t)g * k * nb, (int)nb, 0.0f,
                        a->out + (size_t)g * cout_g * n + begin, (int)n);
        bias_act(a->pool, l, a->out, out.c, n, begin, nb);
    }
}
