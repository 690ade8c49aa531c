/* OpenPose's topologies as data (poseParameters.cpp): for each, the keypoint set, the limbs
 * and their PAF channels, and the parser's rules and defaults. Adding a topology is adding
 * one table entry. */
#include "openpose-c/paf.h"

#include <pthread.h>
#include <string.h>

#include "openpose-c/error.h"

typedef struct {
    const char *name;
    const char *keypoints;      /* the keypoint set; the background heatmap follows them */
    int num_pairs;
    int pairs[OPC_MAX_PAIRS * 2];
    int maps[OPC_MAX_PAIRS * 2]; /* PAF channel pairs relative to the first PAF channel */
    int fill_only[4];           /* pair indices, -1 terminated */
    int uncounted[8];           /* part indices, -1 terminated */
    float nms, inter, min_above;
    float nms_maxpos, inter_maxpos; /* with maximize_positives */
} topology_spec;

static const topology_spec SPECS[] = {
    {
        .name = "coco",
        .keypoints = "coco18",
        .num_pairs = 19,
        .pairs = {1, 2, 1, 5, 2, 3, 3, 4, 5, 6, 6, 7, 1, 8, 8, 9, 9, 10, 1, 11, 11, 12, 12, 13,
                  1, 0, 0, 14, 14, 16, 0, 15, 15, 17, 2, 16, 5, 17},
        .maps = {12, 13, 20, 21, 14, 15, 16, 17, 22, 23, 24, 25, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                 10, 11, 28, 29, 30, 31, 34, 35, 32, 33, 36, 37, 18, 19, 26, 27},
        .fill_only = {17, 18, -1},
        .uncounted = {-1},
        .nms = 0.05f, .inter = 0.05f, .min_above = 0.95f,
        .nms_maxpos = 0.02f, .inter_maxpos = 0.01f,
    },
    {
        .name = "body25",
        .keypoints = "body25",
        .num_pairs = 26,
        .pairs = {1, 8, 1, 2, 1, 5, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 10, 10, 11, 8, 12, 12, 13,
                  13, 14, 1, 0, 0, 15, 15, 17, 0, 16, 16, 18, 2, 17, 5, 18, 14, 19, 19, 20, 14,
                  21, 11, 22, 22, 23, 11, 24},
        .maps = {0, 1, 14, 15, 22, 23, 16, 17, 18, 19, 24, 25, 26, 27, 6, 7, 2, 3, 4, 5, 8, 9,
                 10, 11, 12, 13, 30, 31, 32, 33, 36, 37, 34, 35, 38, 39, 20, 21, 28, 29, 40, 41,
                 42, 43, 44, 45, 46, 47, 48, 49, 50, 51},
        .fill_only = {18, 19, -1},
        .uncounted = {19, 20, 21, 22, 23, 24, -1},
        .nms = 0.05f, .inter = 0.05f, .min_above = 0.95f,
        .nms_maxpos = 0.02f, .inter_maxpos = 0.01f,
    },
    {
        .name = "mpi",
        .keypoints = "mpi15",
        .num_pairs = 14,
        .pairs = {0, 1, 1, 2, 2, 3, 3, 4, 1, 5, 5, 6, 6, 7, 1, 14, 14, 8, 8, 9, 9, 10, 14, 11,
                  11, 12, 12, 13},
        .maps = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                 22, 23, 24, 25, 26, 27},
        .fill_only = {-1},
        .uncounted = {-1},
        .nms = 0.6f, .inter = 0.01f, .min_above = 0.95f,
        .nms_maxpos = 0.6f, .inter_maxpos = 0.01f,
    },
};

/* MPI's 4-stage network shares MPI-15 but OpenPose lowers its NMS threshold. */
#define NUM_SPECS (int)(sizeof SPECS / sizeof SPECS[0])
static const char *const NAMES[] = {"coco", "body25", "mpi", "mpi4", NULL};

