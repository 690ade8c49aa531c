/* The multi-person decoder's settings: the package's defaults (MULTI_PERSON_INFERENCE_CONFIG)
 * and its checks (validateMultiPersonInputConfig). */
#include <math.h>

#include "decode/posenet/posenet_internal.h"

void opc_posenet_params_default(opc_posenet_params *p)
{
    p->max_detections = 5;
    p->score_threshold = 0.5;
    p->nms_radius = 20;
}

void opc_posenet_options_default(opc_posenet_options *o)
{
    o->single = 0;
    opc_posenet_params_default(&o->multi);
}

int opc_posenet_params_validate(const opc_posenet_params *p, opc_error *err)
{
    if (p->max_detections < 1 || p->max_detections > OPC_POSENET_MAX_DETECTIONS)
        return opc_fail(err, OPC_ERR_ARG, "PoseNet: max detections %d out of range (1..%d)",
                        p->max_detections, OPC_POSENET_MAX_DETECTIONS);
    if (!(p->score_threshold >= 0 && p->score_threshold <= 1))
        return opc_fail(err, OPC_ERR_ARG, "PoseNet: score threshold %g out of range (0..1)",
                        p->score_threshold);
    if (!(p->nms_radius > 0 && isfinite(p->nms_radius)))
        return opc_fail(err, OPC_ERR_ARG, "PoseNet: NMS radius %g must be finite and > 0",
                        p->nms_radius);
    return OPC_OK;
}
