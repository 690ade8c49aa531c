/* Ground-truth maps and random skeletons for parser tests; see gt_render.h. */
#include "gt_render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

gt_style gt_default_style(void) { return (gt_style){8, 7.f, 8.f}; }

uint32_t gt_next(gt_rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

float gt_uniform(gt_rng *r, float lo, float hi)
{
    return lo + (hi - lo) * (float)(gt_next(r) >> 8) / (float)(1u << 24);
}

/* Is cell (gx, gy) on the limb a -> b? Within limb_width of the line and of the box of a
 * and b, as OpenPose's training draws PAFs. */
static int on_limb(const gt_style *s, const float *a, const float *b, int gx, int gy)
{
    const float L = hypotf(b[0] - a[0], b[1] - a[1]);
    const float vx = (b[0] - a[0]) / L, vy = (b[1] - a[1]) / L, e = s->limb_width;
    const float cx = (float)(s->stride * gx) + 0.5f * s->stride;
    const float cy = (float)(s->stride * gy) + 0.5f * s->stride;
    const float wx = cx - a[0], wy = cy - a[1];
    return fabsf(wx * vy - wy * vx) <= e && cx >= fminf(a[0], b[0]) - e &&
           cx <= fmaxf(a[0], b[0]) + e && cy >= fminf(a[1], b[1]) - e &&
           cy <= fmaxf(a[1], b[1]) + e;
}

/* The cells [x0, x1) x [y0, y1) that can hold limb a -> b (its box plus limb_width). */
static void limb_cells(const gt_style *s, const float *a, const float *b, int mw, int mh,
                       int *x0, int *x1, int *y0, int *y1)
{
    const float e = s->limb_width, st = (float)s->stride;
    *x0 = (int)fmaxf(0, floorf((fminf(a[0], b[0]) - e) / st - 0.5f));
    *x1 = (int)fminf((float)mw, ceilf((fmaxf(a[0], b[0]) + e) / st + 0.5f));
    *y0 = (int)fmaxf(0, floorf((fminf(a[1], b[1]) - e) / st - 0.5f));
    *y1 = (int)fminf((float)mh, ceilf((fmaxf(a[1], b[1]) + e) / st + 0.5f));
}

int gt_render(const opc_paf_topology *t, const gt_style *s, int net_w, int net_h,
              const float *people, int n, opc_tensor *out)
{
    const int mw = (net_w + s->stride - 1) / s->stride, mh = (net_h + s->stride - 1) / s->stride;
    opc_error err;
    if (opc_tensor_alloc(out, 1, t->total_channels, mh, mw, &err) != OPC_OK)
        return -1;
    memset(out->data, 0, opc_tensor_count(out) * sizeof(float));
    const size_t plane = (size_t)mw * mh;
    const int P = t->num_parts;
    const float reach = 6 * s->sigma;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < P; k++) {
            const float *q = people + ((size_t)i * P + k) * 3;
            if (q[2] <= 0)
                continue;
            float *h = out->data + k * plane;
            int x0, x1, y0, y1;
            limb_cells(&(gt_style){s->stride, s->sigma, reach}, q, q, mw, mh, &x0, &x1, &y0, &y1);
            for (int gy = y0; gy < y1; gy++) {
                const float cy = (float)(s->stride * gy) + 0.5f * s->stride;
                for (int gx = x0; gx < x1; gx++) {
                    const float cx = (float)(s->stride * gx) + 0.5f * s->stride;
                    const float dx = cx - q[0], dy = cy - q[1];
                    const float v = expf(-(dx * dx + dy * dy) / (2 * s->sigma * s->sigma));
                    if (v > h[gy * mw + gx])
                        h[gy * mw + gx] = v;
                }
            }
        }
    if (t->background >= 0) {
        float *bg = out->data + (size_t)t->background * plane;
        for (size_t c = 0; c < plane; c++) {
            float m = 0;
            for (int k = 0; k < P; k++)
                m = fmaxf(m, out->data[k * plane + c]);
            bg[c] = 1 - m;
        }
    }
    int *count = malloc(plane * sizeof *count);
    if (!count)
        return -1;
    for (int l = 0; l < t->num_pairs; l++) {
        float *fx = out->data + (t->paf_offset + t->paf_channels[l][0]) * plane;
        float *fy = out->data + (t->paf_offset + t->paf_channels[l][1]) * plane;
        memset(count, 0, plane * sizeof *count);
        for (int i = 0; i < n; i++) {
            const float *a = people + ((size_t)i * P + t->pairs[l][0]) * 3;
            const float *b = people + ((size_t)i * P + t->pairs[l][1]) * 3;
            if (a[2] <= 0 || b[2] <= 0)
                continue;
            const float L = hypotf(b[0] - a[0], b[1] - a[1]);
            if (L < 1e-3f)
                continue;
            const float vx = (b[0] - a[0]) / L, vy = (b[1] - a[1]) / L;
            int x0, x1, y0, y1;
            limb_cells(s, a, b, mw, mh, &x0, &x1, &y0, &y1);
            for (int gy = y0; gy < y1; gy++)
                for (int gx = x0; gx < x1; gx++) {
                    if (!on_limb(s, a, b, gx, gy))
                        continue;
                    fx[gy * mw + gx] += vx;
                    fy[gy * mw + gx] += vy;
                    count[gy * mw + gx]++;
                }
        }
        for (size_t c = 0; c < plane; c++)
            if (count[c] > 1) {
                fx[c] /= (float)count[c];
                fy[c] /= (float)count[c];
            }
    }
    free(count);
    return 0;
}

