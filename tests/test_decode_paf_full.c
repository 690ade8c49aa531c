/* The candidate connections the parser scores with its shortcuts (samples in its own order,
 * stopping once a pair can no longer pass, samples in dead cells failed without being
 * upsampled, PAFs upsampled point by point) against a plain line integral written here
 * from OpenPose's rule, which reads every sample of every pair from the fully resized
 * maps: the same pairs with bit-identical scores, for every topology's limbs, on random
 * fields and peaks, with thresholds that allow no, one or many failed samples.
 * And the bound behind the dead cells: no pixel of a dead cell has a field longer than the
 * threshold, even for source patterns whose signs match the interpolation weights (where
 * the bound is reached). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gt_render.h"
#include "openpose-c/paf.h"
#include "decode/paf/parser.h"
#include "testutil.h"

static int pairs_seen, pairs_accepted, near_accepted;

/* OpenPose's line integral of a -> b over the full-resolution field (fx, fy: w x h). */
static float plain_score(const float *fx, const float *fy, int w, int h, const opc_peak *a,
                         const opc_peak *b, const opc_parse_params *p)
{
    const float dx = b->x - a->x, dy = b->y - a->y;
    const float norm = sqrtf(dx * dx + dy * dy);
    if (!(norm > 1e-6))
        return 0;
    const float longest = fabsf(dx) > fabsf(dy) ? fabsf(dx) : fabsf(dy);
    int n = (int)(sqrtf(5 * longest) + 0.5f);
    n = n < 5 ? 5 : n > 25 ? 25 : n;
    const float ux = dx / norm, uy = dy / norm, stepx = dx / (float)n, stepy = dy / (float)n;
    float sum = 0;
    int count = 0;
    for (int k = 0; k < n; k++) {
        const float rx = a->x + (float)k * stepx + 0.5f, ry = a->y + (float)k * stepy + 0.5f;
        const int x = rx <= 0 ? 0 : rx >= (float)(w - 1) ? w - 1 : (int)rx;
        const int y = ry <= 0 ? 0 : ry >= (float)(h - 1) ? h - 1 : (int)ry;
        const float v = ux * fx[(size_t)y * w + x] + uy * fy[(size_t)y * w + x];
        if (v > p->inter_threshold && v <= FLT_MAX) {
            sum += v;
            count++;
        }
    }
    if ((float)count / (float)n > p->inter_min_above)
        return sum / (float)count;
    if (norm < sqrt((double)w * h) / 150)
        return (float)(p->nms_threshold + 1e-6);
    return 0;
}

/* Random peaks: the drawn keypoints (slightly moved, so that true limbs score), points
 * anywhere (also just off the map), and close and coincident pairs. */
static void random_peaks(const opc_paf_topology *t, gt_rng *r, const float *kp, int people, int w,
                         int h, int per_part, opc_peaks *pk)
{
    for (int k = 0; k < t->num_parts; k++) {
        opc_peak *q = pk->peak + (size_t)k * pk->max_peaks;
        int n = 0;
        for (int i = 0; i < people && n < per_part; i++) {
            const float *v = kp + ((size_t)i * t->num_parts + k) * 3;
            if (v[2] > 0)
                q[n++] = (opc_peak){v[0] + gt_uniform(r, -2, 2), v[1] + gt_uniform(r, -2, 2), 1};
        }
        while (n < per_part) {
            const int kind = (int)(gt_next(r) % 8);
            if (kind == 0 && n) /* next to the previous one */
                q[n] = (opc_peak){q[n - 1].x + gt_uniform(r, -2, 2), q[n - 1].y, 1};
            else if (kind == 1 && n) /* on it */
                q[n] = q[n - 1];
            else
                q[n] = (opc_peak){gt_uniform(r, -3, (float)w + 3), gt_uniform(r, -3, (float)h + 3), 1};
            n++;
        }
        pk->count[k] = n;
    }
}

