/* COCO keypoint AP/AR: pycocotools' COCOeval evaluate() + accumulate() + summarize() for
 * iouType='keypoints' and default Params, in one pass over the (category, image) cells.
 *
 * Per cell and area range, detections (best 20 by score) are matched greedily to GT at
 * each OKS threshold; per category and area range, the matches of all images are merged
 * by score into a precision/recall curve sampled at 101 recall points. The 10 stats are
 * means of those samples (AP) or of the final recalls (AR) over the selected thresholds
 * and categories, leaving out settings without GT (-1). Every arithmetic step follows
 * numpy's order, so the stats agree with pycocotools' to the last bit, not just 1e-9. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/error.h"
#include "eval/coco_data.h"
#include "openpose-c/eval.h"

#define T OPC_COCO_NUM_IOU
#define R OPC_COCO_NUM_REC
#define A OPC_COCO_NUM_AREAS

static const double AREA_RANGE[A][2] = {{0, 1e10}, {1024, 9216}, {9216, 1e10}};
static const char *const AREA_LABEL[A] = {"all", "medium", "large"};

/* summarize()'s table for keypoints: AP or AR, area range, one OKS threshold or all (-1). */
static const struct {
    const char *name;
    int ap;
    int area;
    double iou;
} STATS[OPC_COCO_NUM_STATS] = {
    {"AP", 1, 0, -1}, {"AP50", 1, 0, .5}, {"AP75", 1, 0, .75}, {"APm", 1, 1, -1},
    {"APl", 1, 2, -1}, {"AR", 0, 0, -1}, {"AR50", 0, 0, .5},  {"AR75", 0, 0, .75},
    {"ARm", 0, 1, -1}, {"ARl", 0, 2, -1},
};

void opc_coco_linspace(double start, double stop, int num, double *out)
{
    double step = (stop - start) / (num - 1);
    for (int i = 0; i < num; i++) {
        double y = (double)i * step; /* two roundings, as numpy (never fused) */
        out[i] = y + start;
    }
    out[num - 1] = stop;
}

/* One detection after matching, for one area range: bit t of tp / ig tells whether it is
 * a true positive / ignored at threshold t. seq is its position in pycocotools'
 * concatenation (images by id, then score order), the tie-break of the stable sort. */
typedef struct {
    double score;
    size_t seq;
    uint16_t tp, ig;
} match;

typedef struct {
    double iou[T], rec[R];
    match *m[A];        /* this category's matches per area range */
    size_t n, npig[A];  /* matches (as many in each range), non-ignored GT per range */
    /* Scratch for the largest cell (OKS D x G, GT order and flags) and category (curve). */
    double *oks;
    size_t *gt_order;
    unsigned char *gt_ig, *gt_taken;
    double *rc, *pr;
    /* accumulate()'s output, -1 where a category has no GT in an area range. */
    int K;
    double *precision;  /* T x R x K x A */
    double *recall;     /* T x K x A */
} evaluator;

/* evaluateImg() for one cell and area range; appends the cell's matches. */
static void match_cell(const opc_coco_data *d, const opc_coco_cell *c, int a, evaluator *ev)
{
    const opc_coco_gt *gt = d->gt + c->gt_begin;
    const opc_coco_dt *dt = d->dt + c->dt_begin;
    size_t G = c->gt_end - c->gt_begin, D = c->dt_end - c->dt_begin;
    if (D > OPC_COCO_MAX_DETS)
        D = OPC_COCO_MAX_DETS;
    double lo = AREA_RANGE[a][0], hi = AREA_RANGE[a][1];
    /* GT ignored here (crowd, no keypoints, or outside the range) go last, stably. */
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t j = 0; j < G; j++) {
            int ig = gt[j].ignore || gt[j].area < lo || gt[j].area > hi;
            if (ig == pass) {
                ev->gt_order[n] = j;
                ev->gt_ig[n++] = (unsigned char)ig;
                ev->npig[a] += !ig;
            }
        }
    match *out = ev->m[a] + ev->n;
    for (size_t i = 0; i < D; i++)
        out[i] = (match){dt[i].score, ev->n + i, 0, 0};
    for (int t = 0; t < T; t++) {
        memset(ev->gt_taken, 0, G);
        for (size_t i = 0; i < D; i++) {
            double best = ev->iou[t] < 1 - 1e-10 ? ev->iou[t] : 1 - 1e-10;
            long m = -1;
            for (size_t k = 0; k < G; k++) {
                if (ev->gt_taken[k] && !gt[ev->gt_order[k]].iscrowd)
                    continue;
                /* Once matched to a regular GT, never move to an ignored one. */
                if (m > -1 && !ev->gt_ig[m] && ev->gt_ig[k])
                    break;
                double o = ev->oks[i * G + ev->gt_order[k]];
                if (o < best)
                    continue;
                best = o;
                m = (long)k;
            }
            /* pycocotools stores the matched GT's id and tests it for truth: a GT whose id
             * is 0 counts as no match. */
            int matched = m > -1 && gt[ev->gt_order[m]].id != 0;
            int ig = m > -1 && ev->gt_ig[m];
            if (m > -1)
                ev->gt_taken[m] = 1;
            if (!matched && (dt[i].area < lo || dt[i].area > hi))
                ig = 1;
            out[i].tp |= (uint16_t)((matched && !ig) << t);
            out[i].ig |= (uint16_t)(ig << t);
        }
    }
}

