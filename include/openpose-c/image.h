/* Images: decoding (JPEG, PNG, BMP, PPM/PGM, TGA), network inputs as the model's
 * preprocessing says, and writing pictures (PNG, JPEG). Pixels are 8-bit RGB, interleaved;
 * the model's channel order (BGR for OpenPose and tf-pose) is applied when the network
 * input is made, so one decoded image serves any model. */
#ifndef OPENPOSE_C_IMAGE_H
#define OPENPOSE_C_IMAGE_H

#include <stddef.h>

#include "error.h"
#include "model.h"
#include "keypoints.h"
#include "people.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Images larger than this are refused before any pixel memory is allocated. */
#define OPC_IMAGE_MAX_SIDE 16384
#define OPC_IMAGE_MAX_PIXELS 100000000L
#define OPC_IMAGE_MAX_FILE_BYTES (512u << 20)

typedef struct opc_image {
    int width, height;
    unsigned char *data;  /* height x width x 3, RGB, row-major */
} opc_image;

/* Decodes an encoded image held in memory; name is used in error messages. Grey and
 * grey+alpha images become RGB, alpha is dropped; a JPEG's EXIF orientation is applied
 * (as OpenCV's imread does), so the image is upright as viewers show it. */
int opc_image_decode(const void *data, size_t size, const char *name, opc_image *img,
                     opc_error *err);
/* Reads and decodes a file; "-" reads one encoded image from stdin. */
int opc_image_load(const char *path, opc_image *img, opc_error *err);
/* Allocates a black width x height image. */
int opc_image_alloc(opc_image *img, int width, int height, opc_error *err);
void opc_image_free(opc_image *img);

/* Writes img atomically as PNG, or as JPEG (quality 90) when path ends in .jpg/.jpeg. */
int opc_image_write(const char *path, const opc_image *img, opc_error *err);

/* Draws the people (keypoints in image pixels) onto img in OpenPose's colours and
 * proportions: the keypoint set's skeleton and part colours. */
void opc_render_people(opc_image *img, const opc_keypoint_set *k, const opc_people *people);

/* ---- Network inputs ----
 *
 * The model's preprocessing (openpose-c/model.h) says how an image becomes the network's
 * input: its placement puts the image into one or more views (OpenPose's "top_left": the
 * image scaled into the top-left of the canvas, at several scales; PoseNet's "letterbox";
 * top-down's "crop": one view per person box), each made into a tensor, then normalised. */

#define OPC_MAX_SCALES 8
#define OPC_MAX_NET_SIDE 4096 /* a side of the network input */

/* How one network input sits in the image: net-input pixel = image pixel * s + t, per
 * axis (pixel centres: OpenPose's convention, pixel i covers [i, i+1)). */
typedef struct opc_view {
    int net_w, net_h;
    double sx, sy, tx, ty;
    int box;            /* "crop": the person box this view holds; -1 otherwise */
} opc_view;

/* A person box in image pixels (top-down models). */
typedef struct opc_box {
    float x, y, w, h;   /* top-left corner and size */
    float score;
} opc_box;

/* What the views of one image depend on besides the image. */
typedef struct opc_input_options {
    int net_width, net_height; /* net resolution; a side may be -1 where the placement
                                  allows it (from the image's aspect ratio) */
    int scale_number;          /* "top_left": scales 1, 1 - gap, ... (OpenPose) */
    double scale_gap;
    const opc_box *boxes;      /* "crop": the person boxes */
    int n_boxes;
} opc_input_options;

/* Checks a net resolution against the model's placement and size rule before any image
 * (a user's --net-resolution): a message saying what fits when it does not. */
int opc_input_check(const opc_preprocess *pp, const opc_input_options *o, opc_error *err);

/* The views of an img_w x img_h image: *views (malloc'd, the caller frees) of *n. */
int opc_input_views(const opc_preprocess *pp, const opc_input_options *o, int img_w, int img_h,
                    opc_view **views, int *n, opc_error *err);

/* The network input of one view: 1 x 3 x net_h x net_w (allocated), value = pixel *
 * pp->scale[c] + pp->offset[c] with channel c taken from pp->channel_order. */
int opc_input_make(const opc_image *img, const opc_view *v, const opc_preprocess *pp,
                   opc_tensor *out, opc_error *err);

/* ---- OpenPose's placement ("top_left"), exposed for tests and other callers ---- */

/* The net input size and image->net scale of every scale of one image (OpenPose's
 * ScaleAndSizeExtractor). */
typedef struct opc_scale_plan {
    int count;
    int net_w[OPC_MAX_SCALES], net_h[OPC_MAX_SCALES];
    double scale[OPC_MAX_SCALES];  /* net pixel = image pixel * scale */
} opc_scale_plan;

/* net_w x net_h is the requested net resolution; one of them may be -1 (derived from the
 * image's aspect ratio in multiples of step, capped at the 16:9 size). Scale k is
 * 1 - k * scale_gap of it, rounded down to multiples of step (OpenPose: 16). */
int opc_scale_plan_make(int img_w, int img_h, int net_w, int net_h, int scale_number,
                        double scale_gap, int step, opc_scale_plan *plan, opc_error *err);

/* Scales an RGB image by s into a dst_w x dst_h canvas anchored at the top-left, exactly
 * as OpenCV 4's warpAffine with matrix [[s,0,0],[0,s,0]], BORDER_CONSTANT 0, bilinear
 * when s <= 1 (OpenPose asks for INTER_AREA, which warpAffine treats as bilinear) and
 * bicubic when s > 1: dst(x, y) = src(x / s, y / s) in 1/32-pixel fixed point with
 * 15-bit weights. dst holds dst_h x dst_w x 3 bytes. */
int opc_warp_scale(const opc_image *src, double s, unsigned char *dst, int dst_w, int dst_h,
                   opc_error *err);

/* Normalises dst_w x dst_h interleaved RGB pixels into out (allocated 1 x 3 x H x W) as
 * the model's preprocessing says. */
int opc_pixels_to_input(const unsigned char *px, int w, int h, const opc_preprocess *pp,
                        opc_tensor *out, opc_error *err);

#ifdef __cplusplus
}
#endif
#endif
