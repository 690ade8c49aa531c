/* The image scaled into the top-left of a canvas exactly as OpenCV 4's warpAffine does it
 * (OpenPose's resizeFixedAspectRatio).
 *
 * warpAffine in fixed point: destination pixel x maps to X = (16 + round(x/s * 1024)) >> 5
 * in 1/32 source pixels, i.e. integer part X >> 5 and fraction X & 31; the fraction picks
 * a 2x2 (bilinear) or 4x4 (bicubic) kernel of 15-bit weights from a 32x32 table; the
 * weighted sum of uint8 pixels is rounded, shifted by 15 and saturated. Neighbours
 * outside the image count as the border value 0. Reproducing the tables bit for bit
 * (including how OpenCV repairs weights whose rounded sum is not 32768) makes the
 * network input equal to OpenPose's to the last bit. */
#include "openpose-c/image.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cubic.h"
#include "openpose-c/error.h"

#define TAB_BITS 5
#define TAB_SIZE (1 << TAB_BITS)          /* 32 sub-pixel positions per axis */
#define COEF_BITS 15
#define COEF_ONE (1 << COEF_BITS)

static short saturate_short(float v)
{
    long r = lrintf(v);  /* OpenCV's cvRound: nearest, ties to even */
    return (short)(r < -32768 ? -32768 : r > 32767 ? 32767 : r);
}

static void coeffs_1d(int ksize, float x, float *c)
{
    if (ksize == 2) {
        c[0] = 1.f - x;
        c[1] = x;
        return;
    }
    opc_cubic_coeffs(x, c);
}

/* The 32x32 tables of ksize x ksize weights, computed in OpenCV's order. When the rounded
 * weights of an entry do not sum to 32768, OpenCV adds the difference to the largest (or
 * smallest) weight among rows/columns ksize/2 .. ksize/2+1; for ksize 2 that window runs
 * into the next entry, still zero at that point and overwritten later. The table has one
 * spare zero entry so this is reproduced as is. tab: (TAB_SIZE^2 + 1) * ksize^2, zeroed. */
static void build_table(int ksize, short *tab)
{
    float c1[TAB_SIZE * 4];
    for (int i = 0; i < TAB_SIZE; i++)
        coeffs_1d(ksize, i * (1.f / TAB_SIZE), c1 + i * ksize);
    int kk = ksize * ksize, half = ksize / 2;
    for (int i = 0; i < TAB_SIZE; i++)
        for (int j = 0; j < TAB_SIZE; j++) {
            short *e = tab + (i * TAB_SIZE + j) * kk;
            int sum = 0;
            for (int k1 = 0; k1 < ksize; k1++)
                for (int k2 = 0; k2 < ksize; k2++)
                    sum += e[k1 * ksize + k2] =
                        saturate_short(c1[i * ksize + k1] * c1[j * ksize + k2] * COEF_ONE);
            if (sum == COEF_ONE)
                continue;
            int lo = half * ksize + half, hi = lo;
            for (int k1 = half; k1 < half + 2; k1++)
                for (int k2 = half; k2 < half + 2; k2++) {
                    int at = k1 * ksize + k2;
                    if (e[at] < e[lo])
                        lo = at;
                    else if (e[at] > e[hi])
                        hi = at;
                }
            int diff = sum - COEF_ONE;
            if (diff < 0)
                e[hi] = (short)(e[hi] - diff);
            else
                e[lo] = (short)(e[lo] - diff);
        }
}

