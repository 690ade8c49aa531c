/* OpenPose's per-image JSON (--write_json, version 1.3); see openpose-c/output.h. The body
 * has no face, hands or 3-D here, so those arrays are empty, as OpenPose writes them when
 * they are off. */
#include <stdlib.h>

#include "openpose-c/error.h"
#include "core/strbuf.h"
#include "openpose-c/output.h"

static void add_triples(opc_strbuf *b, const float *v, int n)
{
    char num[OPC_NUMBER_LEN];
    opc_strbuf_add(b, "[");
    for (int i = 0; i < 3 * n; i++) {
        if (i)
            opc_strbuf_add(b, ",");
        opc_strbuf_add(b, opc_format_float(num, v[i]));
    }
    opc_strbuf_add(b, "]");
}

char *opc_people_to_openpose_json(const opc_people *p, opc_error *err)
{
    static const char *const EMPTY[] = {"face_keypoints_2d", "hand_left_keypoints_2d",
                                        "hand_right_keypoints_2d", "pose_keypoints_3d",
                                        "face_keypoints_3d", "hand_left_keypoints_3d",
                                        "hand_right_keypoints_3d"};
    opc_strbuf b = {0};
    opc_strbuf_add(&b, "{\"version\":1.3,\"people\":[");
    for (int i = 0; i < p->count; i++) {
        opc_strbuf_add(&b, i ? ",{" : "{");
        opc_strbuf_add(&b, "\"person_id\":[-1],\"pose_keypoints_2d\":");
        add_triples(&b, p->keypoints + (size_t)i * p->num_parts * 3, p->num_parts);
        for (size_t k = 0; k < sizeof EMPTY / sizeof EMPTY[0]; k++)
            opc_strbuf_addf(&b, ",\"%s\":[]", EMPTY[k]);
        opc_strbuf_add(&b, "}");
    }
    opc_strbuf_add(&b, "]");
    if (p->candidates && p->candidate_counts) {
        opc_strbuf_add(&b, ",\"part_candidates\":[{");
        for (int k = 0; k < p->num_parts; k++) {
            opc_strbuf_addf(&b, "%s\"%d\":", k ? "," : "", k);
            add_triples(&b, p->candidates[k], p->candidate_counts[k]);
        }
        opc_strbuf_add(&b, "}]");
    }
    opc_strbuf_add(&b, "}\n");
    char *s = opc_strbuf_take(&b);
    if (!s)
        opc_fail(err, OPC_ERR_NOMEM, "json: out of memory");
    return s;
}
