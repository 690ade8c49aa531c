/* The parser pipeline: peaks, candidate connections, assembly, result. opc_parse_maps
 * reads maps at net resolution; opc_parse reads the network output and upsamples on the
 * way (the part heatmaps only where NMS needs them, heatmaps.c; the PAFs only at the
 * pixels the line integral samples, paf.c), with the same arithmetic as
 * opc_maps_resize_merge, so both give the same people; opc_parse_scales reads several
 * scales' part heatmaps merged and their PAFs at the samples, also with that arithmetic. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/error.h"
#include "decode/paf/parser.h"

/* Topology, parameters and the net-to-image scale. */
static int check_common(const opc_paf_topology *t, const opc_parse_params *p, float scale,
                        opc_error *err)
{
    int rc = opc_paf_topology_validate(t, err);
    if (rc == OPC_OK)
        rc = opc_parse_params_validate(p, err);
    if (rc != OPC_OK)
        return rc;
    if (!(scale >= 1e-6f && scale <= 1e6f)) /* beyond, keypoints would not be finite */
        return opc_fail(err, OPC_ERR_ARG, "parse: scale %g is not in [1e-6, 1e6]", scale);
    return OPC_OK;
}

static int check_args(const opc_paf_topology *t, const opc_parse_params *p, const opc_tensor *m,
                      float scale, opc_error *err)
{
    int rc = check_common(t, p, scale, err);
    if (rc != OPC_OK)
        return rc;
    if (!m || m->n != 1 || m->c < 0 || m->h < 0 || m->w < 0 || (!m->data && m->c && m->h && m->w))
        return opc_fail(err, OPC_ERR_ARG, "parse: maps are not a 1 x C x h x w tensor");
    if (m->c != t->total_channels)
        return opc_fail(err, OPC_ERR_ARG,
                        "parse: maps have %d channels but topology %s needs %d (%d heatmaps + "
                        "%d PAF)", m->c, t->name, t->total_channels, t->heatmap_channels,
                        2 * t->num_pairs);
    return OPC_OK;
}

/* Connections, assembly and result from the peaks. */
static int finish(const opc_paf_topology *t, const opc_parse_params *p, const opc_peaks *pk,
                  const opc_paf *pafs, float scale, opc_people *out, opc_error *err)
{
    opc_candidates cand;
    opc_assembly_result people;
    int rc = opc_candidates_score(t, pk, pafs, p, &cand, err);
    if (rc != OPC_OK)
        return rc;
    rc = opc_assemble(t, p->assembly, pk, &cand, &people, err);
    opc_candidates_free(&cand);
    if (rc != OPC_OK)
        return rc;
    rc = opc_people_build(t, p, pk, &people, scale, out, err);
    opc_assembly_free(&people);
    return rc;
}

/* OpenPose's NMS offset: half an image pixel, in net pixels. */
static float nms_offset(float scale) { return (float)(0.5 / (double)scale); }

static int empty_result(const opc_paf_topology *t, const opc_parse_params *p, float scale,
                        opc_people *out, opc_error *err)
{
    opc_peaks pk;
    int rc = opc_peaks_alloc(&pk, t->num_parts, p->max_peaks, err);
    if (rc != OPC_OK)
        return rc;
    opc_assembly_result none = {.num_parts = t->num_parts};
    rc = opc_people_build(t, p, &pk, &none, scale, out, err);
    opc_peaks_free(&pk);
    return rc;
}

/* The people from part heatmaps at net resolution (w x h planes from heat, parts first)
 * and the limbs' fields. */
static int parse_at_net(const opc_paf_topology *t, const opc_parse_params *p, const float *heat,
                        int w, int h, const opc_paf *pafs, float scale, opc_people *out,
                        opc_error *err)
{
    const size_t plane = (size_t)w * h;
    opc_peaks pk;
    int rc = opc_peaks_alloc(&pk, t->num_parts, p->max_peaks, err);
    if (rc != OPC_OK)
        return rc;
    for (int k = 0; k < t->num_parts; k++) {
        const opc_band b = {.rows = heat + k * plane, .w = w, .h = h, .y0 = 0, .y1 = h};
        const int all[2] = {0, w};
        opc_nms_band(&b, 0, h, all, 1, p->nms_threshold, nms_offset(scale), &pk, k);
    }
    rc = finish(t, p, &pk, pafs, scale, out, err);
    opc_peaks_free(&pk);
    return rc;
}

