/* The parser pipeline: peaks, candidate connections, assembly, result. opc_parse_maps
 * reads maps at net resolution; opc_parse reads the network output and upsamples on the
 * way (the part heatmaps band by band for NMS, the PAFs only at the pixels the line
 * integral samples), with the same arithmetic as opc_maps_resize_merge, so both give the
 * same people. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "pose/parser.h"

enum {
    BAND_ROWS = 64,  /* output rows upsampled at a time for NMS: stays in cache */
    NMS_MARGIN = 3,  /* rows and columns around a peak that NMS reads */
    SPAN_GAP = 32    /* join column spans closer than this: fewer, longer passes */
};

static int check_args(const opc_topology *t, const opc_parse_params *p, const opc_tensor *m,
                      float scale, opc_error *err)
{
    int rc = opc_topology_validate(t, err);
    if (rc == OPC_OK)
        rc = opc_parse_params_validate(p, err);
    if (rc != OPC_OK)
        return rc;
    if (!m || m->n != 1 || m->c < 0 || m->h < 0 || m->w < 0 || (!m->data && m->c && m->h && m->w))
        return opc_fail(err, OPC_ERR_ARG, "parse: maps are not a 1 x C x h x w tensor");
    if (m->c != t->total_channels)
        return opc_fail(err, OPC_ERR_ARG,
                        "parse: maps have %d channels but topology %s needs %d (%d heatmaps + "
                        "%d PAF)", m->c, t->name, t->total_channels, t->heatmap_channels,
                        2 * t->num_pairs);
    if (!(scale >= 1e-6f && scale <= 1e6f)) /* beyond, keypoints would not be finite */
        return opc_fail(err, OPC_ERR_ARG, "parse: scale %g is not in [1e-6, 1e6]", scale);
    return OPC_OK;
}