/* The skeleton the poses are built from: BODY_25's parts plus MPI's head top and chest. */
enum {
    NOSE, NECK, RSHO, RELB, RWRI, LSHO, LELB, LWRI, MHIP, RHIP, RKNE, RANK, LHIP, LKNE, LANK,
    REYE, LEYE, REAR, LEAR, LBTO, LSTO, LHEE, RBTO, RSTO, RHEE, HEAD, CHEST, NSKEL
};
static const char *const SKEL_NAMES[NSKEL] = {
    "Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
    "MidHip", "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar",
    "LEar", "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel", "Head", "Chest"};

static const float DEG = 3.14159265f / 180;

/* A limb of two segments from `root`, angles from straight down, side -1 = image left. */
static void chain(float *p, int root, int mid, int end, float side, float l1, float l2,
                  float a1, float a2)
{
    p[2 * mid] = p[2 * root] + side * l1 * sinf(a1);
    p[2 * mid + 1] = p[2 * root + 1] + l1 * cosf(a1);
    p[2 * end] = p[2 * mid] + side * l2 * sinf(a1 + a2);
    p[2 * end + 1] = p[2 * mid + 1] + l2 * cosf(a1 + a2);
}

static void set(float *p, int i, float x, float y)
{
    p[2 * i] = x;
    p[2 * i + 1] = y;
}

