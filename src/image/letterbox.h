/* PoseNet's placement, "letterbox" (the posenet package's padAndResizeTo and
 * scaleAndFlipPoses): the image padded with black to the net's aspect ratio, split evenly
 * on both sides, then resized to the net size with TensorFlow's legacy bilinear rule; a
 * position goes back with the padded size over the net size, minus the padding. Net sides
 * follow the package's toValidInputResolution: (side - 1) a multiple of the output stride.
 * The placement row is opc_placement_letterbox (image/placement.h). */
#ifndef OPC_IMAGE_LETTERBOX_H
#define OPC_IMAGE_LETTERBOX_H

#include "openpose-c/image.h"

typedef struct opc_letterbox {
    int net_w, net_h;
    int top, bottom, left, right;  /* black rows and columns added around the image */
    double scale_y, scale_x;       /* padded image pixels per net pixel */
} opc_letterbox;

/* toValidInputResolution: side if (side - 1) % stride == 0, else floor(side / stride) *
 * stride + 1 (which may round up by one). */
int opc_letterbox_valid_side(int side, int stride);

/* The padding and scales for a img_w x img_h image into net_w x net_h; JavaScript's
 * Math.round on the half padding, in doubles as the package computes it. */
int opc_letterbox_plan(int img_w, int img_h, int net_w, int net_h, opc_letterbox *lb,
                       opc_error *err);

#endif
