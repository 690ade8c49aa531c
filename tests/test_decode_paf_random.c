/* opc_parse (which upsamples only what it reads, skips what cannot matter and stops
 * sampling a pair early) against the straightforward path, opc_maps_resize_merge + 
 * opc_parse_maps, on randomised network outputs: the people, their scores and every part
 * candidate must be bit-identical. Maps: rendered people with noise, sharp spikes (cubic
 * overshoot makes peaks away from any source maximum), plateaus (ties), values near the
 * thresholds and, in some cases, NaN and Inf; every topology, both assemblies, several
 * parameter sets, and net sizes that are 8x the maps, not a whole multiple, the same size
 * (a copy) and smaller (downsampling). Fixed seeds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gt_render.h"
#include "openpose-c/paf.h"
#include "testutil.h"

typedef struct {
    int map_w, map_h; /* network output */
    int net_w, net_h; /* parsed at */
} sizes;

static int cases, people_seen, candidates_seen, knife_peaks;

/* Rendered people (drawn at 8x the map size), then noise, spikes, plateaus and, with
 * nonfinite, a few NaN and Inf. */
static opc_tensor random_maps(const opc_paf_topology *t, gt_rng *r, const sizes *sz, int people,
                              int nonfinite)
{
    const int P = t->num_parts, W = 8 * sz->map_w, H = 8 * sz->map_h;
    float *kp = calloc((size_t)(people ? people : 1) * P * 3, sizeof *kp);
    for (int i = 0; i < people; i++)
        gt_random_pose(t, r, gt_uniform(r, 0, (float)W), gt_uniform(r, 0, (float)H),
                       gt_uniform(r, 0.2f, 0.9f) * (float)W, gt_uniform(r, 0.3f, 1.f) * (float)H,
                       kp + (size_t)i * P * 3);
    const gt_style style = gt_default_style();
    opc_tensor m;
    if (gt_render(t, &style, W, H, kp, people, &m) != 0 || m.w != sz->map_w || m.h != sz->map_h)
        exit(1);
    free(kp);
    const size_t plane = (size_t)m.w * m.h;
    const float noise = gt_uniform(r, 0, 0.08f);
    for (size_t i = 0; i < opc_tensor_count(&m); i++)
        m.data[i] += gt_uniform(r, -noise, noise);
    for (int k = 0; k < t->heatmap_channels; k++) {
        float *h = m.data + k * plane;
        for (int s = 0; s < 4; s++) { /* spikes */
            const size_t i = gt_next(r) % plane;
            h[i] = gt_uniform(r, 0, 1.5f);
        }
        const size_t i = gt_next(r) % plane; /* a 2x2 plateau */
        const float v = gt_uniform(r, 0.04f, 1.f);
        for (size_t q = 0; q < 4; q++) {
            const size_t j = i + (q & 1) + (q >> 1) * (size_t)m.w;
            if (j < plane)
                h[j] = v;
        }
        h[gt_next(r) % plane] = 0.05f; /* the default NMS threshold itself */
    }
    for (int s = 0; nonfinite && s < 6; s++)
        m.data[gt_next(r) % opc_tensor_count(&m)] = s % 3 == 0 ? NAN : s % 3 == 1 ? INFINITY
                                                                                   : -INFINITY;
    return m;
}

static int same_people(const char *what, const opc_people *a, const opc_people *b)
{
    int ok = a->count == b->count && a->num_parts == b->num_parts;
    CHECK(ok, "%s: %d vs %d people", what, a->count, b->count);
    for (int i = 0; ok && i < a->count; i++) {
        /* memcmp: bit-identical, and NaN == NaN */
        ok = !memcmp(&a->scores[i], &b->scores[i], sizeof(float)) &&
             !memcmp(a->keypoints + (size_t)i * a->num_parts * 3,
                     b->keypoints + (size_t)i * b->num_parts * 3,
                     (size_t)a->num_parts * 3 * sizeof(float));
        CHECK(ok, "%s: person %d differs (score %.9g vs %.9g)", what, i, a->scores[i],
              b->scores[i]);
    }
    for (int k = 0; ok && k < a->num_parts; k++) {
        ok = a->candidate_counts[k] == b->candidate_counts[k] &&
             !memcmp(a->candidates[k], b->candidates[k],
                     (size_t)a->candidate_counts[k] * 3 * sizeof(float));
        CHECK(ok, "%s: candidates of part %d differ (%d vs %d)", what, k,
              a->candidate_counts[k], b->candidate_counts[k]);
        candidates_seen += a->candidate_counts[k];
    }
    people_seen += a->count;
    return ok;
}

