/* The "paf" row of the decoder table: OpenPose's parser over the outputs of one image's
 * views (scales). One scale is parsed straight from the network output (opc_parse); several
 * have their part heatmaps resized to the first scale's net size and averaged, shared out
 * over the net's threads, and their PAFs read from each output where the line integral
 * samples (opc_parse_scales), as OpenPose's resizeAndMerge and parser compute them. */
#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/paf/head.h"
#include "decode/paf/parser.h"

static_assert(OPC_PAF_MAX_MAPS >= OPC_MAX_SCALES, "the parser merges every scale of a plan");

typedef struct {
    opc_paf_head head;
    opc_parse_params params;
    int hm, pf;               /* output indices of the heatmaps and the PAFs */
    /* Two outputs: each view's heatmaps and PAFs side by side in one tensor, the layout the
     * parser reads (kept from image to image, grown when needed). */
    opc_tensor joined[OPC_PAF_MAX_MAPS];
    /* Several scales: the merged part heatmaps and the merge's per-thread scratch. */
    float *merged, *merge_scratch;
    size_t merged_cap, merge_scratch_cap;
} paf_state;

static int find_output(const opc_decoder_model *m, const char *name)
{
    for (int k = 0; k < m->n_outputs; k++)
        if (strcmp(m->output_names[k], name) == 0)
            return k;
    return -1;
}

static void paf_defaults(const opc_decoder_model *m, opc_decode_options *o)
{
    opc_paf_head h;
    if (opc_paf_head_read(m->head->params, m->where, &h, NULL) == OPC_OK)
        opc_parse_params_default(&o->paf, &h.topology, 0);
}

static int paf_create(const opc_decoder_model *m, const opc_decode_options *o, void **state,
                      opc_error *err)
{
    paf_state *s = calloc(1, sizeof *s);
    if (!s)
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", m->where);
    const opc_paf_topology *t = &s->head.topology;
    int rc = opc_paf_head_read(m->head->params, m->where, &s->head, err);
    if (rc == OPC_OK && (strcmp(t->keypoints, m->keypoints->name) != 0 ||
                         t->num_parts != m->keypoints->num_parts))
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: paf head: topology %s finds %s (%d parts), the model's keypoints are %s (%d)",
                      m->where, t->name, t->keypoints, t->num_parts, m->keypoints->name,
                      m->keypoints->num_parts);
    if (rc == OPC_OK) {
        s->hm = find_output(m, s->head.heatmaps);
        s->pf = find_output(m, s->head.pafs);
        if (s->hm < 0 || s->pf < 0)
            rc = opc_fail(err, OPC_ERR_FORMAT, "%s: paf head: the model has no output %s", m->where,
                          s->hm < 0 ? s->head.heatmaps : s->head.pafs);
    }
    if (rc == OPC_OK && s->hm == s->pf && m->output_channels[s->hm] != t->total_channels)
        rc = opc_fail(err, OPC_ERR_FORMAT,
                      "%s: output %s has %d channels but topology %s needs %d (%d heatmaps + %d PAF)",
                      m->where, s->head.heatmaps, m->output_channels[s->hm], t->name,
                      t->total_channels, t->heatmap_channels, 2 * t->num_pairs);
    if (rc == OPC_OK && s->hm != s->pf &&
        (m->output_channels[s->hm] != t->paf_offset ||
         m->output_channels[s->pf] != 2 * t->num_pairs))
        rc = opc_fail(err, OPC_ERR_FORMAT,
                      "%s: outputs %s and %s have %d and %d channels but topology %s needs %d "
                      "heatmaps and %d PAF",
                      m->where, s->head.heatmaps, s->head.pafs, m->output_channels[s->hm],
                      m->output_channels[s->pf], t->name, t->paf_offset, 2 * t->num_pairs);
    if (rc == OPC_OK)
        rc = opc_parse_params_validate(&o->paf, err);
    if (rc != OPC_OK) {
        free(s);
        return rc;
    }
    s->params = o->paf;
    *state = s;
    return OPC_OK;
}

static void paf_destroy(void *state)
{
    paf_state *s = state;
    if (!s)
        return;
    for (int i = 0; i < OPC_PAF_MAX_MAPS; i++)
        opc_tensor_free(&s->joined[i]);
    free(s->merged);
    free(s->merge_scratch);
    free(s);
}

