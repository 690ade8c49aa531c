/* The estimator: image -> network input per scale -> network -> maps merged at the first
 * scale's net size (several scales: the part heatmaps in full, the PAFs where the parser
 * samples them) -> parser -> people in image pixels (or the asked keypoint scale). */
#include "openpose-c/estimate.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/error.h"
#include "engine/net_pool.h"
#include "decode/paf/parser.h"

struct opc_estimator {
    const opc_model *model;
    opc_estimator_options o;
    opc_net *net;
    opc_tensor outs[OPC_MAX_SCALES];  /* copies of the last run's outputs, per scale */
    int nouts;
    /* Several scales: the merged part heatmaps and the merge's per-thread scratch, kept from
     * image to image (grown when needed) rather than mapped and page-faulted anew each time. */
    float *merged, *merge_scratch;
    size_t merged_cap, merge_scratch_cap;
};

struct opc_prepared {
    int img_w, img_h;
    opc_scale_plan plan;
    opc_tensor inputs[OPC_MAX_SCALES];
};

void opc_estimator_options_default(opc_estimator_options *o, const opc_model *m)
{
    memset(o, 0, sizeof *o);
    const opc_preprocess *pp = opc_model_preprocess(m);
    o->net.threads = 0;
    o->net.engine = OPC_ENGINE_FAST;
    o->net_width = pp->net_width;
    o->net_height = pp->net_height;
    if (o->net_width == 0 && o->net_height == 0) {  /* OpenPose's -1x368 */
        o->net_width = -1;
        o->net_height = 368;
    }
    o->scale_number = 1;
    o->scale_gap = 0.25;
    opc_parse_params_default(&o->parse, opc_model_topology(m), 0);
    o->keypoint_scale = OPC_KEYPOINTS_PIXELS;
}

opc_estimator *opc_estimator_create(const opc_model *m, const opc_estimator_options *o,
                                    opc_error *err)
{
    opc_estimator_options def;
    if (!o) {
        opc_estimator_options_default(&def, m);
        o = &def;
    }
    opc_scale_plan probe;  /* reject a bad net resolution or scale set now, not per image */
    if (opc_scale_plan_make(640, 480, o->net_width, o->net_height, o->scale_number,
                            o->scale_gap, &probe, err) != OPC_OK)
        return NULL;
    if (o->keypoint_scale < OPC_KEYPOINTS_PIXELS || o->keypoint_scale > OPC_KEYPOINTS_SIGNED) {
        opc_fail(err, OPC_ERR_ARG, "estimator: unknown keypoint scale %d", (int)o->keypoint_scale);
        return NULL;
    }
    opc_estimator *e = calloc(1, sizeof *e);
    if (!e) {
        opc_fail(err, OPC_ERR_NOMEM, "estimator: out of memory");
        return NULL;
    }
    e->model = m;
    e->o = *o;
    e->net = opc_net_create(m, &o->net, err);
    if (!e->net) {
        free(e);
        return NULL;
    }
    return e;
}

void opc_estimator_free(opc_estimator *e)
{
    if (!e)
        return;
    for (int i = 0; i < OPC_MAX_SCALES; i++)
        opc_tensor_free(&e->outs[i]);
    opc_net_free(e->net);
    free(e->merged);
    free(e->merge_scratch);
    free(e);
}

void opc_prepared_free(opc_prepared *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->plan.count; i++)
        opc_tensor_free(&p->inputs[i]);
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
    int rc = opc_scale_plan_make(img->width, img->height, e->o.net_width, e->o.net_height,
                                 e->o.scale_number, e->o.scale_gap, &p->plan, err);
    for (int i = 0; rc == OPC_OK && i < p->plan.count; i++)
        rc = opc_image_to_input(img, p->plan.scale[i], p->plan.net_w[i], p->plan.net_h[i],
                                opc_model_preprocess(e->model), &p->inputs[i], err);
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

/* *buf holds at least n floats (its old contents are not kept). */
static int grow(float **buf, size_t *cap, size_t n, opc_error *err)
{
    if (*buf && *cap >= n)
        return OPC_OK;
    free(*buf);
    *cap = (*buf = malloc((n ? n : 1) * sizeof **buf)) ? n : 0;
    return *buf ? OPC_OK : opc_fail(err, OPC_ERR_NOMEM, "estimator: out of memory merging scales");
}

typedef struct {
    const opc_merge *m;
    float *out, *scratch;
    int channels;
    atomic_int next;
} merge_job;

/* Takes channels until none are left, with scratch slot `slot`. */
static void merge_slot(void *p, int slot, int slot_end)
{
    merge_job *j = p;
    float *scratch = j->scratch + (size_t)slot * j->m->scratch_floats;
    for (int c; (c = atomic_fetch_add(&j->next, 1)) < j->channels;)
        opc_merge_channels(j->m, c, c + 1, j->out, scratch);
}

/* People from several scales, as opc_maps_resize_merge + opc_parse_maps find them: the
 * part heatmaps of every scale resized to the first scale's net size and averaged, their
 * channels shared out over the net's threads; the PAFs read from the scales' outputs at
 * the line integral's samples only (opc_parse_scales). */
