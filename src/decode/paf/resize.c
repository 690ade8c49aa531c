/* Bicubic resampling exactly as OpenCV's cv::resize(INTER_CUBIC) on float32, which is
 * what OpenPose's resizeAndMerge uses on the network output:
 *  - destination pixel d samples source coordinate f = (d + 0.5) * src/dst - 0.5 (computed
 *    in double, stored as float), taps floor(f) - 1 .. floor(f) + 2, clamped to the image
 *    (replicated border);
 *  - Keys' kernel with a = -0.75, the four weights computed in float as OpenCV's
 *    interpolateCubic does (the last one is 1 minus the others);
 *  - separable: rows first (4 taps along x), then columns (4 rows), each a sum taken left to
 *    right. Same-size resizes are plain copies, as in cv::resize.
 * Checked against cv2.resize (OpenCV 4.6): equal within float rounding (<= 5e-7 on maps of
 * magnitude 4), because OpenCV's SIMD kernels may associate the sums differently.
 * Multi-scale merging follows OpenPose's CPU resizeAndMergeCpu: every scale's whole map is
 * resized to the target (the first scale's net size), summed, then divided by the number of
 * scales. (Its CUDA version instead maps scale i by the ratio of its image scale to the
 * first one, anchored top-left; the two differ only by the rounding of each scale's net
 * size to a multiple of 16.) */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "core/cubic.h"
#include "decode/paf/parser.h"
#include "openpose-c/error.h"

/* Lanes of the vectorised rows pass (row_simd); 1: none. */
#if defined(__AVX512F__)
#define ROW_LANES 16
#elif defined(__AVX2__)
#define ROW_LANES 8
#else
#define ROW_LANES 1
#endif

static void axis_free(opc_cubic_axis *a)
{
    free(a->idx);
    free(a->w);
    free(a->run);
    free(a->rel);
    free(a->base);
    memset(a, 0, sizeof *a);
}

/* When the taps of every block of ROW_LANES outputs lie within ROW_LANES source values
 * (upsampling by about 1.3 or more), the rows pass loads those values once per block and
 * permutes them into place: base[b] is the block's first tap, rel the taps relative to it. */
static void blocks_init(opc_cubic_axis *a)
{
    const int dst = a->dst, blocks = (dst + ROW_LANES - 1) / ROW_LANES;
    int fits = ROW_LANES > 1;
    for (int b = 0; b < blocks && fits; b++) {
        const int d0 = b * ROW_LANES, d1 = d0 + ROW_LANES < dst ? d0 + ROW_LANES : dst;
        a->base[b] = a->idx[d0];
        fits = a->idx[3 * dst + d1 - 1] - a->base[b] < ROW_LANES;
        for (int k = 0; k < 4; k++)
            for (int d = d0; d < d1; d++)
                a->rel[k * dst + d] = a->idx[k * dst + d] - a->base[b];
    }
    a->blocks = fits ? blocks : 0;
}

static int axis_init(opc_cubic_axis *a, int src, int dst, opc_error *err)
{
    memset(a, 0, sizeof *a);
    a->idx = malloc(4 * (size_t)dst * sizeof *a->idx);
    a->w = malloc(4 * (size_t)dst * sizeof *a->w);
    a->run = malloc(((size_t)dst + 1) * sizeof *a->run);
    a->rel = malloc(4 * (size_t)dst * sizeof *a->rel);
    a->base = malloc(((size_t)dst / ROW_LANES + 1) * sizeof *a->base);
    if (!a->idx || !a->w || !a->run || !a->rel || !a->base) {
        axis_free(a);
        return opc_fail(err, OPC_ERR_NOMEM, "resize: out of memory");
    }
    a->src = src;
    a->dst = dst;
    /* OpenCV stores the inverse of dst/src, not src/dst: keep its rounding. */
    const double scale = 1.0 / ((double)dst / src);
    for (int d = 0; d < dst; d++) {
        float f = (float)((d + 0.5) * scale - 0.5);
        int s = (int)floorf(f);
        float w[4];
        opc_cubic_coeffs(f - (float)s, w);
        for (int k = 0; k < 4; k++) {
            int i = s - 1 + k;
            a->idx[k * dst + d] = i < 0 ? 0 : i >= src ? src - 1 : i;
            a->w[k * dst + d] = w[k];
        }
        const float g = fabsf(w[0]) + fabsf(w[1]) + fabsf(w[2]) + fabsf(w[3]);
        a->gain = g > a->gain ? g : a->gain;
    }
    if (src == dst)
        a->gain = 1; /* plain copies */
    /* Runs of destination pixels with the same four taps (about dst/src long when
     * upsampling): within a run the taps are loaded once and the weights vary. */
    for (int d = 0; d < dst; d++) {
        int same = d > 0;
        for (int k = 0; k < 4 && same; k++)
            same = a->idx[k * dst + d] == a->idx[k * dst + d - 1];
        if (!same)
            a->run[a->runs++] = d;
    }
    a->run[a->runs] = dst;
    blocks_init(a);
    return OPC_OK;
}

