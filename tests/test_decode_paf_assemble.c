/* Assembly and filtering on hand-made peaks and connections, with small topologies built
 * for each rule: the greedy per-limb matching and its ties, min(nA, nB), the global order
 * and its merges (and merge conflicts), the fill-only pairs, one-part people, the
 * BODY_25 foot rule and OpenPose's rerun of the filter, min parts / min score boundaries,
 * number_people_max and sorting. Expected people are worked out by hand. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decode/paf/parser.h"
#include "testutil.h"

/* A topology of n parts and the given limbs (PAF channels in limb order). */
static opc_paf_topology topo(int parts, int npairs, const int (*pairs)[2], int fill_only)
{
    opc_paf_topology t;
    memset(&t, 0, sizeof t);
    strcpy(t.name, "test");
    t.num_parts = parts;
    t.num_pairs = npairs;
    for (int l = 0; l < npairs; l++) {
        t.pairs[l][0] = pairs[l][0];
        t.pairs[l][1] = pairs[l][1];
        t.paf_channels[l][0] = 2 * l;
        t.paf_channels[l][1] = 2 * l + 1;
    }
    if (fill_only >= 0)
        t.pair_fill_only[fill_only] = 1;
    t.heatmap_channels = parts + 1;
    t.background = parts;
    t.paf_offset = parts + 1;
    t.total_channels = parts + 1 + 2 * npairs;
    t.nms_threshold = t.inter_threshold = 0.05f;
    t.inter_min_above = 0.95f;
    t.min_parts = 3;
    t.min_score = 0.4f;
    opc_error err;
    CHECK(opc_paf_topology_validate(&t, &err) == OPC_OK, "test topology: %s", err.msg);
    return t;
}

/* Peaks: counts[k] peaks of part k, all scoring 1, at x = 10 k + i. */
static opc_peaks peaks(int parts, const int *counts)
{
    opc_peaks pk;
    opc_error err;
    opc_peaks_alloc(&pk, parts, 8, &err);
    for (int k = 0; k < parts; k++) {
        pk.count[k] = counts[k];
        for (int i = 0; i < counts[k]; i++)
            pk.peak[k * 8 + i] = (opc_peak){(float)(10 * k + i), 5, 1};
    }
    return pk;
}

typedef struct {
    int limb, a, b;
    float score;
} conn;

static opc_candidates cands(int npairs, const conn *c, int n)
{
    opc_candidates out = {npairs, calloc((size_t)npairs, sizeof(int)),
                          calloc((size_t)npairs, sizeof(opc_conn *))};
    for (int l = 0; l < npairs; l++)
        out.conn[l] = malloc(8 * sizeof(opc_conn));
    for (int i = 0; i < n; i++)
        out.conn[c[i].limb][out.count[c[i].limb]++] = (opc_conn){c[i].score, c[i].a, c[i].b};
    return out;
}

static opc_assembly_result assemble(const opc_paf_topology *t, opc_assembly mode,
                                    const opc_peaks *pk, const opc_candidates *c)
{
    opc_assembly_result r;
    opc_error err;
    CHECK(opc_assemble(t, mode, pk, c, &r, &err) == OPC_OK, "%s", err.msg);
    return r;
}

/* Person i has the given peak per part (-1 = none), counter and score. */
static void expect(const char *what, const opc_assembly_result *r, int i, const int *parts,
                   int counter, float score)
{
    if (i >= r->count) {
        CHECK(0, "%s: person %d missing (%d people)", what, i, r->count);
        return;
    }
    for (int k = 0; k < r->num_parts; k++)
        CHECK(r->part[i * r->num_parts + k] == parts[k], "%s: person %d part %d is peak %d, "
              "want %d", what, i, k, r->part[i * r->num_parts + k], parts[k]);
    CHECK(r->counter[i] == counter, "%s: person %d counter %d, want %d", what, i,
          r->counter[i], counter);
    CHECK(fabsf(r->score[i] - score) < 1e-5f, "%s: person %d score %g, want %g", what, i,
          r->score[i], score);
}

