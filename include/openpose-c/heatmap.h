/* Heatmap decoding of single-person (top-down) networks: one map per keypoint, the
 * keypoint at its maximum, refined by a quarter cell toward the higher neighbour, as
 * MMPose (codecs/utils: get_heatmap_maximum, refine_keypoints) or Newell's Stacked
 * Hourglass code (pose-hg-train getPreds) do it; the flip test that averages the maps of
 * the mirrored input; the mapping from map cells back to the image. Pure functions over
 * arrays, usable on any tensor a network gives. Coordinates are 0-based: x = column,
 * y = row of the map. */
#ifndef OPENPOSE_C_HEATMAP_H
#define OPENPOSE_C_HEATMAP_H

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    OPC_REFINE_NONE = 0,   /* the argmax cell as is */
    OPC_REFINE_MMPOSE = 1, /* x += sign(h[y][x+1] - h[y][x-1]) / 4 iff 1 < x < W-1 and y > 0;
                              y += sign(h[y+1][x] - h[y-1][x]) / 4 iff 1 < y < H-1 and x > 0
                              (MMPose's exact conditions: x = 1 or y = 1 is not refined) */
    OPC_REFINE_NEWELL = 2  /* both axes iff 1 <= x <= W-2 and 1 <= y <= H-2 */
} opc_heatmap_refine;

typedef struct opc_heatmap_peak {
    int ax, ay;       /* the first maximum in row-major order (ties: smallest y, then x) */
    float maxval;     /* the map's value there (the keypoint's score) */
    int valid;        /* maxval > 0 */
    double x, y;      /* the refined position in cells; (-1, -1) when not valid */
} opc_heatmap_peak;

/* The "heatmap" decoder's options (opc_decode_options.heatmap); the defaults are the
 * model head's. */
typedef struct opc_heatmap_options {
    opc_heatmap_refine refine;  /* the quarter-cell rule */
    int flip_shift;             /* the flip test shifts the mirrored maps back one cell
                                   (MMPose's shift_heatmap) */
    int number_people_max;      /* keep the best N people of an image; <= 0 = all */
} opc_heatmap_options;

/* The peak of one map h (hgt rows of w floats), refined by rule. w, hgt >= 1. */
void opc_heatmap_peak_find(const float *h, int w, int hgt, opc_heatmap_refine rule,
                           opc_heatmap_peak *p);

/* The peak of every channel of maps (1 x K x H x W) into peaks[K]. */
void opc_heatmap_decode(const opc_tensor *maps, opc_heatmap_refine rule, opc_heatmap_peak *peaks);

/* MMPose's flip test (models/utils/tta.py flip_heatmaps, heatmap mode): flipped holds
 * the maps of the horizontally mirrored input; they are mirrored back, channel k taken
 * from its mirror partner flip[k] (left <-> right), shifted one cell to the right when
 * shift is set (MMPose's shift_heatmap, its default: column 0 keeps its value), and
 * averaged with maps, in place. Both 1 x K x H x W of equal shape; flip[k] in 0..K-1. */
int opc_heatmap_flip_average(opc_tensor *maps, const opc_tensor *flipped, const int *flip,
                             int shift, opc_error *err);

/* A map position (x, y) of a map_w x map_h map to image pixels, for a crop centred at
 * (cx, cy) of crop_w x crop_h image pixels: x * crop_w / map_w + cx - crop_w / 2 (MMPose's
 * codec scale and add_pred_to_datasample, without a half-pixel offset). */
void opc_heatmap_to_image(double x, double y, int map_w, int map_h, double cx, double cy,
                          double crop_w, double crop_h, double *img_x, double *img_y);

#ifdef __cplusplus
}
#endif
#endif