static void compare(const char *what, const opc_paf_topology *t, const opc_peaks *pk,
                    const opc_tensor *full, const opc_candidates *c, const opc_parse_params *p)
{
    const size_t plane = (size_t)full->w * full->h;
    for (int l = 0; l < t->num_pairs; l++) {
        const float *fx = full->data + (size_t)(t->paf_offset + t->paf_channels[l][0]) * plane;
        const float *fy = full->data + (size_t)(t->paf_offset + t->paf_channels[l][1]) * plane;
        const int A = t->pairs[l][0], B = t->pairs[l][1];
        int got = 0, bad = 0;
        for (int i = 0; i < pk->count[A]; i++)
            for (int j = 0; j < pk->count[B]; j++) {
                const float s = plain_score(fx, fy, full->w, full->h,
                                            &pk->peak[(size_t)A * pk->max_peaks + i],
                                            &pk->peak[(size_t)B * pk->max_peaks + j], p);
                pairs_seen++;
                if (!(s > 1e-6))
                    continue;
                pairs_accepted++;
                near_accepted += s == (float)(p->nms_threshold + 1e-6);
                bad += got >= c->count[l] || c->conn[l][got].a != i || c->conn[l][got].b != j ||
                       memcmp(&c->conn[l][got].score, &s, sizeof s) != 0;
                got++;
            }
        CHECK(!bad && got == c->count[l], "%s, limb %d: %d candidates, the plain integral "
              "gives %d (%d differ)", what, l, c->count[l], got, bad);
    }
}

static void params_for(const opc_paf_topology *t, int set, opc_parse_params *p)
{
    opc_parse_params_default(p, t, set == 1);
    if (set == 2) {
        p->inter_threshold = 0;
        p->inter_min_above = 0.5f; /* many failures allowed */
    } else if (set == 3) {
        p->inter_threshold = -0.02f; /* noise passes */
        p->inter_min_above = 0.f;
    } else if (set == 4) {
        p->inter_min_above = 1.f; /* nothing passes: only the near-pair rule */
    } else if (set >= 5) {
        p->inter_min_above = set == 5 ? 0.7f : 0.8f; /* one or two failures in short lines */
    }
}

/* Scored with the parser's shortcuts (upsampling point by point) and with full maps. */
static void one_case(const opc_paf_topology *t, gt_rng *r, int map_w, int map_h, int net_w,
                     int net_h, int people, int per_part, int set)
{
    const int P = t->num_parts;
    float *kp = calloc((size_t)(people ? people : 1) * P * 3, sizeof *kp);
    for (int i = 0; i < people; i++)
        gt_random_pose(t, r, gt_uniform(r, 0, (float)net_w), gt_uniform(r, 0, (float)net_h),
                       gt_uniform(r, 0.3f, 1.f) * (float)net_w,
                       gt_uniform(r, 0.3f, 1.f) * (float)net_h, kp + (size_t)i * P * 3);
    /* Drawn at 8x the maps, used at net size: scale the keypoints to it. */
    const gt_style style = gt_default_style();
    float *drawn = malloc((size_t)(people ? people : 1) * P * 3 * sizeof *drawn);
    for (int i = 0; i < people * P; i++) {
        drawn[3 * i] = kp[3 * i] * (float)(8 * map_w) / (float)net_w;
        drawn[3 * i + 1] = kp[3 * i + 1] * (float)(8 * map_h) / (float)net_h;
        drawn[3 * i + 2] = kp[3 * i + 2];
    }
    opc_tensor m, full;
    if (gt_render(t, &style, 8 * map_w, 8 * map_h, drawn, people, &m) != 0)
        exit(1);
    const float noise = gt_uniform(r, 0, 0.1f);
    for (size_t i = 0; i < opc_tensor_count(&m); i++)
        m.data[i] += gt_uniform(r, -noise, noise);
    opc_error err;
    const opc_tensor *list[1] = {&m};
    CHECK(opc_maps_resize_merge(list, 1, net_w, net_h, &full, &err) == OPC_OK, "%s", err.msg);
    opc_cubic c;
    CHECK(opc_cubic_init(&c, map_w, map_h, net_w, net_h, &err) == OPC_OK, "%s", err.msg);
    opc_peaks pk;
    CHECK(opc_peaks_alloc(&pk, P, per_part, &err) == OPC_OK, "%s", err.msg);
    random_peaks(t, r, kp, people, net_w, net_h, per_part, &pk);

    opc_parse_params p;
    params_for(t, set, &p);
    const size_t plane = (size_t)map_w * map_h, net_plane = (size_t)net_w * net_h;
    opc_paf up[OPC_MAX_PAIRS], at_net[OPC_MAX_PAIRS];
    for (int l = 0; l < t->num_pairs; l++) {
        const int cx = t->paf_offset + t->paf_channels[l][0], cy = t->paf_offset + t->paf_channels[l][1];
        up[l] = (opc_paf){.x = m.data + cx * plane, .y = m.data + cy * plane, .up = &c,
                          .w = net_w, .h = net_h};
        at_net[l] = (opc_paf){.x = full.data + cx * net_plane, .y = full.data + cy * net_plane,
                              .w = net_w, .h = net_h};
    }
    char what[128];
    for (int way = 0; way < 2; way++) {
        opc_candidates cand;
        CHECK(opc_candidates_score(t, &pk, way ? at_net : up, &p, &cand, &err) == OPC_OK, "%s",
              err.msg);
        snprintf(what, sizeof what, "%s, maps %dx%d at %dx%d, %d peaks, set %d, %s", t->name,
                 map_w, map_h, net_w, net_h, per_part, set, way ? "full maps" : "upsampling");
        compare(what, t, &pk, &full, &cand, &p);
        opc_candidates_free(&cand);
    }
    opc_peaks_free(&pk);
    opc_cubic_free(&c);
    opc_tensor_free(&m);
    opc_tensor_free(&full);
    free(kp);
    free(drawn);
}

