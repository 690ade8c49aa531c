/* The decoder table: a model's head names its decoder family ("paf", ...), and the first
 * row of that family turns the network's outputs into people. Adding a family is adding a
 * row (decoders.c) and its folder here. A decoder knows nothing of graphs or files: only
 * what opc_decoder_model says of the model. */
#ifndef OPC_DECODE_DECODER_H
#define OPC_DECODE_DECODER_H

#include "core/threadpool.h"
#include "openpose-c/estimate.h"

/* What a decoder is told of the model. */
typedef struct opc_decoder_model {
    const opc_head *head;
    const opc_keypoint_set *keypoints;
    int n_outputs;
    const char *const *output_names;
    const int *output_channels;   /* channels of each output */
    int stride;                   /* outputs are 1/stride of the input */
    const char *where;            /* for messages: the model's file or name */
} opc_decoder_model;

/* One image's network outputs. */
typedef struct opc_decode_input {
    int n_views, n_outputs;
    const opc_view *views;             /* [n_views]: how each input sits in the image */
    const opc_tensor *outputs;         /* [view * n_outputs + output] */
    int img_w, img_h;
    opc_pool *pool;                    /* the net's threads, for work shared out (or NULL) */
} opc_decode_input;

typedef struct opc_decoder {
    const char *family;
    /* The family's options for this model (its params may set them, as a PAF topology's
     * thresholds do); leaves o untouched where the params cannot be read. */
    void (*defaults)(const opc_decoder_model *m, opc_decode_options *o);
    /* Reads and checks the head's params against the keypoints and outputs, and makes the
     * decoder's state; a one-line error naming m->where otherwise. */
    int (*create)(const opc_decoder_model *m, const opc_decode_options *o, void **state,
                  opc_error *err);
    /* People in image pixels, sorted by score (out->num_parts = the keypoint set's). */
    int (*decode)(void *state, const opc_decode_input *in, opc_people *out, opc_error *err);
    void (*destroy)(void *state);
} opc_decoder;

/* The first row whose family is m->head->decoder, or NULL (with err: the families known). */
const opc_decoder *opc_decoder_find(const opc_decoder_model *m, opc_error *err);

/* Whether a model's head can be decoded: its family exists and accepts its params with the
 * family's default options (what opening or writing a model checks). */
int opc_decoder_check(const opc_decoder_model *m, opc_error *err);

/* The rows (decoders.c) come from each family's folder. */
extern const opc_decoder opc_paf_decoder;
extern const opc_decoder opc_posenet_decoder;

#endif
