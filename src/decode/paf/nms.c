/* Heatmap peaks as OpenPose's nmsBase.cpp finds them:
 *  - inside (1 < x < w-2 and 1 < y < h-2) a peak exceeds the threshold and is strictly
 *    greater than its 8 neighbours;
 *  - on the ring one pixel in (x == 1, x == w-2, y == 1 or y == h-2; this includes border
 *    pixels of those rows and columns) it exceeds the threshold and is >= its neighbours,
 *    a neighbour outside the map counting as the threshold (OpenPose does this because
 *    cv::resize leaves equal values side by side there);
 *  - other border pixels are never peaks;
 *  - the position is the centroid of the 7x7 window (clipped to the map) weighted by the
 *    values > 0; the score is the peak's value;
 *  - peaks are taken in row-major order, at most max_peaks per part.
 * Beyond OpenPose: non-finite values are never peaks nor weights (OpenPose would return
 * NaN positions for an Inf). */
#include <float.h>
#include <stdint.h>
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "openpose-c/error.h"
#include "decode/paf/parser.h"

int opc_peaks_alloc(opc_peaks *pk, int num_parts, int max_peaks, opc_error *err)
{
    memset(pk, 0, sizeof *pk);
    pk->count = calloc((size_t)num_parts, sizeof *pk->count);
    pk->peak = malloc((size_t)num_parts * max_peaks * sizeof *pk->peak);
    if (!pk->count || !pk->peak) {
        opc_peaks_free(pk);
        return opc_fail(err, OPC_ERR_NOMEM, "parse: out of memory for peaks");
    }
    pk->num_parts = num_parts;
    pk->max_peaks = max_peaks;
    return OPC_OK;
}

void opc_peaks_free(opc_peaks *pk)
{
    free(pk->count);
    free(pk->peak);
    memset(pk, 0, sizeof *pk);
}

static inline const float *row_of(const opc_band *b, int y)
{
    return b->rows + (size_t)(y - b->y0) * b->w;
}

static inline int usable(float v) { return v > 0 && v <= FLT_MAX; }

/* The ring test: >= every neighbour, out-of-map neighbours read as the threshold. */
static int ring_peak(const opc_band *b, int x, int y, float v, float thr)
{
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++) {
            if (!dx && !dy)
                continue;
            int nx = x + dx, ny = y + dy;
            float n = (nx < 0 || ny < 0 || nx >= b->w || ny >= b->h) ? thr : row_of(b, ny)[nx];
            if (!(v >= n))
                return 0;
        }
    return 1;
}

static int inner_peak(const float *up, const float *r, const float *dn, int x, float v)
{
    return v > up[x - 1] && v > up[x] && v > up[x + 1] && v > r[x - 1] && v > r[x + 1] &&
           v > dn[x - 1] && v > dn[x] && v > dn[x + 1];
}

static void add_peak(const opc_band *b, int x, int y, float v, float offset, opc_peaks *pk,
                     int part)
{
    /* The 7x7 window, clipped to the map. */
    const int x0 = x > 3 ? x - 3 : 0, x1 = x + 4 < b->w ? x + 4 : b->w;
    const int y0 = y > 3 ? y - 3 : 0, y1 = y + 4 < b->h ? y + 4 : b->h;
    float win[49];
    if (b->up)
        opc_cubic_block(b->up, b->tmp, x0, x1, y0, y1, win);
    float xa = 0, ya = 0, sa = 0;
    for (int yy = y0; yy < y1; yy++) {
        const float *r = b->up ? win + (size_t)(yy - y0) * (x1 - x0) : row_of(b, yy) + x0;
        for (int xx = x0; xx < x1; xx++) {
            const float s = r[xx - x0];
            if (usable(s)) {
                xa += (float)xx * s;
                ya += (float)yy * s;
                sa += s;
            }
        }
    }
    opc_peak *p = &pk->peak[(size_t)part * pk->max_peaks + pk->count[part]++];
    p->x = xa / sa + offset;
    p->y = ya / sa + offset;
    p->score = v;
}

/* Bit i of the result: is r[x+i] (x + i < end) an inner peak: above the threshold,
 * finite and strictly above its 8 neighbours (rows up and dn)? LANES pixels at a time (SIMD
 * where available, the same comparisons otherwise). */
