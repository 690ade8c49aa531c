/* One call from an image to people: OpenPose's preprocessing at one or several scales,
 * the network, the maps merged and parsed.
 *
 *     opc_model *m = opc_model_open("models/lwopenpose.opc", &err);
 *     opc_estimator_options o;
 *     opc_estimator_options_default(&o, m);
 *     opc_estimator *e = opc_estimator_create(m, &o, &err);
 *     opc_image img;
 *     opc_image_load("photo.jpg", &img, &err);
 *     opc_people people;
 *     opc_estimate(e, &img, &people, &err);   // people.count, people.keypoints
 *
 * An estimator is used by one thread at a time. For pipelines, opc_estimate is split in
 * opc_estimator_prepare (decoding's companion: no network, may run on another thread
 * while the network runs) and opc_estimator_run. */
#ifndef OPENPOSE_C_ESTIMATE_H
#define OPENPOSE_C_ESTIMATE_H

#include "error.h"
#include "image.h"
#include "model.h"
#include "net.h"
#include "pose.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Keypoint coordinates (OpenPose's --keypoint_scale 0, 3, 4). */
typedef enum {
    OPC_KEYPOINTS_PIXELS = 0,   /* image pixels */
    OPC_KEYPOINTS_UNIT = 1,     /* x / (width - 1), y / (height - 1): 0..1 */
    OPC_KEYPOINTS_SIGNED = 2    /* the same mapped to -1..1 */
} opc_keypoint_scale;

typedef struct opc_estimator_options {
    opc_net_options net;        /* threads (0 = all CPUs), engine */
    int net_width, net_height;  /* net resolution; 0x0 = the model's default; one side may
                                   be -1 (from the image's aspect ratio) */
    int scale_number;           /* scales 1, 1 - gap, 1 - 2 gap, ... (1 = single scale) */
    double scale_gap;
    opc_parse_params parse;
    opc_keypoint_scale keypoint_scale;
} opc_estimator_options;

typedef struct opc_estimator opc_estimator;

/* Defaults: the model's net resolution, one scale (gap 0.25 when more are asked for),
 * the topology's parser defaults, pixels. */
void opc_estimator_options_default(opc_estimator_options *o, const opc_model *m);

/* The model must outlive the estimator. */
opc_estimator *opc_estimator_create(const opc_model *m, const opc_estimator_options *o,
                                    opc_error *err);
void opc_estimator_free(opc_estimator *e);

int opc_estimate(opc_estimator *e, const opc_image *img, opc_people *people, opc_error *err);

/* The network inputs of one image at every scale; independent of the estimator's state,
 * so it may be made on another thread while opc_estimator_run works. */
typedef struct opc_prepared opc_prepared;
int opc_estimator_prepare(const opc_estimator *e, const opc_image *img, opc_prepared **out,
                          opc_error *err);
int opc_estimator_run(opc_estimator *e, const opc_prepared *in, opc_people *people,
                      opc_error *err);
void opc_prepared_free(opc_prepared *p);

/* The raw network outputs of the last run, one per scale: 1 x C x net_h/8 x net_w/8,
 * heatmaps then PAFs in the model topology's layout. Valid until the next run. */
int opc_estimator_outputs(const opc_estimator *e, const opc_tensor **maps);

/* Converts pixel keypoints of an img_w x img_h image to another scale; missing parts
 * stay (0, 0, 0), unlike OpenPose, which moves them too. */
void opc_people_rescale(opc_people *p, int img_w, int img_h, opc_keypoint_scale to);

#ifdef __cplusplus
}
#endif
#endif