static void build(const topology_spec *s, opc_paf_topology *t)
{
    memset(t, 0, sizeof *t);
    strncpy(t->name, s->name, OPC_NAME_LEN - 1);
    strncpy(t->keypoints, s->keypoints, OPC_NAME_LEN - 1);
    int n = opc_keypoint_set_builtin(s->keypoints)->num_parts;
    t->num_parts = n;
    t->heatmap_channels = n + 1; /* the parts, then the background */
    t->background = n;
    t->paf_offset = n + 1;
    t->num_pairs = s->num_pairs;
    t->total_channels = t->paf_offset + 2 * s->num_pairs;
    for (int i = 0; i < s->num_pairs; i++)
        for (int k = 0; k < 2; k++) {
            t->pairs[i][k] = s->pairs[2 * i + k];
            t->paf_channels[i][k] = s->maps[2 * i + k];
        }
    for (int i = 0; s->fill_only[i] >= 0; i++)
        t->pair_fill_only[s->fill_only[i]] = 1;
    for (int i = 0; s->uncounted[i] >= 0; i++)
        t->part_uncounted[s->uncounted[i]] = 1;
    t->nms_threshold = s->nms;
    t->inter_threshold = s->inter;
    t->inter_min_above = s->min_above;
    t->min_parts = 3;
    t->min_score = 0.4f;
    t->maxpos_nms_threshold = s->nms_maxpos;
    t->maxpos_inter_threshold = s->inter_maxpos;
    t->maxpos_inter_min_above = 0.75f;
    t->maxpos_min_parts = 2;
    t->maxpos_min_score = 0.05f;
}

static opc_paf_topology built[NUM_SPECS + 1];
static pthread_once_t built_once = PTHREAD_ONCE_INIT;

static void build_all(void)
{
    for (int i = 0; i < NUM_SPECS; i++)
        build(&SPECS[i], &built[i]);
    built[NUM_SPECS] = built[2];
    strcpy(built[NUM_SPECS].name, "mpi4");
    built[NUM_SPECS].nms_threshold = 0.3f;
    built[NUM_SPECS].maxpos_nms_threshold = 0.3f;
}

const opc_paf_topology *opc_paf_topology_builtin(const char *name)
{
    pthread_once(&built_once, build_all);
    if (!name)
        return NULL;
    for (int i = 0; i <= NUM_SPECS; i++)
        if (strcmp(built[i].name, name) == 0)
            return &built[i];
    return NULL;
}

const char *const *opc_paf_topology_names(void) { return NAMES; }

int opc_paf_topology_validate(const opc_paf_topology *t, opc_error *err)
{
    const char *n = t->name[0] ? t->name : "topology";
    if (t->num_parts < 1 || t->num_parts >= OPC_MAX_PARTS)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: %d parts (must be 1..%d)", n, t->num_parts,
                        OPC_MAX_PARTS - 1);
    if (t->num_pairs < 0 || t->num_pairs > OPC_MAX_PAIRS)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: %d pairs (at most %d)", n, t->num_pairs,
                        OPC_MAX_PAIRS);
    if (t->heatmap_channels < t->num_parts || t->heatmap_channels > t->num_parts + 1)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: %d heatmap channels for %d parts", n,
                        t->heatmap_channels, t->num_parts);
    if (t->background != -1 && (t->background != t->num_parts ||
                                t->heatmap_channels != t->num_parts + 1))
        return opc_fail(err, OPC_ERR_FORMAT, "%s: background channel %d is not after the parts",
                        n, t->background);
    if (t->paf_offset < t->heatmap_channels ||
        t->total_channels != t->paf_offset + 2 * t->num_pairs)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: PAF channels %d..%d overlap the heatmaps", n,
                        t->paf_offset, t->total_channels - 1);
    for (int i = 0; i < t->num_pairs; i++)
        for (int k = 0; k < 2; k++) {
            if (t->pairs[i][k] < 0 || t->pairs[i][k] >= t->num_parts)
                return opc_fail(err, OPC_ERR_FORMAT, "%s: pair %d names part %d of %d", n, i,
                                t->pairs[i][k], t->num_parts);
            if (t->paf_channels[i][k] < 0 || t->paf_channels[i][k] >= 2 * t->num_pairs)
                return opc_fail(err, OPC_ERR_FORMAT, "%s: pair %d uses PAF channel %d of %d", n,
                                i, t->paf_channels[i][k], 2 * t->num_pairs);
        }
    if (!(t->nms_threshold >= 0 && t->inter_threshold >= 0 && t->inter_min_above >= 0 &&
          t->inter_min_above <= 1 && t->min_parts >= 0 && t->min_score >= 0 &&
          t->maxpos_nms_threshold >= 0 && t->maxpos_inter_threshold >= 0 &&
          t->maxpos_inter_min_above >= 0 && t->maxpos_inter_min_above <= 1 &&
          t->maxpos_min_parts >= 0 && t->maxpos_min_score >= 0))
        return opc_fail(err, OPC_ERR_FORMAT, "%s: parser defaults out of range", n);
    return OPC_OK;
}