/* Source sign +1 at i = 1, 2 (mod 4) and -1 at 0, 3: under a window starting at 0 (mod 4)
 * this matches the signs of the cubic weights (-, +, +, -), so |output| reaches gain x
 * gain x |source| there. */
static float sign4(int i) { return (i & 3) == 1 || (i & 3) == 2 ? 1.f : -1.f; }

/* No pixel in a dead cell has a field longer than the threshold. */
static void bound(gt_rng *r, int sw, int sh, int dw, int dh, int pattern)
{
    opc_tensor m, full;
    opc_error err;
    if (opc_tensor_alloc(&m, 1, 2, sh, sw, &err) != OPC_OK)
        exit(1);
    const size_t plane = (size_t)sw * sh;
    for (int y = 0; y < sh; y++)
        for (int x = 0; x < sw; x++) {
            const float v = pattern ? sign4(x) * sign4(y) : gt_uniform(r, -1, 1);
            m.data[y * sw + x] = v;
            m.data[plane + y * sw + x] = pattern == 1 ? 0 : pattern ? v : gt_uniform(r, -1, 1);
        }
    m.data[gt_next(r) % (2 * plane)] = NAN;
    const opc_tensor *list[1] = {&m};
    CHECK(opc_maps_resize_merge(list, 1, dw, dh, &full, &err) == OPC_OK, "%s", err.msg);
    const size_t dplane = (size_t)dw * dh;
    double longest = 0;
    for (size_t i = 0; i < dplane; i++) {
        const double len = hypot(full.data[i], full.data[dplane + i]);
        longest = len > longest ? len : longest;
    }
    opc_cubic c;
    CHECK(opc_cubic_init(&c, sw, sh, dw, dh, &err) == OPC_OK, "%s", err.msg);
    float *scratch = malloc(2 * plane * sizeof *scratch);
    unsigned char *live = malloc(plane);
    /* Thresholds just below and above the longest field, and one far above (4 > gain x
     * gain x 2: every cell away from the NaN is dead). */
    const float thr[5] = {(float)longest * 0.999f, (float)longest * 0.99999f,
                          (float)longest * 1.00001f, (float)longest * 1.1f, 4.f};
    for (int ti = 0; ti < 5; ti++) {
        opc_paf_live_cells(&c, m.data, m.data + plane, thr[ti], scratch, live);
        int bad = 0, dead = 0;
        for (int y = 0; y < dh; y++)
            for (int x = 0; x < dw; x++)
                if (!live[(size_t)c.y.idx[y] * sw + c.x.idx[x]]) {
                    dead++;
                    bad += hypot(full.data[(size_t)y * dw + x],
                                 full.data[dplane + (size_t)y * dw + x]) > thr[ti];
                }
        CHECK(bad == 0, "%dx%d -> %dx%d, pattern %d, threshold %.9g: %d pixels of dead cells "
              "above it", sw, sh, dw, dh, pattern, thr[ti], bad);
        CHECK(ti < 4 || dead > 0, "%dx%d -> %dx%d, pattern %d: no dead cell", sw, sh, dw, dh,
              pattern);
    }
    free(scratch);
    free(live);
    opc_cubic_free(&c);
    opc_tensor_free(&m);
    opc_tensor_free(&full);
}

