/* MPII PCKh (metrics.h): per-joint counts, the joint groups and both means. */
#include <math.h>
#include <string.h>

#include "openpose-c/metrics.h"

static const char *const GROUP_NAMES[OPC_PCKH_NUM_GROUPS] = {"Head", "Shoulder", "Elbow",
                                                             "Wrist", "Hip", "Knee", "Ankle"};
/* The joints of each group: head_top alone, the others right and left. */
static const char *const GROUP_JOINTS[OPC_PCKH_NUM_GROUPS][2] = {
    {"head_top", NULL},          {"right_shoulder", "left_shoulder"},
    {"right_elbow", "left_elbow"}, {"right_wrist", "left_wrist"},
    {"right_hip", "left_hip"},   {"right_knee", "left_knee"},
    {"right_ankle", "left_ankle"}};

const char *opc_pckh_group_name(int g)
{
    return g >= 0 && g < OPC_PCKH_NUM_GROUPS ? GROUP_NAMES[g] : "?";
}

static int find(const char (*names)[OPC_NAME_LEN], int k, const char *name)
{
    for (int j = 0; j < k; j++)
        if (strcmp(names[j], name) == 0)
            return j;
    return -1;
}

void opc_pckh(const opc_keypoint_pairs *p, const double *norm,
              const char (*names)[OPC_NAME_LEN], double thr, opc_pckh_result *r)
{
    memset(r, 0, sizeof *r);
    r->k = p->k;
    for (int j = 0; j < p->k; j++) {
        for (int i = 0; i < p->n; i++) {
            double d = opc_keypoint_distance(p, norm, i, j);
            if (d == -1)
                continue;
            r->visible[j]++;
            r->correct[j] += d < thr;
        }
        r->pckh[j] = r->visible[j] ? 100.0 * r->correct[j] / r->visible[j] : -1;
    }
    for (int g = 0; g < OPC_PCKH_NUM_GROUPS; g++) {
        double sum = 0;
        int n = 0, ok = 1;
        for (int s = 0; s < 2 && GROUP_JOINTS[g][s]; s++) {
            int j = find(names, p->k, GROUP_JOINTS[g][s]);
            ok = ok && j >= 0 && r->visible[j] > 0;
            if (ok)
                sum += r->pckh[j], n++;
        }
        r->groups[g] = ok ? sum / n : -1;
    }
    double sum = 0;
    long correct = 0, visible = 0;
    for (int j = 0; j < p->k; j++) {
        if (!r->visible[j] || strcmp(names[j], "pelvis") == 0 || strcmp(names[j], "thorax") == 0)
            continue;
        sum += r->pckh[j];
        correct += r->correct[j];
        visible += r->visible[j];
        r->mean_joints++;
    }
    r->mean = r->mean_joints ? sum / r->mean_joints : -1;
    r->mean_weighted = visible ? 100.0 * (double)correct / (double)visible : -1;
}
