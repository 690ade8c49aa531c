/* Ground-truth network outputs for the parser's tests and benchmark: the maps a perfect
 * OpenPose network would produce for given skeletons, drawn the way OpenPose's training
 * draws its targets, plus a generator of plausible random skeletons.
 *
 * Coordinates are net-input pixels in OpenPose's output convention: pixel i covers
 * [i, i+1), so the centre of the top-left pixel is (0.5, 0.5). Map cell g (stride 8)
 * covers net pixels [8g, 8g+8) and is drawn at its centre 8g + 4: this is where
 * OpenPose's training places cell centres (8g + 3.5 in pixel indices) and what
 * cv::resize's half-pixel mapping assumes when the maps are upsampled. Hence a keypoint
 * drawn at (x, y) should be parsed back at (x, y). */
#ifndef OPC_TOOLS_GT_RENDER_H
#define OPC_TOOLS_GT_RENDER_H

#include <stdint.h>

#include "openpose-c/tensor.h"
#include "openpose-c/paf.h"

typedef struct {
    int stride;       /* map cell size in net pixels (8) */
    float sigma;      /* heatmap Gaussian std-dev in net pixels (OpenPose trains with 7) */
    float limb_width; /* PAF half-width in net pixels (OpenPose: one cell, 8) */
} gt_style;

/* stride 8, sigma 7, limb_width 8. */
gt_style gt_default_style(void);

/* Draws the maps of n people into out (allocated 1 x total_channels x ceil(net_h/stride)
 * x ceil(net_w/stride)). people is n x num_parts x 3: x, y, v; parts with v > 0 are drawn.
 * Heatmaps: max over people of exp(-d^2 / 2 sigma^2) (paper eq. 6), background 1 - max of
 * the parts. PAFs: the unit vector A->B at cells whose centre is within limb_width of the
 * line AB and of the box spanned by A and B (OpenPose's training draws them so; the paper's
 * strict segment would leave A itself on the field's edge), averaged over the people
 * covering a cell (eq. 9); drawn only when both ends are visible. */
int gt_render(const opc_paf_topology *t, const gt_style *s, int net_w, int net_h,
              const float *people, int n, opc_tensor *out);

/* Deterministic random numbers (splitmix64). */
typedef struct {
    uint64_t state;
} gt_rng;
uint32_t gt_next(gt_rng *r);
float gt_uniform(gt_rng *r, float lo, float hi);

/* A random plausible pose of the topology's parts, all visible (v = 1), scaled so that its
 * bounding box is at most box_w x box_h, centred at (cx, cy): random arm and leg angles,
 * head turn, slight lean, facing the camera or away (left and right swapped). Parts are
 * matched to an internal BODY_25 skeleton by name; MPI's Head is the top of the head and
 * its Chest the middle of neck and mid-hip. kp is num_parts x 3. */
void gt_random_pose(const opc_paf_topology *t, gt_rng *r, float cx, float cy, float box_w,
                    float box_h, float *kp);

/* Keeps only the largest connected piece of a person's visible parts (joined by limbs
 * that are not fill-only): a person split in pieces would be parsed as several people.
 * Parts outside [margin, w - margin) x [margin, h - margin) become invisible first.
 * Returns the number of visible parts that count toward min parts. */
int gt_visible_piece(const opc_paf_topology *t, float *kp, int w, int h, float margin);

/* Smallest distance between the same part of two different people (both visible), or
 * a large number. */
float gt_min_same_part_distance(const opc_paf_topology *t, const float *people, int n);

/* The smallest projection, over every cell where a person's limb is drawn, of the drawn
 * (averaged) field on that limb's direction: 1 when no other limb of the same type comes
 * near, lower where such limbs cross, 0 or less where they overlap head-on, which no PAF
 * parser can untangle. */
float gt_min_limb_agreement(const opc_paf_topology *t, const gt_style *s, const opc_tensor *maps,
                            const float *people, int n);

/* The largest share of a wrong pairing (part A of one person, part B of another) that runs
 * along drawn limbs of its type in its direction: near 1 when such limbs lie head to tail
 * on one line, which makes the wrong pairing as good a limb as the right ones. */
float gt_max_false_limb_support(const opc_paf_topology *t, const gt_style *s, const float *people,
                                int n);

#endif
