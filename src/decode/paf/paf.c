/* PAF line integral and candidate connections, as OpenPose's getScoreAB
 * (bodyPartConnectorBase.cpp/.cu) computes them, in float:
 *  - n = max(5, min(25, int(sqrt(5 * max(|dx|, |dy|)) + 0.5))) samples at A + k (B - A) / n,
 *    k = 0 .. n-1 (B itself is not sampled), each read at the nearest pixel
 *    (int(x + 0.5), clamped to the map) and projected on the unit vector A -> B;
 *  - the score is the mean of the projections above inter_threshold when their share is
 *    strictly above inter_min_above; coincident peaks (|AB| <= 1e-6) score 0;
 *  - otherwise pairs closer than sqrt(w * h) / 150 score nms_threshold + 1e-6 (the newer
 *    OpenPose's rule, CPU and CUDA alike, so that very close keypoints, where the PAF is
 *    ~0, can still join), else 0.
 * Peak positions include OpenPose's +0.5/scale offset, as OpenPose samples them.
 * Non-finite PAF values never pass the per-sample threshold.
 * OpenPose scores every pair of peaks; most are wrong pairings, so the work goes into
 * rejecting them early, without changing any score:
 *  - samples are taken in an order that fails wrong pairings early (see limb), and taking
 *    them stops once more have failed than the share allows; the sum is still taken in
 *    sample order;
 *  - when the field is upsampled on the fly, a sample in a dead cell (see limb) fails
 *    without being upsampled;
 *  - a quick test (hopeless), several lines at a time with SIMD, rejects the lines whose
 *    first sample and dead cells among the next PREVIEW already fail too many. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__AVX512F__)
#include <immintrin.h>
#define PAIR_LANES 16 /* not_hopeless_simd */
#elif defined(__AVX2__)
#include <immintrin.h>
#define PAIR_LANES 8
#else
#define PAIR_LANES 1 /* hopeless() one by one */
#endif

#include "openpose-c/error.h"
#include "decode/paf/parser.h"

enum {
    LIVE_PAIRS = 64,  /* from about this many pairs, a limb's live cells pay */
    PREVIEW = 4       /* samples after A's that the quick test (hopeless) looks at: < 5,
                         the fewest samples of a line */
};

int opc_paf_num_samples(float dx, float dy)
{
    const float ax = fabsf(dx), ay = fabsf(dy), m = ax > ay ? ax : ay;
    float r = sqrtf(5 * m) + 0.5f;
    int n = r < 25.f ? (int)r : 25;
    return n < 5 ? 5 : n;
}

/* Nearest pixel of coordinate v on an axis of n pixels: int(v + 0.5) clamped. */
static inline int nearest(float v, int n)
{
    float r = v + 0.5f;
    if (!(r > 0))
        return 0;
    return r >= (float)(n - 1) ? n - 1 : (int)r;
}

/* The field (both channels) at pixel (x, y). */
static inline void paf_read(const opc_paf *m, int x, int y, float *fx, float *fy)
{
    if (m->up) {
        opc_cubic_at2(m->up, m->x, m->y, x, y, fx, fy);
        if (m->more) {
            const float inv = (float)(1.0 / (1 + m->more));
            for (int i = 0; i < m->more; i++) {
                float ax, ay;
                opc_cubic_at2(m->more_up[i], m->more_x[i], m->more_y[i], x, y, &ax, &ay);
                *fx += ax;
                *fy += ay;
            }
            *fx *= inv;
            *fy *= inv;
        }
    } else {
        const size_t i = (size_t)y * m->w + x;
        *fx = m->x[i];
        *fy = m->y[i];
    }
}

/* The field at a's own pixel, the first sample of every connection from a. */
static void field_at(const opc_paf *m, const opc_peak *a, float *f)
{
    paf_read(m, nearest(a->x, m->w), nearest(a->y, m->h), &f[0], &f[1]);
}

static inline int passes(float s, float inter_threshold)
{
    return s > inter_threshold && s <= FLT_MAX;
}