static int cmp_match(const void *pa, const void *pb)
{
    const match *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* accumulate() for one category and area range. */
static void accumulate(evaluator *ev, int k, int a)
{
    if (ev->npig[a] == 0)
        return; /* precision and recall stay -1: left out of the means */
    match *m = ev->m[a];
    size_t n = ev->n;
    qsort(m, n, sizeof(match), cmp_match);
    for (int t = 0; t < T; t++) {
        double tp = 0, fp = 0;
        for (size_t i = 0; i < n; i++) {
            int ig = m[i].ig >> t & 1, hit = m[i].tp >> t & 1;
            tp += hit;
            fp += !hit && !ig;
            ev->rc[i] = tp / (double)ev->npig[a];
            ev->pr[i] = tp / (fp + tp + 2.220446049250313e-16);
        }
        ev->recall[((size_t)t * ev->K + k) * A + a] = n ? ev->rc[n - 1] : 0;
        /* Precision envelope: non-increasing from the right. */
        for (size_t i = n; i-- > 1;)
            if (ev->pr[i] > ev->pr[i - 1])
                ev->pr[i - 1] = ev->pr[i];
        /* Each recall point takes the precision at the first recall >= it
         * (searchsorted 'left'), or 0 past the last recall. */
        size_t i = 0;
        for (int r = 0; r < R; r++) {
            while (i < n && ev->rc[i] < ev->rec[r])
                i++;
            ev->precision[(((size_t)t * R + r) * ev->K + k) * A + a] = i < n ? ev->pr[i] : 0;
        }
    }
}

static void evaluator_free(evaluator *ev)
{
    for (int a = 0; a < A; a++)
        free(ev->m[a]);
    free(ev->oks);
    free(ev->gt_order);
    free(ev->gt_ig);
    free(ev->gt_taken);
    free(ev->rc);
    free(ev->pr);
    free(ev->precision);
    free(ev->recall);
}

/* Scratch for the largest cell and the largest category. */
static int evaluator_init(evaluator *ev, const opc_coco_data *d, opc_error *err)
{
    memset(ev, 0, sizeof *ev);
    opc_coco_linspace(.5, .95, T, ev->iou);
    opc_coco_linspace(0, 1, R, ev->rec);
    size_t max_cell = 1, max_g = 1, max_cat = 1, cat_n = 0;
    for (size_t i = 0; i < d->num_cells; i++) {
        const opc_coco_cell *c = &d->cells[i];
        size_t g = c->gt_end - c->gt_begin, n = c->dt_end - c->dt_begin;
        if (n > OPC_COCO_MAX_DETS)
            n = OPC_COCO_MAX_DETS;
        if (i == 0 || c->cat != d->cells[i - 1].cat)
            cat_n = 0;
        cat_n += n;
        max_cat = cat_n > max_cat ? cat_n : max_cat;
        max_g = g > max_g ? g : max_g;
        max_cell = g * n > max_cell ? g * n : max_cell;
    }
    for (int a = 0; a < A; a++)
        ev->m[a] = malloc(sizeof(match) * max_cat);
    ev->oks = malloc(sizeof(double) * max_cell);
    ev->gt_order = malloc(sizeof(size_t) * max_g);
    ev->gt_ig = malloc(max_g);
    ev->gt_taken = malloc(max_g);
    ev->rc = malloc(sizeof(double) * max_cat);
    ev->pr = malloc(sizeof(double) * max_cat);
    ev->K = d->num_cats;
    size_t np = (size_t)T * R * ev->K * A, nr = (size_t)T * ev->K * A;
    ev->precision = malloc(sizeof(double) * (np ? np : 1));
    ev->recall = malloc(sizeof(double) * (nr ? nr : 1));
    int ok = ev->oks && ev->gt_order && ev->gt_ig && ev->gt_taken && ev->rc && ev->pr &&
             ev->precision && ev->recall;
    for (int a = 0; a < A; a++)
        ok = ok && ev->m[a];
    if (!ok) {
        evaluator_free(ev);
        return opc_fail(err, OPC_ERR_NOMEM, "COCO evaluation: out of memory");
    }
    for (size_t i = 0; i < np; i++)
        ev->precision[i] = -1;
    for (size_t i = 0; i < nr; i++)
        ev->recall[i] = -1;
    return OPC_OK;
}

/* numpy's pairwise summation (what np.mean uses), so means agree to the last bit. */
static double pairwise_sum(const double *a, size_t n)
{
    if (n < 8) {
        double res = 0;
        for (size_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        size_t i;
        for (int j = 0; j < 8; j++)
            r[j] = a[j];
        for (i = 8; i < n - n % 8; i += 8)
            for (int j = 0; j < 8; j++)
                r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

/* summarize(): the mean of the selected precisions (T x R x K) or recalls (T x K) that
 * are not -1, in numpy's element order; -1 when none is. */
static double summarize(const evaluator *ev, int stat, double *buf)
{
    size_t n = 0;
    int nr = STATS[stat].ap ? R : 1, a = STATS[stat].area;
    for (int t = 0; t < T; t++) {
        if (STATS[stat].iou >= 0 && STATS[stat].iou != ev->iou[t])
            continue;
        for (int r = 0; r < nr; r++)
            for (int k = 0; k < ev->K; k++) {
                double v = STATS[stat].ap
                               ? ev->precision[(((size_t)t * R + r) * ev->K + k) * A + a]
                               : ev->recall[((size_t)t * ev->K + k) * A + a];
                if (v > -1)
                    buf[n++] = v;
            }
    }
    return n ? pairwise_sum(buf, n) / (double)n : -1;
}

static int evaluate(const opc_coco_data *d, double stats[OPC_COCO_NUM_STATS], opc_error *err)
{
    evaluator ev;
    int rc = evaluator_init(&ev, d, err);
    if (rc != OPC_OK)
        return rc;
    for (size_t i = 0; i < d->num_cells;) {
        /* One category: its cells are consecutive, images in id order. */
        int cat = d->cells[i].cat;
        ev.n = 0;
        memset(ev.npig, 0, sizeof ev.npig);
        for (; i < d->num_cells && d->cells[i].cat == cat; i++) {
            const opc_coco_cell *c = &d->cells[i];
            size_t D = opc_coco_cell_oks(d, c, OPC_COCO_MAX_DETS, ev.oks);
            for (int a = 0; a < A; a++)
                match_cell(d, c, a, &ev);
            ev.n += D;
        }
        for (int a = 0; a < A; a++)
            accumulate(&ev, cat, a);
    }
    double *buf = malloc(sizeof(double) * ((size_t)T * R * (ev.K ? ev.K : 1)));
    if (!buf) {
        evaluator_free(&ev);
        return opc_fail(err, OPC_ERR_NOMEM, "COCO evaluation: out of memory");
    }
    for (int k = 0; k < OPC_COCO_NUM_STATS; k++)
        stats[k] = summarize(&ev, k, buf);
    free(buf);
    evaluator_free(&ev);
    return OPC_OK;
}

int opc_coco_eval(const char *gt_path, const char *results_path,
                  double stats[OPC_COCO_NUM_STATS], opc_error *err)
{
    opc_coco_data d;
    int rc = opc_coco_load(gt_path, results_path, &d, err);
    if (rc != OPC_OK)
        return rc;
    rc = evaluate(&d, stats, err);
    opc_coco_data_free(&d);
    return rc;
}

int opc_coco_eval_pck(const char *gt_path, const char *results_path,
                      double stats[OPC_COCO_NUM_STATS], const opc_coco_pck_options *o,
                      opc_coco_pck *pck, opc_error *err)
{
    opc_coco_data d;
    int rc = opc_coco_load(gt_path, results_path, &d, err);
    if (rc != OPC_OK)
        return rc;
    rc = evaluate(&d, stats, err);
    if (rc == OPC_OK)
        rc = opc_coco_pck_compute(&d, o, pck, err);
    opc_coco_data_free(&d);
    return rc;
}

const char *opc_coco_stat_name(int i)
{
    return i >= 0 && i < OPC_COCO_NUM_STATS ? STATS[i].name : "?";
}

void opc_coco_summary_line(int i, double value, char *buf, size_t size)
{
    if (i < 0 || i >= OPC_COCO_NUM_STATS) {
        snprintf(buf, size, "?");
        return;
    }
    char iou[16];
    if (STATS[i].iou < 0)
        snprintf(iou, sizeof iou, "%0.2f:%0.2f", .5, .95);
    else
        snprintf(iou, sizeof iou, "%0.2f", STATS[i].iou);
    snprintf(buf, size, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %0.3f",
             STATS[i].ap ? "Average Precision" : "Average Recall", STATS[i].ap ? "(AP)" : "(AR)",
             iou, AREA_LABEL[STATS[i].area], OPC_COCO_MAX_DETS, value);
}
