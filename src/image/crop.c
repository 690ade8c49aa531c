/* Top-down crops (image.h): a person box -> the window the network sees -> its pixels. */
#include <math.h>

#include "openpose-c/image.h"

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

/* Bilinear weights of one axis: the two source indices and the second's weight. */
static void axis(double p, int *i0, double *f)
{
    double fl = floor(p);
    *i0 = !(fl >= -2) ? -2 : fl > 1e9 ? (int)1e9 : (int)fl; /* far outside (or NaN): 0 */
    *f = p - fl;
}

void opc_crop_sample(const opc_image *img, const opc_crop *c, int net_w, int net_h, float *dst)
{
    const int W = img->width, H = img->height;
    for (int v = 0; v < net_h; v++) {
        int y0;
        double fy;
        axis(v * c->h / net_h + c->cy - c->h / 2, &y0, &fy);
        for (int u = 0; u < net_w; u++) {
            int x0;
            double fx;
            axis(u * c->w / net_w + c->cx - c->w / 2, &x0, &fx);
            float *o = dst + ((size_t)v * net_w + u) * 3;
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
            for (int k = 0; k < 3; k++)
                o[k] = (float)acc[k];
        }
    }
}
