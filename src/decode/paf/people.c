/* From assembled people to the result, as OpenPose's removePeopleBelowThresholds(AndFillFaces),
 * peopleVectorToPeopleArray and KeepTopNPeople do it:
 *  - a person's count is its assembly counter; unless maximize_positives, its uncounted
 *    parts (BODY_25's feet) are taken off it, and a person that had some and keeps at most
 *    4 counted parts is dropped (a leg seen twice, OpenPose's rule);
 *  - it survives with count >= min_parts and score / count >= min_score (and count >= 1,
 *    which OpenPose would divide by);
 *  - if nobody survives, the filter (only it) runs again without the uncounted-part rule,
 *    with the same min_parts and min_score; a topology without uncounted parts skips it;
 *  - keypoints are peak * scale (peaks carry the +0.5/scale offset), the person score is
 *    the total over parts + pairs of the topology;
 *  - number_people_max keeps the N people with the highest score * sqrt(area of the box of
 *    their keypoints scoring > 0.05), ties to the earlier, as OpenPose's KeepTopNPeople;
 *  - the result is sorted by score, best first (ties keep assembly order). OpenPose leaves
 *    its people in assembly order; sorting is this library's contract. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/error.h"
#include "decode/paf/parser.h"

/* OpenPose drops a person with uncounted parts and this many counted parts or fewer. */
enum { UNCOUNTED_MIN_COUNTED = 4 };

static int has_uncounted(const opc_paf_topology *t)
{
    for (int k = 0; k < t->num_parts; k++)
        if (t->part_uncounted[k])
            return 1;
    return 0;
}

static int filter_pass(const opc_paf_topology *t, const opc_parse_params *p,
                       const opc_assembly_result *r, int uncounted_rule, int *keep)
{
    int n = 0;
    for (int i = 0; i < r->count; i++) {
        const int *q = r->part + (size_t)i * r->num_parts;
        int counter = r->counter[i];
        if (uncounted_rule) {
            int u = 0;
            for (int k = 0; k < t->num_parts; k++)
                u += t->part_uncounted[k] && q[k] >= 0;
            if (u > 0) {
                counter -= u;
                if (counter <= UNCOUNTED_MIN_COUNTED)
                    continue;
            }
        }
        if (counter >= 1 && counter >= p->min_parts &&
            r->score[i] / (float)counter >= p->min_score)
            keep[n++] = i;
    }
    return n;
}

int opc_people_filter(const opc_paf_topology *t, const opc_parse_params *p,
                      const opc_assembly_result *r, int *keep)
{
    const int rule = !p->maximize_positives && has_uncounted(t);
    int n = filter_pass(t, p, r, rule, keep);
    if (n == 0 && rule)
        n = filter_pass(t, p, r, 0, keep);
    return n;
}

typedef struct {
    float key;
    int index;
} ranked;

/* Highest key first, then lowest index: a stable descending order. */
static int cmp_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? 1 : -1;
    return (a->index > b->index) - (a->index < b->index);
}

/* OpenPose's getKeypointsArea: the box of the keypoints scoring above 0.05. */
static float keypoints_area(const float *kp, int parts)
{
    float x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (int k = 0; k < parts; k++)
        if (kp[3 * k + 2] > 0.05f) {
            x0 = fminf(x0, kp[3 * k]);
            x1 = fmaxf(x1, kp[3 * k]);
            y0 = fminf(y0, kp[3 * k + 1]);
            y1 = fmaxf(y1, kp[3 * k + 1]);
        }
    return x1 >= x0 && y1 >= y0 ? (x1 - x0) * (y1 - y0) : 0;
}

