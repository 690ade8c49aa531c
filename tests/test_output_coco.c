/* COCO results writer: image ids from file names, the entries written for hand-made
 * people (read back with cJSON), the file appearing only at commit, and a round trip
 * through the evaluator: people written as results score AP 1 against GT made from them. */
#include <cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "openpose-c/files.h"
#include "openpose-c/coco.h"
#include "openpose-c/eval.h"
#include "testutil.h"

static const char *tmp;

static void test_image_id(void)
{
    static const struct {
        const char *path;
        int64_t id;
    } cases[] = {
        {"000000000785.jpg", 785},
        {"val2017/000000040083.jpg", 40083},
        {"/data/cam2_frame0042.png", 42},
        {"img.v3.jpg", 3},
        {"frame7", 7},
        {"run7/cat.jpg", -1},
        {"cat.jpg", -1},
        {"photo.jp2", -1},
        {"", -1},
        {".123", 123},
        {"9007199254740992.png", 9007199254740992LL},
        {"9007199254740993.png", -1},
        {"123456789012345678901234567890.png", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = opc_coco_image_id(cases[i].path);
        CHECK(got == cases[i].id, "image id of '%s': %lld, expected %lld", cases[i].path,
              (long long)got, (long long)cases[i].id);
    }
}

/* COCO-17 order by OpenPose part name: the writer must map through the keypoint set. */
static const char *const COCO17_NAMES[17] = {
    "Nose",      "LEye",      "REye",   "LEar",   "REar",   "LShoulder", "RShoulder", "LElbow",
    "RElbow",    "LWrist",    "RWrist", "LHip",   "RHip",   "LKnee",     "RKnee",     "LAnkle",
    "RAnkle"};

static int part_index(const opc_keypoint_set *t, const char *name)
{
    for (int i = 0; i < t->num_parts; i++)
        if (strcmp(t->part_names[i], name) == 0)
            return i;
    return -1;
}

/* Three people: A with every part, B missing LEye and RAnkle, C with only the neck (no
 * COCO keypoint: not written). Part p of person n sits at (100 n + 7 p + 0.25, 31 p + n). */
static void make_people(const opc_keypoint_set *t, opc_people *pp, float *kp, float *scores)
{
    *pp = (opc_people){t->num_parts, 3, kp, scores, NULL, NULL};
    for (int n = 0; n < 3; n++)
        for (int p = 0; p < t->num_parts; p++) {
            float *k = kp + ((size_t)n * t->num_parts + p) * 3;
            int found = n == 0 || (n == 1 && strcmp(t->part_names[p], "LEye") != 0 &&
                                   strcmp(t->part_names[p], "RAnkle") != 0) ||
                        (n == 2 && strcmp(t->part_names[p], "Neck") == 0);
            k[0] = found ? 100.0f * n + 7 * p + 0.25f : 0;
            k[1] = found ? 31.0f * p + n : 0;
            k[2] = found ? 0.5f + 0.01f * p : 0;
        }
    scores[0] = 0.8125f;
    scores[1] = 0.333333343f;
    scores[2] = 0.9f;
}

static cJSON *read_json(const char *path)
{
    unsigned char *data;
    size_t size;
    opc_error err;
    if (opc_read_file(path, 1 << 20, &data, &size, &err) != OPC_OK) {
        CHECK(0, "%s", err.msg);
        return NULL;
    }
    cJSON *j = cJSON_Parse((const char *)data);
    CHECK(j != NULL, "%s: not valid JSON:\n%s", path, (const char *)data);
    free(data);
    return j;
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.' || strstr(e->d_name, ".tmp.") != NULL;
    if (d)
        closedir(d);
    return n;
}

static void check_entries(const opc_keypoint_set *t, const cJSON *arr, const opc_people *pp,
                          int64_t image_id)
{
    CHECK(cJSON_GetArraySize(arr) == 2, "%s: %d entries, expected 2 (person C has no COCO "
          "keypoint)", t->name, cJSON_GetArraySize(arr));
    for (int n = 0; n < 2 && n < cJSON_GetArraySize(arr); n++) {
        const cJSON *e = cJSON_GetArrayItem(arr, n);
        CHECK(cJSON_GetObjectItem(e, "image_id")->valuedouble == (double)image_id, "image_id");
        CHECK(cJSON_GetObjectItem(e, "category_id")->valueint == 1, "category_id");
        CHECK((float)cJSON_GetObjectItem(e, "score")->valuedouble == pp->scores[n],
              "%s person %d: score %.9g, written %.9g", t->name, n, pp->scores[n],
              cJSON_GetObjectItem(e, "score")->valuedouble);
        const cJSON *k = cJSON_GetObjectItem(e, "keypoints");
        CHECK(cJSON_GetArraySize(k) == 51, "%d keypoint values", cJSON_GetArraySize(k));
        for (int c = 0; c < 17 && cJSON_GetArraySize(k) == 51; c++) {
            int p = part_index(t, COCO17_NAMES[c]);
            const float *src = pp->keypoints + ((size_t)n * t->num_parts + p) * 3;
            double x = cJSON_GetArrayItem(k, 3 * c)->valuedouble;
            double y = cJSON_GetArrayItem(k, 3 * c + 1)->valuedouble;
            double v = cJSON_GetArrayItem(k, 3 * c + 2)->valuedouble;
            if (src[2] > 0)
                CHECK((float)x == src[0] && (float)y == src[1] && v == 1,
                      "%s person %d %s: (%g, %g, %g), expected (%g, %g, 1)", t->name, n,
                      COCO17_NAMES[c], x, y, v, src[0], src[1]);
            else
                CHECK(x == -1 && y == -1 && v == 0, "%s person %d %s missing: (%g, %g, %g)",
                      t->name, n, COCO17_NAMES[c], x, y, v);
        }
    }
}

/* GT for image_id from the people A and B: labelled where found; A large, B medium. */
static const char *write_gt(const opc_keypoint_set *t, const opc_people *pp, int64_t image_id)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *img = cJSON_CreateObject();
    cJSON_AddNumberToObject(img, "id", (double)image_id);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "images"), img);
    cJSON *cat = cJSON_CreateObject();
    cJSON_AddNumberToObject(cat, "id", 1);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "categories"), cat);
    cJSON *anns = cJSON_AddArrayToObject(doc, "annotations");
    for (int n = 0; n < 2; n++) {
        cJSON *a = cJSON_CreateObject(), *k = cJSON_CreateArray();
        int labelled = 0;
        for (int c = 0; c < 17; c++) {
            const float *src = pp->keypoints +
                               ((size_t)n * t->num_parts + part_index(t, COCO17_NAMES[c])) * 3;
            cJSON_AddItemToArray(k, cJSON_CreateNumber(src[2] > 0 ? src[0] : 0));
            cJSON_AddItemToArray(k, cJSON_CreateNumber(src[2] > 0 ? src[1] : 0));
            cJSON_AddItemToArray(k, cJSON_CreateNumber(src[2] > 0 ? 2 : 0));
            labelled += src[2] > 0;
        }
        cJSON_AddNumberToObject(a, "id", 10 + n);
        cJSON_AddNumberToObject(a, "image_id", (double)image_id);
        cJSON_AddNumberToObject(a, "category_id", 1);
        cJSON_AddItemToObject(a, "keypoints", k);
        cJSON_AddNumberToObject(a, "num_keypoints", labelled);
        cJSON_AddNumberToObject(a, "area", n == 0 ? 20000 : 5000);
        cJSON *bb = cJSON_AddArrayToObject(a, "bbox");
        for (int i = 0; i < 4; i++)
            cJSON_AddItemToArray(bb, cJSON_CreateNumber(i < 2 ? 0 : 100));
        cJSON_AddNumberToObject(a, "iscrowd", 0);
        cJSON_AddItemToArray(anns, a);
    }
    static char path[4096];
    snprintf(path, sizeof path, "%s/gt_%s.json", tmp, t->name);
    char *s = cJSON_PrintUnformatted(doc);
    opc_error err;
    CHECK(opc_write_file_atomic(path, s, strlen(s), &err) == OPC_OK, "%s", err.msg);
    free(s);
    cJSON_Delete(doc);
    return path;
}

