/* The reports of `openpose-c eval --metric` (metrics.h): the arrays each metric needs
 * (coordinates in one base, normalisers), the metric, and its table as text or JSON. */
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "openpose-c/metrics.h"

static const char *const METRIC_NAMES[OPC_METRIC_COUNT] = {"pck", "pckh", "auc", "epe", "nme"};
static const char *const NORM_NAMES[OPC_NORM_COUNT] = {"bbox", "head", "torso"};
/* The instance field behind each normaliser, for messages. */
static const char *const NORM_FIELDS[OPC_NORM_COUNT] = {"bbox_size", "head_size",
                                                        "left_shoulder and right_hip"};

_Static_assert(sizeof METRIC_NAMES / sizeof *METRIC_NAMES == OPC_METRIC_COUNT, "metric names");
_Static_assert(sizeof NORM_NAMES / sizeof *NORM_NAMES == OPC_NORM_COUNT, "norm names");

int opc_metric_from_name(const char *name)
{
    for (int i = 0; i < OPC_METRIC_COUNT; i++)
        if (strcmp(name, METRIC_NAMES[i]) == 0)
            return i;
    return -1;
}

const char *opc_metric_name(opc_metric m)
{
    return (unsigned)m < OPC_METRIC_COUNT ? METRIC_NAMES[m] : "?";
}

int opc_norm_from_name(const char *name)
{
    for (int i = 0; i < OPC_NORM_COUNT; i++)
        if (strcmp(name, NORM_NAMES[i]) == 0)
            return i;
    return -1;
}

const char *opc_norm_name(opc_norm_item n)
{
    return (unsigned)n < OPC_NORM_COUNT ? NORM_NAMES[n] : "?";
}

static int find_name(const opc_keypoint_instances *d, const char *name)
{
    for (int j = 0; j < d->k; j++)
        if (strcmp(d->names[j], name) == 0)
            return j;
    return -1;
}

/* ---- inputs ---- */

typedef struct {
    opc_keypoint_pairs p;
    double *pred;   /* owned copy when moved to the GT's base */
    double *norm;   /* n x 2, or NULL when the metric has none */
    double thr;
} inputs;

/* MMPose's torso (JHMDB's joints 4 and 5): |gt left_shoulder - gt right_hip|, or the
 * prediction's when that is below 1 pixel. */
static double torso(const opc_keypoint_instances *d, const double *pred, int i, int a, int b)
{
    const double *g = d->gt + (size_t)2 * i * d->k, *q = pred + (size_t)2 * i * d->k;
    double t = hypot(g[2 * a] - g[2 * b], g[2 * a + 1] - g[2 * b + 1]);
    return t < 1 ? hypot(q[2 * a] - q[2 * b], q[2 * a + 1] - q[2 * b + 1]) : t;
}

static int make_norm(const opc_keypoint_instances *d, opc_norm_item item, inputs *in,
                     opc_error *err)
{
    int a = -1, b = -1;
    if (item == OPC_NORM_TORSO &&
        ((a = find_name(d, "left_shoulder")) < 0 || (b = find_name(d, "right_hip")) < 0))
        return opc_fail(err, OPC_ERR_ARG,
                        "--norm torso needs keypoints named left_shoulder and right_hip");
    if (!(in->norm = malloc(sizeof(double) * 2 * (d->n ? (size_t)d->n : 1))))
        return opc_fail(err, OPC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < d->n; i++) {
        double s = item == OPC_NORM_BBOX   ? d->bbox_size[i]
                   : item == OPC_NORM_HEAD ? d->head_size[i]
                                           : torso(d, in->p.pred, i, a, b);
        if (isnan(s))
            return opc_fail(err, OPC_ERR_ARG, "instances[%d] has no %s (needed by --norm %s)", i,
                            NORM_FIELDS[item], NORM_NAMES[item]);
        in->norm[2 * i] = in->norm[2 * i + 1] = s;
    }
    return OPC_OK;
}

static int make_inputs(const opc_keypoint_instances *d, opc_metric m,
                       const opc_metric_options *o, inputs *in, opc_error *err)
{
    memset(in, 0, sizeof *in);
    in->p = (opc_keypoint_pairs){d->n, d->k, d->pred, d->gt, d->visible};
    double shift = d->gt_base - d->pred_base;
    if (shift != 0 && (m == OPC_METRIC_PCKH || !o->raw_coordinates)) {
        size_t count = (size_t)2 * d->n * d->k;
        if (!(in->pred = malloc(sizeof(double) * (count ? count : 1))))
            return opc_fail(err, OPC_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < count; i++)
            in->pred[i] = d->pred[i] + shift;
        in->p.pred = in->pred;
    }
    in->thr = o->thr > 0 ? o->thr : m == OPC_METRIC_PCKH ? 0.5 : 0.2;
    if (m == OPC_METRIC_PCK || m == OPC_METRIC_NME)
        return make_norm(d, o->norm, in, err);
    if (m == OPC_METRIC_PCKH)
        return make_norm(d, OPC_NORM_HEAD, in, err);
    return OPC_OK;
}