static int build_candidates(const opc_peaks *pk, float scale, opc_people *out)
{
    out->candidate_counts = calloc((size_t)pk->num_parts, sizeof *out->candidate_counts);
    out->candidates = calloc((size_t)pk->num_parts, sizeof *out->candidates);
    if (!out->candidate_counts || !out->candidates)
        return OPC_ERR_NOMEM;
    for (int k = 0; k < pk->num_parts; k++) {
        const int n = pk->count[k];
        float *c = malloc((n ? (size_t)n : 1) * 3 * sizeof *c);
        if (!c)
            return OPC_ERR_NOMEM;
        out->candidates[k] = c;
        out->candidate_counts[k] = n;
        for (int i = 0; i < n; i++) {
            const opc_peak *q = &pk->peak[(size_t)k * pk->max_peaks + i];
            c[3 * i] = q->x * scale;
            c[3 * i + 1] = q->y * scale;
            c[3 * i + 2] = q->score;
        }
    }
    return OPC_OK;
}

int opc_people_build(const opc_paf_topology *t, const opc_parse_params *p, const opc_peaks *pk,
                     const opc_assembly_result *r, float scale, opc_people *out,
                     opc_error *err)
{
    memset(out, 0, sizeof *out);
    out->num_parts = t->num_parts;
    const int P = t->num_parts;
    const size_t m = r->count ? (size_t)r->count : 1;
    int *keep = malloc(m * sizeof *keep);
    ranked *order = malloc(m * sizeof *order);
    float *kp = malloc(m * P * 3 * sizeof *kp);
    float *score = malloc(m * sizeof *score);
    int rc = keep && order && kp && score ? OPC_OK : OPC_ERR_NOMEM;
    int n = 0;
    if (rc == OPC_OK) {
        n = opc_people_filter(t, p, r, keep);
        const float norm = (float)(t->num_parts + t->num_pairs);
        for (int i = 0; i < n; i++) {
            const int *q = r->part + (size_t)keep[i] * r->num_parts;
            float *o = kp + (size_t)i * P * 3;
            for (int k = 0; k < P; k++) {
                if (q[k] < 0) {
                    o[3 * k] = o[3 * k + 1] = o[3 * k + 2] = 0;
                    continue;
                }
                const opc_peak *e = &pk->peak[(size_t)k * pk->max_peaks + q[k]];
                o[3 * k] = e->x * scale;
                o[3 * k + 1] = e->y * scale;
                o[3 * k + 2] = e->score;
            }
            score[i] = r->score[keep[i]] / norm;
        }
        int kept = n;
        if (p->number_people_max > 0 && n > p->number_people_max) {
            for (int i = 0; i < n; i++)
                order[i] = (ranked){score[i] * sqrtf(keypoints_area(kp + (size_t)i * P * 3, P)),
                                    i};
            qsort(order, (size_t)n, sizeof *order, cmp_ranked);
            kept = p->number_people_max;
        } else {
            for (int i = 0; i < n; i++)
                order[i] = (ranked){0, i};
        }
        for (int i = 0; i < kept; i++)
            order[i].key = score[order[i].index];
        qsort(order, (size_t)kept, sizeof *order, cmp_ranked);
        out->count = kept;
        out->keypoints = malloc((kept ? (size_t)kept : 1) * P * 3 * sizeof *out->keypoints);
        out->scores = malloc((kept ? (size_t)kept : 1) * sizeof *out->scores);
        if (!out->keypoints || !out->scores)
            rc = OPC_ERR_NOMEM;
        for (int i = 0; i < kept && rc == OPC_OK; i++) {
            memcpy(out->keypoints + (size_t)i * P * 3, kp + (size_t)order[i].index * P * 3,
                   (size_t)P * 3 * sizeof *kp);
            out->scores[i] = order[i].key;
        }
    }
    if (rc == OPC_OK && p->part_candidates)
        rc = build_candidates(pk, scale, out);
    free(keep);
    free(order);
    free(kp);
    free(score);
    if (rc != OPC_OK) {
        opc_people_free(out);
        return opc_fail(err, OPC_ERR_NOMEM, "parse: out of memory for the result");
    }
    return OPC_OK;
}