static int parse_scales(opc_estimator *e, const opc_scale_plan *plan, float to_image,
                        opc_people *people, opc_error *err)
{
    const opc_topology *t = opc_model_topology(e->model);
    const opc_tensor *maps[OPC_MAX_SCALES];
    for (int i = 0; i < plan->count; i++)
        maps[i] = &e->outs[i];
    opc_merge m;
    int rc = opc_merge_init(&m, maps, plan->count, plan->net_w[0], plan->net_h[0], err);
    if (rc != OPC_OK)
        return rc;
    opc_pool *pool = opc_net_pool(e->net);
    int threads = opc_pool_threads(pool), c = t->num_parts;
    size_t plane = (size_t)m.net_w * m.net_h;
    if ((rc = grow(&e->merged, &e->merged_cap, (size_t)c * plane, err)) == OPC_OK &&
        (rc = grow(&e->merge_scratch, &e->merge_scratch_cap, m.scratch_floats * threads,
                   err)) == OPC_OK) {
        merge_job j = {.m = &m, .out = e->merged, .scratch = e->merge_scratch, .channels = c};
        atomic_init(&j.next, 0);
        opc_pool_for(pool, threads, merge_slot, &j);
        opc_tensor heatmaps = {1, c, m.net_h, m.net_w, e->merged};
        rc = opc_parse_scales(t, &e->o.parse, &m, &heatmaps, to_image, people, err);
    }
    opc_merge_free(&m);
    return rc;
}

/* Net pixels to image pixels as OpenPose computes it: from the size the image takes
 * inside the net input at scale s, round(s * W) x round(s * H). */
static float to_image_scale(int img_w, int img_h, double s)
{
    return opc_net_to_image_scale(img_w, img_h, (int)(s * img_w + 0.5), (int)(s * img_h + 0.5));
}

/* An image one pixel high or wide has no person (opc_people_from_output). */
static void forget_thin(opc_people *people, int img_w, int img_h)
{
    if (img_w > 1 && img_h > 1)
        return;
    people->count = 0;
    for (int j = 0; people->candidate_counts && j < people->num_parts; j++)
        people->candidate_counts[j] = 0;
}

int opc_people_from_output(const opc_topology *t, const opc_parse_params *p,
                           const opc_tensor *output, int net_w, int net_h, int img_w,
                           int img_h, opc_people *people, opc_error *err)
{
    memset(people, 0, sizeof *people);
    if (img_w < 1 || img_h < 1)
        return opc_fail(err, OPC_ERR_ARG, "image size %dx%d: sides must be positive", img_w,
                        img_h);
    float to_image = to_image_scale(img_w, img_h,
                                    opc_image_to_net_scale(img_w, img_h, net_w, net_h));
    int rc = opc_parse(t, p, output, net_w, net_h, to_image, people, err);
    if (rc == OPC_OK)
        forget_thin(people, img_w, img_h);
    return rc;
}

int opc_estimator_run(opc_estimator *e, const opc_prepared *in, opc_people *people,
                      opc_error *err)
{
    memset(people, 0, sizeof *people);
    e->nouts = 0;
    const opc_scale_plan *plan = &in->plan;
    int rc = OPC_OK;
    for (int i = 0; i < plan->count && rc == OPC_OK; i++) {
        const opc_tensor *out;
        rc = opc_net_forward(e->net, &in->inputs[i], &out, err);
        if (rc == OPC_OK)
            rc = copy_output(&e->outs[i], out, err);
    }
    if (rc != OPC_OK)
        return rc;
    e->nouts = plan->count;
    const opc_topology *t = opc_model_topology(e->model);
    if (plan->count == 1) {
        rc = opc_people_from_output(t, &e->o.parse, &e->outs[0], plan->net_w[0],
                                    plan->net_h[0], in->img_w, in->img_h, people, err);
    } else {
        rc = parse_scales(e, plan, to_image_scale(in->img_w, in->img_h, plan->scale[0]),
                          people, err);
        if (rc == OPC_OK)
            forget_thin(people, in->img_w, in->img_h);
    }
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

int opc_estimator_outputs(const opc_estimator *e, const opc_tensor **maps)
{
    *maps = e->outs;
    return e->nouts;
}

static void rescale_points(float *kp, int n, float sx, float sy, float off)
{
    for (int i = 0; i < n; i++)
        if (kp[3 * i + 2] > 0) {
            kp[3 * i] = kp[3 * i] * sx + off;
            kp[3 * i + 1] = kp[3 * i + 1] * sy + off;
        }
}

void opc_people_rescale(opc_people *p, int img_w, int img_h, opc_keypoint_scale to)
{
    if (to == OPC_KEYPOINTS_PIXELS)
        return;
    /* OpenPose's KeypointScaler: x / (width - 1), times 2 minus 1 for -1..1. */
    float k = to == OPC_KEYPOINTS_SIGNED ? 2.f : 1.f, off = to == OPC_KEYPOINTS_SIGNED ? -1.f : 0.f;
    float sx = k / (img_w > 1 ? img_w - 1 : 1), sy = k / (img_h > 1 ? img_h - 1 : 1);
    rescale_points(p->keypoints, p->count * p->num_parts, sx, sy, off);
    if (p->candidates)
        for (int j = 0; j < p->num_parts; j++)
            rescale_points(p->candidates[j], p->candidate_counts[j], sx, sy, off);
}
