/* The "heatmap" row of the decoder table: top-down single-person networks. Each view is
 * one person box's crop (the "crop" placement); its maps give one person: every keypoint at
 * its map's maximum, refined by a quarter cell (openpose-c/heatmap.h), scored by that
 * maximum, mapped through the view into the image; the person's score is the mean of its
 * keypoints' scores. A box that also has a mirrored view (the flip test: the view's sx is
 * negative) has the mirrored view's maps flipped back and averaged in first, as MMPose's
 * flip test does. */
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/heatmap/head.h"

typedef struct {
    opc_heatmap_options o;
    int hm;                         /* output index of the maps */
    int k;                          /* keypoints = map channels */
    int flip[OPC_MAX_PARTS];        /* mirror partner of each keypoint */
    opc_tensor avg;                 /* flip test: the averaged maps (kept between images) */
} heatmap_state;

static int find_output(const opc_decoder_model *m, const char *name)
{
    for (int k = 0; k < m->n_outputs; k++)
        if (strcmp(m->output_names[k], name) == 0)
            return k;
    return -1;
}

static void heatmap_defaults(const opc_decoder_model *m, opc_decode_options *o)
{
    opc_heatmap_head h;
    if (opc_heatmap_head_read(m->head->params, m->where, &h, NULL) == OPC_OK)
        o->heatmap = h.defaults;
}

static int heatmap_create(const opc_decoder_model *m, const opc_decode_options *o,
                          void **state, opc_error *err)
{
    opc_heatmap_head h;
    int rc = opc_heatmap_head_read(m->head->params, m->where, &h, err);
    if (rc != OPC_OK)
        return rc;
    int hm = find_output(m, h.heatmaps);
    if (hm < 0)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: heatmap head: the model has no output %s",
                        m->where, h.heatmaps);
    if (m->output_channels[hm] != m->keypoints->num_parts)
        return opc_fail(err, OPC_ERR_FORMAT,
                        "%s: heatmap head: output %s has %d channels, the keypoint set %s %d "
                        "parts", m->where, h.heatmaps, m->output_channels[hm],
                        m->keypoints->name, m->keypoints->num_parts);
    if ((unsigned)o->heatmap.refine > OPC_REFINE_NEWELL)
        return opc_fail(err, OPC_ERR_ARG, "heatmap decoder: unknown refinement rule %d",
                        (int)o->heatmap.refine);
    heatmap_state *s = calloc(1, sizeof *s);
    if (!s)
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", m->where);
    s->o = o->heatmap;
    s->hm = hm;
    s->k = m->keypoints->num_parts;
    memcpy(s->flip, m->keypoints->flip, sizeof s->flip);
    *state = s;
    return OPC_OK;
}

static void heatmap_destroy(void *state)
{
    heatmap_state *s = state;
    if (!s)
        return;
    opc_tensor_free(&s->avg);
    free(s);
}

/* One person from maps seen through view v: kp (k x 3) and its score. Positions in image
 * pixels in the people's convention (pixel centres at +0.5; MMPose's, which the maps and
 * views follow, has them at integers). */
static float person(const heatmap_state *s, const opc_tensor *maps, const opc_view *v,
                    float *kp)
{
    opc_heatmap_peak peaks[OPC_MAX_PARTS];
    opc_heatmap_decode(maps, s->o.refine, peaks);
    double sum = 0;
    for (int j = 0; j < s->k; j++) {
        float *o = kp + 3 * j;
        if (!peaks[j].valid) {
            o[0] = o[1] = o[2] = 0;
            continue;
        }
        /* Cells to net-input pixels (MMPose: times input size / map size), then the view's
         * inverse. */
        double u = peaks[j].x * v->net_w / maps->w, w = peaks[j].y * v->net_h / maps->h;
        o[0] = (float)((u - v->tx) / v->sx + 0.5);
        o[1] = (float)((w - v->ty) / v->sy + 0.5);
        o[2] = peaks[j].maxval;
        sum += peaks[j].maxval;
    }
    return (float)(sum / s->k);
}