int opc_cubic_init(opc_cubic *c, int src_w, int src_h, int dst_w, int dst_h, opc_error *err)
{
    memset(c, 0, sizeof *c);
    if (src_w < 1 || src_h < 1 || dst_w < 1 || dst_h < 1)
        return opc_fail(err, OPC_ERR_ARG, "resize: cannot resize %dx%d to %dx%d", src_w, src_h,
                        dst_w, dst_h);
    int rc = axis_init(&c->x, src_w, dst_w, err);
    if (rc == OPC_OK)
        rc = axis_init(&c->y, src_h, dst_h, err);
    if (rc != OPC_OK)
        opc_cubic_free(c);
    return rc;
}

void opc_cubic_free(opc_cubic *c)
{
    axis_free(&c->x);
    axis_free(&c->y);
}

static int is_copy(const opc_cubic *c)
{
    return c->x.src == c->x.dst && c->y.src == c->y.dst;
}

/* o[x] = s0 w0[x] + s1 w1[x] + s2 w2[x] + s3 w3[x]: one run of the rows pass. */
static inline void weigh4(float *restrict o, const float *restrict w0, const float *restrict w1,
                          const float *restrict w2, const float *restrict w3, float s0,
                          float s1, float s2, float s3, int n)
{
    for (int x = 0; x < n; x++)
        o[x] = s0 * w0[x] + s1 * w1[x] + s2 * w2[x] + s3 * w3[x];
}

/* One row of the rows pass, ROW_LANES outputs at a time (see blocks_init): the same
 * products and sums, in the same order, as weigh4. Masked loads keep to the arrays. */
#if defined(__AVX512F__)
static void row_simd(const opc_cubic_axis *a, const float *s, float *o)
{
    const int dw = a->dst;
    for (int b = 0; b < a->blocks; b++) {
        const int x0 = b * 16, n = dw - x0 < 16 ? dw - x0 : 16, have = a->src - a->base[b];
        const __mmask16 live = (__mmask16)(0xffffu >> (16 - n));
        const __m512 v = _mm512_maskz_loadu_ps(
            have >= 16 ? 0xffff : (__mmask16)(0xffffu >> (16 - have)), s + a->base[b]);
        __m512 acc = _mm512_setzero_ps();
        for (int k = 0; k < 4; k++) {
            const __m512i i = _mm512_maskz_loadu_epi32(live, a->rel + k * dw + x0);
            const __m512 t = _mm512_mul_ps(_mm512_permutexvar_ps(i, v),
                                           _mm512_maskz_loadu_ps(live, a->w + k * dw + x0));
            acc = k ? _mm512_add_ps(acc, t) : t;
        }
        _mm512_mask_storeu_ps(o + x0, live, acc);
    }
}
#elif defined(__AVX2__)
static void row_simd(const opc_cubic_axis *a, const float *s, float *o)
{
    const int dw = a->dst;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (int b = 0; b < a->blocks; b++) {
        const int x0 = b * 8, n = dw - x0 < 8 ? dw - x0 : 8, have = a->src - a->base[b];
        const __m256i live = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane);
        const __m256 v = have >= 8 ? _mm256_loadu_ps(s + a->base[b])
                                   : _mm256_maskload_ps(s + a->base[b],
                                                        _mm256_cmpgt_epi32(_mm256_set1_epi32(have), lane));
        __m256 acc = _mm256_setzero_ps();
        for (int k = 0; k < 4; k++) {
            const int *ri = a->rel + k * dw + x0;
            const float *wi = a->w + k * dw + x0;
            const __m256i i = n == 8 ? _mm256_loadu_si256((const __m256i *)ri) : _mm256_maskload_epi32(ri, live);
            const __m256 w = n == 8 ? _mm256_loadu_ps(wi) : _mm256_maskload_ps(wi, live);
            const __m256 t = _mm256_mul_ps(_mm256_permutevar8x32_ps(v, i), w);
            acc = k ? _mm256_add_ps(acc, t) : t;
        }
        if (n == 8)
            _mm256_storeu_ps(o + x0, acc);
        else
            _mm256_maskstore_ps(o + x0, live, acc);
    }
}
#endif

