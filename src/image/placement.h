/* The placement table: how an image enters the network (openpose-c/image.h, "Network
 * inputs"). A model's preprocessing names its placement and size rule; adding a way is
 * adding a row. */
#ifndef OPC_IMAGE_PLACEMENT_H
#define OPC_IMAGE_PLACEMENT_H

#include "openpose-c/image.h"

typedef struct opc_placement {
    const char *name;
    /* Checks the options (net resolution, scales, boxes) before any image. */
    int (*check)(const opc_preprocess *pp, const opc_input_options *o, opc_error *err);
    /* The views of an img_w x img_h image, into views (at most max of them); *n gets their
     * number. */
    int (*views)(const opc_preprocess *pp, const opc_input_options *o, int img_w, int img_h,
                 opc_view *views, int max, int *n, opc_error *err);
    /* The most views an image can have under these options. */
    int (*max_views)(const opc_input_options *o);
    /* The view's pixels, interleaved RGB (net_w x net_h x 3), before normalisation. */
    int (*pixels)(const opc_image *img, const opc_view *v, const opc_preprocess *pp,
                  unsigned char *px, opc_error *err);
    /* Instead of pixels (NULL when unused), for placements whose resampling falls between
     * grey levels (PoseNet's bilinear resize in double): the same as float values. */
    int (*values)(const opc_image *img, const opc_view *v, const opc_preprocess *pp,
                  float *rgb, opc_error *err);
} opc_placement;

/* The row called name, or NULL. */
const opc_placement *opc_placement_find(const char *name);

/* Whether side fits the size rule ("multiple" or "plus_one" of step); NULL rule: none. */
int opc_size_rule_known(const char *rule);
int opc_size_fits(const char *rule, int step, int side);

/* The rows, from each placement's file. */
extern const opc_placement opc_placement_top_left;
extern const opc_placement opc_placement_letterbox;

#endif