typedef struct {
    float score;
    int index;
} ranked;

static int by_score(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* The maps of box view v: its own, or averaged with those of the box's mirrored view. */
static int box_maps(heatmap_state *s, const opc_decode_input *in, int v,
                    const opc_tensor **maps, opc_error *err)
{
    const opc_tensor *t = &in->outputs[v * in->n_outputs + s->hm];
    if (t->n != 1 || t->c != s->k)
        return opc_fail(err, OPC_ERR_ARG, "heatmap decoder: maps of %d x %d channels, "
                        "expected 1 x %d", t->n, t->c, s->k);
    int mirror = -1;
    for (int u = 0; u < in->n_views && mirror < 0; u++)
        if (in->views[u].box == in->views[v].box && in->views[u].sx < 0)
            mirror = u;
    *maps = t;
    if (mirror < 0)
        return OPC_OK;
    if (!s->avg.data || s->avg.c != t->c || s->avg.h != t->h || s->avg.w != t->w) {
        opc_tensor_free(&s->avg);
        int rc = opc_tensor_alloc(&s->avg, 1, t->c, t->h, t->w, err);
        if (rc != OPC_OK)
            return rc;
    }
    memcpy(s->avg.data, t->data, opc_tensor_count(t) * sizeof(float));
    *maps = &s->avg;
    return opc_heatmap_flip_average(&s->avg, &in->outputs[mirror * in->n_outputs + s->hm],
                                    s->flip, s->o.flip_shift, err);
}

static int heatmap_decode(void *state, const opc_decode_input *in, opc_people *out,
                          opc_error *err)
{
    heatmap_state *s = state;
    memset(out, 0, sizeof *out);
    out->num_parts = s->k;
    int n = 0;
    for (int v = 0; v < in->n_views; v++)
        n += in->views[v].sx > 0;
    size_t per = (size_t)s->k * 3;
    float *kp = malloc(sizeof(float) * per * (n ? n : 1));
    ranked *order = malloc(sizeof(ranked) * (n ? n : 1));
    int rc = kp && order ? OPC_OK
                                   : opc_fail(err, OPC_ERR_NOMEM, "heatmap decoder: out of memory");
    int found = 0;
    for (int v = 0; v < in->n_views && rc == OPC_OK; v++) {
        if (!(in->views[v].sx > 0))
            continue;
        const opc_tensor *maps = NULL;
        if ((rc = box_maps(s, in, v, &maps, err)) != OPC_OK)
            break;
        float *p = kp + per * found;
        float score = person(s, maps, &in->views[v], p);
        int any = 0;
        for (int j = 0; j < s->k; j++)
            any |= p[3 * j + 2] > 0;
        if (any) /* a box without a single positive maximum holds nobody */
            order[found] = (ranked){score, found}, found++;
    }
    if (rc == OPC_OK && found) {
        qsort(order, (size_t)found, sizeof *order, by_score);
        if (s->o.number_people_max > 0 && found > s->o.number_people_max)
            found = s->o.number_people_max;
        out->keypoints = malloc(sizeof(float) * per * found);
        out->scores = malloc(sizeof(float) * found);
        if (!out->keypoints || !out->scores)
            rc = opc_fail(err, OPC_ERR_NOMEM, "heatmap decoder: out of memory");
        for (int i = 0; rc == OPC_OK && i < found; i++) {
            memcpy(out->keypoints + per * i, kp + per * order[i].index, sizeof(float) * per);
            out->scores[i] = order[i].score;
        }
        out->count = rc == OPC_OK ? found : 0;
    }
    free(kp);
    free(order);
    if (rc != OPC_OK)
        opc_people_free(out);
    return rc;
}

const opc_decoder opc_heatmap_decoder = {"heatmap", heatmap_defaults, heatmap_create,
                                         heatmap_decode, heatmap_destroy};
