/* OpenPose's placement ("top_left"): per image and scale the net size and scale
 * (ScaleAndSizeExtractor), the image scaled into the top-left of the canvas
 * (resizeFixedAspectRatio, opc_warp_scale). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/placement.h"

/* OpenPose's intRound: add one half, truncate. */
static int int_round(double v) { return (int)(v + 0.5); }

int opc_scale_plan_make(int img_w, int img_h, int net_w, int net_h, int scale_number,
                        double scale_gap, int step, opc_scale_plan *plan, opc_error *err)
{
    memset(plan, 0, sizeof *plan);
    if (img_w <= 0 || img_h <= 0)
        return opc_fail(err, OPC_ERR_ARG, "image: bad size %dx%d", img_w, img_h);
    if (net_w <= 0 && net_h <= 0)
        return opc_fail(err, OPC_ERR_ARG,
                        "net resolution %dx%d: only one dimension may be -1", net_w, net_h);
    if (step < 1 || (net_w > 0 && net_w % step) || (net_h > 0 && net_h % step) ||
        net_w > OPC_MAX_NET_SIDE || net_h > OPC_MAX_NET_SIDE)
        return opc_fail(err, OPC_ERR_ARG,
                        "net resolution %dx%d: sides must be multiples of %d, at most %d",
                        net_w, net_h, step, OPC_MAX_NET_SIDE);
    if (scale_number < 1 || scale_number > OPC_MAX_SCALES)
        return opc_fail(err, OPC_ERR_ARG, "scale number %d: must be 1 to %d", scale_number,
                        OPC_MAX_SCALES);
    if (scale_number > 1 && !(scale_gap > 0 && 1.0 - (scale_number - 1) * scale_gap > 0))
        return opc_fail(err, OPC_ERR_ARG,
                        "scale gap %g: must be > 0 with 1 - (scale number - 1) * gap > 0",
                        scale_gap);
    /* The free side follows the aspect ratio in float as OpenPose computes it, capped at
     * the 16:9 size (OpenPose's --net_resolution_dynamic 1, its default); OpenPose's step
     * is 16, Lightweight OpenPose's 8. */
    const float fs = (float)step;
    if (net_w <= 0) {
        int cap = step * int_round(net_h * 16.f / 9.f / fs);
        net_w = step * int_round(net_h * img_w / (float)img_h / fs);
        net_w = net_w < step ? step : net_w > cap ? cap : net_w;
    } else if (net_h <= 0) {
        int cap = step * int_round(net_w * 16.f / 9.f / fs);
        net_h = step * int_round(net_w * img_h / (float)img_w / fs);
        net_h = net_h < step ? step : net_h > cap ? cap : net_h;
    }
    for (int i = 0; i < scale_number; i++) {
        double cur = 1.0 - i * scale_gap;
        int w = int_round(net_w * cur) / step * step, h = int_round(net_h * cur) / step * step;
        if (w < 16 || h < 16)
            return opc_fail(err, OPC_ERR_ARG,
                            "scale %d (%.2f of %dx%d) leaves a net input under 16 pixels", i,
                            cur, net_w, net_h);
        w = w > net_w ? net_w : w;
        h = h > net_h ? net_h : h;
        /* (target - 1) / (image - 1): OpenPose maps the corner pixels onto each other. */
        double rw = img_w > 1 ? (w - 1) / (double)(img_w - 1) : INFINITY;
        double rh = img_h > 1 ? (h - 1) / (double)(img_h - 1) : INFINITY;
        double s = rw < rh ? rw : rh;
        plan->net_w[i] = w;
        plan->net_h[i] = h;
        plan->scale[i] = isinf(s) ? 1.0 : s;
    }
    plan->count = scale_number;
    return OPC_OK;
}

static int top_left_check(const opc_preprocess *pp, const opc_input_options *o, opc_error *err)
{
    opc_scale_plan probe;
    return opc_scale_plan_make(640, 480, o->net_width, o->net_height, o->scale_number,
                               o->scale_gap, pp->size_step, &probe, err);
}

static int top_left_views(const opc_preprocess *pp, const opc_input_options *o, int img_w,
                          int img_h, opc_view *views, int max, int *n, opc_error *err)
{
    opc_scale_plan plan;
    int rc = opc_scale_plan_make(img_w, img_h, o->net_width, o->net_height, o->scale_number,
                                 o->scale_gap, pp->size_step, &plan, err);
    if (rc != OPC_OK)
        return rc;
    for (int i = 0; i < plan.count && i < max; i++)
        views[i] = (opc_view){plan.net_w[i], plan.net_h[i], plan.scale[i], plan.scale[i], 0, 0,
                              -1};
    *n = plan.count < max ? plan.count : max;
    return OPC_OK;
}

static int top_left_max(const opc_input_options *o) { return o->scale_number; }

static int top_left_pixels(const opc_image *img, const opc_view *v, const opc_preprocess *pp,
                           unsigned char *px, opc_error *err)
{
    return opc_warp_scale(img, v->sx, px, v->net_w, v->net_h, err);
}

const opc_placement opc_placement_top_left = {"top_left", top_left_check, top_left_views,
                                              top_left_max, top_left_pixels, NULL};
