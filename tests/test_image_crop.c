/* Top-down crops (image.h: opc_crop_from_box, opc_crop_sample) against the shared
 * testdata/topdown crops: the crop's centre and side as crops.json states them, and the
 * sampled pixels against crop_exact_* (exact float64 bilinear sampling of the same points,
 * B,G,R, NHWC) within 1e-3 grey levels; and against input_* (OpenCV's uint8 warpAffine)
 * within the few grey levels its fixed point costs. The "crop" placement: one view per
 * box (two with the flip test, the second the mirror image of the first to 1e-4), the
 * whole image without a box list, none for an empty one, and its input equal to the exact
 * crop (1e-3). */
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/image.h"
#include "testutil.h"

#define NET 192

/* max |ours - ref| over the crop, ref NHWC B,G,R (read as n=1, c=H, h=W, w=3). */
static double max_diff(const float *rgb, const char *rel)
{
    opc_tensor ref = {0};
    opc_error err;
    if (opc_npy_read(opc_test_shared_path(rel), &ref, &err)) {
        CHECK(0, "%s", err.msg);
        return INFINITY;
    }
    CHECK(ref.c == NET && ref.h == NET && ref.w == 3, "%s: unexpected shape", rel);
    double worst = 0;
    for (size_t p = 0; p < (size_t)NET * NET; p++)
        for (int k = 0; k < 3; k++)
            worst = fmax(worst, fabs(rgb[p * 3 + k] - ref.data[p * 3 + (2 - k)]));
    opc_tensor_free(&ref);
    return worst;
}

/* The placement on one photo and box: views, their inputs, the mirror image. */
static void test_placement(const opc_image *img, const opc_box *box, const float *exact)
{
    opc_preprocess pp = {.channel_order = "RGB", .scale = {1, 1, 1}, .placement = "crop",
                         .size_rule = "multiple", .size_step = 16, .net_width = NET,
                         .net_height = NET, .crop_padding = 1.25f};
    opc_input_options o = {.net_width = NET, .net_height = NET, .boxes = box, .n_boxes = 1,
                           .flip = 1};
    opc_error err = {{0}};
    opc_view *v = NULL;
    int n = 0;
    CHECK(opc_input_check(&pp, &o, &err) == OPC_OK, "%s", err.msg);
    if (opc_input_views(&pp, &o, img->width, img->height, &v, &n, &err) != OPC_OK || n != 2) {
        CHECK(0, "flip test: %d views (%s)", n, err.msg);
        free(v);
        return;
    }
    CHECK(v[0].box == 0 && v[1].box == 0 && v[0].sx > 0 && v[1].sx < 0, "views of the box");
    opc_tensor a = {0}, b = {0};
    if (opc_input_make(img, &v[0], &pp, &a, &err) == OPC_OK &&
        opc_input_make(img, &v[1], &pp, &b, &err) == OPC_OK) {
        double to_exact = 0;
        size_t mirror_off = 0;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < NET; y++)
                for (int x = 0; x < NET; x++) {
                    float p = a.data[(c * NET + y) * NET + x];
                    to_exact = fmax(to_exact, fabs(p - exact[(y * NET + x) * 3 + c]));
                    mirror_off += fabs(p - b.data[(c * NET + y) * NET + NET - 1 - x]) > 1e-4;
                }
        CHECK(to_exact <= 1e-3, "placement input %g from the exact crop", to_exact);
        CHECK(mirror_off == 0, "mirrored view: %zu values are not the mirror image", mirror_off);
    } else {
        CHECK(0, "%s", err.msg);
    }
    opc_tensor_free(&a);
    opc_tensor_free(&b);
    free(v);
    o.flip = 0;
    o.n_boxes = 0;
    CHECK(opc_input_views(&pp, &o, img->width, img->height, &v, &n, &err) == OPC_OK && n == 0,
          "an empty box list: %d views", n);
    free(v);
    o.boxes = NULL;
    CHECK(opc_input_views(&pp, &o, img->width, img->height, &v, &n, &err) == OPC_OK && n == 1 &&
              fabs(v[0].sx - NET / (1.25 * (img->width > img->height ? img->width : img->height))) <
                  1e-12,
          "no box list: %d views, not the whole image", n);
    free(v);
    o.net_width = -1;
    CHECK(opc_input_check(&pp, &o, &err) != OPC_OK && strstr(err.msg, "both sides"),
          "a free side accepted: %s", err.msg);
}