void opc_cubic_rows(const opc_cubic *c, const float *src, int r0, int r1, float *tmp)
{
    const int sw = c->x.src, dw = c->x.dst;
    if (is_copy(c)) {
        memcpy(tmp + (size_t)r0 * dw, src + (size_t)r0 * sw, (size_t)(r1 - r0) * sw * sizeof *tmp);
        return;
    }
#if ROW_LANES > 1
    if (c->x.blocks) {
        for (int r = r0; r < r1; r++)
            row_simd(&c->x, src + (size_t)r * sw, tmp + (size_t)r * dw);
        return;
    }
#endif
    const int *i = c->x.idx, *run = c->x.run;
    const float *w0 = c->x.w, *w1 = w0 + dw, *w2 = w1 + dw, *w3 = w2 + dw;
    for (int r = r0; r < r1; r++) {
        const float *s = src + (size_t)r * sw;
        float *o = tmp + (size_t)r * dw;
        for (int u = 0; u < c->x.runs; u++) {
            const int x0 = run[u];
            weigh4(o + x0, w0 + x0, w1 + x0, w2 + x0, w3 + x0, s[i[x0]], s[i[dw + x0]],
                   s[i[2 * dw + x0]], s[i[3 * dw + x0]], run[u + 1] - x0);
        }
    }
}

void opc_cubic_cols_spans(const opc_cubic *c, const float *tmp, int y, const int *spans, int n,
                          float *dst)
{
    const int dw = c->x.dst, dh = c->y.dst;
    if (is_copy(c)) {
        for (int s = 0; s < n; s++)
            memcpy(dst + spans[2 * s], tmp + (size_t)y * dw + spans[2 * s],
                   (size_t)(spans[2 * s + 1] - spans[2 * s]) * sizeof *dst);
        return;
    }
    const int *i = c->y.idx + y;
    const float *w = c->y.w + y;
    const float *restrict t0 = tmp + (size_t)i[0] * dw, *restrict t1 = tmp + (size_t)i[dh] * dw;
    const float *restrict t2 = tmp + (size_t)i[2 * dh] * dw,
                *restrict t3 = tmp + (size_t)i[3 * dh] * dw;
    const float w0 = w[0], w1 = w[dh], w2 = w[2 * dh], w3 = w[3 * dh];
    float *restrict o = dst;
    for (int s = 0; s < n; s++) {
        int x = spans[2 * s];
        const int end = spans[2 * s + 1];
#if defined(__AVX512F__)
        /* The loop below, 16 at a time (the same products and sums, in the same order). */
        const __m512 v0 = _mm512_set1_ps(w0), v1 = _mm512_set1_ps(w1), v2 = _mm512_set1_ps(w2),
                     v3 = _mm512_set1_ps(w3);
        for (; x < end; x += 16) {
            const __mmask16 m = end - x >= 16 ? 0xffff : (__mmask16)(0xffffu >> (16 - (end - x)));
            __m512 acc = _mm512_mul_ps(v0, _mm512_maskz_loadu_ps(m, t0 + x));
            acc = _mm512_add_ps(acc, _mm512_mul_ps(v1, _mm512_maskz_loadu_ps(m, t1 + x)));
            acc = _mm512_add_ps(acc, _mm512_mul_ps(v2, _mm512_maskz_loadu_ps(m, t2 + x)));
            acc = _mm512_add_ps(acc, _mm512_mul_ps(v3, _mm512_maskz_loadu_ps(m, t3 + x)));
            _mm512_mask_storeu_ps(o + x, m, acc);
        }
#elif defined(__AVX2__)
        const __m256 v0 = _mm256_set1_ps(w0), v1 = _mm256_set1_ps(w1), v2 = _mm256_set1_ps(w2),
                     v3 = _mm256_set1_ps(w3);
        for (; x + 8 <= end; x += 8) {
            __m256 acc = _mm256_mul_ps(v0, _mm256_loadu_ps(t0 + x));
            acc = _mm256_add_ps(acc, _mm256_mul_ps(v1, _mm256_loadu_ps(t1 + x)));
            acc = _mm256_add_ps(acc, _mm256_mul_ps(v2, _mm256_loadu_ps(t2 + x)));
            acc = _mm256_add_ps(acc, _mm256_mul_ps(v3, _mm256_loadu_ps(t3 + x)));
            _mm256_storeu_ps(o + x, acc);
        }
#endif
        for (; x < end; x++)
            o[x] = w0 * t0[x] + w1 * t1[x] + w2 * t2[x] + w3 * t3[x];
    }
}

