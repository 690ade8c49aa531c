/* The "posenet" row of the decoder table: PoseNet's heads (heatmaps, offsets,
 * displacement_fwd, displacement_bwd) of one letterboxed view into people, with the
 * package's single- or multi-person decoder (openpose-c/posenet.h), positions mapped back
 * to the image as the package does (scaleAndFlipPoses) and moved to the pixel-centre
 * convention of every family (+0.5). People come best first; among equal scores in the
 * package's order (its own order is by root score). */
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "openpose-c/posenet.h"

static const char *const OUTPUTS[4] = {"heatmaps", "offsets", "displacement_fwd",
                                       "displacement_bwd"};
static const int CHANNELS[4] = {OPC_POSENET_PARTS, 2 * OPC_POSENET_PARTS,
                                2 * OPC_POSENET_EDGES, 2 * OPC_POSENET_EDGES};

typedef struct {
    int out[4];                /* output index of each head */
    int stride;
    opc_posenet_options o;
    opc_tensor scores;         /* sigmoid of the heatmaps, kept from image to image */
    opc_posenet_pose *poses;   /* max_detections */
} posenet_state;

static void posenet_defaults(const opc_decoder_model *m, opc_decode_options *o)
{
    (void)m;
    opc_posenet_options_default(&o->posenet);
}

static int posenet_create(const opc_decoder_model *m, const opc_decode_options *o, void **state,
                          opc_error *err)
{
    if (m->keypoints->num_parts != OPC_POSENET_PARTS || strcmp(m->keypoints->name, "coco17"))
        return opc_fail(err, OPC_ERR_FORMAT, "%s: posenet head: keypoints %s (%d parts), "
                        "PoseNet finds coco17", m->where, m->keypoints->name,
                        m->keypoints->num_parts);
    posenet_state *s = calloc(1, sizeof *s);
    if (!s)
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", m->where);
    int rc = OPC_OK;
    for (int h = 0; h < 4 && rc == OPC_OK; h++) {
        s->out[h] = -1;
        for (int k = 0; k < m->n_outputs; k++)
            if (strcmp(m->output_names[k], OUTPUTS[h]) == 0)
                s->out[h] = k;
        if (s->out[h] < 0)
            rc = opc_fail(err, OPC_ERR_FORMAT, "%s: posenet head: the model has no output %s",
                          m->where, OUTPUTS[h]);
        else if (m->output_channels[s->out[h]] != CHANNELS[h])
            rc = opc_fail(err, OPC_ERR_FORMAT, "%s: posenet head: output %s has %d channels, "
                          "PoseNet's %d", m->where, OUTPUTS[h], m->output_channels[s->out[h]],
                          CHANNELS[h]);
    }
    if (rc == OPC_OK && !o->posenet.single)
        rc = opc_posenet_params_validate(&o->posenet.multi, err);
    if (rc == OPC_OK) {
        s->o = o->posenet;
        s->stride = m->stride;
        s->poses = malloc((size_t)(s->o.single ? 1 : s->o.multi.max_detections) * sizeof *s->poses);
        if (!s->poses)
            rc = opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", m->where);
    }
    if (rc != OPC_OK) {
        free(s->poses);
        free(s);
        return rc;
    }
    *state = s;
    return OPC_OK;
}

static void posenet_destroy(void *state)
{
    posenet_state *s = state;
    if (!s)
        return;
    opc_tensor_free(&s->scores);
    free(s->poses);
    free(s);
}

static int posenet_decode(void *state, const opc_decode_input *in, opc_people *out,
                          opc_error *err)
{
    posenet_state *s = state;
    memset(out, 0, sizeof *out);
    out->num_parts = OPC_POSENET_PARTS;
    if (in->n_views != 1)
        return opc_fail(err, OPC_ERR_ARG, "posenet decoder: %d views, expected 1", in->n_views);
    const opc_tensor *t[4];
    for (int h = 0; h < 4; h++)
        t[h] = &in->outputs[s->out[h]];
    const opc_tensor *hm = t[0];
    if (!s->scores.data || s->scores.c != hm->c || s->scores.h != hm->h || s->scores.w != hm->w) {
        opc_tensor_free(&s->scores);
        int rc = opc_tensor_alloc(&s->scores, 1, hm->c, hm->h, hm->w, err);
        if (rc)
            return rc;
    }
    opc_posenet_scores(hm, &s->scores);
    opc_posenet_maps m = {&s->scores, t[1], t[2], t[3], s->stride};
    int n = 1, rc = s->o.single ? opc_posenet_decode_single(&m, s->poses, err)
                                : opc_posenet_decode_multi(&m, &s->o.multi, s->poses, &n, err);
    if (rc)
        return rc;
    out->keypoints = malloc((size_t)(n ? n : 1) * OPC_POSENET_PARTS * 3 * sizeof(float));
    out->scores = malloc((size_t)(n ? n : 1) * sizeof(float));
    int *order = malloc((size_t)(n ? n : 1) * sizeof *order);
    if (!out->keypoints || !out->scores || !order) {
        free(order);
        opc_people_free(out);
        return opc_fail(err, OPC_ERR_NOMEM, "posenet decoder: out of memory");
    }
    /* Best first, ties in the package's order (a stable insertion sort of a few people). */
    for (int i = 0; i < n; i++) {
        int j = i;
        while (j > 0 && s->poses[order[j - 1]].score < s->poses[i].score) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    const opc_view *v = &in->views[0];
    for (int i = 0; i < n; i++) {
        const opc_posenet_pose *p = &s->poses[order[i]];
        float *kp = out->keypoints + (size_t)i * OPC_POSENET_PARTS * 3;
        for (int k = 0; k < OPC_POSENET_PARTS; k++) {
            /* Back through the view as the package maps back (in its pixel indices, pixel i
             * at i), then to the pixel centres of every family's people (i + 0.5). */
            kp[3 * k] = (float)((p->keypoints[k].x - v->tx) / v->sx + 0.5);
            kp[3 * k + 1] = (float)((p->keypoints[k].y - v->ty) / v->sy + 0.5);
            kp[3 * k + 2] = (float)p->keypoints[k].score;
        }
        out->scores[i] = (float)p->score;
    }
    free(order);
    out->count = n;
    return OPC_OK;
}

const opc_decoder opc_posenet_decoder = {"posenet", posenet_defaults, posenet_create,
                                         posenet_decode, posenet_destroy};