int main(void)
{
    cJSON *crops = opc_test_read_json(opc_test_shared_path("testdata/topdown/crops.json"));
    const cJSON *c;
    int n = 0;
    float *rgb = malloc(sizeof(float) * NET * NET * 3);
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(crops, "crops"))
    {
        const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
        const cJSON *box = cJSON_GetObjectItem(c, "box_xyxy");
        double x1 = cJSON_GetArrayItem(box, 0)->valuedouble, y1 = cJSON_GetArrayItem(box, 1)->valuedouble;
        double x2 = cJSON_GetArrayItem(box, 2)->valuedouble, y2 = cJSON_GetArrayItem(box, 3)->valuedouble;
        opc_crop crop;
        opc_crop_from_box(x1, y1, x2 - x1, y2 - y1, 1.25, NET, NET, &crop);
        const cJSON *centre = cJSON_GetObjectItem(c, "center");
        double side = cJSON_GetObjectItem(c, "side")->valuedouble;
        CHECK(crop.cx == cJSON_GetArrayItem(centre, 0)->valuedouble &&
                  crop.cy == cJSON_GetArrayItem(centre, 1)->valuedouble && crop.w == side &&
                  crop.h == side,
              "%s: crop (%g, %g) %gx%g, reference (%g, %g) side %g", id, crop.cx, crop.cy, crop.w,
              crop.h, cJSON_GetArrayItem(centre, 0)->valuedouble,
              cJSON_GetArrayItem(centre, 1)->valuedouble, side);
        opc_image img;
        opc_error err;
        if (opc_image_load(opc_test_shared_path(cJSON_GetObjectItem(c, "image")->valuestring), &img,
                           &err)) {
            CHECK(0, "%s", err.msg);
            continue;
        }
        CHECK(opc_crop_sample(&img, &crop, NET, NET, rgb, &err) == OPC_OK, "%s", err.msg);
        char rel[128];
        snprintf(rel, sizeof rel, "testdata/topdown/crop_exact_%s.npy", id);
        double exact = max_diff(rgb, rel);
        snprintf(rel, sizeof rel, "testdata/topdown/input_%s.npy", id);
        double cv = max_diff(rgb, rel);
        if (n == 0) {
            opc_box box = {(float)x1, (float)y1, (float)(x2 - x1), (float)(y2 - y1), 1};
            test_placement(&img, &box, rgb);
        }
        printf("%-13s crop vs exact bilinear: max |diff| %.2g grey levels; vs OpenCV's uint8 "
               "warp %.2f\n", id, exact, cv);
        CHECK(exact <= 1e-3, "%s: %g grey levels from crop_exact (limit 1e-3)", id, exact);
        CHECK(cv <= 4.5, "%s: %g grey levels from OpenCV's warp (measured there: up to 3.94)", id,
              cv);
        opc_image_free(&img);
        n++;
    }
    CHECK(n == 5, "%d crops compared, expected 5", n);
    /* A wide box on a portrait input: the height grows to the input's aspect ratio. */
    opc_crop crop;
    opc_crop_from_box(10, 20, 100, 40, 1.25, 96, 128, &crop);
    CHECK(crop.cx == 60 && crop.cy == 40 && crop.w == 125 && fabs(crop.h - 125 * 128 / 96.) < 1e-12,
          "aspect fix: (%g, %g) %gx%g", crop.cx, crop.cy, crop.w, crop.h);
    free(rgb);
    cJSON_Delete(crops);
    return opc_test_result();
}