/* What the pairs of one limb share. */
typedef struct {
    const opc_paf *m;
    float inter_threshold, inter_min_above, nms_threshold;
    double near; /* the near-pair distance */
    /* allowed[n]: the failures a line of n samples can have and still pass, or -1 */
    int allowed[26];
    /* order[n]: the order in which the n samples are taken: A's own, the middle one, then
     * each farthest from those taken (and from B): a wrong pairing usually fails between
     * two people and far from its ends, whose fields belong to their own limbs. */
    unsigned char order[26][25];
    /* When upsampling: live[r * sw + c] is 0 when no pixel whose taps start at source row r,
     * column c (the 4x4 source window from there) can have a projection above
     * inter_threshold: |projection| <= |fx| + |fy| <= gain_x gain_y (max |sx| + max |sy|)
     * over the window. Samples there fail without being upsampled. */
    unsigned char *live;
    /* The same by n, as tables of 32 (not_hopeless_simd): order[n][q], q <= PREVIEW, and
     * allowed[n]. */
    int order_by_n[PREVIEW + 1][32];
    int allowed_by_n[32];
} limb;

static void limb_init(limb *L, const opc_parse_params *p, int w, int h)
{
    L->inter_threshold = p->inter_threshold;
    L->inter_min_above = p->inter_min_above;
    L->nms_threshold = p->nms_threshold;
    L->near = sqrt((double)w * h) / 150;
    for (int n = 0; n <= 25; n++) {
        L->allowed[n] = -1;
        while (L->allowed[n] < n &&
               (float)(n - L->allowed[n] - 1) / (float)n > p->inter_min_above)
            L->allowed[n]++;
    }
    for (int n = 1; n <= 25; n++) {
        int dist[25]; /* from sample k to the nearest one taken, or to B (k = n) */
        for (int k = 0; k < n; k++)
            dist[k] = k < n - k ? k : n - k;
        L->order[n][0] = 0;
        for (int i = 1; i < n; i++) {
            int best = 1;
            for (int k = 2; k < n; k++)
                best = dist[k] > dist[best] ? k : best;
            L->order[n][i] = (unsigned char)best;
            for (int k = 0; k < n; k++)
                dist[k] = abs(k - best) < dist[k] ? abs(k - best) : dist[k];
        }
    }
    memset(L->order_by_n, 0, sizeof L->order_by_n);
    memset(L->allowed_by_n, 0, sizeof L->allowed_by_n);
    for (int n = 5; n <= 25; n++) { /* n >= 5 > PREVIEW */
        for (int q = 0; q <= PREVIEW; q++)
            L->order_by_n[q][n] = L->order[n][q];
        L->allowed_by_n[n] = L->allowed[n];
    }
}

static inline float max2(float a, float b) { return b > a ? b : a; }

/* In place: row i of n rows of len floats becomes the maximum of rows i .. i+3 (clipped). */
static void max4_rows(float *v, int n, int len)
{
    for (int step = 1; step <= 2; step *= 2)
        for (int i = 0; i + step < n; i++)
            for (int q = 0; q < len; q++)
                v[(size_t)i * len + q] = max2(v[(size_t)i * len + q], v[(size_t)(i + step) * len + q]);
}

/* In place: v[i] = max(v[i .. i+3]) within each row of w (clipped to the row). */
static void max4_cols(float *v, int w, int h)
{
    for (int step = 1; step <= 2; step *= 2)
        for (int r = 0; r < h; r++) {
            float *row = v + (size_t)r * w;
            for (int i = 0; i + step < w; i++)
                row[i] = max2(row[i], row[i + step]);
        }
}