static void greedy_matching(void)
{
    const int pairs[1][2] = {{0, 1}};
    opc_paf_topology t = topo(2, 1, pairs, -1);
    opc_peaks pk = peaks(2, (int[]){2, 2});
    const conn c[] = {{0, 0, 0, 0.9f}, {0, 0, 1, 0.95f}, {0, 1, 1, 0.8f}, {0, 1, 0, 0.3f}};
    for (int mode = 0; mode < 2; mode++) {
        opc_candidates cd = cands(1, c, 4);
        opc_assembly_result r = assemble(&t, (opc_assembly)mode, &pk, &cd);
        CHECK(r.count == 2, "greedy: %d people", r.count);
        expect("greedy", &r, 0, (int[]){0, 1}, 2, 2.95f);
        expect("greedy", &r, 1, (int[]){1, 0}, 2, 2.3f);
        opc_assembly_free(&r);
        opc_candidates_free(&cd);
    }
    /* Equal scores: the higher peak indices go first, (1,1) then (0,0). */
    const conn tie[] = {{0, 0, 0, 0.5f}, {0, 1, 1, 0.5f}, {0, 1, 0, 0.5f}, {0, 0, 1, 0.5f}};
    for (int mode = 0; mode < 2; mode++) {
        opc_candidates cd = cands(1, tie, 4);
        opc_assembly_result r = assemble(&t, (opc_assembly)mode, &pk, &cd);
        CHECK(r.count == 2, "ties: %d people", r.count);
        expect("ties", &r, 0, (int[]){1, 1}, 2, 2.5f);
        expect("ties", &r, 1, (int[]){0, 0}, 2, 2.5f);
        opc_assembly_free(&r);
        opc_candidates_free(&cd);
    }
    opc_peaks_free(&pk);
    /* One A, three Bs: at most min(nA, nB) = 1 connection. */
    pk = peaks(2, (int[]){1, 3});
    const conn few[] = {{0, 0, 0, 0.7f}, {0, 0, 1, 0.9f}, {0, 0, 2, 0.8f}};
    opc_candidates cd = cands(1, few, 3);
    opc_assembly_result r = assemble(&t, OPC_ASSEMBLY_SEQUENTIAL, &pk, &cd);
    CHECK(r.count == 1, "min(nA, nB): %d people", r.count);
    expect("min(nA, nB)", &r, 0, (int[]){0, 1}, 2, 2.9f);
    opc_assembly_free(&r);
    opc_candidates_free(&cd);
    opc_peaks_free(&pk);
}

