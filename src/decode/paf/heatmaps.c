/* Peaks of the part heatmaps straight from the network output: the peaks NMS finds on the
 * upsampled maps (opc_maps_resize_merge), upsampling only the pixels NMS reads. Per part,
 * with thr the NMS threshold and a "run" the output rows that interpolate the same four
 * source rows R:
 *  - the rows pass (along x) of the source rows that can matter: a source row whose values
 *    are all <= thr / (gain_x gain_y) cannot lift an output above thr;
 *  - a run can exceed thr at column x only if sum_k W_k |tmp_k[x]| does, with W_k the
 *    largest |weight k| over the run's rows and tmp_k the rows pass of R's row k (with a
 *    margin for rounding): those columns, as spans, are the run's candidates. Everywhere
 *    else the value is <= thr or NaN: never a peak, and below any candidate's value;
 *  - row y is upsampled (columns pass) on the candidate spans of the runs of rows y-1, y
 *    and y+1, each widened by one pixel: all that the 3x3 test of a candidate reads;
 *  - the 7x7 centroid window of each peak is upsampled on its own (opc_cubic_block).
 * The arithmetic is the full resize's, so the values, and the peaks, are identical. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "openpose-c/error.h"
#include "decode/paf/parser.h"

enum {
    BAND_ROWS = 16, /* output rows upsampled at a time: they stay in cache */
    SPAN_GAP = 8,   /* join candidate spans closer than this: fewer, longer passes */
    WINDOW = 3      /* rows the centroid reads above and below a peak */
};

/* Work arrays of one parse, reused for every part. */
typedef struct {
    const opc_cubic *c;
    float *tmp;          /* sh x dw: the rows pass */
    unsigned char *done; /* sh: tmp row computed */
    unsigned char *live; /* sh: the source row can lift an output above the threshold */
    float *band;         /* (BAND_ROWS + 2) x dw */
    int *run_of;         /* dh: the run of each output row */
    int *first;          /* runs + 1: spans of run j are spans[first[j] .. first[j+1]) */
    int *spans;          /* pairs [start, end): the candidates */
    int *wfirst, *wide;  /* the same, each span widened by one pixel */
    int *row;            /* the spans upsampled in one row, when runs meet */
    float *W;            /* runs x 4: max over the run's rows of |weight k| */
} work;

static void work_free(work *wk)
{
    free(wk->tmp);
    free(wk->done);
    free(wk->live);
    free(wk->band);
    free(wk->run_of);
    free(wk->first);
    free(wk->spans);
    free(wk->wfirst);
    free(wk->wide);
    free(wk->row);
    free(wk->W);
}

static int work_alloc(work *wk, const opc_cubic *c, int sh, opc_error *err)
{
    const size_t dw = (size_t)c->x.dst, dh = (size_t)c->y.dst, runs = (size_t)c->y.runs;
    memset(wk, 0, sizeof *wk);
    wk->c = c;
    wk->tmp = malloc((size_t)sh * dw * sizeof *wk->tmp);
    wk->done = malloc((size_t)sh);
    wk->live = malloc((size_t)sh);
    wk->band = malloc((BAND_ROWS + 2) * dw * sizeof *wk->band);
    wk->run_of = malloc(dh * sizeof *wk->run_of);
    wk->first = malloc((runs + 1) * sizeof *wk->first);
    wk->spans = malloc(runs * (dw + 1) * sizeof *wk->spans); /* <= (dw+1)/2 spans per run */
    wk->wfirst = malloc((runs + 1) * sizeof *wk->wfirst);
    wk->wide = malloc(runs * (dw + 1) * sizeof *wk->wide);
    wk->row = malloc((dw + 1) * sizeof *wk->row);
    wk->W = calloc(4 * runs, sizeof *wk->W);
    if (!wk->tmp || !wk->done || !wk->live || !wk->band || !wk->run_of || !wk->first ||
        !wk->spans || !wk->wfirst || !wk->wide || !wk->row || !wk->W) {
        work_free(wk);
        return opc_fail(err, OPC_ERR_NOMEM, "parse: out of memory for heatmaps");
    }
    for (int j = 0; j < c->y.runs; j++)
        for (int y = c->y.run[j]; y < c->y.run[j + 1]; y++) {
            wk->run_of[y] = j;
            for (int k = 0; k < 4; k++)
                wk->W[4 * j + k] = fmaxf(wk->W[4 * j + k], fabsf(c->y.w[k * dh + y]));
        }
    return OPC_OK;
}

/* The rows pass of the source rows that output rows [y0, y1) read (taps are sorted). */
static void need_rows(work *wk, const float *src, int y0, int y1)
{
    const int dh = wk->c->y.dst;
    y0 = y0 > 0 ? y0 : 0;
    y1 = y1 < dh ? y1 : dh;
    if (y0 >= y1)
        return;
    for (int r = wk->c->y.idx[y0]; r <= wk->c->y.idx[3 * dh + y1 - 1]; r++)
        if (!wk->done[r]) {
            opc_cubic_rows(wk->c, src, r, r + 1, wk->tmp);
            wk->done[r] = 1;
        }
}

