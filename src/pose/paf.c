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
 * Peak positions include OpenPose's +0.5/scale offset, as OpenPose samples them. The loop
 * stops as soon as the share can no longer pass: the result is the same. Non-finite PAF
 * values never pass the per-sample threshold. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "pose/parser.h"

int opc_paf_num_samples(float dx, float dy)
{
    float m = fmaxf(fabsf(dx), fabsf(dy));
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

static inline float paf_read(const opc_paf *m, const float *ch, int x, int y)
{
    return m->up ? opc_cubic_at(m->up, ch, x, y) : ch[(size_t)y * m->w + x];
}

float opc_paf_score(const opc_paf *m, const opc_peak *a, const opc_peak *b,
                    float inter_threshold, float inter_min_above, float nms_threshold)
{
    const float dx = b->x - a->x, dy = b->y - a->y;
    const float norm = sqrtf(dx * dx + dy * dy);
    if (!(norm > 1e-6)) /* a double comparison, as in OpenPose */
        return 0;
    const int n = opc_paf_num_samples(dx, dy);
    const float ux = dx / norm, uy = dy / norm;
    const float sx = dx / (float)n, sy = dy / (float)n;
    float sum = 0;
    int count = 0;
    for (int k = 0; k < n; k++) {
        const int px = nearest(a->x + (float)k * sx, m->w);
        const int py = nearest(a->y + (float)k * sy, m->h);
        const float s = ux * paf_read(m, m->x, px, py) + uy * paf_read(m, m->y, px, py);
        if (s > inter_threshold && s <= FLT_MAX) {
            sum += s;
            count++;
        } else if (!((float)(count + n - k - 1) / (float)n > inter_min_above)) {
            break;
        }
    }
    if ((float)count / (float)n > inter_min_above)
        return sum / (float)count;
    if (norm < sqrt((double)m->w * m->h) / 150)
        return (float)(nms_threshold + 1e-6);
    return 0;
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
    for (int l = 0; l < t->num_pairs; l++) {
        const int A = t->pairs[l][0], B = t->pairs[l][1];
        const int na = pk->count[A], nb = pk->count[B];
        if (!na || !nb)
            continue;
        opc_conn *c = malloc((size_t)na * nb * sizeof *c);
        if (!c) {
            opc_candidates_free(out);
            return opc_fail(err, OPC_ERR_NOMEM, "parse: out of memory for connections");
        }
        out->conn[l] = c;
        const opc_peak *pa = pk->peak + (size_t)A * pk->max_peaks;
        const opc_peak *pb = pk->peak + (size_t)B * pk->max_peaks;
        for (int i = 0; i < na; i++)
            for (int j = 0; j < nb; j++) {
                float s = opc_paf_score(&pafs[l], &pa[i], &pb[j], p->inter_threshold,
                                        p->inter_min_above, p->nms_threshold);
                if (s > 1e-6)
                    c[out->count[l]++] = (opc_conn){s, i, j};
            }
    }
    return OPC_OK;
}
