/* The estimator, the top of the library: image -> the views the model's placement makes ->
 * network inputs -> the network on each -> the decoder the model's head names -> people in
 * image pixels (or the asked keypoint scale). It knows no model family: the model file says
 * how to place the image, and the decoder table what the outputs mean. */
#include "openpose-c/estimate.h"

#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "engine/net_pool.h"
#include "model/graph.h"

/* Used when a model leaves both sides of its net resolution to the image (OpenPose's
 * -1x368). */
#define FALLBACK_NET_HEIGHT 368

struct opc_estimator {
    const opc_model *model;
    opc_estimator_options o;
    opc_net *net;
    const opc_decoder *decoder;
    void *decoder_state;
    int n_outputs;
    opc_tensor *outs;  /* copies of the last run's outputs, view by view */
    int outs_cap;      /* tensors in outs */
    int n_views;
};

struct opc_prepared {
    int img_w, img_h;
    int n_views;
    opc_view *views;
    opc_tensor *inputs;
};

/* What the decoder is told of the model; names and channels point into dm_* storage. */
typedef struct {
    opc_decoder_model dm;
    const char *names[OPC_MAX_OUTPUTS];
    int channels[OPC_MAX_OUTPUTS];
} decoder_model;

static int describe(const opc_model *m, decoder_model *d, opc_error *err)
{
    const opc_graph *g = opc_model_graph(m);
    opc_shape *shapes = calloc((size_t)g->n_blobs, sizeof *shapes);
    if (!shapes)
        return opc_fail(err, OPC_ERR_NOMEM, "estimator: out of memory");
    const opc_preprocess *pp = &g->preprocess;
    int net_w = pp->net_width > 0 ? pp->net_width : pp->net_height;
    int rc = opc_graph_infer_shapes(g, pp->net_height, net_w, shapes, err);
    for (int k = 0; rc == OPC_OK && k < g->n_outputs; k++) {
        d->names[k] = g->outputs[k].name;
        d->channels[k] = shapes[g->outputs[k].blob].c;
    }
    free(shapes);
    d->dm = (opc_decoder_model){&g->head, &g->keypoints, g->n_outputs, d->names, d->channels,
                                pp->stride, g->name ? g->name : "model"};
    return rc;
}

void opc_estimator_options_default(opc_estimator_options *o, const opc_model *m)
{
    memset(o, 0, sizeof *o);
    const opc_preprocess *pp = opc_model_preprocess(m);
    o->net.threads = 0;
    o->net.engine = OPC_ENGINE_FAST;
    o->input.net_width = pp->net_width;
    o->input.net_height = pp->net_height;
    if (o->input.net_width <= 0 && o->input.net_height <= 0) {
        o->input.net_width = -1;
        o->input.net_height = FALLBACK_NET_HEIGHT;
    }
    o->input.scale_number = 1;
    o->input.scale_gap = 0.25;
    o->keypoint_scale = OPC_KEYPOINTS_PIXELS;
    decoder_model d;
    const opc_decoder *dec;
    if (describe(m, &d, NULL) == OPC_OK && (dec = opc_decoder_find(&d.dm, NULL)))
        dec->defaults(&d.dm, &o->decode);
}

opc_estimator *opc_estimator_create(const opc_model *m, const opc_estimator_options *o,
                                    opc_error *err)
{
    opc_estimator_options def;
    if (!o) {
        opc_estimator_options_default(&def, m);
        o = &def;
    }
    /* A bad net resolution or scale set is refused now, not at every image. */
    if (opc_input_check(opc_model_preprocess(m), &o->input, err) != OPC_OK)
        return NULL;
    if (o->keypoint_scale < OPC_KEYPOINTS_PIXELS || o->keypoint_scale > OPC_KEYPOINTS_SIGNED) {
        opc_fail(err, OPC_ERR_ARG, "estimator: unknown keypoint scale %d", (int)o->keypoint_scale);
        return NULL;
    }
    decoder_model d;
    if (describe(m, &d, err) != OPC_OK)
        return NULL;
    opc_estimator *e = calloc(1, sizeof *e);
    if (!e) {
        opc_fail(err, OPC_ERR_NOMEM, "estimator: out of memory");
        return NULL;
    }
    e->model = m;
    e->o = *o;
    e->n_outputs = opc_model_num_outputs(m);
    if (!(e->decoder = opc_decoder_find(&d.dm, err)) ||
        e->decoder->create(&d.dm, &o->decode, &e->decoder_state, err) != OPC_OK ||
        !(e->net = opc_net_create(m, &o->net, err))) {
        opc_estimator_free(e);
        return NULL;
    }
    return e;
}

