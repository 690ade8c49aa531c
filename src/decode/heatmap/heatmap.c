/* Heatmap peaks, their quarter-cell refinement, the flip test and the mapping to the
 * image (openpose-c/heatmap.h). */
#include "openpose-c/heatmap.h"


static double sign(float d) { return (d > 0) - (d < 0); }

void opc_heatmap_peak_find(const float *h, int w, int hgt, opc_heatmap_refine rule,
                           opc_heatmap_peak *p)
{
    int best = 0;
    size_t n = (size_t)w * hgt;
    for (size_t i = 1; i < n; i++)
        if (h[i] > h[best])
            best = (int)i;
    int x = best % w, y = best / w;
    *p = (opc_heatmap_peak){x, y, h[best], h[best] > 0, -1, -1};
    if (!p->valid)
        return;
    p->x = x;
    p->y = y;
    int shift_x, shift_y;
    if (rule == OPC_REFINE_MMPOSE) {
        shift_x = 1 < x && x < w - 1 && y > 0;
        shift_y = 1 < y && y < hgt - 1 && x > 0;
    } else if (rule == OPC_REFINE_NEWELL) {
        shift_x = shift_y = 1 <= x && x <= w - 2 && 1 <= y && y <= hgt - 2;
    } else {
        shift_x = shift_y = 0;
    }
    const float *row = h + (size_t)y * w;
    if (shift_x)
        p->x += 0.25 * sign(row[x + 1] - row[x - 1]);
    if (shift_y)
        p->y += 0.25 * sign(row[x + w] - row[x - w]);
}

void opc_heatmap_decode(const opc_tensor *maps, opc_heatmap_refine rule, opc_heatmap_peak *peaks)
{
    size_t plane = (size_t)maps->w * maps->h;
    for (int k = 0; k < maps->c; k++)
        opc_heatmap_peak_find(maps->data + k * plane, maps->w, maps->h, rule, &peaks[k]);
}

int opc_heatmap_flip_average(opc_tensor *maps, const opc_tensor *flipped, const int *flip,
                             int shift, opc_error *err)
{
    int K = maps->c, H = maps->h, W = maps->w;
    if (maps->n != 1 || flipped->n != 1 || flipped->c != K || flipped->h != H || flipped->w != W)
        return opc_fail(err, OPC_ERR_ARG, "flip test: maps %dx%dx%dx%d and flipped maps "
                        "%dx%dx%dx%d differ", maps->n, K, H, W, flipped->n, flipped->c,
                        flipped->h, flipped->w);
    for (int k = 0; k < K; k++)
        if (flip[k] < 0 || flip[k] >= K)
            return opc_fail(err, OPC_ERR_ARG, "flip test: keypoint %d's partner %d is not one "
                            "of the %d", k, flip[k], K);
    size_t plane = (size_t)W * H;
    for (int k = 0; k < K; k++)
        for (int y = 0; y < H; y++) {
            float *o = maps->data + k * plane + (size_t)y * W;
            const float *f = flipped->data + flip[k] * plane + (size_t)y * W;
            /* back[x] = f[W-1-x]; shifted: back[x-1] for x >= 1, back[0] at 0. */
            for (int x = 0; x < W; x++) {
                int from = shift && x > 0 ? x - 1 : x;
                o[x] = (o[x] + f[W - 1 - from]) * 0.5f;
            }
        }
    return OPC_OK;
}

void opc_heatmap_to_image(double x, double y, int map_w, int map_h, double cx, double cy,
                          double crop_w, double crop_h, double *img_x, double *img_y)
{
    *img_x = x * crop_w / map_w + cx - crop_w / 2;
    *img_y = y * crop_h / map_h + cy - crop_h / 2;
}
