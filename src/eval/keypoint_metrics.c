/* PCK, AUC, EPE and NME as MMPose's keypoint_eval.py computes them (metrics.h). MMPose
 * keeps the distances in float32; here they stay in double, which moves EPE and NME by
 * a few 1e-7 relative and no PCK count on real data (a distance would have to lie within
 * float32 rounding of a threshold). */
#include <math.h>
#include <stddef.h>

#include "openpose-c/metrics.h"

/* What MMPose puts in place of a normaliser component <= 0 (after skipping instances
 * with a 0 component). */
#define BAD_NORM 1e6

double opc_keypoint_distance(const opc_keypoint_pairs *p, const double *norm, int i, int j)
{
    size_t ij = (size_t)i * p->k + j;
    if (!p->mask[ij] || norm[2 * i] == 0 || norm[2 * i + 1] == 0)
        return -1;
    double nx = norm[2 * i] > 0 ? norm[2 * i] : BAD_NORM;
    double ny = norm[2 * i + 1] > 0 ? norm[2 * i + 1] : BAD_NORM;
    double dx = (p->pred[2 * ij] - p->gt[2 * ij]) / nx;
    double dy = (p->pred[2 * ij + 1] - p->gt[2 * ij + 1]) / ny;
    return sqrt(dx * dx + dy * dy);
}

/* The distance under norm, or under (f, f) for every instance when norm is NULL. */
static double distance_or_factor(const opc_keypoint_pairs *p, const double *norm, double f,
                                 int i, int j)
{
    if (norm)
        return opc_keypoint_distance(p, norm, i, j);
    const double ff[2] = {f, f};
    opc_keypoint_pairs one = *p;
    one.pred += (size_t)2 * i * p->k;
    one.gt += (size_t)2 * i * p->k;
    one.mask += (size_t)i * p->k;
    return opc_keypoint_distance(&one, ff, 0, j);
}

static void pck(const opc_keypoint_pairs *p, const double *norm, double f, double thr,
                double *acc, double *avg, int *cnt)
{
    double sum = 0;
    int valid = 0;
    for (int j = 0; j < p->k; j++) {
        int counted = 0, correct = 0;
        for (int i = 0; i < p->n; i++) {
            double d = distance_or_factor(p, norm, f, i, j);
            if (d == -1)
                continue;
            counted++;
            correct += d < thr;
        }
        double a = counted ? (double)correct / counted : -1;
        if (acc)
            acc[j] = a;
        if (counted) {
            sum += a;
            valid++;
        }
    }
    if (avg)
        *avg = valid ? sum / valid : 0;
    if (cnt)
        *cnt = valid;
}

void opc_keypoint_pck(const opc_keypoint_pairs *p, const double *norm, double thr,
                      double *acc, double *avg, int *cnt)
{
    pck(p, norm, 0, thr, acc, avg, cnt);
}

double opc_keypoint_auc(const opc_keypoint_pairs *p, double norm_factor, int num_thrs)
{
    double sum = 0;
    for (int i = 0; i < num_thrs; i++) {
        double avg;
        pck(p, NULL, norm_factor, 1.0 * i / num_thrs, NULL, &avg, NULL);
        sum += avg;
    }
    return num_thrs > 0 ? sum / num_thrs : 0;
}

static double mean_distance(const opc_keypoint_pairs *p, const double *norm, double f)
{
    double sum = 0;
    size_t count = 0;
    for (int i = 0; i < p->n; i++)
        for (int j = 0; j < p->k; j++) {
            double d = distance_or_factor(p, norm, f, i, j);
            if (d != -1) {
                sum += d;
                count++;
            }
        }
    return count ? sum / (double)count : 0;
}

double opc_keypoint_epe(const opc_keypoint_pairs *p)
{
    return mean_distance(p, NULL, 1);
}

double opc_keypoint_nme(const opc_keypoint_pairs *p, const double *norm)
{
    return mean_distance(p, norm, 0);
}