/* Parameter sets: the defaults, maximize_positives, and harder corners. */
static void params_for(const opc_paf_topology *t, int set, opc_parse_params *p)
{
    opc_parse_params_default(p, t, set == 1);
    p->part_candidates = 1;
    if (set == 2) {
        p->nms_threshold = 0;     /* every positive local maximum */
        p->inter_threshold = 0;
        p->inter_min_above = 0.5f;
        p->max_peaks = 9;         /* truncation in row-major order */
    } else if (set == 3) {
        p->nms_threshold = 0.2f;
        p->inter_threshold = 0.3f;
        p->inter_min_above = 0.f;
        p->min_parts = 1;
        p->min_score = 0;
    }
}

static void one_case(const opc_paf_topology *t, gt_rng *r, const sizes *sz, int people, int set,
                     int nonfinite)
{
    opc_tensor m = random_maps(t, r, sz, people, nonfinite), full;
    opc_error err;
    const opc_tensor *list[1] = {&m};
    CHECK(opc_maps_resize_merge(list, 1, sz->net_w, sz->net_h, &full, &err) == OPC_OK, "%s",
          err.msg);
    for (int mode = 0; mode < 2; mode++) {
        opc_parse_params p;
        params_for(t, set, &p);
        p.assembly = (opc_assembly)mode;
        const float scale = gt_uniform(r, 0.5f, 3.f);
        opc_people a, b;
        CHECK(opc_parse(t, &p, &m, sz->net_w, sz->net_h, scale, &a, &err) == OPC_OK, "%s",
              err.msg);
        CHECK(opc_parse_maps(t, &p, &full, scale, &b, &err) == OPC_OK, "%s", err.msg);
        char what[160];
        snprintf(what, sizeof what, "%s, maps %dx%d at %dx%d, %d people, set %d%s, %s", t->name,
                 sz->map_w, sz->map_h, sz->net_w, sz->net_h, people, set,
                 nonfinite ? ", NaN/Inf" : "", mode ? "sequential" : "global");
        same_people(what, &a, &b);
        opc_people_free(&a);
        opc_people_free(&b);
        cases++;
    }
    opc_tensor_free(&full);
    opc_tensor_free(&m);
}

/* Source sign +1 at i = 1, 2 (mod 4) and -1 at 0, 3: under a window starting at 0 (mod 4)
 * this matches the signs of the cubic weights (-, +, +, -), so the output reaches
 * gain x gain x the source there, the most it can. */
static float sign4(int i) { return (i & 3) == 1 || (i & 3) == 2 ? 1.f : -1.f; }

/* Knife edge: heatmaps of that pattern (in a random box; a slight slope breaks the ties
 * of its symmetry), each scaled so that its largest upsampled value is just above the NMS
 * threshold: the peaks exist only where the bounds that skip work are reached, so any
 * bound too tight loses them. */
