/* PoseNet's letterbox against the posenet package (testdata/posenet): its resolution
 * snapping, padding, scales and pose mapping on the fixed examples of
 * resolution_and_letterbox.json, and the network inputs tfjs made from 11 photo cases,
 * which the placement row "letterbox" must give bit for bit (before the normalisation, and
 * after it when done as tfjs does, v / 127.5 - 1; within 1e-6 with the model file's
 * multiply-add). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/letterbox.h"
#include "posenet_ref.h"
#include "testutil.h"

static int resolution_examples(const cJSON *ref)
{
    int n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ref, "to_valid_input_resolution")) {
        int r = (int)pn_ref_num(e, "resolution"), s = (int)pn_ref_num(e, "output_stride");
        int got = opc_letterbox_valid_side(r, s), want = (int)pn_ref_num(e, "valid");
        CHECK(got == want, "%d at stride %d: %d, expected %d", r, s, got, want);
        n++;
    }
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ref, "valid_input_resolution_dimensions")) {
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(e, "input_resolution");
        int s = (int)pn_ref_num(e, "output_stride");
        int w = cJSON_IsNumber(in) ? in->valueint : (int)pn_ref_num(in, "width");
        int h = cJSON_IsNumber(in) ? in->valueint : (int)pn_ref_num(in, "height");
        const cJSON *hw = cJSON_GetObjectItemCaseSensitive(e, "valid_hw");
        int wh = cJSON_GetArrayItem(hw, 0)->valueint, ww = cJSON_GetArrayItem(hw, 1)->valueint;
        CHECK(opc_letterbox_valid_side(h, s) == wh && opc_letterbox_valid_side(w, s) == ww,
              "%dx%d at stride %d: expected %dx%d", w, h, s, ww, wh);
        n++;
    }
    return n;
}

static int letterbox_examples(const cJSON *ref)
{
    int n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ref, "letterbox")) {
        const cJSON *ihw = cJSON_GetObjectItemCaseSensitive(e, "image_hw");
        const cJSON *nhw = cJSON_GetObjectItemCaseSensitive(e, "input_hw");
        int ih = cJSON_GetArrayItem(ihw, 0)->valueint, iw = cJSON_GetArrayItem(ihw, 1)->valueint;
        int nh = cJSON_GetArrayItem(nhw, 0)->valueint, nw = cJSON_GetArrayItem(nhw, 1)->valueint;
        const cJSON *pad = cJSON_GetObjectItemCaseSensitive(e, "padding");
        opc_letterbox lb;
        opc_error err;
        CHECK(opc_letterbox_plan(iw, ih, nw, nh, &lb, &err) == OPC_OK, "%s", err.msg);
        CHECK(lb.top == pn_ref_num(pad, "top") && lb.bottom == pn_ref_num(pad, "bottom") &&
                  lb.left == pn_ref_num(pad, "left") && lb.right == pn_ref_num(pad, "right"),
              "%dx%d into %dx%d: padding %d %d %d %d", iw, ih, nw, nh, lb.top, lb.bottom,
              lb.left, lb.right);
        CHECK(lb.scale_y == pn_ref_num(e, "scale_y") && lb.scale_x == pn_ref_num(e, "scale_x"),
              "%dx%d into %dx%d: scales %.17g %.17g", iw, ih, nw, nh, lb.scale_y, lb.scale_x);
        /* The placement's view, which the decoder maps back through: image = (net - t) / s. */
        opc_preprocess pp = {.channel_order = "RGB", .scale = {1, 1, 1}, .placement = "letterbox",
                             .size_rule = "plus_one", .size_step = 1};
        opc_input_options io = {.net_width = nw, .net_height = nh};
        opc_view *v = NULL;
        int nv = 0;
        CHECK(opc_input_views(&pp, &io, iw, ih, &v, &nv, &err) == OPC_OK && nv == 1, "%s",
              err.msg);
        const cJSON *net = cJSON_GetObjectItemCaseSensitive(e, "points_net_yx");
        const cJSON *img = cJSON_GetObjectItemCaseSensitive(e, "points_image_yx");
        for (int i = 0; v && i < cJSON_GetArraySize(net); i++) {
            const cJSON *p = cJSON_GetArrayItem(net, i), *q = cJSON_GetArrayItem(img, i);
            double y = (cJSON_GetArrayItem(p, 0)->valuedouble - v->ty) / v->sy;
            double x = (cJSON_GetArrayItem(p, 1)->valuedouble - v->tx) / v->sx;
            CHECK(fabs(y - cJSON_GetArrayItem(q, 0)->valuedouble) < 1e-9 &&
                      fabs(x - cJSON_GetArrayItem(q, 1)->valuedouble) < 1e-9,
                  "%dx%d into %dx%d: point %d maps to (%.17g, %.17g)", iw, ih, nw, nh, i, y, x);
        }
        free(v);
        n++;
    }
    return n;
}