/* NaN spreads and makes a cell live: an output it reaches is NaN anyway. */
void opc_paf_live_cells(const opc_cubic *c, const float *sx, const float *sy, float thr,
                        float *scratch, unsigned char *live)
{
    const int sw = c->x.src, sh = c->y.src;
    const size_t cells = (size_t)sw * sh;
    float *hx = scratch, *hy = scratch + cells;
    for (size_t i = 0; i < cells; i++) {
        hx[i] = fabsf(sx[i]);
        hy[i] = fabsf(sy[i]);
    }
    max4_cols(hx, sw, sh);
    max4_cols(hy, sw, sh);
    max4_rows(hx, sh, sw);
    max4_rows(hy, sh, sw);
    const float bound = thr / (c->x.gain * c->y.gain * 1.0001f); /* margin: float rounding */
    for (size_t i = 0; i < cells; i++)
        live[i] = !(hx[i] + hy[i] <= bound);
}

/* The line a -> b as OpenPose samples it. */
typedef struct {
    float norm, ux, uy; /* length, unit vector */
    float sx, sy;       /* step between samples */
    int n;              /* samples */
} line;

static inline void line_of(const opc_peak *a, const opc_peak *b, line *ln)
{
    const float dx = b->x - a->x, dy = b->y - a->y;
    ln->norm = sqrtf(dx * dx + dy * dy);
    ln->n = opc_paf_num_samples(dx, dy);
    ln->ux = dx / ln->norm;
    ln->uy = dy / ln->norm;
    ln->sx = dx / (float)ln->n;
    ln->sy = dy / (float)ln->n;
}

/* Sample k's pixel. */
static inline void sample_at(const opc_paf *m, const opc_peak *a, const line *ln, int k, int *x,
                             int *y)
{
    *x = nearest(a->x + (float)k * ln->sx, m->w);
    *y = nearest(a->y + (float)k * ln->sy, m->h);
}

/* Is pixel (x, y) in a dead cell (see limb)? */
static inline int dead(const limb *L, int x, int y)
{
    const opc_cubic *c = L->m->up;
    return L->live && !L->live[(size_t)c->y.idx[y] * c->x.src + c->x.idx[x]];
}

#if PAIR_LANES == 1 /* SIMD builds run not_hopeless_simd instead */
/* A quick test that a line scores 0: A's own sample and dead cells among the next PREVIEW
 * samples already fail more than allowed, and it is not a near pair (or it is
 * degenerate). Most wrong pairings end here. */
static inline int hopeless(const limb *L, const opc_peak *a, const float *fa, const line *ln)
{
    int fails = !passes(ln->ux * fa[0] + ln->uy * fa[1], L->inter_threshold);
    for (int q = 1; q <= PREVIEW && L->live; q++) {
        int x, y;
        sample_at(L->m, a, ln, L->order[ln->n][q], &x, &y);
        fails += dead(L, x, y);
    }
    return !(ln->norm > 1e-6) || (fails > L->allowed[ln->n] && !(ln->norm < L->near));
}
#endif

#if defined(__AVX512F__)
/* Sample pixels, lane by lane as nearest() does it. */
static inline __m512i nearest16(__m512 v, int n)
{
    const __m512 r = _mm512_add_ps(v, _mm512_set1_ps(0.5f));
    const __mmask16 pos = _mm512_cmp_ps_mask(r, _mm512_setzero_ps(), _CMP_GT_OQ);
    const __mmask16 hi = _mm512_cmp_ps_mask(r, _mm512_set1_ps((float)(n - 1)), _CMP_GE_OQ);
    const __m512i i = _mm512_mask_blend_epi32(hi, _mm512_cvttps_epi32(r), _mm512_set1_epi32(n - 1));
    return _mm512_maskz_mov_epi32(pos, i);
}

/* The lines from a to b[j0 .. j0+PAIR_LANES-1] (SoA: bx, by; j < nb) that are not
 * hopeless(), as bits: the same arithmetic, PAIR_LANES lines at a time. */
