/* Lightweight OpenPose through the estimator (what the image command calls: the photo
 * decoded, scaled into the net input as OpenPose does, the network, the maps resized and
 * parsed, keypoints mapped back to the photo) against the people that an independent
 * implementation of OpenPose's parser found in the float64 reference maps
 * (testdata/lwopenpose/people/TAG_float_{global,sequential}.json): the same number of people,
 * the same parts present, every keypoint within 0.05 image pixels, at each size the photos
 * were given (656x368, 456x256, 312x200) and with both assemblies. People are matched by
 * their keypoints (the two sort them differently). */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/convert.h"
#include "openpose-c/estimate.h"
#include "openpose-c/files.h"
#include "testutil.h"

#define PARTS 18

typedef struct {
    int count;
    float kp[64][PARTS * 3];
} ref_people;

static int read_ref(const char *rel, ref_people *r)
{
    unsigned char *data;
    size_t size;
    opc_error err;
    r->count = 0;
    if (opc_read_file(opc_test_shared_path(rel), 1 << 20, &data, &size, &err)) {
        CHECK(0, "%s", err.msg);
        return 0;
    }
    cJSON *root = cJSON_Parse((const char *)data);
    free(data);
    const cJSON *people = cJSON_GetObjectItemCaseSensitive(root, "people"), *p;
    cJSON_ArrayForEach(p, people)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(p, "pose_keypoints_2d");
        if (r->count == 64 || cJSON_GetArraySize(k) != PARTS * 3)
            break;
        for (int i = 0; i < PARTS * 3; i++)
            r->kp[r->count][i] = (float)cJSON_GetArrayItem(k, i)->valuedouble;
        r->count++;
    }
    cJSON_Delete(root);
    return root != NULL;
}

/* Parts present in one but not the other (as 1000 each) plus the largest distance. */
static double distance(const float *a, const float *b)
{
    double d = 0;
    for (int i = 0; i < PARTS; i++) {
        int pa = a[3 * i + 2] > 0, pb = b[3 * i + 2] > 0;
        if (pa != pb)
            d += 1000;
        else if (pa)
            d = fmax(d, fmax(fabs(a[3 * i] - b[3 * i]), fabs(a[3 * i + 1] - b[3 * i + 1])));
    }
    return d;
}

static void check_case(const opc_model *m, const char *photo_rel, const char *tag, int w, int h,
                       opc_assembly assembly)
{
    char rel[200];
    const char *mode = assembly == OPC_ASSEMBLY_GLOBAL ? "global" : "sequential";
    snprintf(rel, sizeof rel, "testdata/lwopenpose/people/%s_%dx%d_float_%s.json", tag, w, h,
             mode);
    ref_people *ref = malloc(sizeof *ref);
    if (!ref || !read_ref(rel, ref)) {
        free(ref);
        return;
    }
    opc_error err;
    opc_image img;
    opc_estimator_options o;
    opc_estimator_options_default(&o, m);
    o.net.threads = 2;
    o.input.net_width = w;
    o.input.net_height = h;
    o.decode.paf.assembly = assembly;
    opc_estimator *e = opc_estimator_create(m, &o, &err);
    opc_people got = {0};
    int rc = e ? opc_image_load(opc_test_shared_path(photo_rel), &img, &err) : OPC_ERR_ARG;
    if (rc == OPC_OK) {
        rc = opc_estimate(e, &img, &got, &err);
        opc_image_free(&img);
    }
    CHECK(rc == OPC_OK, "%s %dx%d %s: %s", tag, w, h, mode, err.msg);
    if (rc == OPC_OK) {
        CHECK(got.count == ref->count, "%s %dx%d %s: %d people, the reference %d", tag, w, h,
              mode, got.count, ref->count);
        /* each reference person's closest one of ours, not used twice */
        unsigned char used[64] = {0};
        double worst = 0;
        for (int r = 0; r < ref->count && got.count == ref->count; r++) {
            int best = -1;
            double bd = 1e30;
            for (int g = 0; g < got.count; g++) {
                double d = used[g] ? 1e30 : distance(got.keypoints + (size_t)g * PARTS * 3,
                                                     ref->kp[r]);
                if (d < bd) {
                    bd = d;
                    best = g;
                }
            }
            if (best >= 0)
                used[best] = 1;
            worst = fmax(worst, bd);
        }
        printf("%-8s %dx%d %-10s %d people, keypoints within %.2g px\n", tag, w, h, mode,
               got.count, worst);
        CHECK(worst <= 0.05, "%s %dx%d %s: a keypoint %.3g px off (or parts differ)", tag, w, h,
              mode, worst);
    }
    opc_people_free(&got);
    opc_estimator_free(e);
    free(ref);
}

int main(void)
{
    char xml[4200], model[4200];
    snprintf(xml, sizeof xml, "%s",
             opc_test_shared_path("models/lwopenpose/human-pose-estimation-0001/FP16-INT8/"
                                  "human-pose-estimation-0001.xml"));
    snprintf(model, sizeof model, "%s/lw.opc", opc_test_tmpdir("estimate_lwopenpose"));
    opc_error err;
    opc_convert_options co = {.topology = "coco"};
    if (opc_convert_openvino(xml, NULL, model, &co, &err) != OPC_OK) {
        CHECK(0, "convert: %s", err.msg);
        return opc_test_result();
    }
    opc_model *m = opc_model_open(model, &err);
    CHECK(m != NULL, "%s", err.msg);
    static const struct {
        const char *tag, *photo;
    } PHOTOS[] = {
        {"apink2", "images/tf-pose/apink2.jpg"},
        {"p1", "images/tf-pose/p1.jpg"},
        {"ski", "images/tf-pose/ski.jpg"},
        {"coco192", "images/openpose-media/COCO_val2014_000000000192.jpg"},
    };
    static const int SIZES[][2] = {{656, 368}, {456, 256}};
    for (int i = 0; m && i < opc_test_cases(4); i++)
        for (int s = 0; s < 2; s++)
            for (int a = 0; a < 2; a++)
                check_case(m, PHOTOS[i].photo, PHOTOS[i].tag, SIZES[s][0], SIZES[s][1],
                           (opc_assembly)a);
    for (int a = 0; m && a < 2; a++)
        check_case(m, PHOTOS[1].photo, "p1", 312, 200, (opc_assembly)a);
    opc_model_close(m);
    return opc_test_result();
}