static void test_round_trip(const char *topology)
{
    const opc_keypoint_set *t = opc_keypoint_set_builtin(topology);
    float kp[3 * OPC_MAX_PARTS * 3], scores[3];
    opc_people pp;
    make_people(t, &pp, kp, scores);
    int64_t image_id = opc_coco_image_id("images/000000000785.jpg");

    char path[4096];
    snprintf(path, sizeof path, "%s/results_%s.json", tmp, topology);
    opc_error err = {{0}};
    opc_coco_writer *w = opc_coco_writer_open(path, &err);
    CHECK(w != NULL, "%s", err.msg);
    if (!w)
        return;
    CHECK(opc_coco_writer_add(w, image_id, t, &pp, &err) == OPC_OK, "%s", err.msg);
    CHECK(opc_coco_writer_count(w) == 2, "count %zu", opc_coco_writer_count(w));
    CHECK(access(path, F_OK) != 0, "%s exists before commit", path);
    CHECK(opc_coco_writer_commit(w, &err) == OPC_OK, "%s", err.msg);

    cJSON *arr = read_json(path);
    if (arr)
        check_entries(t, arr, &pp, image_id);
    cJSON_Delete(arr);

    double stats[OPC_COCO_NUM_STATS];
    CHECK(opc_coco_eval(write_gt(t, &pp, image_id), path, stats, &err) == OPC_OK, "%s",
          err.msg);
    for (int i = 0; i < OPC_COCO_NUM_STATS; i++)
        CHECK(fabs(stats[i] - 1) <= 1e-9, "%s: %s = %g, expected 1 for perfect results",
              topology, opc_coco_stat_name(i), stats[i]);
}