static unsigned not_hopeless_simd(const limb *L, const opc_peak *a, const float *fa,
                               const float *bx, const float *by, int j0, int nb)
{
    const __mmask16 lanes = nb - j0 >= 16 ? 0xffff : (__mmask16)((1u << (nb - j0)) - 1);
    const __m512 ax = _mm512_set1_ps(a->x), ay = _mm512_set1_ps(a->y);
    const __m512 dx = _mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, bx + j0), ax);
    const __m512 dy = _mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, by + j0), ay);
    const __m512 norm = _mm512_sqrt_ps(_mm512_add_ps(_mm512_mul_ps(dx, dx), _mm512_mul_ps(dy, dy)));
    /* opc_paf_num_samples */
    const __m512 longest = _mm512_max_ps(_mm512_abs_ps(dx), _mm512_abs_ps(dy));
    const __m512 r = _mm512_add_ps(_mm512_sqrt_ps(_mm512_mul_ps(_mm512_set1_ps(5), longest)),
                                   _mm512_set1_ps(0.5f));
    const __m512i n = _mm512_max_epi32(
        _mm512_cvttps_epi32(_mm512_min_ps(r, _mm512_set1_ps(25))), _mm512_set1_epi32(5));
    const __m512 nf = _mm512_cvtepi32_ps(n);
    const __m512 ux = _mm512_div_ps(dx, norm), uy = _mm512_div_ps(dy, norm);
    const __m512 s0 = _mm512_add_ps(_mm512_mul_ps(ux, _mm512_set1_ps(fa[0])),
                                    _mm512_mul_ps(uy, _mm512_set1_ps(fa[1])));
    __mmask16 pass0 = _mm512_cmp_ps_mask(s0, _mm512_set1_ps(L->inter_threshold), _CMP_GT_OQ);
    pass0 = _mm512_mask_cmp_ps_mask(pass0, s0, _mm512_set1_ps(FLT_MAX), _CMP_LE_OQ);
    const __m512i one = _mm512_set1_epi32(1);
    __m512i fails = _mm512_maskz_mov_epi32((__mmask16)~pass0, one);
    if (L->live) {
        const opc_cubic *c = L->m->up;
        const __m512 sx = _mm512_div_ps(dx, nf), sy = _mm512_div_ps(dy, nf);
        for (int q = 1; q <= PREVIEW; q++) {
            const __m512 k = _mm512_cvtepi32_ps(_mm512_permutex2var_epi32(
                _mm512_loadu_si512(L->order_by_n[q]), n, _mm512_loadu_si512(L->order_by_n[q] + 16)));
            const __m512i x = nearest16(_mm512_add_ps(ax, _mm512_mul_ps(k, sx)), L->m->w);
            const __m512i y = nearest16(_mm512_add_ps(ay, _mm512_mul_ps(k, sy)), L->m->h);
            const __m512i z = _mm512_setzero_si512();
            const __m512i cx = _mm512_mask_i32gather_epi32(z, lanes, x, c->x.idx, 4);
            const __m512i cy = _mm512_mask_i32gather_epi32(z, lanes, y, c->y.idx, 4);
            const __m512i cell = _mm512_add_epi32(_mm512_mullo_epi32(cy, _mm512_set1_epi32(c->x.src)), cx);
            const __m512i v = _mm512_and_si512(_mm512_mask_i32gather_epi32(z, lanes, cell, L->live, 1),
                                               _mm512_set1_epi32(0xff));
            fails = _mm512_mask_add_epi32(fails, _mm512_cmpeq_epi32_mask(v, z), fails, one);
        }
    }
    const __m512i allowed = _mm512_permutex2var_epi32(_mm512_loadu_si512(L->allowed_by_n), n,
                                                      _mm512_loadu_si512(L->allowed_by_n + 16));
    /* norm > 1e-6 and norm < near are double comparisons, as in score_line */
    const __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(norm));
    const __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(norm), 1)));
    const __m512d tiny = _mm512_set1_pd(1e-6), near = _mm512_set1_pd(L->near);
    const __mmask16 long_enough = (__mmask16)(_mm512_cmp_pd_mask(lo, tiny, _CMP_GT_OQ) |
                                              _mm512_cmp_pd_mask(hi, tiny, _CMP_GT_OQ) << 8);
    const __mmask16 is_near = (__mmask16)(_mm512_cmp_pd_mask(lo, near, _CMP_LT_OQ) |
                                          _mm512_cmp_pd_mask(hi, near, _CMP_LT_OQ) << 8);
    const __mmask16 too_many = _mm512_cmpgt_epi32_mask(fails, allowed);
    return lanes & long_enough & (__mmask16)~(too_many & (__mmask16)~is_near);
}
#elif defined(__AVX2__)
/* Sample pixels, lane by lane as nearest() does it. */
static inline __m256i nearest8(__m256 v, int n)
{
    const __m256 r = _mm256_add_ps(v, _mm256_set1_ps(0.5f));
    const __m256 pos = _mm256_cmp_ps(r, _mm256_setzero_ps(), _CMP_GT_OQ);
    const __m256 hi = _mm256_cmp_ps(r, _mm256_set1_ps((float)(n - 1)), _CMP_GE_OQ);
    const __m256i i = _mm256_blendv_epi8(_mm256_cvttps_epi32(r), _mm256_set1_epi32(n - 1),
                                         _mm256_castps_si256(hi));
    return _mm256_and_si256(i, _mm256_castps_si256(pos));
}