/* Connections, assembly and result from the peaks. */
static int finish(const opc_topology *t, const opc_parse_params *p, const opc_peaks *pk,
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

static int empty_result(const opc_topology *t, const opc_parse_params *p, float scale,
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

int opc_parse_maps(const opc_topology *t, const opc_parse_params *p, const opc_tensor *maps,
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
    opc_peaks pk;
    if ((rc = opc_peaks_alloc(&pk, t->num_parts, p->max_peaks, err)) != OPC_OK)
        return rc;
    for (int k = 0; k < t->num_parts; k++) {
        const opc_band b = {maps->data + k * plane, w, h, 0, h};
        const int all[2] = {0, w};
        opc_nms_band(&b, 0, h, all, 1, p->nms_threshold, nms_offset(scale), &pk, k);
    }
    opc_paf pafs[OPC_MAX_PAIRS];
    const float *paf = maps->data + (size_t)t->paf_offset * plane;
    for (int l = 0; l < t->num_pairs; l++)
        pafs[l] = (opc_paf){paf + t->paf_channels[l][0] * plane,
                            paf + t->paf_channels[l][1] * plane, NULL, w, h};
    rc = finish(t, p, &pk, pafs, scale, out, err);
    opc_peaks_free(&pk);
    return rc;
}

/* Appends column x to the spans (joining spans closer than SPAN_GAP); returns their count. */
static int add_column(int *spans, int n, int x)
{
    if (n && x - spans[2 * n - 1] < SPAN_GAP) {
        spans[2 * n - 1] = x + 1;
        return n;
    }
    spans[2 * n] = x;
    spans[2 * n + 1] = x + 1;
    return n + 1;
}

/* Could output rows [ya, yb) exceed thr anywhere? Judged from the source alone: an output
 * is at most gain_x * gain_y * max |source| over its taps (NaN sources are left out: the
 * outputs they reach are NaN, never peaks). */
static int band_possible(const opc_cubic *c, const float *src, int ya, int yb, float thr)
{
    const int sw = c->x.src, dh = c->y.dst;
    const int lo = c->y.idx[ya], hi = c->y.idx[3 * dh + yb - 1];
    const float bound = thr / (c->x.gain * c->y.gain * 1.0001f);
    for (size_t i = (size_t)lo * sw; i < (size_t)(hi + 1) * sw; i++)
        if (fabsf(src[i]) > bound)
            return 1;
    return 0;
}

/* The column spans of output rows [ya, yb) that may exceed thr, from the rows pass (tmp):
 * an output is at most gain_y * max |tmp| over its 4 rows (with a margin for rounding), so
 * the pixels left out cannot be peaks. Returns the number of spans (2 ints each). */
static int active_spans(const opc_cubic *c, const float *tmp, int ya, int yb, float thr,
                        float *colmax, int *spans)
{
    const int dw = c->x.dst, dh = c->y.dst;
    const int lo = c->y.idx[ya], hi = c->y.idx[3 * dh + yb - 1];
    for (int x = 0; x < dw; x++)
        colmax[x] = 0;
    for (int r = lo; r <= hi; r++)
        for (int x = 0; x < dw; x++) {
            const float v = fabsf(tmp[(size_t)r * dw + x]);
            colmax[x] = v > colmax[x] ? v : colmax[x];
        }
    const float bound = thr / (c->y.gain * 1.0001f);
    int n = 0;
    for (int x = 0; x < dw; x++)
        if (colmax[x] > bound)
            n = add_column(spans, n, x);
    return n;
}

/* Peaks of every part, upsampling each heatmap band by band: only the bands and columns
 * where a peak is possible, and only the source rows (rows pass) they need. */
static int upsampled_peaks(const opc_topology *t, const opc_parse_params *p,
                           const opc_tensor *m, const opc_cubic *c, float scale,
                           opc_peaks *pk, opc_error *err)
{
    const int w = c->x.dst, h = c->y.dst, sh = m->h;
    float *tmp = malloc((size_t)sh * w * sizeof *tmp);
    float *band = malloc((size_t)(BAND_ROWS + 2 * NMS_MARGIN) * w * sizeof *band);
    float *colmax = malloc((size_t)w * sizeof *colmax);
    int *spans = malloc((size_t)(w + 1) * sizeof *spans);
    unsigned char *done = malloc((size_t)sh);
    int rc = tmp && band && colmax && spans && done
                 ? OPC_OK
                 : opc_fail(err, OPC_ERR_NOMEM, "parse: out of memory for heatmaps");
    for (int k = 0; k < t->num_parts && rc == OPC_OK; k++) {
        const float *src = m->data + (size_t)k * m->h * m->w;
        memset(done, 0, (size_t)sh);
        for (int ya = 0; ya < h && pk->count[k] < pk->max_peaks; ya += BAND_ROWS) {
            const int yb = ya + BAND_ROWS < h ? ya + BAND_ROWS : h;
            if (!band_possible(c, src, ya, yb, p->nms_threshold))
                continue;
            const int r0 = ya > NMS_MARGIN ? ya - NMS_MARGIN : 0;
            const int r1 = yb + NMS_MARGIN < h ? yb + NMS_MARGIN : h;
            /* The source rows these output rows read (taps are non-decreasing). */
            for (int r = c->y.idx[r0]; r <= c->y.idx[3 * h + r1 - 1]; r++)
                if (!done[r]) {
                    opc_cubic_rows(c, src, r, r + 1, tmp);
                    done[r] = 1;
                }
            const int ns = active_spans(c, tmp, ya, yb, p->nms_threshold, colmax, spans);
            for (int i = 0; i < ns; i++) {
                const int c0 = spans[2 * i] > NMS_MARGIN ? spans[2 * i] - NMS_MARGIN : 0;
                const int c1 = spans[2 * i + 1] + NMS_MARGIN < w ? spans[2 * i + 1] + NMS_MARGIN : w;
                opc_cubic_cols(c, tmp, r0, r1, c0, c1, band);
            }
            const opc_band b = {band, w, h, r0, r1};
            opc_nms_band(&b, ya, yb, spans, ns, p->nms_threshold, nms_offset(scale), pk, k);
        }
    }
    free(tmp);
    free(band);
    free(colmax);
    free(spans);
    free(done);
    return rc;
}

int opc_parse(const opc_topology *t, const opc_parse_params *p, const opc_tensor *net_output,
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
    rc = upsampled_peaks(t, p, m, &c, scale, &pk, err);
    if (rc == OPC_OK) {
        const size_t plane = (size_t)m->w * m->h;
        const float *paf = m->data + (size_t)t->paf_offset * plane;
        opc_paf pafs[OPC_MAX_PAIRS];
        for (int l = 0; l < t->num_pairs; l++)
            pafs[l] = (opc_paf){paf + t->paf_channels[l][0] * plane,
                                paf + t->paf_channels[l][1] * plane, &c, net_w, net_h};
        rc = finish(t, p, &pk, pafs, scale, out, err);
    }
    opc_peaks_free(&pk);
    opc_cubic_free(&c);
    return rc;
}