static void test_streaming_and_errors(void)
{
    const opc_keypoint_set *t = opc_keypoint_set_builtin("coco18");
    float kp[3 * OPC_MAX_PARTS * 3], scores[3];
    opc_people pp;
    make_people(t, &pp, kp, scores);
    opc_error err = {{0}};
    char path[8192], dir[4096];
    snprintf(dir, sizeof dir, "%s/stream", tmp);
    CHECK(mkdir(dir, 0777) == 0, "mkdir %s", dir);
    snprintf(path, sizeof path, "%s/run.json", dir);

    /* Several images, then an empty one: one array in call order. */
    opc_coco_writer *w = opc_coco_writer_open(path, &err);
    CHECK(w != NULL, "%s", err.msg);
    if (!w)
        return;
    opc_people none = {t->num_parts, 0, NULL, NULL, NULL, NULL};
    CHECK(opc_coco_writer_add(w, 3, t, &pp, &err) == OPC_OK, "%s", err.msg);
    CHECK(opc_coco_writer_add(w, 1, t, &none, &err) == OPC_OK, "%s", err.msg);
    CHECK(opc_coco_writer_add(w, 2, t, &pp, &err) == OPC_OK, "%s", err.msg);
    /* Refused without writing anything: wrong part count, negative id, NaN. */
    opc_people wrong = pp;
    wrong.num_parts = 25;
    CHECK(opc_coco_writer_add(w, 4, t, &wrong, &err) == OPC_ERR_ARG, "part count mismatch");
    CHECK(opc_coco_writer_add(w, -1, t, &pp, &err) == OPC_ERR_ARG, "negative id");
    kp[0] = NAN;
    CHECK(opc_coco_writer_add(w, 5, t, &pp, &err) == OPC_ERR_ARG, "NaN keypoint accepted");
    CHECK(strstr(err.msg, "non-finite") != NULL, "message: %s", err.msg);
    kp[0] = 1;
    CHECK(opc_coco_writer_commit(w, &err) == OPC_OK, "%s", err.msg);
    cJSON *arr = read_json(path);
    int n = cJSON_GetArraySize(arr);
    CHECK(n == 4, "%d entries, expected 2 + 2", n);
    for (int i = 0; i < n && n == 4; i++)
        CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, i), "image_id")->valueint ==
                  (i < 2 ? 3 : 2), "entry %d: wrong image", i);
    cJSON_Delete(arr);
    CHECK(count_files(dir) == 1, "%d files in %s, expected run.json only", count_files(dir),
          dir);

    /* A run without people is an empty array. */
    snprintf(path, sizeof path, "%s/empty.json", dir);
    w = opc_coco_writer_open(path, &err);
    CHECK(w && opc_coco_writer_commit(w, &err) == OPC_OK, "%s", err.msg);
    arr = read_json(path);
    CHECK(cJSON_IsArray(arr) && cJSON_GetArraySize(arr) == 0, "empty run");
    cJSON_Delete(arr);

    /* Abort leaves nothing behind; a missing directory is refused up front. */
    snprintf(path, sizeof path, "%s/aborted.json", dir);
    w = opc_coco_writer_open(path, &err);
    CHECK(w && opc_coco_writer_add(w, 1, t, &pp, &err) == OPC_OK, "%s", err.msg);
    opc_coco_writer_abort(w);
    CHECK(access(path, F_OK) != 0, "aborted file exists");
    CHECK(count_files(dir) == 2, "%d files in %s after abort, expected 2", count_files(dir),
          dir);
    snprintf(path, sizeof path, "%s/no/such/dir/out.json", tmp);
    err.msg[0] = 0;
    CHECK(opc_coco_writer_open(path, &err) == NULL, "opened in a missing directory");
    CHECK(strstr(err.msg, path) != NULL, "message does not name the file: %s", err.msg);
}

/* "-" streams to standard output, here redirected to a file. */
static void test_stdout(void)
{
    const opc_keypoint_set *t = opc_keypoint_set_builtin("coco18");
    float kp[3 * OPC_MAX_PARTS * 3], scores[3];
    opc_people pp;
    make_people(t, &pp, kp, scores);
    char path[8192];
    snprintf(path, sizeof path, "%s/stdout.json", tmp);
    fflush(stdout);
    int saved = dup(1);
    CHECK(freopen(path, "w", stdout) != NULL, "redirect stdout");
    opc_error err = {{0}};
    opc_coco_writer *w = opc_coco_writer_open("-", &err);
    CHECK(w && opc_coco_writer_add(w, 9, t, &pp, &err) == OPC_OK &&
              opc_coco_writer_commit(w, &err) == OPC_OK, "%s", err.msg);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    cJSON *arr = read_json(path);
    CHECK(cJSON_GetArraySize(arr) == 2, "stdout: %d entries", cJSON_GetArraySize(arr));
    cJSON_Delete(arr);
}

int main(void)
{
    tmp = opc_test_tmpdir("coco_writer");
    test_image_id();
    test_round_trip("coco18");
    test_round_trip("body25");
    test_streaming_and_errors();
    test_stdout();
    return opc_test_result();
}
