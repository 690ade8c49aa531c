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
 * Peak positions include OpenPose's +0.5/scale offset, as OpenPose samples them. Sampling
 * stops as soon as the share can no longer pass, and the sum is taken in sample order, so
 * the result is OpenPose's. Non-finite PAF values never pass the per-sample threshold. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "pose/parser.h"

enum { LIVE_PAIRS = 128 }; /* from about this many pairs, a limb's live cells pay */

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

static float score_pair(const limb *L, const opc_peak *a, const float *fa, const opc_peak *b)
{
    const opc_paf *m = L->m;
    const float dx = b->x - a->x, dy = b->y - a->y;
    const float norm = sqrtf(dx * dx + dy * dy);
    if (!(norm > 1e-6)) /* a double comparison, as in OpenPose */
        return 0;
    const int n = opc_paf_num_samples(dx, dy);
    const float ux = dx / norm, uy = dy / norm;
    const float sx = dx / (float)n, sy = dy / (float)n;
    /* Stop once more samples failed than allowed. The sum is still taken in sample order. */
    const int allowed = L->allowed[n];
    float s[25];
    int failed = 0;
    for (int i = 0; i < n && failed <= allowed; i++) {
        const int k = L->order[n][i];
        if (k == 0) {
            s[0] = ux * fa[0] + uy * fa[1];
        } else {
            const int x = nearest(a->x + (float)k * sx, m->w), y = nearest(a->y + (float)k * sy, m->h);
            if (L->live && !L->live[(size_t)m->up->y.idx[y] * m->up->x.src + m->up->x.idx[x]]) {
                s[k] = NAN; /* cannot pass */
            } else {
                float fx, fy;
                paf_read(m, x, y, &fx, &fy);
                s[k] = ux * fx + uy * fy;
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
    if (norm < L->near)
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
    return score_pair(&L, a, fa, b);
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

int opc_candidates_score(const opc_topology *t, const opc_peaks *pk, const opc_paf *pafs,
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
    unsigned char *live = most ? malloc(most) : NULL;
    int rc = !most || (scratch && live)
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
        if (L.m->up && na * nb >= LIVE_PAIRS) {
            opc_paf_live_cells(L.m->up, L.m->x, L.m->y, p->inter_threshold, scratch, live);
            L.live = live;
        }
        const opc_peak *pa = pk->peak + (size_t)A * pk->max_peaks;
        const opc_peak *pb = pk->peak + (size_t)B * pk->max_peaks;
        for (int i = 0; i < na; i++) {
            float fa[2];
            field_at(L.m, &pa[i], fa);
            for (int j = 0; j < nb; j++) {
                float s = score_pair(&L, &pa[i], fa, &pb[j]);
                if (s > 1e-6)
                    c[out->count[l]++] = (opc_conn){s, i, j};
            }
        }
    }
    free(scratch);
    free(live);
    if (rc != OPC_OK)
        opc_candidates_free(out);
    return rc;
}
