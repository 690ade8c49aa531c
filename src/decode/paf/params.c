/* Parser parameters: OpenPose's defaults (poseParameters.cpp), taken from the topology's
 * table so that every topology goes through the same code. */
#include <math.h>
#include <string.h>

#include "openpose-c/error.h"
#include "decode/paf/parser.h"

/* OpenPose's POSE_MAX_PEOPLE: peaks kept per part. */
enum { DEFAULT_MAX_PEAKS = 127 };

void opc_parse_params_default(opc_parse_params *p, const opc_paf_topology *t,
                              int maximize_positives)
{
    memset(p, 0, sizeof *p);
    if (maximize_positives) {
        p->nms_threshold = t->maxpos_nms_threshold;
        p->inter_threshold = t->maxpos_inter_threshold;
        p->inter_min_above = t->maxpos_inter_min_above;
        p->min_parts = t->maxpos_min_parts;
        p->min_score = t->maxpos_min_score;
    } else {
        p->nms_threshold = t->nms_threshold;
        p->inter_threshold = t->inter_threshold;
        p->inter_min_above = t->inter_min_above;
        p->min_parts = t->min_parts;
        p->min_score = t->min_score;
    }
    p->max_peaks = DEFAULT_MAX_PEAKS;
    p->number_people_max = -1;
    p->assembly = OPC_ASSEMBLY_GLOBAL;
    p->part_candidates = 0;
    p->maximize_positives = maximize_positives != 0;
}

int opc_parse_params_validate(const opc_parse_params *p, opc_error *err)
{
    if (!(isfinite(p->nms_threshold) && p->nms_threshold >= 0))
        return opc_fail(err, OPC_ERR_ARG, "parse: NMS threshold %g is not a number >= 0",
                        p->nms_threshold);
    if (!isfinite(p->inter_threshold))
        return opc_fail(err, OPC_ERR_ARG, "parse: PAF threshold %g is not finite",
                        p->inter_threshold);
    if (!(p->inter_min_above >= 0 && p->inter_min_above <= 1))
        return opc_fail(err, OPC_ERR_ARG, "parse: PAF min-above share %g is not in [0, 1]",
                        p->inter_min_above);
    if (p->min_parts < 0 || p->min_parts > OPC_MAX_PARTS)
        return opc_fail(err, OPC_ERR_ARG, "parse: min parts %d is not in 0..%d", p->min_parts,
                        OPC_MAX_PARTS);
    if (!isfinite(p->min_score))
        return opc_fail(err, OPC_ERR_ARG, "parse: min score %g is not finite", p->min_score);
    if (p->max_peaks < 1 || p->max_peaks > OPC_MAX_PEAKS_LIMIT)
        return opc_fail(err, OPC_ERR_ARG, "parse: max peaks %d is not in 1..%d", p->max_peaks,
                        OPC_MAX_PEAKS_LIMIT);
    if (p->assembly != OPC_ASSEMBLY_GLOBAL && p->assembly != OPC_ASSEMBLY_SEQUENTIAL)
        return opc_fail(err, OPC_ERR_ARG, "parse: unknown assembly %d", (int)p->assembly);
    return OPC_OK;
}

float opc_net_to_image_scale(int image_w, int image_h, int net_w, int net_h)
{
    /* OpenPose's resizeGetScaleFactor(net size, image size). */
    double s = INFINITY;
    if (net_w > 1)
        s = fmin(s, (double)(image_w - 1) / (net_w - 1));
    if (net_h > 1)
        s = fmin(s, (double)(image_h - 1) / (net_h - 1));
    return isfinite(s) && s > 0 ? (float)s : 1.f;
}