/* Bit i: W0 |t0[x+i]| + W1 |t1[x+i]| + W2 |t2[x+i]| + W3 |t3[x+i]| > bound, for x + i < end.
 * NaN counts as small: an output it reaches is NaN, never a peak. */
#if defined(__AVX512F__)
enum { LANES = 16 };
static inline unsigned above(const float *const t[4], const float *W, int x, int end,
                             float bound)
{
    const __mmask16 live = end - x >= 16 ? 0xffff : (__mmask16)(0xffffu >> (16 - (end - x)));
    __m512 s = _mm512_setzero_ps();
    for (int k = 0; k < 4; k++)
        s = _mm512_add_ps(s, _mm512_mul_ps(_mm512_set1_ps(W[k]),
                                           _mm512_abs_ps(_mm512_maskz_loadu_ps(live, t[k] + x))));
    return _mm512_mask_cmp_ps_mask(live, s, _mm512_set1_ps(bound), _CMP_GT_OQ);
}
#else
enum { LANES = 8 };
static inline unsigned above(const float *const t[4], const float *W, int x, int end,
                             float bound)
{
#if defined(__AVX2__)
    if (end - x >= 8) {
        const __m256 sign = _mm256_set1_ps(-0.f);
        __m256 s = _mm256_setzero_ps();
        for (int k = 0; k < 4; k++)
            s = _mm256_add_ps(s, _mm256_mul_ps(_mm256_set1_ps(W[k]),
                                               _mm256_andnot_ps(sign, _mm256_loadu_ps(t[k] + x))));
        return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(s, _mm256_set1_ps(bound), _CMP_GT_OQ));
    }
#endif
    unsigned bits = 0;
    for (int i = 0; i < 8 && x + i < end; i++) {
        float s = 0;
        for (int k = 0; k < 4; k++)
            s += W[k] * fabsf(t[k][x + i]);
        bits |= (unsigned)(s > bound) << i;
    }
    return bits;
}
#endif

/* Appends [a, b) to the n spans, joining it to the last one when closer than gap. */
static int add_span(int *spans, int n, int a, int b, int gap)
{
    if (n && a - spans[2 * n - 1] < gap) {
        spans[2 * n - 1] = b;
        return n;
    }
    spans[2 * n] = a;
    spans[2 * n + 1] = b;
    return n + 1;
}

/* The candidate spans of run j: where the weighted bound of its rows exceeds `bound`
 * (see the top); returns their number. */
static int run_spans(work *wk, int j, float bound, int *spans)
{
    const opc_cubic *c = wk->c;
    const int dw = c->x.dst, dh = c->y.dst, y = c->y.run[j];
    const float *const t[4] = {wk->tmp + (size_t)c->y.idx[y] * dw,
                               wk->tmp + (size_t)c->y.idx[dh + y] * dw,
                               wk->tmp + (size_t)c->y.idx[2 * dh + y] * dw,
                               wk->tmp + (size_t)c->y.idx[3 * dh + y] * dw};
    int n = 0;
    for (int x0 = 0; x0 < dw; x0 += LANES)
        for (unsigned bits = above(t, wk->W + 4 * j, x0, dw, bound); bits;) {
            const int a = __builtin_ctz(bits), len = __builtin_ctz(~(bits >> a));
            n = add_span(spans, n, x0 + a, x0 + a + len, SPAN_GAP);
            bits &= ~(((1u << len) - 1) << a);
        }
    return n;
}

/* Appends [a, b) to the n sorted spans, merging it with the last one if they touch. */
static int merge_span(int *spans, int n, int a, int b)
{
    if (n && a <= spans[2 * n - 1]) {
        if (b > spans[2 * n - 1])
            spans[2 * n - 1] = b;
        return n;
    }
    return add_span(spans, n, a, b, 1);
}

/* The wide spans of every run: its candidates widened by one pixel. */
static void widen(work *wk)
{
    const int dw = wk->c->x.dst;
    int n = 0;
    for (int j = 0; j < wk->c->y.runs; j++) {
        wk->wfirst[j] = n;
        const int *s = wk->spans + 2 * wk->first[j];
        int m = 0;
        for (int i = 0; i < wk->first[j + 1] - wk->first[j]; i++)
            m = merge_span(wk->wide + 2 * n, m, s[2 * i] > 0 ? s[2 * i] - 1 : 0,
                           s[2 * i + 1] < dw ? s[2 * i + 1] + 1 : dw);
        n += m;
    }
    wk->wfirst[wk->c->y.runs] = n;
}