/* A double comparison of the 8 floats of v with d, as 8 bits. */
static inline unsigned cmp8_pd(__m256 v, double d, int op)
{
    const __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
    const __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
    const __m256d dd = _mm256_set1_pd(d);
    const unsigned l = (unsigned)_mm256_movemask_pd(op ? _mm256_cmp_pd(lo, dd, _CMP_LT_OQ)
                                                       : _mm256_cmp_pd(lo, dd, _CMP_GT_OQ));
    const unsigned h = (unsigned)_mm256_movemask_pd(op ? _mm256_cmp_pd(hi, dd, _CMP_LT_OQ)
                                                       : _mm256_cmp_pd(hi, dd, _CMP_GT_OQ));
    return l | h << 4;
}

static unsigned not_hopeless_simd(const limb *L, const opc_peak *a, const float *fa,
                                  const float *bx, const float *by, int j0, int nb)
{
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i lanes = _mm256_cmpgt_epi32(_mm256_set1_epi32(nb - j0), lane);
    const __m256 ax = _mm256_set1_ps(a->x), ay = _mm256_set1_ps(a->y);
    const __m256 dx = _mm256_sub_ps(_mm256_maskload_ps(bx + j0, lanes), ax);
    const __m256 dy = _mm256_sub_ps(_mm256_maskload_ps(by + j0, lanes), ay);
    const __m256 norm = _mm256_sqrt_ps(_mm256_add_ps(_mm256_mul_ps(dx, dx), _mm256_mul_ps(dy, dy)));
    /* opc_paf_num_samples */
    const __m256 sign = _mm256_set1_ps(-0.f);
    const __m256 longest = _mm256_max_ps(_mm256_andnot_ps(sign, dx), _mm256_andnot_ps(sign, dy));
    const __m256 r = _mm256_add_ps(_mm256_sqrt_ps(_mm256_mul_ps(_mm256_set1_ps(5), longest)),
                                   _mm256_set1_ps(0.5f));
    const __m256i n = _mm256_max_epi32(
        _mm256_cvttps_epi32(_mm256_min_ps(r, _mm256_set1_ps(25))), _mm256_set1_epi32(5));
    const __m256 nf = _mm256_cvtepi32_ps(n);
    const __m256 ux = _mm256_div_ps(dx, norm), uy = _mm256_div_ps(dy, norm);
    const __m256 s0 = _mm256_add_ps(_mm256_mul_ps(ux, _mm256_set1_ps(fa[0])),
                                    _mm256_mul_ps(uy, _mm256_set1_ps(fa[1])));
    const __m256 pass0 =
        _mm256_and_ps(_mm256_cmp_ps(s0, _mm256_set1_ps(L->inter_threshold), _CMP_GT_OQ),
                      _mm256_cmp_ps(s0, _mm256_set1_ps(FLT_MAX), _CMP_LE_OQ));
    const __m256i one = _mm256_set1_epi32(1), z = _mm256_setzero_si256();
    __m256i fails = _mm256_andnot_si256(_mm256_castps_si256(pass0), one);
    if (L->live) {
        const opc_cubic *c = L->m->up;
        const __m256 sx = _mm256_div_ps(dx, nf), sy = _mm256_div_ps(dy, nf);
        for (int q = 1; q <= PREVIEW; q++) {
            const __m256 k = _mm256_cvtepi32_ps(_mm256_i32gather_epi32(L->order_by_n[q], n, 4));
            const __m256i x = nearest8(_mm256_add_ps(ax, _mm256_mul_ps(k, sx)), L->m->w);
            const __m256i y = nearest8(_mm256_add_ps(ay, _mm256_mul_ps(k, sy)), L->m->h);
            const __m256i cx = _mm256_mask_i32gather_epi32(z, c->x.idx, x, lanes, 4);
            const __m256i cy = _mm256_mask_i32gather_epi32(z, c->y.idx, y, lanes, 4);
            const __m256i cell = _mm256_add_epi32(_mm256_mullo_epi32(cy, _mm256_set1_epi32(c->x.src)), cx);
            const __m256i v = _mm256_and_si256(
                _mm256_mask_i32gather_epi32(z, (const int *)L->live, cell, lanes, 1),
                _mm256_set1_epi32(0xff));
            fails = _mm256_add_epi32(fails, _mm256_and_si256(_mm256_cmpeq_epi32(v, z), one));
        }
    }
    const __m256i allowed = _mm256_i32gather_epi32(L->allowed_by_n, n, 4);
    /* norm > 1e-6 and norm < near are double comparisons, as in score_line */
    const unsigned long_enough = cmp8_pd(norm, 1e-6, 0), is_near = cmp8_pd(norm, L->near, 1);
    const unsigned too_many =
        (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(fails, allowed)));
    const unsigned valid = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(lanes));
    return valid & long_enough & ~(too_many & ~is_near);
}
#endif