static void free_inputs(inputs *in)
{
    free(in->pred);
    free(in->norm);
}

/* ---- reports ---- */

static void pck_report(const opc_keypoint_instances *d, const inputs *in, opc_norm_item norm,
                       int json, opc_strbuf *b, cJSON *o)
{
    double acc[OPC_MAX_PARTS], avg;
    int cnt, counted[OPC_MAX_PARTS] = {0}, correct[OPC_MAX_PARTS] = {0};
    opc_keypoint_pck(&in->p, in->norm, in->thr, acc, &avg, &cnt);
    for (int j = 0; j < d->k; j++)
        for (int i = 0; i < d->n; i++) {
            double dist = opc_keypoint_distance(&in->p, in->norm, i, j);
            counted[j] += dist != -1;
            correct[j] += dist != -1 && dist < in->thr;
        }
    if (json) {
        cJSON_AddNumberToObject(o, "thr", in->thr);
        cJSON_AddStringToObject(o, "norm", NORM_NAMES[norm]);
        cJSON *per = cJSON_AddArrayToObject(o, "keypoints");
        for (int j = 0; j < d->k; j++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "name", d->names[j]);
            cJSON_AddNumberToObject(e, "counted", counted[j]);
            cJSON_AddNumberToObject(e, "correct", correct[j]);
            cJSON_AddNumberToObject(e, "pck", acc[j]);
            cJSON_AddItemToArray(per, e);
        }
        cJSON_AddNumberToObject(o, "PCK", avg);
        cJSON_AddNumberToObject(o, "keypoints_counted", cnt);
        return;
    }
    opc_strbuf_addf(b, "PCK@%g, distances normalised by %s (%d instances)\n", in->thr,
                    NORM_FIELDS[norm], d->n);
    opc_strbuf_addf(b, "%-20s %8s %8s %9s\n", "keypoint", "counted", "correct", "PCK");
    for (int j = 0; j < d->k; j++) {
        if (acc[j] < 0)
            opc_strbuf_addf(b, "%-20s %8d %8d %9s\n", d->names[j], 0, 0, "-");
        else
            opc_strbuf_addf(b, "%-20s %8d %8d %9.6f\n", d->names[j], counted[j], correct[j],
                            acc[j]);
    }
    opc_strbuf_addf(b, "PCK@%g: %.6f (mean over the %d keypoints counted at least once)\n",
                    in->thr, avg, cnt);
}

static void pckh_report(const opc_keypoint_instances *d, const inputs *in, int json,
                        opc_strbuf *b, cJSON *o)
{
    opc_pckh_result r;
    opc_pckh(&in->p, in->norm, (const char(*)[OPC_NAME_LEN])d->names, in->thr, &r);
    if (json) {
        cJSON_AddNumberToObject(o, "thr", in->thr);
        cJSON *per = cJSON_AddArrayToObject(o, "keypoints");
        for (int j = 0; j < d->k; j++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "name", d->names[j]);
            cJSON_AddNumberToObject(e, "visible", r.visible[j]);
            cJSON_AddNumberToObject(e, "correct", r.correct[j]);
            cJSON_AddNumberToObject(e, "pckh", r.pckh[j]);
            cJSON_AddItemToArray(per, e);
        }
        cJSON *g = cJSON_AddObjectToObject(o, "groups");
        for (int k = 0; k < OPC_PCKH_NUM_GROUPS; k++)
            cJSON_AddNumberToObject(g, opc_pckh_group_name(k), r.groups[k]);
        cJSON_AddNumberToObject(o, "mean", r.mean);
        cJSON_AddNumberToObject(o, "mean_weighted", r.mean_weighted);
        cJSON_AddNumberToObject(o, "mean_joints", r.mean_joints);
        return;
    }
    opc_strbuf_addf(b, "PCKh@%g, MPII rules: correct when the distance is < %g head sizes "
                    "(%d instances)\n", in->thr, in->thr, d->n);
    opc_strbuf_addf(b, "%-20s %8s %8s %9s\n", "joint", "visible", "correct", "PCKh");
    for (int j = 0; j < d->k; j++) {
        if (r.visible[j])
            opc_strbuf_addf(b, "%-20s %8d %8d %9.4f\n", d->names[j], r.visible[j], r.correct[j],
                            r.pckh[j]);
        else
            opc_strbuf_addf(b, "%-20s %8d %8d %9s\n", d->names[j], 0, 0, "-");
    }
    for (int k = 0; k < OPC_PCKH_NUM_GROUPS; k++)
        opc_strbuf_addf(b, "%9s", opc_pckh_group_name(k));
    opc_strbuf_addf(b, "%9s %9s\n", "Mean", "Weighted");
    for (int k = 0; k < OPC_PCKH_NUM_GROUPS; k++) {
        if (r.groups[k] < 0)
            opc_strbuf_addf(b, "%9s", "-");
        else
            opc_strbuf_addf(b, "%9.4f", r.groups[k]);
    }
    opc_strbuf_addf(b, "%9.4f %9.4f\n", r.mean, r.mean_weighted);
    opc_strbuf_addf(b, "Mean: the plain mean of the %d joints but pelvis and thorax (as "
                    "eval_PCKh); Weighted: by visible count (MMPose's PCK)\n", r.mean_joints);
}