/* The photo cases: padding and scales as recorded, and the exact network input. */
static int photo_inputs(double *worst_model_norm)
{
    char dir[512], path[1024];
    snprintf(dir, sizeof dir, "%s", opc_test_shared_path("testdata/posenet/real"));
    snprintf(path, sizeof path, "%s/index.json", dir);
    cJSON *index = pn_ref_json(path);
    CHECK(index, "%s unreadable", path);
    const cJSON *c;
    int count = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(index, "cases")) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "case"));
        snprintf(path, sizeof path, "%s/%s.json", dir, name);
        cJSON *ref = pn_ref_json(path);
        CHECK(ref, "%s unreadable", path);
        if (!ref || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ref, "tensors_written"))) {
            cJSON_Delete(ref);
            continue;
        }
        /* "shared/images/..." relative to the shared folder's parent. */
        const char *file = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(ref, "image"), "file"));
        const cJSON *hw = cJSON_GetObjectItemCaseSensitive(ref, "input_hw");
        const cJSON *pad = cJSON_GetObjectItemCaseSensitive(ref, "padding");
        opc_image img;
        opc_letterbox lb;
        opc_tensor raw, norm, want;
        opc_error err;
        int rc = opc_image_load(opc_test_shared_path(file + strlen("shared/")), &img, &err);
        CHECK(rc == OPC_OK, "%s", err.msg);
        if (rc == OPC_OK)
            rc = opc_letterbox_plan(img.width, img.height, cJSON_GetArrayItem(hw, 1)->valueint,
                                    cJSON_GetArrayItem(hw, 0)->valueint, &lb, &err);
        CHECK(rc == OPC_OK && lb.top == pn_ref_num(pad, "top") &&
                  lb.left == pn_ref_num(pad, "left") && lb.scale_y == pn_ref_num(ref, "scale_y") &&
                  lb.scale_x == pn_ref_num(ref, "scale_x"),
              "%s: padding %d, %d, scales %.17g %.17g", name, lb.top, lb.left, lb.scale_y,
              lb.scale_x);
        /* Through the placement table, as the estimator makes inputs: the view, then the
         * values as they are (scale 1, offset 0) and as the model normalises them. */
        opc_preprocess as_is = {.channel_order = "RGB", .scale = {1, 1, 1}, .nhwc = 1,
                                .stride = 16, .placement = "letterbox",
                                .size_rule = "plus_one", .size_step = 16};
        opc_preprocess model = as_is;
        for (int c = 0; c < 3; c++) {
            model.scale[c] = 1.0f / 127.5f;
            model.offset[c] = -1.0f;
        }
        opc_input_options io = {.net_width = (int)lb.net_w, .net_height = (int)lb.net_h};
        opc_view *views = NULL;
        int n_views = 0;
        if (rc == OPC_OK && !(rc = opc_input_views(&as_is, &io, img.width, img.height, &views,
                                                   &n_views, &err))) {
            CHECK(n_views == 1 && views[0].net_w == lb.net_w && views[0].net_h == lb.net_h &&
                      fabs(views[0].sx * lb.scale_x - 1) < 1e-15 &&
                      fabs(views[0].tx - lb.left / lb.scale_x) < 1e-12,
                  "%s: view %dx%d s %g t %g", name, views[0].net_w, views[0].net_h,
                  views[0].sx, views[0].tx);
        }
        if (rc == OPC_OK && !(rc = opc_input_make(&img, &views[0], &as_is, &raw, &err)) &&
            !(rc = opc_input_make(&img, &views[0], &model, &norm, &err)) &&
            !(rc = pn_ref_tensor(dir, name, "input", &want))) {
            size_t n = opc_tensor_count(&want), same = 0;
            for (size_t i = 0; i < n; i++) {
                float v = raw.data[i] / 127.5f - 1.0f;
                same += memcmp(&v, &want.data[i], sizeof v) == 0;
            }
            CHECK(same == n, "%s: %zu of %zu input values differ from tfjs's", name, n - same, n);
            opc_diff d = opc_compare(norm.data, want.data, n);
            CHECK(d.max_abs <= 1e-6, "%s: normalised input off by %g", name, d.max_abs);
            if (d.max_abs > *worst_model_norm)
                *worst_model_norm = d.max_abs;
            opc_tensor_free(&want);
        }
        free(views);
        CHECK(rc == OPC_OK, "%s: %s", name, err.msg);
        opc_tensor_free(&raw);
        opc_tensor_free(&norm);
        opc_image_free(&img);
        cJSON_Delete(ref);
        count++;
    }
    cJSON_Delete(index);
    return count;
}

int main(void)
{
    opc_letterbox lb;
    opc_error err;
    CHECK(opc_letterbox_plan(0, 10, 257, 257, &lb, &err) == OPC_ERR_ARG, "empty image accepted");
    CHECK(opc_letterbox_plan(10, 10, 257, 0, &lb, &err) == OPC_ERR_ARG, "net height 0 accepted");
    opc_test_shared();
    cJSON *ref = pn_ref_json(opc_test_shared_path("testdata/posenet/resolution_and_letterbox.json"));
    CHECK(ref, "resolution_and_letterbox.json unreadable");
    int resolutions = resolution_examples(ref), boxes = letterbox_examples(ref);
    cJSON_Delete(ref);
    double worst = 0;
    int photos = photo_inputs(&worst);
    CHECK(resolutions == 28 && boxes == 12 && photos == 11,
          "%d resolution, %d letterbox and %d photo cases, expected 28, 12, 11", resolutions,
          boxes, photos);
    printf("letterbox: %d resolutions, %d letterboxes (points through the view within 1e-9); "
           "%d photo inputs bit-exact, "
           "multiply-add normalisation within %.3g\n",
           resolutions, boxes, photos, worst);
    return opc_test_result();
}