static float score_line(const limb *L, const opc_peak *a, const float *fa, const line *ln)
{
    if (!(ln->norm > 1e-6)) /* a double comparison, as in OpenPose */
        return 0;
    const int n = ln->n;
    /* Stop once more samples failed than allowed. The sum is still taken in sample order. */
    const int allowed = L->allowed[n];
    float s[25];
    int failed = 0;
    for (int i = 0; i < n && failed <= allowed; i++) {
        const int k = L->order[n][i];
        if (k == 0) {
            s[0] = ln->ux * fa[0] + ln->uy * fa[1];
        } else {
            int x, y;
            sample_at(L->m, a, ln, k, &x, &y);
            if (dead(L, x, y)) {
                s[k] = NAN; /* cannot pass */
            } else {
                float fx, fy;
                paf_read(L->m, x, y, &fx, &fy);
                s[k] = ln->ux * fx + ln->uy * fy;
            }
        }
        failed += !passes(s[k], L->inter_threshold);
    }
    if (failed <= allowed) {
        float sum = 0;
        int count = 0;
        for (int k = 0; k < n; k++)
            if (passes(s[k], L->inter_threshold)) {
                sum += s[k];
                count++;
            }
        if ((float)count / (float)n > L->inter_min_above)
            return sum / (float)count;
    }
    if (ln->norm < L->near)
        return (float)(L->nms_threshold + 1e-6);
    return 0;
}

float opc_paf_score(const opc_paf *m, const opc_peak *a, const opc_peak *b,
                    float inter_threshold, float inter_min_above, float nms_threshold)
{
    const opc_parse_params p = {.nms_threshold = nms_threshold,
                                .inter_threshold = inter_threshold,
                                .inter_min_above = inter_min_above};
    limb L;
    limb_init(&L, &p, m->w, m->h);
    L.m = m;
    L.live = NULL;
    float fa[2];
    field_at(m, a, fa);
    line ln;
    line_of(a, b, &ln);
    return score_line(&L, a, fa, &ln);
}

void opc_candidates_free(opc_candidates *c)
{
    if (c->conn)
        for (int i = 0; i < c->num_pairs; i++)
            free(c->conn[i]);
    free(c->conn);
    free(c->count);
    memset(c, 0, sizeof *c);
}