static unsigned char saturate_u8(int v)
{
    v = (v + (1 << (COEF_BITS - 1))) >> COEF_BITS;
    return (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static int clamp_short(int v) { return v < -32768 ? -32768 : v > 32767 ? 32767 : (int)v; }

/* Fixed-point source position of destination coordinate d: OpenCV's
 * (round_delta + round(d * inv * 1024)) >> 5, in 64 bits so no size can overflow. */
static int fixed_pos(double inv, int d)
{
    double v = inv * d * 1024.0;
    int64_t X = (16 + (v < 1e15 ? (int64_t)llrint(v) : (int64_t)1e15)) >> (10 - TAB_BITS);
    return X > (1 << 30) ? 1 << 30 : (int)X;  /* far outside any image either way */
}

/* One pixel with some neighbours outside: those count as 0. */
static void border_pixel(const opc_image *src, int sx, int sy, int ksize, const short *w,
                         unsigned char *d)
{
    int W = src->width, H = src->height;
    if (sx >= W || sx + ksize - 1 < 0 || sy >= H || sy + ksize - 1 < 0) {
        d[0] = d[1] = d[2] = 0;
        return;
    }
    for (int c = 0; c < 3; c++) {
        int sum = 0;
        for (int i = 0; i < ksize; i++) {
            int y = sy + i;
            if (y < 0 || y >= H)
                continue;
            for (int j = 0; j < ksize; j++) {
                int x = sx + j;
                if (x >= 0 && x < W)
                    sum += src->data[((size_t)y * W + x) * 3 + c] * w[i * ksize + j];
            }
        }
        d[c] = saturate_u8(sum);
    }
}

/* The inner pixels' kernel rows as vectors: a row's K source pixels are 3K consecutive
 * bytes, loaded as 16, shuffled to planar order (R of the K pixels, then G, then B, 4
 * lanes each), widened to int32 (through int16: GCC 12 scalarises u8 -> i32 in one step)
 * and multiplied by the row's weights laid out the same way; three sums of 4 lanes give the
 * channels. Integer sums: the same result as the scalar loop, in any order. */
typedef int32_t v16i __attribute__((vector_size(16 * sizeof(int32_t))));
typedef int16_t v16h __attribute__((vector_size(16 * sizeof(int16_t))));
typedef uint8_t v16b __attribute__((vector_size(16)));
typedef uint8_t v16b_unaligned __attribute__((vector_size(16), aligned(1), may_alias));

/* wide[e * K + i]: kernel row i of table entry e, weight (i, j) in lane 4c + j for each
 * channel c, other lanes 0. */
static void widen_table(int K, const short *tab, v16i *wide)
{
    for (int e = 0; e < TAB_SIZE * TAB_SIZE; e++)
        for (int i = 0; i < K; i++) {
            v16i v = {0};
            for (int j = 0; j < K; j++)
                for (int c = 0; c < 3; c++)
                    v[4 * c + j] = tab[e * K * K + i * K + j];
            wide[e * K + i] = v;
        }
}

/* One destination row whose source rows sy .. sy + K - 1 are all inside the image. K is a
 * constant once inlined (2 or 4), so the kernel loops unroll: this is most of the
 * preprocessing time. xpos holds each column's fixed-point source position. Pixels whose
 * 16 bytes from the kernel's first pixel stay inside the row take the vector path. */
static inline __attribute__((always_inline)) void
warp_row(int K, const opc_image *src, int sy, const short *tab_row, const v16i *wide_row,
         const int *xpos, unsigned char *d, int dw)
{
    int W = src->width, off = K / 2 - 1, inner = W > K - 1 ? W - (K - 1) : 0;
    int vec_end = W - 16 / 3; /* sx < vec_end: bytes 3 sx .. 3 sx + 15 are in the row */
    size_t row = (size_t)W * 3;
    const unsigned char *S0 = src->data + (size_t)sy * row;
    for (int x = 0; x < dw; x++, d += 3) {
        int X = xpos[x];
        int sx = clamp_short(X >> TAB_BITS) - off;
        const short *w = tab_row + (X & (TAB_SIZE - 1)) * K * K;
        if ((unsigned)sx >= (unsigned)inner) {
            border_pixel(src, sx, sy, K, w, d);
            continue;
        }
        const unsigned char *S = S0 + (size_t)sx * 3;
        if (sx < vec_end) {
            const v16i *wv = wide_row + (X & (TAB_SIZE - 1)) * K;
            v16i acc = {0};
            for (int i = 0; i < K; i++) {
                v16b b = *(const v16b_unaligned *)(S + i * row);
                b = __builtin_shufflevector(b, b, 0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11, 12, 13, 14,
                                            15);
                acc += __builtin_convertvector(__builtin_convertvector(b, v16h), v16i) * wv[i];
            }
            /* lanes 4c .. 4c + 3 -> lane 4c: add lanes 2 apart, then 1 apart */
            acc += __builtin_shufflevector(acc, acc, 2, 3, 15, 15, 6, 7, 15, 15, 10, 11, 15, 15, 15,
                                           15, 15, 15);
            acc += __builtin_shufflevector(acc, acc, 1, 15, 15, 15, 5, 15, 15, 15, 9, 15, 15, 15, 15,
                                           15, 15, 15);
            d[0] = saturate_u8(acc[0]);
            d[1] = saturate_u8(acc[4]);
            d[2] = saturate_u8(acc[8]);
            continue;
        }
        int s0 = 0, s1 = 0, s2 = 0;
        for (int i = 0; i < K; i++)
            for (int j = 0; j < K; j++) {
                const unsigned char *p = S + i * row + j * 3;
                int wk = w[i * K + j];
                s0 += p[0] * wk;
                s1 += p[1] * wk;
                s2 += p[2] * wk;
            }
        d[0] = saturate_u8(s0);
        d[1] = saturate_u8(s1);
        d[2] = saturate_u8(s2);
    }
}

static void warp_with(const opc_image *src, double s, const short *tab, const v16i *wide,
                      int ksize, unsigned char *dst, int dw, int dh, int *xpos)
{
    int H = src->height, kk = ksize * ksize;
    /* OpenCV inverts [[s,0,0],[0,s,0]] as s * (1 / (s*s)), not 1 / s. */
    double inv = s * (1.0 / (s * s));
    /* Bicubic kernels start one pixel up and left of the sample point. */
    int off = ksize / 2 - 1;
    for (int x = 0; x < dw; x++)
        xpos[x] = fixed_pos(inv, x);
    for (int y = 0; y < dh; y++) {
        int Y = fixed_pos(inv, y);
        int sy = clamp_short(Y >> TAB_BITS) - off;
        const short *tab_row = tab + (Y & (TAB_SIZE - 1)) * TAB_SIZE * kk;
        const v16i *wide_row = wide + (size_t)(Y & (TAB_SIZE - 1)) * TAB_SIZE * ksize;
        unsigned char *d = dst + (size_t)y * dw * 3;
        if ((unsigned)sy >= (unsigned)(H > ksize - 1 ? H - (ksize - 1) : 0)) {
            for (int x = 0; x < dw; x++, d += 3) {
                int X = xpos[x];
                border_pixel(src, clamp_short(X >> TAB_BITS) - off, sy, ksize,
                             tab_row + (X & (TAB_SIZE - 1)) * kk, d);
            }
        } else if (ksize == 2) {
            warp_row(2, src, sy, tab_row, wide_row, xpos, d, dw);
        } else {
            warp_row(4, src, sy, tab_row, wide_row, xpos, d, dw);
        }
    }
}

int opc_warp_scale(const opc_image *src, double s, unsigned char *dst, int dst_w, int dst_h,
                   opc_error *err)
{
    if (!(s > 0) || dst_w <= 0 || dst_h <= 0)
        return opc_fail(err, OPC_ERR_ARG, "warp: bad scale %g or size %dx%d", s, dst_w, dst_h);
    int ksize = s > 1.0 ? 4 : 2;
    short tab[(TAB_SIZE * TAB_SIZE + 1) * 16];
    memset(tab, 0, sizeof tab);
    build_table(ksize, tab);
    int *xpos = malloc(sizeof(int) * (size_t)dst_w);
    if (!xpos)
        return opc_fail(err, OPC_ERR_NOMEM, "warp: out of memory");
    v16i *wide = aligned_alloc(sizeof(v16i), sizeof(v16i) * TAB_SIZE * TAB_SIZE * ksize);
    if (!wide) {
        free(xpos);
        return opc_fail(err, OPC_ERR_NOMEM, "warp: out of memory");
    }
    widen_table(ksize, tab, wide);
    warp_with(src, s, tab, wide, ksize, dst, dst_w, dst_h, xpos);
    free(wide);
    free(xpos);
    return OPC_OK;
}

