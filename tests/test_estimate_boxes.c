/* Person boxes (openpose-c/boxes.h): a detector's results file read, filtered (person
 * category, score threshold), grouped by image and ordered by score with ties in file
 * order; malformed entries refused with the file and the entry named; the boxes around
 * the people a bottom-up model found. */
#include <math.h>
#include <string.h>

#include "openpose-c/boxes.h"
#include "openpose-c/files.h"
#include "testutil.h"

static const char *write_tmp(const char *text)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/boxes.json", opc_test_tmpdir("estimate_boxes"));
    opc_error err;
    if (opc_write_file_atomic(path, text, strlen(text), &err) != OPC_OK)
        fprintf(stderr, "%s\n", err.msg);
    return path;
}

static void test_file(void)
{
    const char *path = write_tmp(
        "[{\"image_id\": 785, \"category_id\": 1, \"bbox\": [1, 2, 30, 40], \"score\": 0.5},\n"
        " {\"image_id\": 785, \"category_id\": 1, \"bbox\": [5, 6, 70, 80], \"score\": 0.9},\n"
        " {\"image_id\": 785, \"category_id\": 1, \"bbox\": [9, 9, 9, 9], \"score\": 0.5},\n"
        " {\"image_id\": 785, \"category_id\": 3, \"bbox\": [0, 0, 1, 1], \"score\": 1},\n"
        " {\"image_id\": 12, \"category_id\": 1, \"bbox\": [0.5, 0, 1, 1], \"score\": 0.29},\n"
        " {\"image_id\": 12, \"category_id\": 1, \"bbox\": [0.5, 0, 2, 1], \"score\": 0.3}]");
    opc_box_file *f;
    opc_error err = {{0}};
    if (opc_box_file_load(path, 0.3, &f, &err) != OPC_OK) {
        CHECK(0, "%s", err.msg);
        return;
    }
    int n;
    const opc_box *b = opc_box_file_boxes(f, 785, &n);
    CHECK(n == 3 && b[0].score == 0.9f && b[0].w == 70 && b[1].x == 1 && b[2].x == 9,
          "image 785: %d boxes, best first, ties in file order", n);
    b = opc_box_file_boxes(f, 12, &n);
    CHECK(n == 1 && b[0].w == 2, "image 12: the box at the threshold is kept, below it not (%d)", n);
    CHECK(!opc_box_file_boxes(f, 13, &n) && n == 0, "an image without boxes");
    CHECK(opc_box_file_count(f) == 4, "%d boxes kept, expected 4", opc_box_file_count(f));
    opc_box_file_free(f);
}

static void expect_error(const char *text, const char *reason)
{
    const char *path = write_tmp(text);
    opc_box_file *f = NULL;
    opc_error err = {{0}};
    int rc = opc_box_file_load(path, 0, &f, &err);
    CHECK(rc != OPC_OK && !f && strstr(err.msg, path) && strstr(err.msg, reason),
          "%s: '%s', expected an error naming the file and '%s'", text, err.msg, reason);
    opc_box_file_free(f);
}

static void test_errors(void)
{
    expect_error("{}", "not a detection results file");
    expect_error("[1]", "[0]: not an object");
    expect_error("[{\"image_id\": 1.5, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"score\": 1}]",
                 "[0]: \"image_id\" must be a whole number");
    expect_error("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 0, 1], \"score\": 1}]",
                 "w and h > 0");
    expect_error("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1], \"score\": 1}]",
                 "\"bbox\" must be [x, y, w, h]");
    expect_error("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1]}]", "\"score\"");
    expect_error("[{\"image_id\": 1, \"bbox\": [0, 0, 1, 1], \"score\": 1}]", "category_id");
    expect_error("[{\"image_id\": 1, \"category_id\": 1,", "invalid JSON");
}

static void test_from_people(void)
{
    /* Three people of 3 parts: a box (10..30, 5..45), a single part, parts on a line. */
    float kp[27] = {10, 5, 0.5f, 30, 45, 0.4f, 99, 99, 0,
                    7, 7, 0.9f, 0, 0, 0, 0, 0, 0,
                    4, 1, 0.3f, 4, 9, 0.3f, 0, 0, 0};
    float scores[3] = {0.7f, 0.6f, 0.5f};
    opc_people p = {.num_parts = 3, .count = 3, .keypoints = kp, .scores = scores};
    opc_box b[3];
    int n = opc_boxes_from_people(&p, b);
    CHECK(n == 2, "%d boxes, expected 2 (a single part gives none)", n);
    CHECK(b[0].x == 10 && b[0].y == 5 && b[0].w == 20 && b[0].h == 40 && b[0].score == 0.7f,
          "first box (%g, %g) %gx%g", b[0].x, b[0].y, b[0].w, b[0].h);
    CHECK(b[1].x == 4 && b[1].w == 0 && b[1].h == 8 && b[1].score == 0.5f, "parts on a line");
}

int main(void)
{
    test_file();
    test_errors();
    test_from_people();
    return opc_test_result();
}