/* The columns row y is upsampled on: the wide spans of the runs of rows y-1 .. y+1, merged
 * (in wk->row when they are not one run's); returns their number. */
static int row_spans(work *wk, int y, const int **out)
{
    const int dh = wk->c->y.dst;
    int from[3], to[3], lists = 0;
    for (int yy = y - 1; yy <= y + 1; yy++) {
        if (yy < 0 || yy >= dh)
            continue;
        const int j = wk->run_of[yy];
        if (wk->wfirst[j] == wk->wfirst[j + 1] || (lists && from[lists - 1] == wk->wfirst[j]))
            continue; /* no spans, or the same run as the row above */
        from[lists] = wk->wfirst[j];
        to[lists++] = wk->wfirst[j + 1];
    }
    if (lists <= 1) {
        *out = wk->wide + 2 * (lists ? from[0] : 0);
        return lists ? to[0] - from[0] : 0;
    }
    int n = 0;
    for (;;) { /* merge by start */
        int best = -1;
        for (int l = 0; l < lists; l++)
            if (from[l] < to[l] && (best < 0 || wk->wide[2 * from[l]] < wk->wide[2 * from[best]]))
                best = l;
        if (best < 0)
            break;
        const int *s = &wk->wide[2 * from[best]++];
        n = merge_span(wk->row, n, s[0], s[1]);
    }
    *out = wk->row;
    return n;
}

/* Candidate spans of every run of one part; returns their total. */
static int part_spans(work *wk, const float *src, float thr)
{
    const opc_cubic *c = wk->c;
    const int sw = c->x.src, sh = c->y.src, dh = c->y.dst;
    const float margin = 1.0001f; /* above float rounding in both passes */
    const float src_bound = thr / (c->x.gain * c->y.gain * margin);
    const float tmp_bound = thr / margin;
    /* live[r]: can source row r lift an output above thr? */
    int any = 0;
    for (int r = 0; r < sh; r++) {
        int live = 0;
        for (int i = 0; i < sw; i++)
            live |= fabsf(src[(size_t)r * sw + i]) > src_bound;
        wk->live[r] = (unsigned char)live;
        any |= live;
    }
    int n = 0;
    for (int j = 0; j < c->y.runs; j++) {
        wk->first[j] = n;
        const int y = c->y.run[j];
        int live = 0;
        for (int r = c->y.idx[y]; r <= c->y.idx[3 * dh + y] && any; r++)
            live |= wk->live[r];
        if (live) {
            need_rows(wk, src, c->y.run[j], c->y.run[j] + 1);
            n += run_spans(wk, j, tmp_bound, wk->spans + 2 * n);
        }
    }
    wk->first[c->y.runs] = n;
    return n;
}

/* Does any run of rows [y0, y1) have candidates? */
static int rows_have_spans(const work *wk, int y0, int y1)
{
    return wk->first[wk->run_of[y0]] != wk->first[wk->run_of[y1 - 1] + 1];
}

int opc_heatmap_peaks(const opc_paf_topology *t, const opc_parse_params *p, const opc_tensor *m,
                      const opc_cubic *c, float offset, opc_peaks *pk, opc_error *err)
{
    work wk;
    int rc = work_alloc(&wk, c, m->h, err);
    if (rc != OPC_OK)
        return rc;
    const int w = c->x.dst, h = c->y.dst;
    for (int k = 0; k < t->num_parts; k++) {
        const float *src = m->data + (size_t)k * m->h * m->w;
        memset(wk.done, 0, (size_t)m->h);
        if (!part_spans(&wk, src, p->nms_threshold))
            continue;
        widen(&wk);
        for (int ya = 0; ya < h && pk->count[k] < pk->max_peaks; ya += BAND_ROWS) {
            const int yb = ya + BAND_ROWS < h ? ya + BAND_ROWS : h;
            if (!rows_have_spans(&wk, ya, yb))
                continue;
            /* Rows ya-1 .. yb for the 3x3 test, their source rows and the centroids'. */
            const int r0 = ya > 0 ? ya - 1 : 0, r1 = yb < h ? yb + 1 : h;
            need_rows(&wk, src, ya - WINDOW, yb + WINDOW);
            for (int y = r0; y < r1; y++) {
                const int *spans;
                const int n = row_spans(&wk, y, &spans);
                opc_cubic_cols_spans(c, wk.tmp, y, spans, n, wk.band + (size_t)(y - r0) * w);
            }
            const opc_band b = {wk.band, w, h, r0, r1, c, wk.tmp};
            for (int y = ya; y < yb && pk->count[k] < pk->max_peaks; y++) {
                const int j = wk.run_of[y];
                opc_nms_band(&b, y, y + 1, wk.spans + 2 * wk.first[j], wk.first[j + 1] - wk.first[j],
                             p->nms_threshold, offset, pk, k);
            }
        }
    }
    work_free(&wk);
    return OPC_OK;
}
