/* Degenerate input to the whole parser: all-zero maps, NaN and Inf in maps, 0x0 and tiny
 * maps, more peaks than the cap, wrong shapes and arguments. The result is empty or
 * truncated, every number in it finite, and nothing crashes (the suite also runs under
 * AddressSanitizer). Both entry points (network output and net-resolution maps). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gt_render.h"
#include "openpose-c/paf.h"
#include "testutil.h"

static const opc_paf_topology *coco;

static int all_finite(const opc_people *r)
{
    for (int i = 0; i < r->count * r->num_parts * 3; i++)
        if (!isfinite(r->keypoints[i]))
            return 0;
    for (int i = 0; i < r->count; i++)
        if (!isfinite(r->scores[i]))
            return 0;
    if (r->candidates)
        for (int k = 0; k < r->num_parts; k++)
            for (int i = 0; i < 3 * r->candidate_counts[k]; i++)
                if (!isfinite(r->candidates[k][i]))
                    return 0;
    return 1;
}

/* Parses m (network output, net size 8x) both ways; returns the people count (or -1). */
static int parse_both(const char *what, const opc_tensor *m, int max_peaks, int *candidates0)
{
    opc_parse_params p;
    opc_parse_params_default(&p, coco, 0);
    p.part_candidates = 1;
    p.max_peaks = max_peaks;
    opc_people a, b;
    opc_error err;
    const int nw = m->w ? 8 * m->w : 656, nh = m->h ? 8 * m->h : 368;
    int rc = opc_parse(coco, &p, m, nw, nh, 1.f, &a, &err);
    CHECK(rc == OPC_OK, "%s: %s", what, err.msg);
    if (rc != OPC_OK)
        return -1;
    CHECK(all_finite(&a), "%s: non-finite numbers in the result", what);
    if (candidates0)
        *candidates0 = a.candidate_counts[0];
    const int n = a.count;
    if (m->w && m->h) {
        opc_tensor full;
        const opc_tensor *list[1] = {m};
        CHECK(opc_maps_resize_merge(list, 1, nw, nh, &full, &err) == OPC_OK, "%s", err.msg);
        CHECK(opc_parse_maps(coco, &p, &full, 1.f, &b, &err) == OPC_OK, "%s: %s", what, err.msg);
        CHECK(b.count == a.count && b.candidate_counts[0] == a.candidate_counts[0],
              "%s: the two entry points differ (%d vs %d people)", what, a.count, b.count);
        CHECK(all_finite(&b), "%s: non-finite numbers (full maps)", what);
        opc_people_free(&b);
        opc_tensor_free(&full);
    }
    opc_people_free(&a);
    return n;
}

static opc_tensor maps(int h, int w, float v)
{
    opc_tensor m;
    opc_error err;
    if (opc_tensor_alloc(&m, 1, coco->total_channels, h, w, &err) != OPC_OK)
        exit(1);
    for (size_t i = 0; i < opc_tensor_count(&m); i++)
        m.data[i] = v;
    return m;
}

/* One rendered person in the middle of a 46x82 output. */
static opc_tensor person(void)
{
    gt_rng r = {7};
    float kp[18 * 3];
    gt_random_pose(coco, &r, 328, 184, 150, 250, kp);
    const gt_style s = gt_default_style();
    opc_tensor m;
    if (gt_render(coco, &s, 656, 368, kp, 1, &m) != 0)
        exit(1);
    return m;
}

