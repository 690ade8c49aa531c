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

/* The projection of the field at sample k of a -> b on the unit vector (ux, uy). */
static inline float sample(const opc_paf *m, const opc_peak *a, float sx, float sy, int k,
                           float ux, float uy)
{
    float fx, fy;
    paf_read(m, nearest(a->x + (float)k * sx, m->w), nearest(a->y + (float)k * sy, m->h), &fx,
             &fy);
    return ux * fx + uy * fy;
}

static inline int passes(float s, float inter_threshold)
{
    return s > inter_threshold && s <= FLT_MAX;
}

/* allowed[n]: the failures a line of n samples can have and still pass, or -1. */
static void failures_allowed(float inter_min_above, int *allowed)
{
    for (int n = 0; n <= 25; n++) {
        allowed[n] = -1;
        while (allowed[n] < n && (float)(n - allowed[n] - 1) / (float)n > inter_min_above)
            allowed[n]++;
    }
}

static float score_pair(const opc_paf *m, const opc_peak *a, const float *fa, const opc_peak *b,
                        const int *allowed_by_n, float inter_threshold, float inter_min_above,
                        float nms_threshold)
{
    const float dx = b->x - a->x, dy = b->y - a->y;
    const float norm = sqrtf(dx * dx + dy * dy);
    if (!(norm > 1e-6)) /* a double comparison, as in OpenPose */
        return 0;
    const int n = opc_paf_num_samples(dx, dy);
    const float ux = dx / norm, uy = dy / norm;
    const float sx = dx / (float)n, sy = dy / (float)n;
    /* Stop once more samples failed than allowed. The middle sample goes first: for a
     * wrong pairing it usually lies between two people, where the field is ~0. The sum is
     * still taken in sample order. */
    const int allowed = allowed_by_n[n];
    float s[25];
    s[0] = ux * fa[0] + uy * fa[1];
    int failed = !passes(s[0], inter_threshold);
    const int mid = n / 2;
    if (failed <= allowed) {
        s[mid] = sample(m, a, sx, sy, mid, ux, uy);
        failed += !passes(s[mid], inter_threshold);
    }
    for (int k = 1; k < n && failed <= allowed; k++)
        if (k != mid) {
            s[k] = sample(m, a, sx, sy, k, ux, uy);
            failed += !passes(s[k], inter_threshold);
        }
    if (failed <= allowed) {
        float sum = 0;
        int count = 0;
        for (int k = 0; k < n; k++)
            if (passes(s[k], inter_threshold)) {
                sum += s[k];
                count++;
            }
        if ((float)count / (float)n > inter_min_above)
            return sum / (float)count;
    }
    if (norm < sqrt((double)m->w * m->h) / 150)
        return (float)(nms_threshold + 1e-6);
    return 0;
}

float opc_paf_score(const opc_paf *m, const opc_peak *a, const opc_peak *b,
                    float inter_threshold, float inter_min_above, float nms_threshold)
{
    float fa[2];
    int allowed[26];
    failures_allowed(inter_min_above, allowed);
    field_at(m, a, fa);
    return score_pair(m, a, fa, b, allowed, inter_threshold, inter_min_above, nms_threshold);
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
    int allowed[26];
    failures_allowed(p->inter_min_above, allowed);
    int rc = OPC_OK;
    for (int l = 0; l < t->num_pairs; l++) {
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
        const opc_paf *m = &pafs[l];
        const opc_peak *pa = pk->peak + (size_t)A * pk->max_peaks;
        const opc_peak *pb = pk->peak + (size_t)B * pk->max_peaks;
        for (int i = 0; i < na; i++) {
            float fa[2];
            field_at(m, &pa[i], fa);
            for (int j = 0; j < nb; j++) {
                float s = score_pair(m, &pa[i], fa, &pb[j], allowed, p->inter_threshold,
                                     p->inter_min_above, p->nms_threshold);
                if (s > 1e-6)
                    c[out->count[l]++] = (opc_conn){s, i, j};
            }
        }
    }
    if (rc != OPC_OK)
        opc_candidates_free(out);
    return rc;
}
