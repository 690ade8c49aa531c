/* Top-down crops (image.h): a person box -> the window the network sees -> its pixels; and
 * the "crop" placement row, one view per box (two with the flip test: the second mirrored,
 * its sx negative). Views map image pixel indices to net-input pixel indices, pixel centres
 * at integers as MMPose's warp has them. */
#include <math.h>
#include <stdlib.h>

#include "image/placement.h"

void opc_crop_from_box(double x, double y, double bw, double bh, double padding, int net_w,
                       int net_h, opc_crop *c)
{
    double aspect = (double)net_w / net_h, w = bw * padding, h = bh * padding;
    /* MMPose's _fix_aspect_ratio: grow the side that is too short. */
    if (w > h * aspect)
        h = w / aspect;
    else
        w = h * aspect;
    *c = (opc_crop){x + bw * 0.5, y + bh * 0.5, w, h};
}

/* Bilinear interpolation of img at the points (xs[u], ys[v]) into dst (net_h x net_w x 3
 * floats, RGB); neighbours outside the image count as 0. */
static void sample(const opc_image *img, const double *xs, const double *ys, int net_w,
                   int net_h, float *dst)
{
    const int W = img->width, H = img->height;
    for (int v = 0; v < net_h; v++) {
        double fly = floor(ys[v]), fy = ys[v] - fly;
        int y0 = !(fly >= -2) ? -2 : fly > 1e9 ? (int)1e9 : (int)fly; /* far out or NaN: 0 */
        for (int u = 0; u < net_w; u++) {
            double flx = floor(xs[u]), fx = xs[u] - flx;
            int x0 = !(flx >= -2) ? -2 : flx > 1e9 ? (int)1e9 : (int)flx;
            double acc[3] = {0, 0, 0};
            for (int dy = 0; dy < 2; dy++) {
                int yy = y0 + dy;
                double wy = dy ? fy : 1 - fy;
                if (yy < 0 || yy >= H || wy == 0)
                    continue;
                for (int dx = 0; dx < 2; dx++) {
                    int xx = x0 + dx;
                    double wgt = wy * (dx ? fx : 1 - fx);
                    if (xx < 0 || xx >= W || wgt == 0)
                        continue;
                    const unsigned char *px = img->data + ((size_t)yy * W + xx) * 3;
                    for (int k = 0; k < 3; k++)
                        acc[k] += wgt * px[k];
                }
            }
            float *o = dst + ((size_t)v * net_w + u) * 3;
            for (int k = 0; k < 3; k++)
                o[k] = (float)acc[k];
        }
    }
}

int opc_crop_sample(const opc_image *img, const opc_crop *c, int net_w, int net_h, float *dst,
                    opc_error *err)
{
    double *xs = malloc(sizeof(double) * ((size_t)net_w + net_h));
    if (!xs)
        return opc_fail(err, OPC_ERR_NOMEM, "crop: out of memory");
    double *ys = xs + net_w;
    for (int u = 0; u < net_w; u++)
        xs[u] = u * c->w / net_w + c->cx - c->w / 2;
    for (int v = 0; v < net_h; v++)
        ys[v] = v * c->h / net_h + c->cy - c->h / 2;
    sample(img, xs, ys, net_w, net_h, dst);
    free(xs);
    return OPC_OK;
}

/* ---- the "crop" placement ---- */

static int crop_check(const opc_preprocess *pp, const opc_input_options *o, opc_error *err)
{
    if (o->net_width <= 0 || o->net_height <= 0 || o->net_width > OPC_MAX_NET_SIDE ||
        o->net_height > OPC_MAX_NET_SIDE || !opc_size_fits(pp->size_rule, pp->size_step,
                                                            o->net_width) ||
        !opc_size_fits(pp->size_rule, pp->size_step, o->net_height))
        return opc_fail(err, OPC_ERR_ARG, "net resolution %dx%d: a top-down model's crops need "
                        "both sides, %s of %d, at most %d (the model's: %dx%d)", o->net_width,
                        o->net_height, pp->size_rule, pp->size_step, OPC_MAX_NET_SIDE,
                        pp->net_width, pp->net_height);
    if (!(pp->crop_padding > 0))
        return opc_fail(err, OPC_ERR_ARG, "the model's crop padding %g is not positive",
                        pp->crop_padding);
    if (o->n_boxes < 0 || (o->n_boxes > 0 && !o->boxes))
        return opc_fail(err, OPC_ERR_ARG, "%d person boxes without their array", o->n_boxes);
    return OPC_OK;
}

static int crop_max(const opc_input_options *o)
{
    return (o->boxes ? o->n_boxes : 1) * (o->flip ? 2 : 1);
}

/* The view of crop c: net index = image index * s + t; mirrored: net_w - 1 - that. */
static opc_view crop_view(const opc_crop *c, int net_w, int net_h, int box, int mirrored)
{
    double sx = net_w / c->w, sy = net_h / c->h;
    opc_view v = {net_w, net_h, sx, sy, -(c->cx - c->w / 2) * sx, -(c->cy - c->h / 2) * sy, box};
    if (mirrored) {
        v.sx = -v.sx;
        v.tx = net_w - 1 - v.tx;
    }
    return v;
}

static int crop_views(const opc_preprocess *pp, const opc_input_options *o, int img_w,
                      int img_h, opc_view *views, int max, int *n, opc_error *err)
{
    int boxes = o->boxes ? o->n_boxes : 1;
    *n = 0;
    for (int b = 0; b < boxes; b++) {
        opc_box box = o->boxes ? o->boxes[b] : (opc_box){0, 0, (float)img_w, (float)img_h, 1};
        if (!isfinite(box.x) || !isfinite(box.y) || !(box.w >= 0) || !(box.h >= 0) ||
            !(box.w > 0 || box.h > 0) || !(box.w < 1e9f) || !(box.h < 1e9f))
            return opc_fail(err, OPC_ERR_ARG, "person box %d (%g, %g, %g, %g) is not a box", b,
                            box.x, box.y, box.w, box.h);
        opc_crop c;
        opc_crop_from_box(box.x, box.y, box.w, box.h, pp->crop_padding, o->net_width,
                          o->net_height, &c);
        for (int m = 0; m <= (o->flip != 0) && *n < max; m++)
            views[(*n)++] = crop_view(&c, o->net_width, o->net_height, b, m);
    }
    return OPC_OK;
}

/* The exact bilinear samples as floats (the networks' crops were bytes from OpenCV's
 * warp: a few grey levels away at edges, see opc_crop_sample). */
static int crop_values(const opc_image *img, const opc_view *v, const opc_preprocess *pp,
                       float *rgb, opc_error *err)
{
    double *xs = malloc(sizeof(double) * ((size_t)v->net_w + v->net_h));
    if (!xs)
        return opc_fail(err, OPC_ERR_NOMEM, "crop: out of memory");
    double *ys = xs + v->net_w;
    for (int u = 0; u < v->net_w; u++)
        xs[u] = (u - v->tx) / v->sx;
    for (int r = 0; r < v->net_h; r++)
        ys[r] = (r - v->ty) / v->sy;
    sample(img, xs, ys, v->net_w, v->net_h, rgb);
    free(xs);
    return OPC_OK;
}

const opc_placement opc_placement_crop = {"crop", crop_check, crop_views, crop_max, NULL,
                                          crop_values};