void opc_cubic_cols(const opc_cubic *c, const float *tmp, int y0, int y1, int x0, int x1,
                    float *dst)
{
    const int dw = c->x.dst, dh = c->y.dst;
    for (int y = y0; y < y1; y++) {
        if (is_copy(c)) {
            memcpy(dst + (size_t)(y - y0) * dw + x0, tmp + (size_t)y * dw + x0,
                   (size_t)(x1 - x0) * sizeof *dst);
            continue;
        }
        const int *i = c->y.idx + y;
        const float *w = c->y.w + y;
        const float *restrict t0 = tmp + (size_t)i[0] * dw, *restrict t1 = tmp + (size_t)i[dh] * dw;
        const float *restrict t2 = tmp + (size_t)i[2 * dh] * dw,
                    *restrict t3 = tmp + (size_t)i[3 * dh] * dw;
        const float w0 = w[0], w1 = w[dh], w2 = w[2 * dh], w3 = w[3 * dh];
        float *restrict o = dst + (size_t)(y - y0) * dw;
        for (int x = x0; x < x1; x++)
            o[x] = w0 * t0[x] + w1 * t1[x] + w2 * t2[x] + w3 * t3[x];
    }
}

void opc_cubic_block(const opc_cubic *c, const float *tmp, int x0, int x1, int y0, int y1,
                     float *out)
{
    const int dw = c->x.dst, dh = c->y.dst, n = x1 - x0;
    for (int y = y0; y < y1; y++) {
        float *o = out + (size_t)(y - y0) * n;
        if (is_copy(c)) {
            memcpy(o, tmp + (size_t)y * dw + x0, (size_t)n * sizeof *o);
            continue;
        }
        const int *i = c->y.idx + y;
        const float *w = c->y.w + y;
        const float *t0 = tmp + (size_t)i[0] * dw + x0, *t1 = tmp + (size_t)i[dh] * dw + x0;
        const float *t2 = tmp + (size_t)i[2 * dh] * dw + x0, *t3 = tmp + (size_t)i[3 * dh] * dw + x0;
        const float w0 = w[0], w1 = w[dh], w2 = w[2 * dh], w3 = w[3 * dh];
        for (int x = 0; x < n; x++) /* the columns pass's expression */
            o[x] = w0 * t0[x] + w1 * t1[x] + w2 * t2[x] + w3 * t3[x];
    }
}

void opc_cubic_at2(const opc_cubic *c, const float *a, const float *b, int x, int y,
                   float *va, float *vb)
{
    const int sw = c->x.src, dw = c->x.dst, dh = c->y.dst;
    if (is_copy(c)) {
        *va = a[(size_t)y * sw + x];
        *vb = b[(size_t)y * sw + x];
        return;
    }
    const int i0 = c->x.idx[x], i1 = c->x.idx[dw + x], i2 = c->x.idx[2 * dw + x],
              i3 = c->x.idx[3 * dw + x];
    const float w0 = c->x.w[x], w1 = c->x.w[dw + x], w2 = c->x.w[2 * dw + x],
                w3 = c->x.w[3 * dw + x];
    float ha[4], hb[4];
    for (int k = 0; k < 4; k++) {
        const size_t row = (size_t)c->y.idx[k * dh + y] * sw;
        const float *s = a + row, *t = b + row;
        ha[k] = s[i0] * w0 + s[i1] * w1 + s[i2] * w2 + s[i3] * w3;
        hb[k] = t[i0] * w0 + t[i1] * w1 + t[i2] * w2 + t[i3] * w3;
    }
    const float *v = c->y.w + y;
    *va = v[0] * ha[0] + v[dh] * ha[1] + v[2 * dh] * ha[2] + v[3 * dh] * ha[3];
    *vb = v[0] * hb[0] + v[dh] * hb[1] + v[2 * dh] * hb[2] + v[3 * dh] * hb[3];
}