int main(void)
{
    coco = opc_paf_topology_builtin("coco");
    opc_tensor m = maps(46, 82, 0);
    CHECK(parse_both("all zero", &m, 127, NULL) == 0, "people in all-zero maps");
    opc_tensor_free(&m);

    m = maps(46, 82, NAN);
    CHECK(parse_both("all NaN", &m, 127, NULL) == 0, "people in NaN maps");
    opc_tensor_free(&m);
    m = maps(46, 82, INFINITY);
    CHECK(parse_both("all Inf", &m, 127, NULL) == 0, "people in Inf maps");
    opc_tensor_free(&m);
    m = maps(46, 82, -INFINITY);
    CHECK(parse_both("all -Inf", &m, 127, NULL) == 0, "people in -Inf maps");
    opc_tensor_free(&m);

    /* A person with NaN and Inf scattered away from it, and in its PAFs: still no crash,
     * finite numbers; the person survives the far-away damage. */
    m = person();
    CHECK(parse_both("clean person", &m, 127, NULL) == 1, "the clean person");
    const size_t plane = (size_t)m.w * m.h;
    for (int c = 0; c < m.c; c++) {
        m.data[c * plane + 0] = NAN;
        m.data[c * plane + 5] = INFINITY;
        m.data[c * plane + plane - 1] = -INFINITY;
    }
    CHECK(parse_both("person and far NaN/Inf", &m, 127, NULL) == 1, "person lost to far NaN");
    for (size_t i = 0; i < opc_tensor_count(&m); i += 97)
        m.data[i] = i % 2 ? NAN : INFINITY;
    CHECK(parse_both("person riddled with NaN/Inf", &m, 127, NULL) >= 0, "riddled");
    opc_tensor_free(&m);

    /* 0x0 and tiny maps. */
    m = maps(0, 0, 0);
    CHECK(parse_both("0x0", &m, 127, NULL) == 0, "people in 0x0 maps");
    opc_tensor_free(&m);
    for (int s = 1; s <= 4; s++) {
        m = maps(s, s, 0);
        m.data[0] = 1; /* part 0 */
        char what[32];
        snprintf(what, sizeof what, "%dx%d maps", s, s);
        CHECK(parse_both(what, &m, 127, NULL) == 0, "people in %s", what);
        opc_tensor_free(&m);
    }

    /* 300 isolated peaks in part 0's heatmap: truncated to max_peaks. Each is lopsided
     * (a lone symmetric cell upsamples to two equal pixels, which NMS rejects as a tie). */
    m = maps(46, 82, 0);
    int placed = 0;
    for (int y = 2; y < 42; y += 3)
        for (int x = 2; x < 79 && placed < 300; x += 3, placed++) {
            m.data[y * 82 + x] = 1;
            m.data[y * 82 + x + 1] = 0.3f;
            m.data[(y + 1) * 82 + x] = 0.2f;
        }
    CHECK(placed == 300, "placed %d", placed);
    int cand = 0;
    parse_both("300 peaks", &m, 127, &cand);
    CHECK(cand == 127, "candidates of part 0: %d, want 127", cand);
    parse_both("300 peaks, cap 10", &m, 10, &cand);
    CHECK(cand == 10, "candidates with max_peaks 10: %d", cand);
    /* With every part full of peaks (and PAFs of 1): a worst case that must stay bounded. */
    for (int k = 0; k < coco->num_parts; k++)
        memcpy(m.data + k * plane, m.data, plane * sizeof(float));
    for (int c = coco->paf_offset; c < m.c; c++)
        for (size_t i = 0; i < plane; i++)
            m.data[c * plane + i] = 1;
    CHECK(parse_both("all parts full", &m, 127, &cand) >= 0, "all parts full");
    opc_tensor_free(&m);

    /* Bad arguments: one-line errors, nothing allocated. */
    opc_parse_params p;
    opc_parse_params_default(&p, coco, 0);
    opc_people r;
    opc_error err;
    m = maps(46, 82, 0);
    m.c = 56;
    CHECK(opc_parse(coco, &p, &m, 656, 368, 1.f, &r, &err) == OPC_ERR_ARG &&
              strstr(err.msg, "56 channels") && !strchr(err.msg, '\n'),
          "wrong channel count: %s", err.msg);
    m.c = coco->total_channels;
    CHECK(opc_parse(coco, &p, &m, 656, 368, -1.f, &r, &err) == OPC_ERR_ARG, "negative scale");
    CHECK(opc_parse(coco, &p, &m, 656, 368, NAN, &r, &err) == OPC_ERR_ARG, "NaN scale");
    CHECK(opc_parse(coco, &p, &m, 0, 368, 1.f, &r, &err) == OPC_ERR_ARG, "net width 0");
    CHECK(opc_parse(coco, &p, &m, 1 << 20, 1 << 20, 1.f, &r, &err) == OPC_ERR_ARG, "huge net");
    p.max_peaks = 0;
    CHECK(opc_parse(coco, &p, &m, 656, 368, 1.f, &r, &err) == OPC_ERR_ARG, "max peaks 0");
    opc_parse_params_default(&p, coco, 0);
    p.nms_threshold = NAN;
    CHECK(opc_parse(coco, &p, &m, 656, 368, 1.f, &r, &err) == OPC_ERR_ARG, "NaN threshold");
    opc_parse_params_default(&p, coco, 0);
    p.inter_min_above = 1.5f;
    CHECK(opc_parse(coco, &p, &m, 656, 368, 1.f, &r, &err) == OPC_ERR_ARG, "min above 1.5");
    opc_tensor_free(&m);

    /* Defaults: OpenPose's, per topology, and its maximize_positives values. */
    const opc_paf_topology *mpi = opc_paf_topology_builtin("mpi"), *mpi4 = opc_paf_topology_builtin("mpi4");
    opc_parse_params_default(&p, coco, 0);
    CHECK(p.nms_threshold == 0.05f && p.inter_threshold == 0.05f && p.inter_min_above == 0.95f &&
              p.min_parts == 3 && p.min_score == 0.4f && p.max_peaks == 127 &&
              p.number_people_max <= 0 && p.assembly == OPC_ASSEMBLY_GLOBAL,
          "COCO defaults");
    opc_parse_params_default(&p, coco, 1);
    CHECK(p.nms_threshold == 0.02f && p.inter_threshold == 0.01f && p.inter_min_above == 0.75f &&
              p.min_parts == 2 && p.min_score == 0.05f && p.maximize_positives,
          "COCO maximize_positives");
    opc_parse_params_default(&p, mpi, 0);
    CHECK(p.nms_threshold == 0.6f && p.inter_threshold == 0.01f, "MPI defaults");
    opc_parse_params_default(&p, mpi, 1);
    CHECK(p.nms_threshold == 0.6f && p.inter_threshold == 0.01f && p.min_parts == 2,
          "MPI maximize_positives");
    opc_parse_params_default(&p, mpi4, 0);
    CHECK(p.nms_threshold == 0.3f, "MPI 4-stage defaults");
    CHECK(fabsf(opc_net_to_image_scale(1280, 720, 656, 368) - 1279.f / 655) < 1e-6f, "scale");
    CHECK(opc_net_to_image_scale(100, 100, 1, 1) == 1, "scale of a 1x1 net");
    return opc_test_result();
}