int opc_parse_maps(const opc_paf_topology *t, const opc_parse_params *p, const opc_tensor *maps,
                   float scale, opc_people *out, opc_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = check_args(t, p, maps, scale, err);
    if (rc != OPC_OK)
        return rc;
    if (!maps->w || !maps->h)
        return empty_result(t, p, scale, out, err);
    const int w = maps->w, h = maps->h;
    const size_t plane = (size_t)w * h;
    opc_paf pafs[OPC_MAX_PAIRS];
    const float *paf = maps->data + (size_t)t->paf_offset * plane;
    for (int l = 0; l < t->num_pairs; l++)
        pafs[l] = (opc_paf){.x = paf + t->paf_channels[l][0] * plane,
                            .y = paf + t->paf_channels[l][1] * plane, .w = w, .h = h};
    return parse_at_net(t, p, maps->data, w, h, pafs, scale, out, err);
}

int opc_parse(const opc_paf_topology *t, const opc_parse_params *p, const opc_tensor *net_output,
              int net_w, int net_h, float scale, opc_people *out, opc_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = check_args(t, p, net_output, scale, err);
    if (rc != OPC_OK)
        return rc;
    if (net_w < 1 || net_h < 1)
        return opc_fail(err, OPC_ERR_ARG, "parse: net size %dx%d", net_w, net_h);
    if ((uint64_t)net_w * net_h > ((uint64_t)1 << 28))
        return opc_fail(err, OPC_ERR_ARG, "parse: net size %dx%d is too large", net_w, net_h);
    if (!net_output->w || !net_output->h)
        return empty_result(t, p, scale, out, err);
    const opc_tensor *m = net_output;
    opc_cubic c;
    if ((rc = opc_cubic_init(&c, m->w, m->h, net_w, net_h, err)) != OPC_OK)
        return rc;
    opc_peaks pk;
    if ((rc = opc_peaks_alloc(&pk, t->num_parts, p->max_peaks, err)) != OPC_OK) {
        opc_cubic_free(&c);
        return rc;
    }
    rc = opc_heatmap_peaks(t, p, m, &c, nms_offset(scale), &pk, err);
    if (rc == OPC_OK) {
        const size_t plane = (size_t)m->w * m->h;
        const float *paf = m->data + (size_t)t->paf_offset * plane;
        opc_paf pafs[OPC_MAX_PAIRS];
        for (int l = 0; l < t->num_pairs; l++)
            pafs[l] = (opc_paf){.x = paf + t->paf_channels[l][0] * plane,
                                .y = paf + t->paf_channels[l][1] * plane, .up = &c,
                                .w = net_w, .h = net_h};
        rc = finish(t, p, &pk, pafs, scale, out, err);
    }
    opc_peaks_free(&pk);
    opc_cubic_free(&c);
    return rc;
}

int opc_parse_scales(const opc_paf_topology *t, const opc_parse_params *p, const opc_merge *m,
                     const opc_tensor *heatmaps, float scale, opc_people *out, opc_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = check_common(t, p, scale, err);
    if (rc != OPC_OK)
        return rc;
    if (m->n < 2 || m->maps[0]->c != t->total_channels || heatmaps->c < t->num_parts ||
        heatmaps->w != m->net_w || heatmaps->h != m->net_h)
        return opc_fail(err, OPC_ERR_ARG, "parse: scales do not match the topology %s", t->name);
    const int w = m->net_w, h = m->net_h;
    opc_paf pafs[OPC_MAX_PAIRS];
    for (int l = 0; l < t->num_pairs; l++) {
        const int cx = t->paf_offset + t->paf_channels[l][0];
        const int cy = t->paf_offset + t->paf_channels[l][1];
        opc_paf *f = &pafs[l];
        for (int i = 0; i < m->n; i++) {
            const opc_tensor *o = m->maps[i];
            const size_t src = (size_t)o->w * o->h;
            const float *x = o->data + cx * src, *y = o->data + cy * src;
            if (i == 0) {
                *f = (opc_paf){.x = x, .y = y, .up = &m->cubic[0], .w = w, .h = h,
                               .more = m->n - 1};
            } else {
                f->more_x[i - 1] = x;
                f->more_y[i - 1] = y;
                f->more_up[i - 1] = &m->cubic[i];
            }
        }
    }
    return parse_at_net(t, p, heatmaps->data, w, h, pafs, scale, out, err);
}