int opc_merge_init(opc_merge *m, const opc_tensor *const *maps, int n, int net_w, int net_h,
                   opc_error *err)
{
    memset(m, 0, sizeof *m);
    if (!maps || n < 1 || n > OPC_PAF_MAX_MAPS)
        return opc_fail(err, OPC_ERR_ARG, "resize: %d maps to merge (1 to %d)", n,
                        OPC_PAF_MAX_MAPS);
    for (int i = 0; i < n; i++) {
        const opc_tensor *t = maps[i];
        if (!t || !t->data || t->n != 1 || t->c < 1 || t->h < 1 || t->w < 1)
            return opc_fail(err, OPC_ERR_ARG, "resize: maps %d are not 1 x C x h x w", i);
        if (t->c != maps[0]->c)
            return opc_fail(err, OPC_ERR_ARG, "resize: maps %d have %d channels, maps 0 have %d",
                            i, t->c, maps[0]->c);
    }
    if (net_w < 1 || net_h < 1)
        return opc_fail(err, OPC_ERR_ARG, "resize: net size %dx%d", net_w, net_h);
    m->maps = maps;
    m->n = n;
    m->net_w = net_w;
    m->net_h = net_h;
    for (int i = 0; i < n; i++) {
        int rc = opc_cubic_init(&m->cubic[i], maps[i]->w, maps[i]->h, net_w, net_h, err);
        if (rc != OPC_OK) {
            opc_merge_free(m);
            return rc;
        }
        size_t tmp = (size_t)maps[i]->h * net_w;
        m->tmp_floats = tmp > m->tmp_floats ? tmp : m->tmp_floats;
    }
    m->scratch_floats = m->tmp_floats + (n > 1 ? (size_t)net_w * net_h : 0);
    return OPC_OK;
}

void opc_merge_free(opc_merge *m)
{
    for (int i = 0; i < m->n; i++)
        opc_cubic_free(&m->cubic[i]);
    memset(m, 0, sizeof *m);
}

void opc_merge_channels(const opc_merge *m, int c0, int c1, float *out, float *scratch)
{
    const size_t plane = (size_t)m->net_w * m->net_h;
    float *tmp = scratch, *acc = scratch + m->tmp_floats;
    const float inv = (float)(1.0 / m->n);
    for (int ch = c0; ch < c1; ch++) {
        float *o = out + ch * plane;
        /* OpenPose resizes scale i into a temporary and adds it to the first. */
        for (int i = 0; i < m->n; i++) {
            const opc_tensor *t = m->maps[i];
            const float *s = t->data + (size_t)ch * t->h * t->w;
            opc_cubic_rows(&m->cubic[i], s, 0, t->h, tmp);
            opc_cubic_cols(&m->cubic[i], tmp, 0, m->net_h, 0, m->net_w, i == 0 ? o : acc);
            if (i > 0)
                for (size_t k = 0; k < plane; k++)
                    o[k] += acc[k];
        }
        if (m->n > 1)
            for (size_t k = 0; k < plane; k++)
                o[k] *= inv;
    }
}

int opc_maps_resize_merge(const opc_tensor *const *maps, int n, int net_w, int net_h,
                          opc_tensor *out, opc_error *err)
{
    memset(out, 0, sizeof *out);
    opc_merge m;
    int rc = opc_merge_init(&m, maps, n, net_w, net_h, err);
    if (rc != OPC_OK)
        return rc;
    float *scratch = malloc(m.scratch_floats * sizeof *scratch);
    if (!scratch)
        rc = opc_fail(err, OPC_ERR_NOMEM, "resize: out of memory");
    else if ((rc = opc_tensor_alloc(out, 1, maps[0]->c, net_h, net_w, err)) == OPC_OK)
        opc_merge_channels(&m, 0, maps[0]->c, out->data, scratch);
    free(scratch);
    opc_merge_free(&m);
    return rc;
}