#if defined(__AVX512F__)
enum { LANES = 16 };
static inline unsigned row_peaks(const float *up, const float *r, const float *dn, int x,
                                 int end, float thr)
{
    const __mmask16 live = end - x >= 16 ? 0xffff : (__mmask16)((1u << (end - x)) - 1);
    const __m512 v = _mm512_maskz_loadu_ps(live, r + x);
    __mmask16 m = _mm512_mask_cmp_ps_mask(live, v, _mm512_set1_ps(thr), _CMP_GT_OQ);
    m = _mm512_mask_cmp_ps_mask(m, v, _mm512_set1_ps(FLT_MAX), _CMP_LE_OQ);
    /* The row's own neighbours first: few pixels of a row are its local maxima. */
    m = _mm512_mask_cmp_ps_mask(m, v, _mm512_maskz_loadu_ps(m, r + x - 1), _CMP_GT_OQ);
    m = _mm512_mask_cmp_ps_mask(m, v, _mm512_maskz_loadu_ps(m, r + x + 1), _CMP_GT_OQ);
    if (!m)
        return 0;
    for (int dx = -1; dx <= 1; dx++) {
        m = _mm512_mask_cmp_ps_mask(m, v, _mm512_maskz_loadu_ps(m, up + x + dx), _CMP_GT_OQ);
        m = _mm512_mask_cmp_ps_mask(m, v, _mm512_maskz_loadu_ps(m, dn + x + dx), _CMP_GT_OQ);
    }
    return m;
}
#else
enum { LANES = 8 };
static inline unsigned row_peaks(const float *up, const float *r, const float *dn, int x,
                                 int end, float thr)
{
#if defined(__AVX2__)
    const __m256i live = _mm256_cmpgt_epi32(_mm256_set1_epi32(end - x),
                                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const __m256 v = _mm256_maskload_ps(r + x, live);
    __m256 m = _mm256_and_ps(_mm256_castsi256_ps(live),
                             _mm256_and_ps(_mm256_cmp_ps(v, _mm256_set1_ps(thr), _CMP_GT_OQ),
                                           _mm256_cmp_ps(v, _mm256_set1_ps(FLT_MAX), _CMP_LE_OQ)));
    /* The row's own neighbours first: few pixels of a row are its local maxima. */
    m = _mm256_and_ps(m, _mm256_and_ps(
                             _mm256_cmp_ps(v, _mm256_maskload_ps(r + x - 1, live), _CMP_GT_OQ),
                             _mm256_cmp_ps(v, _mm256_maskload_ps(r + x + 1, live), _CMP_GT_OQ)));
    if (!_mm256_movemask_ps(m))
        return 0;
    for (int dx = -1; dx <= 1; dx++)
        m = _mm256_and_ps(m, _mm256_and_ps(
                                 _mm256_cmp_ps(v, _mm256_maskload_ps(up + x + dx, live), _CMP_GT_OQ),
                                 _mm256_cmp_ps(v, _mm256_maskload_ps(dn + x + dx, live), _CMP_GT_OQ)));
    return (unsigned)_mm256_movemask_ps(m);
#else
    unsigned bits = 0;
    for (int i = 0; i < 8 && x + i < end; i++) {
        const float v = r[x + i];
        bits |= (unsigned)(v > thr && v <= FLT_MAX && inner_peak(up, r, dn, x + i, v)) << i;
    }
    return bits;
#endif
}
#endif

/* The rule for any pixel (used off the inner area). */
static int is_peak(const opc_band *b, int x, int y, float thr)
{
    const int w = b->w, h = b->h;
    const float v = row_of(b, y)[x];
    if (!(v > thr && v <= FLT_MAX))
        return 0;
    if (1 < x && x < w - 2 && 1 < y && y < h - 2)
        return inner_peak(row_of(b, y - 1), row_of(b, y), row_of(b, y + 1), x, v);
    if (x == 1 || x == w - 2 || y == 1 || y == h - 2)
        return ring_peak(b, x, y, v, thr);
    return 0;
}

/* Adds the peak at (x, y) unless the part is full; returns 0 when it is. */
static int take(const opc_band *b, int x, int y, float offset, opc_peaks *pk, int part)
{
    if (pk->count[part] >= pk->max_peaks)
        return 0;
    add_peak(b, x, y, row_of(b, y)[x], offset, pk, part);
    return 1;
}

/* Peaks of row y in columns [xa, xb); returns 0 once the part is full. */
static int nms_row(const opc_band *b, int y, int xa, int xb, float threshold, float offset,
                   opc_peaks *pk, int part)
{
    const int w = b->w, h = b->h;
    const float *r = row_of(b, y);
    if (!(1 < y && y < h - 2) || w < 5) {
        for (int x = xa; x < xb; x++)
            if (is_peak(b, x, y, threshold) && !take(b, x, y, offset, pk, part))
                return 0;
        return 1;
    }
    /* Inner row: x = 1 and x = w-2 follow the ring rule, 2 .. w-3 the inner one. */
    if (xa <= 1 && 1 < xb && is_peak(b, 1, y, threshold) && !take(b, 1, y, offset, pk, part))
        return 0;
    const float *up = row_of(b, y - 1), *dn = row_of(b, y + 1);
    const int ia = xa > 2 ? xa : 2, ib = xb < w - 2 ? xb : w - 2;
    for (int x0 = ia; x0 < ib; x0 += LANES)
        for (unsigned bits = row_peaks(up, r, dn, x0, ib, threshold); bits; bits &= bits - 1)
            if (!take(b, x0 + __builtin_ctz(bits), y, offset, pk, part))
                return 0;
    if (xa <= w - 2 && w - 2 < xb && is_peak(b, w - 2, y, threshold) &&
        !take(b, w - 2, y, offset, pk, part))
        return 0;
    return 1;
}

void opc_nms_band(const opc_band *b, int ya, int yb, const int *spans, int nspans,
                  float threshold, float offset, opc_peaks *pk, int part)
{
    for (int y = ya; y < yb; y++)
        for (int i = 0; i < nspans; i++)
            if (!nms_row(b, y, spans[2 * i], spans[2 * i + 1], threshold, offset, pk, part))
                return;
}