/* A line of 20 samples 4 px apart over a field of 1 with one dead cell, at its middle
 * sample: 19 of 20 pass, more than 0.9, so it scores 1. (The quick test must count that
 * sample once: twice would be two failures.) 8 x 8 such pairs, so that dead cells are
 * used; maps the size of the net, so that cells are pixels. */
static void one_dead_sample(void)
{
    enum { W = 100, H = 9 };
    const opc_paf_topology *t = opc_paf_topology_builtin("coco");
    static float fx[W * H], fy[W * H];
    for (int i = 0; i < W * H; i++)
        fx[i] = 1;
    for (int y = 3; y <= 6; y++) /* the window of pixel (45, 4), the middle sample's */
        for (int x = 44; x <= 47; x++)
            fx[y * W + x] = 0;
    opc_cubic c;
    opc_peaks pk;
    opc_error err;
    CHECK(opc_cubic_init(&c, W, H, W, H, &err) == OPC_OK, "%s", err.msg);
    CHECK(opc_peaks_alloc(&pk, t->num_parts, 8, &err) == OPC_OK, "%s", err.msg);
    const int A = t->pairs[0][0], B = t->pairs[0][1];
    for (int i = 0; i < 8; i++) {
        pk.peak[A * 8 + i] = (opc_peak){5, 4, 1};
        pk.peak[B * 8 + i] = (opc_peak){85, 4, 1};
    }
    pk.count[A] = pk.count[B] = 8;
    opc_paf pafs[OPC_MAX_PAIRS];
    for (int l = 0; l < t->num_pairs; l++)
        pafs[l] = (opc_paf){.x = fx, .y = fy, .up = &c, .w = W, .h = H};
    opc_parse_params p;
    opc_parse_params_default(&p, t, 0);
    p.inter_min_above = 0.9f;
    opc_candidates cand;
    CHECK(opc_candidates_score(t, &pk, pafs, &p, &cand, &err) == OPC_OK, "%s", err.msg);
    int ones = 0;
    for (int i = 0; i < cand.count[0]; i++)
        ones += cand.conn[0][i].score == 1;
    CHECK(cand.count[0] == 64 && ones == 64, "one dead sample of 20: %d pairs, %d score 1",
          cand.count[0], ones);
    opc_candidates_free(&cand);
    opc_peaks_free(&pk);
    opc_cubic_free(&c);
}

int main(void)
{
    one_dead_sample();
    gt_rng r = {77};
    const int sz[][4] = {{23, 17, 184, 136}, {23, 17, 150, 101}, {20, 14, 20, 14},
                         {24, 18, 17, 13},   {6, 5, 48, 40},     {30, 30, 240, 240}};
    for (size_t s = 0; s < sizeof sz / sizeof sz[0]; s++)
        for (int pattern = 0; pattern < 3; pattern++)
            bound(&r, sz[s][0], sz[s][1], sz[s][2], sz[s][3], pattern);

    const char *const topologies[] = {"coco", "body25", "mpi"};
    for (int ti = 0; ti < 3; ti++) {
        const opc_paf_topology *t = opc_paf_topology_builtin(topologies[ti]);
        for (int set = 0; set < 7; set++) {
            /* Few peaks (no dead cells kept), then enough for them. */
            one_case(t, &r, 23, 17, 184, 136, 3, 4, set);
            one_case(t, &r, 82, 46, 656, 368, 12, 16, set);
            one_case(t, &r, 23, 17, 150, 101, 6, 13, set);
            one_case(t, &r, 20, 14, 20, 14, 4, 12, set);
            one_case(t, &r, 6, 5, 48, 40, 2, 12, set); /* short lines: 5 to 9 samples */
        }
    }
    fprintf(stderr, "%d pairs compared, %d accepted (%d by the near-pair rule)\n", pairs_seen,
            pairs_accepted, near_accepted);
    CHECK(pairs_accepted > 1000 && near_accepted > 10, "too few pairs accepted to compare");
    return opc_test_result();
}
