/* The built-in keypoint sets as data: OpenPose's (poseParameters.cpp,
 * poseParametersRender.hpp) and COCO's own. Adding a set is adding a row. OKS sigmas and
 * mirror partners are derived: a part takes the sigma of the COCO keypoint that maps to
 * it, and "RX"/"LX" or "right_x"/"left_x" are each other's mirror images. */
#include "openpose-c/keypoints.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    const char *parts; /* space-separated */
    int num_skeleton;
    int skeleton[OPC_MAX_PAIRS * 2];
    int coco17[17];
    unsigned char colors[OPC_MAX_PARTS * 3];
} set_spec;

#define COCO_COLORS \
    255, 0, 85, 255, 0, 0, 255, 85, 0, 255, 170, 0, 255, 255, 0, 170, 255, 0, 85, 255, 0, \
    0, 255, 0, 0, 255, 85, 0, 255, 170, 0, 255, 255, 0, 170, 255, 0, 85, 255, 0, 0, 255, \
    255, 0, 170, 170, 0, 255, 255, 0, 255, 85, 0, 255

/* COCO's keypoint sigmas (pycocotools), in COCO-17 order. */
static const float COCO_SIGMAS[17] = {.026f, .025f, .025f, .035f, .035f, .079f, .079f, .072f, .072f,
                                      .062f, .062f, .107f, .107f, .087f, .087f, .089f, .089f};

static const set_spec SPECS[] = {
    {
        .name = "coco18",
        .parts = "Nose Neck RShoulder RElbow RWrist LShoulder LElbow LWrist RHip RKnee RAnkle "
                 "LHip LKnee LAnkle REye LEye REar LEar",
        .num_skeleton = 17,
        .skeleton = {1, 2, 1, 5, 2, 3, 3, 4, 5, 6, 6, 7, 1, 8, 8, 9, 9, 10, 1, 11, 11, 12,
                     12, 13, 1, 0, 0, 14, 14, 16, 0, 15, 15, 17},
        .coco17 = {0, 15, 14, 17, 16, 5, 2, 6, 3, 7, 4, 11, 8, 12, 9, 13, 10},
        .colors = {COCO_COLORS},
    },
    {
        .name = "body25",
        .parts = "Nose Neck RShoulder RElbow RWrist LShoulder LElbow LWrist MidHip RHip RKnee "
                 "RAnkle LHip LKnee LAnkle REye LEye REar LEar LBigToe LSmallToe LHeel RBigToe "
                 "RSmallToe RHeel",
        .num_skeleton = 24,
        .skeleton = {1, 8, 1, 2, 1, 5, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 10, 10, 11, 8, 12,
                     12, 13, 13, 14, 1, 0, 0, 15, 15, 17, 0, 16, 16, 18, 14, 19, 19, 20, 14,
                     21, 11, 22, 22, 23, 11, 24},
        .coco17 = {0, 16, 15, 18, 17, 5, 2, 6, 3, 7, 4, 12, 9, 13, 10, 14, 11},
        .colors = {255, 0, 85, 255, 0, 0, 255, 85, 0, 255, 170, 0, 255, 255, 0, 170, 255, 0,
                   85, 255, 0, 0, 255, 0, 255, 0, 0, 0, 255, 85, 0, 255, 170, 0, 255, 255, 0,
                   170, 255, 0, 85, 255, 0, 0, 255, 255, 0, 170, 170, 0, 255, 255, 0, 255, 85,
                   0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 255, 255, 0, 255, 255, 0, 255,
                   255},
    },
    {
        .name = "mpi15",
        .parts = "Head Neck RShoulder RElbow RWrist LShoulder LElbow LWrist RHip RKnee RAnkle "
                 "LHip LKnee LAnkle Chest",
        .num_skeleton = 14,
        .skeleton = {0, 1, 1, 2, 2, 3, 3, 4, 1, 5, 5, 6, 6, 7, 1, 14, 14, 8, 8, 9, 9, 10,
                     14, 11, 11, 12, 12, 13},
        .coco17 = {-1, -1, -1, -1, -1, 5, 2, 6, 3, 7, 4, 11, 8, 12, 9, 13, 10},
        .colors = {255, 0, 85, 255, 0, 0, 255, 85, 0, 255, 170, 0, 255, 255, 0, 170, 255, 0,
                   85, 255, 0, 43, 255, 0, 0, 255, 0, 0, 255, 85, 0, 255, 170, 0, 255, 255, 0,
                   170, 255, 0, 85, 255, 0, 0, 255},
    },
    {
        /* COCO's order and its own skeleton (the annotation file's, 0-based); the colours
         * are OpenPose's for the same parts. */
        .name = "coco17",
        .parts = "nose left_eye right_eye left_ear right_ear left_shoulder right_shoulder "
                 "left_elbow right_elbow left_wrist right_wrist left_hip right_hip left_knee "
                 "right_knee left_ankle right_ankle",
        .num_skeleton = 19,
        .skeleton = {15, 13, 13, 11, 16, 14, 14, 12, 11, 12, 5, 11, 6, 12, 5, 6, 5, 7, 6, 8,
                     7, 9, 8, 10, 1, 2, 0, 1, 0, 2, 1, 3, 2, 4, 3, 5, 4, 6},
        .coco17 = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
        .colors = {255, 0, 85, 170, 0, 255, 255, 0, 170, 85, 0, 255, 255, 0, 255, 170, 255, 0,
                   255, 85, 0, 85, 255, 0, 255, 170, 0, 0, 255, 0, 255, 255, 0, 0, 170, 255,
                   0, 255, 85, 0, 85, 255, 0, 255, 170, 0, 0, 255, 0, 255, 255},
    },
};
#define NUM_SPECS (int)(sizeof SPECS / sizeof SPECS[0])
static const char *const NAMES[] = {"coco18", "body25", "mpi15", "coco17", NULL};
_Static_assert(sizeof NAMES / sizeof NAMES[0] == NUM_SPECS + 1, "one name per set");