/* View v's maps as the parser reads them: the one output, or both joined in s->joined[v]. */
static int view_maps(paf_state *s, const opc_decode_input *in, int v, const opc_tensor **maps,
                     opc_error *err)
{
    const opc_tensor *hm = &in->outputs[v * in->n_outputs + s->hm];
    if (s->hm == s->pf) {
        *maps = hm;
        return OPC_OK;
    }
    const opc_tensor *pf = &in->outputs[v * in->n_outputs + s->pf];
    if (hm->h != pf->h || hm->w != pf->w)
        return opc_fail(err, OPC_ERR_ARG, "paf decoder: heatmaps %dx%d and PAFs %dx%d differ",
                        hm->w, hm->h, pf->w, pf->h);
    opc_tensor *j = &s->joined[v];
    int c = hm->c + pf->c;
    if (!j->data || j->c != c || j->h != hm->h || j->w != hm->w) {
        opc_tensor_free(j);
        int rc = opc_tensor_alloc(j, 1, c, hm->h, hm->w, err);
        if (rc != OPC_OK)
            return rc;
    }
    memcpy(j->data, hm->data, opc_tensor_count(hm) * sizeof(float));
    memcpy(j->data + opc_tensor_count(hm), pf->data, opc_tensor_count(pf) * sizeof(float));
    *maps = j;
    return OPC_OK;
}

/* *buf holds at least n floats (its old contents are not kept). */
static int grow(float **buf, size_t *cap, size_t n, opc_error *err)
{
    if (*buf && *cap >= n)
        return OPC_OK;
    free(*buf);
    *cap = (*buf = malloc((n ? n : 1) * sizeof **buf)) ? n : 0;
    return *buf ? OPC_OK : opc_fail(err, OPC_ERR_NOMEM, "paf decoder: out of memory merging scales");
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

static int parse_scales(paf_state *s, const opc_tensor *const *maps, const opc_decode_input *in,
                        float to_image, opc_people *people, opc_error *err)
{
    const opc_paf_topology *t = &s->head.topology;
    opc_merge m;
    int rc = opc_merge_init(&m, maps, in->n_views, in->views[0].net_w, in->views[0].net_h, err);
    if (rc != OPC_OK)
        return rc;
    int threads = in->pool ? opc_pool_threads(in->pool) : 1, c = t->num_parts;
    size_t plane = (size_t)m.net_w * m.net_h;
    if ((rc = grow(&s->merged, &s->merged_cap, (size_t)c * plane, err)) == OPC_OK &&
        (rc = grow(&s->merge_scratch, &s->merge_scratch_cap, m.scratch_floats * threads,
                   err)) == OPC_OK) {
        merge_job j = {.m = &m, .out = s->merged, .scratch = s->merge_scratch, .channels = c};
        atomic_init(&j.next, 0);
        if (in->pool)
            opc_pool_for(in->pool, threads, merge_slot, &j);
        else
            merge_slot(&j, 0, 1);
        opc_tensor heatmaps = {1, c, m.net_h, m.net_w, s->merged};
        rc = opc_parse_scales(t, &s->params, &m, &heatmaps, to_image, people, err);
    }
    opc_merge_free(&m);
    return rc;
}

static int paf_decode(void *state, const opc_decode_input *in, opc_people *people,
                      opc_error *err)
{
    paf_state *s = state;
    memset(people, 0, sizeof *people);
    if (in->n_views < 1 || in->n_views > OPC_PAF_MAX_MAPS)
        return opc_fail(err, OPC_ERR_ARG, "paf decoder: %d views (1 to %d)", in->n_views,
                        OPC_PAF_MAX_MAPS);
    if (in->views[0].tx != 0 || in->views[0].ty != 0 || in->views[0].sx != in->views[0].sy)
        return opc_fail(err, OPC_ERR_ARG, "paf decoder: the image must be placed at the top "
                                          "left, scaled alike on both axes (OpenPose's way)");
    const opc_tensor *maps[OPC_PAF_MAX_MAPS];
    for (int v = 0; v < in->n_views; v++) {
        int rc = view_maps(s, in, v, &maps[v], err);
        if (rc != OPC_OK)
            return rc;
    }
    /* Net pixels to image pixels as OpenPose computes it: from the size the image takes
     * inside the first scale's net input, round(s * W) x round(s * H). */
    double sc = in->views[0].sx;
    float to_image = opc_net_to_image_scale(in->img_w, in->img_h, (int)(sc * in->img_w + 0.5),
                                            (int)(sc * in->img_h + 0.5));
    if (in->n_views == 1)
        return opc_parse(&s->head.topology, &s->params, maps[0], in->views[0].net_w,
                         in->views[0].net_h, to_image, people, err);
    return parse_scales(s, maps, in, to_image, people, err);
}

const opc_decoder opc_paf_decoder = {"paf", paf_defaults, paf_create, paf_decode, paf_destroy};