static void knife_edge(const opc_paf_topology *t, gt_rng *r, const sizes *sz)
{
    opc_tensor m, full, one, one_up;
    opc_error err;
    if (opc_tensor_alloc(&m, 1, t->total_channels, sz->map_h, sz->map_w, &err) != OPC_OK ||
        opc_tensor_alloc(&one, 1, 1, sz->map_h, sz->map_w, &err) != OPC_OK)
        exit(1);
    memset(m.data, 0, opc_tensor_count(&m) * sizeof(float));
    const size_t plane = (size_t)m.w * m.h;
    opc_parse_params p;
    params_for(t, 0, &p);
    for (int k = 0; k < t->num_parts; k++) {
        const int x0 = (int)(gt_next(r) % (unsigned)(m.w / 2 + 1));
        const int y0 = (int)(gt_next(r) % (unsigned)(m.h / 2 + 1));
        for (int y = 0; y < m.h; y++)
            for (int x = 0; x < m.w; x++)
                one.data[y * m.w + x] = x < x0 || y < y0 ? 0
                                        : sign4(x) * sign4(y) * (1 + 1e-4f * (float)(x + 2 * y));
        const opc_tensor *l1[1] = {&one};
        CHECK(opc_maps_resize_merge(l1, 1, sz->net_w, sz->net_h, &one_up, &err) == OPC_OK, "%s",
              err.msg);
        float top = 0;
        for (size_t i = 0; i < opc_tensor_count(&one_up); i++)
            top = one_up.data[i] > top ? one_up.data[i] : top;
        opc_tensor_free(&one_up);
        const float gain = p.nms_threshold * 1.00001f / top;
        for (size_t i = 0; i < plane; i++)
            m.data[k * plane + i] = one.data[i] * gain;
    }
    const opc_tensor *list[1] = {&m};
    CHECK(opc_maps_resize_merge(list, 1, sz->net_w, sz->net_h, &full, &err) == OPC_OK, "%s",
          err.msg);
    opc_people a, b;
    CHECK(opc_parse(t, &p, &m, sz->net_w, sz->net_h, 1.f, &a, &err) == OPC_OK, "%s", err.msg);
    CHECK(opc_parse_maps(t, &p, &full, 1.f, &b, &err) == OPC_OK, "%s", err.msg);
    char what[128];
    snprintf(what, sizeof what, "knife edge, %s, maps %dx%d at %dx%d", t->name, sz->map_w,
             sz->map_h, sz->net_w, sz->net_h);
    int found = 0;
    for (int k = 0; k < t->num_parts; k++)
        found += b.candidate_counts[k];
    CHECK(found > 0, "%s: no peak above the threshold", what);
    same_people(what, &a, &b);
    knife_peaks += found;
    opc_people_free(&a);
    opc_people_free(&b);
    opc_tensor_free(&full);
    opc_tensor_free(&one);
    opc_tensor_free(&m);
}

int main(void)
{
    const char *const topologies[] = {"coco", "body25", "mpi"};
    const sizes all[] = {
        {82, 46, 656, 368}, /* COCO's usual 8x */
        {23, 17, 184, 136}, /* 8x, small */
        {23, 17, 150, 101}, /* not a whole multiple */
        {20, 14, 20, 14},   /* the same size: a copy */
        {24, 18, 17, 13},   /* downsampling */
        {6, 5, 48, 40},     /* tiny */
    };
    gt_rng r = {2024};
    for (int ti = 0; ti < 3; ti++) {
        const opc_paf_topology *t = opc_paf_topology_builtin(topologies[ti]);
        for (size_t si = 0; si < sizeof all / sizeof all[0]; si++)
            for (int set = 0; set < 4; set += si == 0 ? 2 : 1) { /* the big size: fewer */
                const int people = (int)(gt_next(&r) % (si == 0 ? 30 : 8));
                one_case(t, &r, &all[si], people, set, (int)(si + set) % 3 == 0);
            }
        /* A crowd of 40 at 656x368, where every shortcut is busy. */
        one_case(t, &r, &all[0], 40, 0, 0);
        for (size_t si = 0; si < sizeof all / sizeof all[0]; si++)
            knife_edge(t, &r, &all[si]);
    }
    fprintf(stderr, "knife edges: %d peaks\n", knife_peaks);
    fprintf(stderr, "%d parses compared: %d people, %d part candidates\n", cases, people_seen,
            candidates_seen);
    CHECK(people_seen > 200 && candidates_seen > 5000, "too little found to compare");
    return opc_test_result();
}