/* One number: AUC, EPE or NME. */
static void scalar_report(const opc_keypoint_instances *d, const inputs *in, opc_metric m,
                          const opc_metric_options *o, int json, opc_strbuf *b, cJSON *obj)
{
    double f = o->auc_norm_factor > 0 ? o->auc_norm_factor : 30;
    int t = o->auc_num_thrs > 0 ? o->auc_num_thrs : 20;
    double v = m == OPC_METRIC_AUC   ? opc_keypoint_auc(&in->p, f, t)
               : m == OPC_METRIC_EPE ? opc_keypoint_epe(&in->p)
                                     : opc_keypoint_nme(&in->p, in->norm);
    const char *key = m == OPC_METRIC_AUC ? "AUC" : m == OPC_METRIC_EPE ? "EPE" : "NME";
    if (json) {
        if (m == OPC_METRIC_AUC) {
            cJSON_AddNumberToObject(obj, "norm_factor", f);
            cJSON_AddNumberToObject(obj, "num_thrs", t);
        } else if (m == OPC_METRIC_NME) {
            cJSON_AddStringToObject(obj, "norm", NORM_NAMES[o->norm]);
        }
        cJSON_AddNumberToObject(obj, key, v);
        return;
    }
    if (m == OPC_METRIC_AUC)
        opc_strbuf_addf(b, "AUC: %.6f (PCK at thresholds 0, 1/%d, ..., %d/%d of %g pixels, "
                        "%d instances)\n", v, t, t - 1, t, f, d->n);
    else if (m == OPC_METRIC_EPE)
        opc_strbuf_addf(b, "EPE: %.6f pixels (mean distance over the visible keypoints, %d "
                        "instances)\n", v, d->n);
    else
        opc_strbuf_addf(b, "NME: %.6f (mean distance / %s, %d instances)\n", v,
                        NORM_FIELDS[o->norm], d->n);
}

int opc_metric_report(const opc_keypoint_instances *d, opc_metric m,
                      const opc_metric_options *o, int json, char **text, opc_error *err)
{
    *text = NULL;
    if ((unsigned)m >= OPC_METRIC_COUNT || (unsigned)o->norm >= OPC_NORM_COUNT)
        return opc_fail(err, OPC_ERR_ARG, "unknown metric or normaliser");
    if (d->k > OPC_MAX_PARTS)
        return opc_fail(err, OPC_ERR_ARG, "more than %d keypoints", OPC_MAX_PARTS);
    inputs in;
    int rc = make_inputs(d, m, o, &in, err);
    if (rc != OPC_OK) {
        free_inputs(&in);
        return rc;
    }
    opc_strbuf b = {0};
    cJSON *obj = json ? cJSON_CreateObject() : NULL;
    if (json && obj)
        cJSON_AddNumberToObject(obj, "instances", d->n);
    if (m == OPC_METRIC_PCK)
        pck_report(d, &in, o->norm, json, &b, obj);
    else if (m == OPC_METRIC_PCKH)
        pckh_report(d, &in, json, &b, obj);
    else
        scalar_report(d, &in, m, o, json, &b, obj);
    free_inputs(&in);
    if (json) {
        *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
        cJSON_Delete(obj);
        free(b.s);
    } else {
        *text = opc_strbuf_take(&b);
    }
    return *text ? OPC_OK : opc_fail(err, OPC_ERR_NOMEM, "out of memory");
}
