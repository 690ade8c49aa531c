#include "convert/common/convert_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/paf/head.h"
#include "openpose-c/error.h"

const char *opc_base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int opc_convert_pick_topology(const char *name, int channels, const char *in_path,
                              const char *out_blob, const opc_paf_topology **out, opc_error *err)
{
    const opc_paf_topology *t = NULL;
    if (name) {
        if (!(t = opc_paf_topology_builtin(name)))
            return opc_fail(err, OPC_ERR_ARG, "unknown topology '%.40s' (coco, body25, mpi, mpi4)",
                            name);
        if (t->total_channels != channels)
            return opc_fail(err, OPC_ERR_FORMAT,
                            "%s: output '%.80s' has %d channels but topology %s needs %d",
                            in_path, out_blob, channels, t->name, t->total_channels);
    } else {
        /* The first match wins: 44 channels is MPI-15 ("mpi"); its 4-stage variant
         * ("mpi4", lower NMS threshold) must be named. */
        for (const char *const *n = opc_paf_topology_names(); *n && !t; n++)
            if (opc_paf_topology_builtin(*n)->total_channels == channels)
                t = opc_paf_topology_builtin(*n);
        if (!t)
            return opc_fail(err, OPC_ERR_FORMAT,
                            "%s: cannot tell the topology from the %d channels of output '%.80s' "
                            "(COCO has 57, BODY_25 78, MPI 44): give one with --topology",
                            in_path, channels, out_blob);
    }
    *out = t;
    return OPC_OK;
}

int opc_convert_set_paf_head(opc_graph *g, const opc_paf_topology *t, const char *heatmaps,
                             const char *pafs, opc_error *err)
{
    const opc_keypoint_set *k = opc_keypoint_set_builtin(t->keypoints);
    if (!k)
        return opc_fail(err, OPC_ERR_ARG, "topology %s: no keypoint set %s", t->name,
                        t->keypoints);
    g->keypoints = *k;
    char *params = opc_paf_head_json(t, heatmaps, pafs);
    int rc = params ? opc_graph_set_head(g, "paf", params, err)
                    : opc_fail(err, OPC_ERR_NOMEM, "head: out of memory");
    free(params);
    return rc;
}

int opc_convert_paf_output(opc_graph *g, const opc_paf_topology *t, int blob, opc_error *err)
{
    int rc = opc_graph_add_output(g, "maps", blob, err);
    return rc ? rc : opc_convert_set_paf_head(g, t, "maps", "maps", err);
}

opc_preprocess opc_convert_openpose_preprocess(float scale, float offset, int nhwc, int stride,
                                               int net_w, int net_h)
{
    return (opc_preprocess){.channel_order = "BGR",
                            .scale = {scale, scale, scale},
                            .offset = {offset, offset, offset},
                            .nhwc = nhwc,
                            .stride = stride,
                            .placement = "top_left",
                            .size_rule = "multiple",
                            .size_step = 16,
                            .net_width = net_w,
                            .net_height = net_h};
}

int opc_convert_set_names(opc_graph *g, const char *framework, const char *in_path,
                          const char *out_path, const char *given_name, opc_error *err)
{
    char name[256], source[300];
    if (given_name) {
        snprintf(name, sizeof name, "%s", given_name);
    } else {
        snprintf(name, sizeof name, "%s", opc_base_name(out_path));
        char *dot = strrchr(name, '.');
        if (dot && dot != name)
            *dot = 0;
    }
    snprintf(source, sizeof source, "%s: %s", framework, opc_base_name(in_path));
    g->name = opc_graph_strdup(g, name);
    g->source = opc_graph_strdup(g, source);
    return g->name && g->source ? OPC_OK : opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", in_path);
}

int opc_convert_fold_affine(opc_graph *g, opc_layer *l, const float *s, const float *t,
                            int channels, opc_error *err)
{
    if (!l->bias.data && !opc_graph_new_weight(g, &l->bias, 1, &channels, err))
        return OPC_ERR_NOMEM;
    float *w = (float *)l->weight.data, *b = (float *)l->bias.data;
    size_t per = l->weight.count / (size_t)channels; /* CONV: one filter; NORM/AFFINE: 1 */
    for (int o = 0; o < channels; o++) {
        float so = s ? s[o] : 1.0f, to = t ? t[o] : 0.0f;
        for (size_t k = 0; k < per; k++)
            w[(size_t)o * per + k] *= so;
        b[o] = b[o] * so + to;
    }
    return OPC_OK;
}