static void merging(void)
{
    /* Limbs 0-1, 2-3, 1-2: the global assembly merges the two halves, the sequential one
     * adds part 2 to the first person and leaves the second as it is (no merging: peak 0
     * of part 2 is in both, as OpenPose's CPU build does). */
    const int pairs[3][2] = {{0, 1}, {2, 3}, {1, 2}};
    opc_paf_topology t = topo(4, 3, pairs, -1);
    opc_peaks pk = peaks(4, (int[]){1, 1, 1, 1});
    const conn c[] = {{0, 0, 0, 0.9f}, {1, 0, 0, 0.8f}, {2, 0, 0, 0.5f}};
    opc_candidates cd = cands(3, c, 3);
    opc_assembly_result r = assemble(&t, OPC_ASSEMBLY_GLOBAL, &pk, &cd);
    CHECK(r.count == 1, "merge: %d people", r.count);
    expect("merge", &r, 0, (int[]){0, 0, 0, 0}, 4, 6.2f);
    opc_assembly_free(&r);
    r = assemble(&t, OPC_ASSEMBLY_SEQUENTIAL, &pk, &cd);
    CHECK(r.count == 2, "sequential, no merge: %d people", r.count);
    expect("sequential, no merge", &r, 0, (int[]){0, 0, 0, -1}, 3, 4.4f);
    expect("sequential, no merge", &r, 1, (int[]){-1, -1, 0, 0}, 2, 2.8f);
    opc_assembly_free(&r);
    opc_candidates_free(&cd);
    opc_peaks_free(&pk);

    /* A conflict: limbs 0-1, 0-2, 1-2; two peaks of part 0 start two people that the 1-2
     * connection would join, but both hold a part 0: no merge. */
    const int tri[3][2] = {{0, 1}, {0, 2}, {1, 2}};
    t = topo(3, 3, tri, -1);
    pk = peaks(3, (int[]){2, 1, 1});
    const conn k[] = {{0, 0, 0, 0.9f}, {1, 1, 0, 0.8f}, {2, 0, 0, 0.7f}};
    cd = cands(3, k, 3);
    r = assemble(&t, OPC_ASSEMBLY_GLOBAL, &pk, &cd);
    CHECK(r.count == 2, "conflict: %d people", r.count);
    expect("conflict", &r, 0, (int[]){0, 0, -1}, 2, 2.9f);
    expect("conflict", &r, 1, (int[]){1, -1, 0}, 2, 2.8f);
    opc_assembly_free(&r);
    opc_candidates_free(&cd);
    opc_peaks_free(&pk);

    /* A cycle within one person: the last connection only adds its score. A connection
     * whose free end's part the person already has is ignored. */
    pk = peaks(3, (int[]){1, 1, 2});
    const conn cyc[] = {{0, 0, 0, 0.9f}, {2, 0, 0, 0.8f}, {1, 0, 0, 0.7f}, {1, 0, 1, 0.6f}};
    cd = cands(3, cyc, 4);
    r = assemble(&t, OPC_ASSEMBLY_GLOBAL, &pk, &cd);
    CHECK(r.count == 1, "cycle: %d people", r.count);
    expect("cycle", &r, 0, (int[]){0, 0, 0}, 3, 5.4f);
    opc_assembly_free(&r);
    opc_candidates_free(&cd);
    opc_peaks_free(&pk);
}

static void fill_only_and_lone_peaks(void)
{
    /* Limbs 0-1, 1-2 and 0-2 (fill-only). Person one: 0-1 connected, 1-2 not, 0-2 joins
     * part 2. Peaks a1 (part 0) and c1 (part 2) are joined by the fill-only limb only. */
    const int pairs[3][2] = {{0, 1}, {1, 2}, {0, 2}};
    opc_paf_topology t = topo(3, 3, pairs, 2);
    opc_peaks pk = peaks(3, (int[]){2, 1, 2});
    const conn c[] = {{0, 0, 0, 0.9f}, {2, 0, 0, 0.8f}, {2, 1, 1, 0.7f}};
    opc_candidates cd = cands(3, c, 3);
    opc_assembly_result r = assemble(&t, OPC_ASSEMBLY_SEQUENTIAL, &pk, &cd);
    /* Sequential: the fill-only limb fills part 2 (uncounted, unscored) and never starts
     * a person. */
    CHECK(r.count == 1, "fill-only: %d people", r.count);
    expect("fill-only", &r, 0, (int[]){0, 0, 0}, 2, 2.9f);
    opc_assembly_free(&r);
    /* Global: an ordinary limb. */
    r = assemble(&t, OPC_ASSEMBLY_GLOBAL, &pk, &cd);
    CHECK(r.count == 2, "fill-only, global: %d people", r.count);
    expect("fill-only, global", &r, 0, (int[]){0, 0, 0}, 3, 4.7f);
    expect("fill-only, global", &r, 1, (int[]){1, -1, 1}, 2, 2.7f);
    opc_assembly_free(&r);
    opc_candidates_free(&cd);
    opc_peaks_free(&pk);

    /* A limb with peaks on one side only turns them into one-part people (sequential). */
    const int chain[2][2] = {{0, 1}, {1, 2}};
    t = topo(3, 2, chain, -1);
    pk = peaks(3, (int[]){1, 0, 2});
    cd = cands(2, NULL, 0);
    r = assemble(&t, OPC_ASSEMBLY_SEQUENTIAL, &pk, &cd);
    CHECK(r.count == 3, "one-part people: %d", r.count);
    expect("one-part", &r, 0, (int[]){0, -1, -1}, 1, 1);
    expect("one-part", &r, 1, (int[]){-1, -1, 0}, 1, 1);
    expect("one-part", &r, 2, (int[]){-1, -1, 1}, 1, 1);
    opc_assembly_free(&r);
    r = assemble(&t, OPC_ASSEMBLY_GLOBAL, &pk, &cd);
    CHECK(r.count == 0, "global one-part people: %d", r.count);
    opc_assembly_free(&r);
    opc_candidates_free(&cd);
    opc_peaks_free(&pk);
}

