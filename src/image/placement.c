/* The placement table and what every placement shares: the size rules, and normalising a
 * view's pixels into the network input. */
#include "image/placement.h"

#include <stdlib.h>
#include <string.h>

static const opc_placement *const PLACEMENTS[] = {
    &opc_placement_top_left,
    &opc_placement_letterbox,
};
#define NUM_PLACEMENTS (int)(sizeof PLACEMENTS / sizeof PLACEMENTS[0])

const opc_placement *opc_placement_find(const char *name)
{
    for (int i = 0; i < NUM_PLACEMENTS; i++)
        if (strcmp(PLACEMENTS[i]->name, name) == 0)
            return PLACEMENTS[i];
    return NULL;
}

int opc_size_rule_known(const char *rule)
{
    return strcmp(rule, "multiple") == 0 || strcmp(rule, "plus_one") == 0;
}

int opc_size_fits(const char *rule, int step, int side)
{
    if (strcmp(rule, "plus_one") == 0)
        return side >= 1 && (side - 1) % step == 0;
    return side >= 1 && side % step == 0;
}

static const opc_placement *placement_of(const opc_preprocess *pp, opc_error *err)
{
    const opc_placement *p = opc_placement_find(pp->placement);
    if (!p)
        opc_fail(err, OPC_ERR_UNSUPPORTED, "the model's placement \"%.32s\" is not built in",
                 pp->placement);
    return p;
}

int opc_input_check(const opc_preprocess *pp, const opc_input_options *o, opc_error *err)
{
    const opc_placement *p = placement_of(pp, err);
    return p ? p->check(pp, o, err) : OPC_ERR_UNSUPPORTED;
}

int opc_input_views(const opc_preprocess *pp, const opc_input_options *o, int img_w, int img_h,
                    opc_view **views, int *n, opc_error *err)
{
    *views = NULL;
    *n = 0;
    const opc_placement *p = placement_of(pp, err);
    if (!p)
        return OPC_ERR_UNSUPPORTED;
    if (img_w <= 0 || img_h <= 0)
        return opc_fail(err, OPC_ERR_ARG, "image: bad size %dx%d", img_w, img_h);
    int max = p->max_views(o);
    opc_view *v = calloc(max > 0 ? (size_t)max : 1, sizeof *v);
    if (!v)
        return opc_fail(err, OPC_ERR_NOMEM, "network input: out of memory");
    int rc = p->views(pp, o, img_w, img_h, v, max, n, err);
    if (rc != OPC_OK) {
        free(v);
        *n = 0;
        return rc;
    }
    *views = v;
    return OPC_OK;
}

static int channel_index(char c) { return c == 'R' ? 0 : c == 'G' ? 1 : 2; }

int opc_pixels_to_input(const unsigned char *px, int w, int h, const opc_preprocess *pp,
                        opc_tensor *out, opc_error *err)
{
    int rc = opc_tensor_alloc(out, 1, 3, h, w, err);
    if (rc != OPC_OK)
        return rc;
    size_t plane = (size_t)w * h;
    for (int c = 0; c < 3; c++) {
        int from = channel_index(pp->channel_order[c]);
        float *o = out->data + c * plane, k = pp->scale[c], b = pp->offset[c];
        for (size_t i = 0; i < plane; i++)
            o[i] = (float)px[i * 3 + from] * k + b;
    }
    return OPC_OK;
}

/* opc_pixels_to_input for float values. */
static int values_to_input(const float *rgb, int w, int h, const opc_preprocess *pp,
                           opc_tensor *out, opc_error *err)
{
    int rc = opc_tensor_alloc(out, 1, 3, h, w, err);
    if (rc != OPC_OK)
        return rc;
    size_t plane = (size_t)w * h;
    for (int c = 0; c < 3; c++) {
        int from = channel_index(pp->channel_order[c]);
        float *o = out->data + c * plane, k = pp->scale[c], b = pp->offset[c];
        for (size_t i = 0; i < plane; i++)
            o[i] = rgb[i * 3 + from] * k + b;
    }
    return OPC_OK;
}

int opc_input_make(const opc_image *img, const opc_view *v, const opc_preprocess *pp,
                   opc_tensor *out, opc_error *err)
{
    memset(out, 0, sizeof *out);
    const opc_placement *p = placement_of(pp, err);
    if (!p)
        return OPC_ERR_UNSUPPORTED;
    if (v->net_w <= 0 || v->net_h <= 0 || v->net_w > OPC_MAX_NET_SIDE ||
        v->net_h > OPC_MAX_NET_SIDE)
        return opc_fail(err, OPC_ERR_ARG, "network input: bad size %dx%d", v->net_w, v->net_h);
    size_t n = (size_t)v->net_w * v->net_h * 3;
    if (p->values) {
        float *rgb = malloc(n * sizeof *rgb);
        if (!rgb)
            return opc_fail(err, OPC_ERR_NOMEM, "network input: out of memory");
        int rc = p->values(img, v, pp, rgb, err);
        if (rc == OPC_OK)
            rc = values_to_input(rgb, v->net_w, v->net_h, pp, out, err);
        free(rgb);
        return rc;
    }
    unsigned char *px = malloc(n);
    if (!px)
        return opc_fail(err, OPC_ERR_NOMEM, "network input: out of memory");
    int rc = p->pixels(img, v, pp, px, err);
    if (rc == OPC_OK)
        rc = opc_pixels_to_input(px, v->net_w, v->net_h, pp, out, err);
    free(px);
    return rc;
}
