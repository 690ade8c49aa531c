/* One call from an image to people, for every model family: the model's preprocessing
 * makes the network inputs (views) of the image, the network runs on each, and the decoder
 * the model's head names turns the outputs into people.
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
#include "paf.h"
#include "people.h"
#include "posenet.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every decoder family's options, each read by its own decoder only; the defaults are
 * the family's origin's (OpenPose's for the model's topology, ...). */
typedef struct opc_decode_options {
    opc_parse_params paf;       /* "paf": OpenPose's parser */
    opc_posenet_options posenet;/* "posenet": the posenet package's decoders */
} opc_decode_options;

typedef struct opc_estimator_options {
    opc_net_options net;        /* threads (0 = all CPUs), engine */
    opc_input_options input;    /* net resolution (0x0 = the model's default; one side may
                                   be -1: from the image's aspect ratio), scales, boxes */
    opc_decode_options decode;
    opc_keypoint_scale keypoint_scale;
} opc_estimator_options;

typedef struct opc_estimator opc_estimator;

/* Defaults: the model's net resolution, one scale (gap 0.25 when more are asked for), the
 * decoder's defaults for the model's head, pixels. */
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

/* The raw network outputs of the last run: *outputs points at views x outputs tensors,
 * the model's outputs of each view in turn (view v, output k at v * n_outputs + k);
 * returns the number of views. Valid until the next run. */
int opc_estimator_outputs(const opc_estimator *e, const opc_tensor **outputs, int *n_outputs);

#ifdef __cplusplus
}
#endif
#endif