/* The index of the part called name, or -1. */
static int part_index(const opc_keypoint_set *k, const char *name)
{
    for (int i = 0; i < k->num_parts; i++)
        if (strcmp(k->part_names[i], name) == 0)
            return i;
    return -1;
}

/* "RX" <-> "LX", "right_x" <-> "left_x"; itself otherwise. */
static int mirror_of(const opc_keypoint_set *k, int i)
{
    static const char *const SIDES[][2] = {{"R", "L"}, {"L", "R"}, {"right_", "left_"},
                                           {"left_", "right_"}};
    const char *n = k->part_names[i];
    for (size_t s = 0; s < sizeof SIDES / sizeof SIDES[0]; s++) {
        size_t len = strlen(SIDES[s][0]);
        /* "R" only before a capital: "RShoulder", not "Rib". */
        if (strncmp(n, SIDES[s][0], len) == 0 && n[len] &&
            (len > 1 || (n[len] >= 'A' && n[len] <= 'Z'))) {
            char other[2 * OPC_NAME_LEN];
            snprintf(other, sizeof other, "%s%s", SIDES[s][1], n + len);
            int j = part_index(k, other);
            if (j >= 0)
                return j;
        }
    }
    return i;
}

static void build(const set_spec *s, opc_keypoint_set *k)
{
    memset(k, 0, sizeof *k);
    snprintf(k->name, sizeof k->name, "%s", s->name);
    for (const char *p = s->parts; *p;) {
        size_t len = strcspn(p, " ");
        memcpy(k->part_names[k->num_parts++], p, len < OPC_NAME_LEN ? len : OPC_NAME_LEN - 1);
        p += len;
        p += strspn(p, " ");
    }
    k->num_skeleton = s->num_skeleton;
    for (int i = 0; i < s->num_skeleton; i++) {
        k->skeleton[i][0] = s->skeleton[2 * i];
        k->skeleton[i][1] = s->skeleton[2 * i + 1];
    }
    memcpy(k->coco17, s->coco17, sizeof k->coco17);
    memcpy(k->colors, s->colors, sizeof k->colors);
    for (int c = 0; c < 17; c++)
        if (s->coco17[c] >= 0)
            k->sigmas[s->coco17[c]] = COCO_SIGMAS[c];
    for (int i = 0; i < k->num_parts; i++)
        k->flip[i] = mirror_of(k, i);
}

static opc_keypoint_set built[NUM_SPECS];
static pthread_once_t built_once = PTHREAD_ONCE_INIT;

static void build_all(void)
{
    for (int i = 0; i < NUM_SPECS; i++)
        build(&SPECS[i], &built[i]);
}

const opc_keypoint_set *opc_keypoint_set_builtin(const char *name)
{
    pthread_once(&built_once, build_all);
    for (int i = 0; name && i < NUM_SPECS; i++)
        if (strcmp(built[i].name, name) == 0)
            return &built[i];
    return NULL;
}

const char *const *opc_keypoint_set_names(void) { return NAMES; }

int opc_keypoint_set_validate(const opc_keypoint_set *k, opc_error *err)
{
    const char *n = k->name[0] ? k->name : "keypoint set";
    if (k->num_parts < 1 || k->num_parts > OPC_MAX_PARTS)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: %d parts (must be 1..%d)", n, k->num_parts,
                        OPC_MAX_PARTS);
    if (k->num_skeleton < 0 || k->num_skeleton > OPC_MAX_PAIRS)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: %d skeleton limbs", n, k->num_skeleton);
    for (int i = 0; i < k->num_skeleton; i++)
        for (int e = 0; e < 2; e++)
            if (k->skeleton[i][e] < 0 || k->skeleton[i][e] >= k->num_parts)
                return opc_fail(err, OPC_ERR_FORMAT, "%s: skeleton limb %d names part %d", n,
                                i, k->skeleton[i][e]);
    for (int c = 0; c < 17; c++)
        if (k->coco17[c] < -1 || k->coco17[c] >= k->num_parts)
            return opc_fail(err, OPC_ERR_FORMAT, "%s: COCO keypoint %d maps to part %d", n, c,
                            k->coco17[c]);
    for (int i = 0; i < k->num_parts; i++) {
        if (!(k->sigmas[i] >= 0 && k->sigmas[i] <= 10))
            return opc_fail(err, OPC_ERR_FORMAT, "%s: part %d has OKS sigma %g", n, i,
                            k->sigmas[i]);
        int f = k->flip[i];
        if (f < 0 || f >= k->num_parts || k->flip[f] != i)
            return opc_fail(err, OPC_ERR_FORMAT, "%s: part %d mirrors part %d, not back", n, i,
                            f);
    }
    return OPC_OK;
}