void gt_random_pose(const opc_paf_topology *t, gt_rng *r, float cx, float cy, float box_w,
                    float box_h, float *kp)
{
    /* Units of a head height; the neck at the origin, the person's right at image left. */
    float p[2 * NSKEL];
    const float turn = gt_uniform(r, -0.3f, 0.3f);
    set(p, NECK, 0, 0);
    set(p, NOSE, turn, -0.85f);
    set(p, REYE, -0.28f + turn, -1.05f);
    set(p, LEYE, 0.28f + turn, -1.05f);
    set(p, REAR, -0.55f + 0.3f * turn, -0.95f);
    set(p, LEAR, 0.55f + 0.3f * turn, -0.95f);
    set(p, HEAD, 0.1f * turn, -1.6f);
    set(p, RSHO, -1.0f, 0.1f);
    set(p, LSHO, 1.0f, 0.1f);
    set(p, MHIP, 0, 3.0f);
    set(p, CHEST, 0, 1.5f);
    set(p, RHIP, -0.5f, 3.0f);
    set(p, LHIP, 0.5f, 3.0f);
    chain(p, RSHO, RELB, RWRI, -1, 1.5f, 1.3f, gt_uniform(r, 0, 150) * DEG,
          gt_uniform(r, -40, 100) * DEG);
    chain(p, LSHO, LELB, LWRI, 1, 1.5f, 1.3f, gt_uniform(r, 0, 150) * DEG,
          gt_uniform(r, -40, 100) * DEG);
    chain(p, RHIP, RKNE, RANK, -1, 1.8f, 1.7f, gt_uniform(r, -5, 35) * DEG,
          gt_uniform(r, -35, 20) * DEG);
    chain(p, LHIP, LKNE, LANK, 1, 1.8f, 1.7f, gt_uniform(r, -5, 35) * DEG,
          gt_uniform(r, -35, 20) * DEG);
    const float toes = gt_next(r) & 1 ? 1.f : -1.f; /* feet seen from the side */
    set(p, RHEE, p[2 * RANK] - 0.15f * toes, p[2 * RANK + 1] + 0.3f);
    set(p, RBTO, p[2 * RANK] + 0.55f * toes, p[2 * RANK + 1] + 0.35f);
    set(p, RSTO, p[2 * RANK] + 0.4f * toes, p[2 * RANK + 1] + 0.5f);
    set(p, LHEE, p[2 * LANK] - 0.15f * toes, p[2 * LANK + 1] + 0.3f);
    set(p, LBTO, p[2 * LANK] + 0.55f * toes, p[2 * LANK + 1] + 0.35f);
    set(p, LSTO, p[2 * LANK] + 0.4f * toes, p[2 * LANK + 1] + 0.5f);
    /* Lean, and facing away half of the time (right parts at image right). */
    const float lean = gt_uniform(r, -12, 12) * DEG, flip = gt_next(r) & 1 ? -1.f : 1.f;
    float x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int i = 0; i < NSKEL; i++) {
        const float x = p[2 * i], y = p[2 * i + 1];
        p[2 * i] = flip * (x * cosf(lean) - y * sinf(lean));
        p[2 * i + 1] = x * sinf(lean) + y * cosf(lean);
        x0 = fminf(x0, p[2 * i]);
        x1 = fmaxf(x1, p[2 * i]);
        y0 = fminf(y0, p[2 * i + 1]);
        y1 = fmaxf(y1, p[2 * i + 1]);
    }
    const float s = fminf(box_w / (x1 - x0), box_h / (y1 - y0));
    const opc_keypoint_set *ks = opc_keypoint_set_builtin(t->keypoints);
    for (int k = 0; k < t->num_parts; k++) {
        int j = 0;
        while (ks && j < NSKEL && strcmp(SKEL_NAMES[j], ks->part_names[k]) != 0)
            j++;
        float *q = kp + 3 * k;
        if (j == NSKEL) {
            q[0] = q[1] = q[2] = 0;
            continue;
        }
        q[0] = cx + s * (p[2 * j] - 0.5f * (x0 + x1));
        q[1] = cy + s * (p[2 * j + 1] - 0.5f * (y0 + y1));
        q[2] = 1;
    }
}

