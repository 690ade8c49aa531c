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
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "pose/parser.h"

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
    float xa = 0, ya = 0, sa = 0;
    for (int dy = -3; dy <= 3; dy++) {
        int yy = y + dy;
        if (yy < 0 || yy >= b->h)
            continue;
        const float *r = row_of(b, yy);
        for (int dx = -3; dx <= 3; dx++) {
            int xx = x + dx;
            if (xx < 0 || xx >= b->w)
                continue;
            float s = r[xx];
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

/* Any value of r[0..n) above thr? Branch-free so that it vectorises: most of a heatmap is
 * far below the threshold. */
static int any_above(const float *r, int n, float thr)
{
    int any = 0;
    for (int i = 0; i < n; i++)
        any |= r[i] > thr;
    return any;
}

void opc_nms_band(const opc_band *b, int ya, int yb, float threshold, float offset,
                  opc_peaks *pk, int part)
{
    const int w = b->w, h = b->h;
    enum { CHUNK = 32 };
    for (int y = ya; y < yb; y++) {
        const float *r = row_of(b, y);
        const int inner_row = 1 < y && y < h - 2;
        for (int x0 = 0; x0 < w; x0 += CHUNK) {
            const int x1 = x0 + CHUNK < w ? x0 + CHUNK : w;
            if (!any_above(r + x0, x1 - x0, threshold))
                continue;
            for (int x = x0; x < x1; x++) {
                const float v = r[x];
                if (!(v > threshold && v <= FLT_MAX))
                    continue;
                int peak;
                if (inner_row && 1 < x && x < w - 2)
                    peak = inner_peak(row_of(b, y - 1), r, row_of(b, y + 1), x, v);
                else if (x == 1 || x == w - 2 || y == 1 || y == h - 2)
                    peak = ring_peak(b, x, y, v, threshold);
                else
                    peak = 0;
                if (!peak)
                    continue;
                if (pk->count[part] >= pk->max_peaks)
                    return;
                add_peak(b, x, y, v, offset, pk, part);
            }
        }
    }
}
