/* PoseNet's letterbox (see letterbox.h). The resize reads the padded image through its
 * padding (zeros) without making it, with tfjs's CPU kernel arithmetic: per output row and
 * column the source position in double, floor and ceil clamped to the image, then
 * top = TL + (TR - TL) * fx, bottom likewise, v = top + (bottom - top) * fy, rounded to
 * float32 once; the model's normalisation follows (image/placement.c). */
#include "image/letterbox.h"

#include "image/placement.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int opc_letterbox_valid_side(int side, int stride)
{
    return (side - 1) % stride == 0 ? side : side / stride * stride + 1;
}

/* JavaScript's Math.round (halves up), exactly. */
static double js_round(double v)
{
    double f = floor(v);
    return v - f >= 0.5 ? f + 1.0 : f;
}

int opc_letterbox_plan(int img_w, int img_h, int net_w, int net_h, opc_letterbox *lb,
                       opc_error *err)
{
    memset(lb, 0, sizeof *lb);
    if (img_w <= 0 || img_h <= 0 || img_w > OPC_IMAGE_MAX_SIDE || img_h > OPC_IMAGE_MAX_SIDE)
        return opc_fail(err, OPC_ERR_ARG, "image: bad size %dx%d", img_w, img_h);
    if (net_w <= 0 || net_h <= 0 || net_w > OPC_MAX_NET_SIDE || net_h > OPC_MAX_NET_SIDE)
        return opc_fail(err, OPC_ERR_ARG, "net resolution %dx%d: sides must be 1 to %d", net_w,
                        net_h, OPC_MAX_NET_SIDE);
    double target = (double)net_w / net_h, aspect = (double)img_w / img_h;
    if (aspect < target)
        lb->left = lb->right = (int)js_round(0.5 * (target * img_h - img_w));
    else
        lb->top = lb->bottom = (int)js_round(0.5 * ((1.0 / target) * img_w - img_h));
    lb->net_w = net_w;
    lb->net_h = net_h;
    lb->scale_y = (double)(img_h + lb->top + lb->bottom) / net_h;
    lb->scale_x = (double)(img_w + lb->left + lb->right) / net_w;
    return OPC_OK;
}

/* Source taps of one axis: output d reads padded pixels lo[d], hi[d] with fraction f[d]. */
typedef struct {
    int *lo, *hi;
    double *f;
} axis_taps;

static int axis_init(axis_taps *a, int in, int out)
{
    a->lo = malloc((size_t)out * sizeof *a->lo);
    a->hi = malloc((size_t)out * sizeof *a->hi);
    a->f = malloc((size_t)out * sizeof *a->f);
    if (!a->lo || !a->hi || !a->f)
        return -1;
    double ratio = (double)in / out;
    for (int d = 0; d < out; d++) {
        double src = ratio * d;
        double lo = floor(src) > 0 ? floor(src) : 0;
        double hi = ceil(src) < in - 1 ? ceil(src) : in - 1;
        a->lo[d] = (int)lo;
        a->hi[d] = (int)hi;
        a->f[d] = src - lo;
    }
    return 0;
}

static void axis_free(axis_taps *a)
{
    free(a->lo);
    free(a->hi);
    free(a->f);
}

/* Channel c of padded pixel (py, px): the image's, or 0 in the padding. */
static double padded(const opc_image *img, const opc_letterbox *lb, int py, int px, int c)
{
    int y = py - lb->top, x = px - lb->left;
    if (y < 0 || y >= img->height || x < 0 || x >= img->width)
        return 0.0;
    return img->data[((size_t)y * img->width + x) * 3 + c];
}

/* The row. Views are in the package's pixel-index terms, as OpenPose's: net = image * s + t
 * with s = 1 / scale and t = padding / scale per axis. */

static int letterbox_check(const opc_preprocess *pp, const opc_input_options *o, opc_error *err)
{
    if (o->net_width < 1 || o->net_height < 1 || o->net_width > OPC_MAX_NET_SIDE ||
        o->net_height > OPC_MAX_NET_SIDE || pp->size_step < 1)
        return opc_fail(err, OPC_ERR_ARG,
                        "net resolution %dx%d: PoseNet's letterbox needs both sides, 1 to %d "
                        "(made (side - 1) a multiple of %d as the posenet package does)",
                        o->net_width, o->net_height, OPC_MAX_NET_SIDE, pp->size_step);
    return OPC_OK;
}

static int letterbox_views(const opc_preprocess *pp, const opc_input_options *o, int img_w,
                           int img_h, opc_view *views, int max, int *n, opc_error *err)
{
    opc_letterbox lb;
    int rc = letterbox_check(pp, o, err);
    if (rc == OPC_OK)
        rc = opc_letterbox_plan(img_w, img_h, opc_letterbox_valid_side(o->net_width, pp->size_step),
                                opc_letterbox_valid_side(o->net_height, pp->size_step), &lb, err);
    if (rc != OPC_OK || max < 1)
        return rc;
    views[0] = (opc_view){lb.net_w, lb.net_h, 1.0 / lb.scale_x, 1.0 / lb.scale_y,
                          lb.left / lb.scale_x, lb.top / lb.scale_y, -1};
    *n = 1;
    return OPC_OK;
}

static int letterbox_max(const opc_input_options *o)
{
    (void)o;
    return 1;
}

static int letterbox_values(const opc_image *img, const opc_view *v, const opc_preprocess *pp,
                            float *rgb, opc_error *err)
{
    opc_letterbox lb;
    int rc = opc_letterbox_plan(img->width, img->height, v->net_w, v->net_h, &lb, err);
    int in_h = img->height + lb.top + lb.bottom, in_w = img->width + lb.left + lb.right;
    axis_taps ay = {0}, ax = {0};
    if (rc == OPC_OK && (axis_init(&ay, in_h, lb.net_h) || axis_init(&ax, in_w, lb.net_w)))
        rc = opc_fail(err, OPC_ERR_NOMEM, "network input: out of memory");
    for (int y = 0; rc == OPC_OK && y < lb.net_h; y++)
        for (int x = 0; x < lb.net_w; x++)
            for (int c = 0; c < 3; c++) {
                double tl = padded(img, &lb, ay.lo[y], ax.lo[x], c);
                double tr = padded(img, &lb, ay.lo[y], ax.hi[x], c);
                double bl = padded(img, &lb, ay.hi[y], ax.lo[x], c);
                double br = padded(img, &lb, ay.hi[y], ax.hi[x], c);
                double top = tl + (tr - tl) * ax.f[x], bottom = bl + (br - bl) * ax.f[x];
                rgb[((size_t)y * lb.net_w + x) * 3 + c] = (float)(top + (bottom - top) * ay.f[y]);
            }
    axis_free(&ay);
    axis_free(&ax);
    (void)pp;
    return rc;
}

const opc_placement opc_placement_letterbox = {"letterbox", letterbox_check, letterbox_views,
                                               letterbox_max, NULL, letterbox_values};