int opc_candidates_score(const opc_paf_topology *t, const opc_peaks *pk, const opc_paf *pafs,
                         const opc_parse_params *p, opc_candidates *out, opc_error *err)
{
    memset(out, 0, sizeof *out);
    out->count = calloc((size_t)t->num_pairs + 1, sizeof *out->count);
    out->conn = calloc((size_t)t->num_pairs + 1, sizeof *out->conn);
    if (!out->count || !out->conn) {
        opc_candidates_free(out);
        return opc_fail(err, OPC_ERR_NOMEM, "parse: out of memory for connections");
    }
    out->num_pairs = t->num_pairs;
    limb L;
    limb_init(&L, p, pafs[0].w, pafs[0].h);
    size_t most = 0; /* source cells of the largest upsampled field */
    for (int l = 0; l < t->num_pairs; l++)
        if (pafs[l].up && (size_t)pafs[l].up->x.src * pafs[l].up->y.src > most)
            most = (size_t)pafs[l].up->x.src * pafs[l].up->y.src;
    float *scratch = most ? malloc(2 * most * sizeof *scratch) : NULL;
    unsigned char *live = most ? calloc(most + 4, 1) : NULL; /* + 4: read as 32 bits */
#if PAIR_LANES > 1
    /* B's coordinates, SoA */
    float *bx = malloc(2 * (size_t)pk->max_peaks * sizeof *bx), *by = bx + pk->max_peaks;
#else
    float *bx = NULL;
#endif
    int rc = (bx || PAIR_LANES == 1) && (!most || (scratch && live))
                 ? OPC_OK
                 : opc_fail(err, OPC_ERR_NOMEM, "parse: out of memory for connections");
    for (int l = 0; l < t->num_pairs && rc == OPC_OK; l++) {
        const int A = t->pairs[l][0], B = t->pairs[l][1];
        const int na = pk->count[A], nb = pk->count[B];
        if (!na || !nb)
            continue;
        opc_conn *c = malloc((size_t)na * nb * sizeof *c);
        out->conn[l] = c;
        if (!c) {
            rc = opc_fail(err, OPC_ERR_NOMEM, "parse: out of memory for connections");
            break;
        }
        L.m = &pafs[l];
        L.live = NULL;
        if (L.m->up && !L.m->more && na * nb >= LIVE_PAIRS) { /* one source's cells */
            opc_paf_live_cells(L.m->up, L.m->x, L.m->y, p->inter_threshold, scratch, live);
            L.live = live;
        }
        const opc_peak *pa = pk->peak + (size_t)A * pk->max_peaks;
        const opc_peak *pb = pk->peak + (size_t)B * pk->max_peaks;
#if PAIR_LANES > 1
        for (int j = 0; j < nb; j++) {
            bx[j] = pb[j].x;
            by[j] = pb[j].y;
        }
#endif
        for (int i = 0; i < na; i++) {
            float fa[2];
            field_at(L.m, &pa[i], fa);
#if PAIR_LANES > 1
            for (int j0 = 0; j0 < nb; j0 += PAIR_LANES)
                for (unsigned bits = not_hopeless_simd(&L, &pa[i], fa, bx, by, j0, nb); bits;
                     bits &= bits - 1) {
                    const int j = j0 + __builtin_ctz(bits);
                    line ln;
                    line_of(&pa[i], &pb[j], &ln);
#else
            for (int j = 0; j < nb; j++) {
                line ln;
                line_of(&pa[i], &pb[j], &ln);
                if (hopeless(&L, &pa[i], fa, &ln))
                    continue;
#endif
                const float s = score_line(&L, &pa[i], fa, &ln);
                if (s > 1e-6)
                    c[out->count[l]++] = (opc_conn){s, i, j};
            }
        }
    }
    free(scratch);
    free(live);
    free(bx);
    if (rc != OPC_OK)
        opc_candidates_free(out);
    return rc;
}