/* An assembly result of BODY_25 people with the given parts, counters and scores. */
static opc_assembly_result people25(int n, const int (*parts)[8], const int *counter,
                                    const float *score)
{
    opc_assembly_result r = {25, n, n, malloc(sizeof(int) * 25 * (size_t)n),
                             malloc(sizeof(int) * (size_t)n), malloc(sizeof(float) * (size_t)n)};
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < 25; k++)
            r.part[i * 25 + k] = -1;
        for (int j = 0; j < 8 && parts[i][j] >= 0; j++)
            r.part[i * 25 + parts[i][j]] = 0;
        r.counter[i] = counter[i];
        r.score[i] = score[i];
    }
    return r;
}

static void filtering(void)
{
    const opc_paf_topology *t = opc_paf_topology_builtin("body25");
    opc_parse_params p;
    opc_parse_params_default(&p, t, 0);
    /* Person 0: 4 counted parts and 2 feet (19, 20): dropped. Person 1: 5 and 1 foot:
     * kept. Person 2: no feet, 3 parts, score 1.2 / 3 = 0.4: kept (>= both limits). */
    const int parts[3][8] = {{0, 1, 2, 3, 19, 20, -1}, {0, 1, 2, 3, 4, 21, -1}, {1, 2, 3, -1}};
    const int counter[3] = {6, 6, 3};
    const float score[3] = {6, 6, 1.5f};
    p.min_score = 0.5f;
    opc_assembly_result r = people25(3, parts, counter, score);
    int keep[3];
    int n = opc_people_filter(t, &p, &r, keep);
    CHECK(n == 2 && keep[0] == 1 && keep[1] == 2, "foot rule: kept %d", n);
    /* Only person 0: nobody survives, so the filter runs again without the foot rule. */
    opc_assembly_result only = people25(1, parts, counter, score);
    n = opc_people_filter(t, &p, &only, keep);
    CHECK(n == 1 && keep[0] == 0, "rerun of the filter: kept %d", n);
    /* maximize_positives turns the rule off: person 0 passes directly. */
    p.maximize_positives = 1;
    n = opc_people_filter(t, &p, &r, keep);
    CHECK(n == 3, "maximize_positives: kept %d", n);
    p.maximize_positives = 0;
    /* Boundaries: 3 parts needed, 1.5 / 3 = 0.5 needed: both equal pass; just below fails. */
    p.min_parts = 4;
    n = opc_people_filter(t, &p, &r, keep);
    CHECK(n == 1 && keep[0] == 1, "min parts 4: kept %d", n);
    p.min_parts = 3;
    r.score[2] = 1.49f;
    n = opc_people_filter(t, &p, &r, keep);
    CHECK(n == 1 && keep[0] == 1, "score below: kept %d", n);
    opc_assembly_free(&r);
    opc_assembly_free(&only);
    /* COCO has no uncounted parts: nothing changes with the flag. */
    const opc_paf_topology *coco = opc_paf_topology_builtin("coco");
    opc_assembly_result c = {18, 1, 1, malloc(18 * sizeof(int)), malloc(sizeof(int)),
                             malloc(sizeof(float))};
    for (int k = 0; k < 18; k++)
        c.part[k] = k < 2 ? 0 : -1;
    c.counter[0] = 2;
    c.score[0] = 3;
    opc_parse_params_default(&p, coco, 0);
    CHECK(opc_people_filter(coco, &p, &c, keep) == 0, "COCO: 2 parts kept with min 3");
    p.min_parts = 2;
    CHECK(opc_people_filter(coco, &p, &c, keep) == 1, "COCO: 2 parts dropped with min 2");
    opc_assembly_free(&c);
}