static int find(int *parent, int i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

int gt_visible_piece(const opc_paf_topology *t, float *kp, int w, int h, float margin)
{
    const int P = t->num_parts;
    int parent[OPC_MAX_PARTS], size[OPC_MAX_PARTS] = {0};
    for (int k = 0; k < P; k++) {
        float *q = kp + 3 * k;
        if (q[0] < margin || q[1] < margin || q[0] >= w - margin || q[1] >= h - margin)
            q[2] = 0;
        parent[k] = k;
    }
    for (int l = 0; l < t->num_pairs; l++) {
        const int a = t->pairs[l][0], b = t->pairs[l][1];
        if (!t->pair_fill_only[l] && kp[3 * a + 2] > 0 && kp[3 * b + 2] > 0)
            parent[find(parent, a)] = find(parent, b);
    }
    int best = -1;
    for (int k = 0; k < P; k++)
        if (kp[3 * k + 2] > 0) {
            int root = find(parent, k);
            size[root]++;
            if (best < 0 || size[root] > size[best])
                best = root;
        }
    int counted = 0;
    for (int k = 0; k < P; k++) {
        float *q = kp + 3 * k;
        if (q[2] > 0 && find(parent, k) != best)
            q[2] = 0;
        if (q[2] <= 0)
            q[0] = q[1] = q[2] = 0;
        else if (!t->part_uncounted[k])
            counted++;
    }
    return counted;
}

float gt_min_same_part_distance(const opc_paf_topology *t, const float *people, int n)
{
    const int P = t->num_parts;
    float best = 1e30f;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            for (int k = 0; k < P; k++) {
                const float *a = people + ((size_t)i * P + k) * 3;
                const float *b = people + ((size_t)j * P + k) * 3;
                if (a[2] > 0 && b[2] > 0)
                    best = fminf(best, hypotf(a[0] - b[0], a[1] - b[1]));
            }
    return best;
}

float gt_min_limb_agreement(const opc_paf_topology *t, const gt_style *s, const opc_tensor *maps,
                            const float *people, int n)
{
    const int P = t->num_parts, mw = maps->w, mh = maps->h;
    const size_t plane = (size_t)mw * mh;
    float worst = 1;
    for (int l = 0; l < t->num_pairs; l++) {
        const float *fx = maps->data + (t->paf_offset + t->paf_channels[l][0]) * plane;
        const float *fy = maps->data + (t->paf_offset + t->paf_channels[l][1]) * plane;
        for (int i = 0; i < n; i++) {
            const float *a = people + ((size_t)i * P + t->pairs[l][0]) * 3;
            const float *b = people + ((size_t)i * P + t->pairs[l][1]) * 3;
            const float L = hypotf(b[0] - a[0], b[1] - a[1]);
            if (a[2] <= 0 || b[2] <= 0 || L < 1e-3f)
                continue;
            int x0, x1, y0, y1;
            limb_cells(s, a, b, mw, mh, &x0, &x1, &y0, &y1);
            for (int gy = y0; gy < y1; gy++)
                for (int gx = x0; gx < x1; gx++)
                    if (on_limb(s, a, b, gx, gy))
                        worst = fminf(worst, (fx[gy * mw + gx] * (b[0] - a[0]) +
                                              fy[gy * mw + gx] * (b[1] - a[1])) / L);
        }
    }
    return worst;
}

/* A drawn limb of one type: its ends and unit direction. */
typedef struct {
    float ax, ay, bx, by, vx, vy;
} seg;

/* Is point (x, y) on the drawn limb (the cell rule, at a point)? */
static int near_seg(const gt_style *s, const seg *g, float x, float y)
{
    const float e = s->limb_width;
    return fabsf((x - g->ax) * g->vy - (y - g->ay) * g->vx) <= e &&
           x >= fminf(g->ax, g->bx) - e && x <= fmaxf(g->ax, g->bx) + e &&
           y >= fminf(g->ay, g->by) - e && y <= fmaxf(g->ay, g->by) + e;
}

float gt_max_false_limb_support(const opc_paf_topology *t, const gt_style *s, const float *people,
                                int n)
{
    enum { SAMPLES = 24 };
    const int P = t->num_parts;
    seg *g = malloc((size_t)(n ? n : 1) * sizeof *g);
    if (!g)
        return 1;
    float worst = 0;
    for (int l = 0; l < t->num_pairs; l++) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            const float *a = people + ((size_t)i * P + t->pairs[l][0]) * 3;
            const float *b = people + ((size_t)i * P + t->pairs[l][1]) * 3;
            const float L = hypotf(b[0] - a[0], b[1] - a[1]);
            if (a[2] > 0 && b[2] > 0 && L >= 1e-3f)
                g[m++] = (seg){a[0], a[1], b[0], b[1], (b[0] - a[0]) / L, (b[1] - a[1]) / L};
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                const float *a = people + ((size_t)i * P + t->pairs[l][0]) * 3;
                const float *b = people + ((size_t)j * P + t->pairs[l][1]) * 3;
                const float L = hypotf(b[0] - a[0], b[1] - a[1]);
                if (i == j || a[2] <= 0 || b[2] <= 0 || L < 1e-3f)
                    continue;
                const float vx = (b[0] - a[0]) / L, vy = (b[1] - a[1]) / L;
                int covered = 0;
                /* Stop once this pairing cannot beat the worst so far. */
                for (int k = 0; k < SAMPLES && covered + SAMPLES - k > worst * SAMPLES; k++) {
                    const float x = a[0] + (b[0] - a[0]) * k / SAMPLES;
                    const float y = a[1] + (b[1] - a[1]) * k / SAMPLES;
                    int on = 0;
                    for (int q = 0; q < m && !on; q++)
                        on = g[q].vx * vx + g[q].vy * vy > 0.5f && near_seg(s, &g[q], x, y);
                    covered += on;
                }
                worst = fmaxf(worst, (float)covered / SAMPLES);
            }
    }
    free(g);
    return worst;
}