void opc_estimator_free(opc_estimator *e)
{
    if (!e)
        return;
    for (int i = 0; i < e->outs_cap; i++)
        opc_tensor_free(&e->outs[i]);
    free(e->outs);
    if (e->decoder_state)
        e->decoder->destroy(e->decoder_state);
    opc_net_free(e->net);
    free(e);
}

void opc_prepared_free(opc_prepared *p)
{
    if (!p)
        return;
    for (int i = 0; p->inputs && i < p->n_views; i++)
        opc_tensor_free(&p->inputs[i]);
    free(p->inputs);
    free(p->views);
    free(p);
}

int opc_estimator_prepare(const opc_estimator *e, const opc_image *img, opc_prepared **out,
                          opc_error *err)
{
    *out = NULL;
    opc_prepared *p = calloc(1, sizeof *p);
    if (!p)
        return opc_fail(err, OPC_ERR_NOMEM, "estimator: out of memory");
    p->img_w = img->width;
    p->img_h = img->height;
    const opc_preprocess *pp = opc_model_preprocess(e->model);
    int rc = opc_input_views(pp, &e->o.input, img->width, img->height, &p->views, &p->n_views,
                             err);
    if (rc == OPC_OK && !(p->inputs = calloc((size_t)p->n_views + 1, sizeof *p->inputs)))
        rc = opc_fail(err, OPC_ERR_NOMEM, "estimator: out of memory");
    for (int i = 0; rc == OPC_OK && i < p->n_views; i++)
        rc = opc_input_make(img, &p->views[i], pp, &p->inputs[i], err);
    if (rc != OPC_OK) {
        opc_prepared_free(p);
        return rc;
    }
    *out = p;
    return OPC_OK;
}

static int copy_output(opc_tensor *dst, const opc_tensor *src, opc_error *err)
{
    if (dst->data && (dst->n != src->n || dst->c != src->c || dst->h != src->h ||
                      dst->w != src->w))
        opc_tensor_free(dst);
    if (!dst->data) {
        int rc = opc_tensor_alloc(dst, src->n, src->c, src->h, src->w, err);
        if (rc != OPC_OK)
            return rc;
    }
    memcpy(dst->data, src->data, opc_tensor_count(src) * sizeof(float));
    return OPC_OK;
}

/* Room for n output tensors, kept from image to image. */
static int reserve_outs(opc_estimator *e, int n, opc_error *err)
{
    if (n <= e->outs_cap)
        return OPC_OK;
    opc_tensor *t = realloc(e->outs, (size_t)n * sizeof *t);
    if (!t)
        return opc_fail(err, OPC_ERR_NOMEM, "estimator: out of memory");
    memset(t + e->outs_cap, 0, (size_t)(n - e->outs_cap) * sizeof *t);
    e->outs = t;
    e->outs_cap = n;
    return OPC_OK;
}

int opc_estimator_run(opc_estimator *e, const opc_prepared *in, opc_people *people,
                      opc_error *err)
{
    memset(people, 0, sizeof *people);
    e->n_views = 0;
    int rc = reserve_outs(e, in->n_views * e->n_outputs, err);
    for (int v = 0; v < in->n_views && rc == OPC_OK; v++) {
        const opc_tensor *outs[OPC_MAX_OUTPUTS];
        rc = opc_net_forward_all(e->net, &in->inputs[v], outs, err);
        for (int k = 0; k < e->n_outputs && rc == OPC_OK; k++)
            rc = copy_output(&e->outs[v * e->n_outputs + k], outs[k], err);
    }
    if (rc != OPC_OK)
        return rc;
    e->n_views = in->n_views;
    opc_decode_input d = {in->n_views, e->n_outputs, in->views, e->outs, in->img_w, in->img_h,
                          opc_net_pool(e->net)};
    rc = e->decoder->decode(e->decoder_state, &d, people, err);
    if (rc == OPC_OK && e->o.keypoint_scale != OPC_KEYPOINTS_PIXELS)
        opc_people_rescale(people, in->img_w, in->img_h, e->o.keypoint_scale);
    return rc;
}

int opc_estimate(opc_estimator *e, const opc_image *img, opc_people *people, opc_error *err)
{
    opc_prepared *p;
    memset(people, 0, sizeof *people);
    int rc = opc_estimator_prepare(e, img, &p, err);
    if (rc != OPC_OK)
        return rc;
    rc = opc_estimator_run(e, p, people, err);
    opc_prepared_free(p);
    return rc;
}

int opc_estimator_outputs(const opc_estimator *e, const opc_tensor **outputs, int *n_outputs)
{
    *outputs = e->outs;
    *n_outputs = e->n_outputs;
    return e->n_views;
}