static void result(void)
{
    /* Two parts, one limb; people with keypoint boxes of known area and known scores. */
    const int pairs[1][2] = {{0, 1}};
    opc_paf_topology t = topo(2, 1, pairs, -1);
    opc_peaks pk;
    opc_error err;
    opc_peaks_alloc(&pk, 2, 8, &err);
    /* Peak i of part 0 at (0, 0); of part 1 at (s_i, s_i): boxes of area s_i^2. */
    const float side[4] = {10, 1, 20, 4};
    const float total[4] = {3, 6, 1.5f, 3}; /* scores / 3 (parts + pairs) */
    pk.count[0] = pk.count[1] = 4;
    for (int i = 0; i < 4; i++) {
        pk.peak[i] = (opc_peak){0.25f, 0.25f, 0.9f};
        pk.peak[8 + i] = (opc_peak){side[i] + 0.25f, side[i] + 0.25f, 0.8f};
    }
    opc_assembly_result r = {2, 4, 4, malloc(8 * sizeof(int)), malloc(4 * sizeof(int)),
                             malloc(4 * sizeof(float))};
    for (int i = 0; i < 4; i++) {
        r.part[2 * i] = r.part[2 * i + 1] = i;
        r.counter[i] = 2;
        r.score[i] = total[i];
    }
    opc_parse_params p;
    opc_parse_params_default(&p, &t, 0);
    p.min_parts = 2;
    p.min_score = 0;
    p.part_candidates = 1;
    opc_people out;
    /* All: sorted by score 2, 1, 1, 0.5 (people 1, 0, 3, 2: ties keep assembly order);
     * keypoints scaled by 2: (0.5, 0.5) and ((s + 0.25) * 2, ...). */
    CHECK(opc_people_build(&t, &p, &pk, &r, 2.f, &out, &err) == OPC_OK, "%s", err.msg);
    const int order[4] = {1, 0, 3, 2};
    CHECK(out.count == 4, "all: %d people", out.count);
    for (int i = 0; i < out.count && i < 4; i++) {
        const int j = order[i];
        CHECK(fabsf(out.scores[i] - total[j] / 3) < 1e-6f, "score %d: %g", i, out.scores[i]);
        CHECK(out.keypoints[6 * i] == 0.5f && out.keypoints[6 * i + 2] == 0.9f &&
                  out.keypoints[6 * i + 3] == (side[j] + 0.25f) * 2 &&
                  out.keypoints[6 * i + 5] == 0.8f,
              "keypoints of person %d", i);
    }
    CHECK(out.candidate_counts && out.candidate_counts[0] == 4 && out.candidate_counts[1] == 4 &&
              out.candidates[1][3] == (side[1] + 0.25f) * 2,
          "candidates");
    opc_people_free(&out);
    /* The best 2 by score * sqrt(area): 1 * 20, 2 * 2, 1 * 8, 0.5 * 40 -> people 0 and 2
     * tie at 20 and come first (20 > 8 > 4), then sorted by score: 0 (1), 2 (0.5). */
    p.number_people_max = 2;
    p.part_candidates = 0;
    CHECK(opc_people_build(&t, &p, &pk, &r, 2.f, &out, &err) == OPC_OK, "%s", err.msg);
    CHECK(out.count == 2 && fabsf(out.scores[0] - 1) < 1e-6f &&
              fabsf(out.scores[1] - 0.5f) < 1e-6f && !out.candidates,
          "top 2: %d people, scores %g %g", out.count, out.count ? out.scores[0] : 0,
          out.count > 1 ? out.scores[1] : 0);
    opc_people_free(&out);
    /* Ties at the cut keep the earlier: keep 1 of people 0 and 2 (both 20): person 0. */
    p.number_people_max = 1;
    CHECK(opc_people_build(&t, &p, &pk, &r, 2.f, &out, &err) == OPC_OK, "%s", err.msg);
    CHECK(out.count == 1 && out.keypoints[3] == 10.25f * 2, "top 1");
    opc_people_free(&out);
    opc_assembly_free(&r);
    opc_peaks_free(&pk);
}

int main(void)
{
    greedy_matching();
    merging();
    fill_only_and_lone_peaks();
    filtering();
    result();
    return opc_test_result();
}
