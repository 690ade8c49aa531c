/* Caffe -> .opc: the prototxt gives the graph (caffe_net), the caffemodel the weights,
 * matched by layer name and checked blob by blob. BatchNorm/Scale and activations are
 * then folded into the layer that feeds them where nothing else reads that layer's
 * output, and the nodes become graph layers in prototxt order. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/caffe/caffe_model.h"
#include "convert/caffe/caffe_net.h"
#include "convert/common/convert_common.h"
#include "openpose-c/error.h"
#include "model/graph.h"
#include "openpose-c/convert.h"

static const char *const ROLE_NAMES[] = {
    "weights",
    "bias",
    "PReLU slopes",
    "BatchNorm mean",
    "BatchNorm variance",
    "BatchNorm scale factor",
    "Scale factors",
    "Scale bias",
};

typedef struct {
    caffe_net net;
    caffe_model model;
    opc_graph *g;
    const opc_paf_topology *topology;
    const char *caffemodel;
    opc_error *err;
} converter;

/* Equal up to leading 1s: old Caffe padded every blob to 4-D (a bias [N] as 1x1x1xN) and
 * a shared PReLU slope is stored as a scalar. */
static int shape_matches(const caffe_blob_data *b, const caffe_weight_spec *w)
{
    int i = 0, j = 0;
    while (i < b->ndim && b->shape[i] == 1)
        i++;
    while (j < w->ndim && w->shape[j] == 1)
        j++;
    if (b->ndim - i != w->ndim - j)
        return 0;
    for (; i < b->ndim; i++, j++)
        if (b->shape[i] != w->shape[j])
            return 0;
    return 1;
}

/* Reads weight blob k of layer cl into a new graph weight of the spec's shape. */
static float *take_weight(converter *cv, const caffe_layer *cl, const caffe_model_layer *ml, int k,
                          opc_weight *dst)
{
    const caffe_weight_spec *w = &cl->weights[k];
    const caffe_blob_data *b = &ml->blobs[k];
    if (!shape_matches(b, w)) {
        char have[96], want[96];
        caffe_blob_shape_str(b, have, sizeof have);
        caffe_shape_str(w->shape, w->ndim, want, sizeof want);
        opc_fail(cv->err, OPC_ERR_FORMAT,
                 "%s: layer '%.80s' (%s, %s:%d): %s have shape %s, the prototxt needs %s",
                 cv->caffemodel, cl->name, cl->type, opc_base_name(cv->net.path), cl->line,
                 ROLE_NAMES[w->role], have, want);
        return NULL;
    }
    float *p = opc_graph_new_weight(cv->g, dst, w->ndim, w->shape, cv->err);
    if (p)
        caffe_blob_read(b, p);
    return p;
}

/* BatchNorm: y = (x - mean/f) / sqrt(var/f + eps) as a per-channel affine. */
static int batchnorm_affine(converter *cv, const caffe_layer *cl, const caffe_model_layer *ml,
                            caffe_node *n)
{
    opc_weight mean, var, factor;
    float *m = take_weight(cv, cl, ml, 0, &mean), *v = m ? take_weight(cv, cl, ml, 1, &var) : NULL;
    float *f = v ? take_weight(cv, cl, ml, 2, &factor) : NULL;
    if (!f)
        return OPC_ERR_FORMAT;
    int c = (int)mean.count;
    float *s = opc_graph_new_weight(cv->g, &n->l.weight, 1, &c, cv->err);
    float *t = s ? opc_graph_new_weight(cv->g, &n->l.bias, 1, &c, cv->err) : NULL;
    if (!t)
        return OPC_ERR_NOMEM;
    float inv = f[0] == 0.0f ? 0.0f : 1.0f / f[0]; /* Caffe's rule for a zero factor */
    for (int i = 0; i < c; i++) {
        float var_i = v[i] * inv;
        if (!(var_i + n->bn_eps > 0))
            return opc_fail(cv->err, OPC_ERR_FORMAT,
                            "%s: layer '%.80s': BatchNorm variance %g of channel %d is invalid",
                            cv->caffemodel, cl->name, var_i, i);
        s[i] = 1.0f / sqrtf(var_i + n->bn_eps);
        t[i] = -m[i] * inv * s[i];
    }
    return OPC_OK;
}

static int attach_weights(converter *cv, int li)
{
    const caffe_layer *cl = &cv->net.layers[li];
    caffe_node *n = cl->node >= 0 ? &cv->net.nodes[cl->node] : NULL;
    const caffe_model_layer *ml = caffe_model_find(&cv->model, cl->name);
    int have = ml ? ml->n_blobs : 0;
    if (have == 0 && cl->n_weights > 0)
        return opc_fail(cv->err, OPC_ERR_FORMAT, "%s: no weights for layer '%.80s' (%s, %s:%d)",
                        cv->caffemodel, cl->name, cl->type, opc_base_name(cv->net.path), cl->line);
    if (have != cl->n_weights) {
        char need[160] = "none";
        for (int k = 0, len = 0; k < cl->n_weights; k++)
            len += snprintf(need + len, sizeof need - (size_t)len, "%s%s", k ? ", " : "",
                            ROLE_NAMES[cl->weights[k].role]);
        return opc_fail(cv->err, OPC_ERR_FORMAT,
                        "%s: layer '%.80s' (%s, %s:%d) has %d weight blob%s, the prototxt "
                        "needs %d (%s)",
                        cv->caffemodel, cl->name, cl->type, opc_base_name(cv->net.path), cl->line, have,
                        have == 1 ? "" : "s", cl->n_weights, need);
    }
    if (!n)
        return OPC_OK;
    switch (cl->kind) {
    case CAFFE_CONV:
        if (!take_weight(cv, cl, ml, 0, &n->l.weight))
            return OPC_ERR_FORMAT;
        return cl->n_weights < 2 || take_weight(cv, cl, ml, 1, &n->l.bias) ? OPC_OK
                                                                           : OPC_ERR_FORMAT;
    case CAFFE_PRELU: return take_weight(cv, cl, ml, 0, &n->l.slope) ? OPC_OK : OPC_ERR_FORMAT;
    case CAFFE_RELU:
        if (n->l.act == OPC_ACT_PRELU) {
            float *s = opc_graph_new_weight(cv->g, &n->l.slope, 1, (int[]){1}, cv->err);
            if (!s)
                return OPC_ERR_NOMEM;
            s[0] = n->relu_slope;
        }
        return OPC_OK;
    case CAFFE_BATCHNORM: return batchnorm_affine(cv, cl, ml, n);
    case CAFFE_SCALE:
        if (!take_weight(cv, cl, ml, 0, &n->l.weight))
            return OPC_ERR_FORMAT;
        return cl->n_weights < 2 || take_weight(cv, cl, ml, 1, &n->l.bias) ? OPC_OK
                                                                           : OPC_ERR_FORMAT;
    default: return OPC_OK;
    }
}

/* ---- folding ---------------------------------------------------------------------- */

/* The node n (an activation or affine with one input) joins the node writing its input,
 * when nothing else reads that input and the writer has no activation yet. */
static int fuse(converter *cv, caffe_node *n)
{
    caffe_net *net = &cv->net;
    if (n->l.n_inputs != 1 || (n->l.op != OPC_OP_ACT && n->l.op != OPC_OP_AFFINE))
        return OPC_OK;
    const caffe_blob *in = &net->blobs[n->l.inputs[0]];
    if (in->readers != 1 || in->writer < 0)
        return OPC_OK;
    caffe_node *p = &net->nodes[in->writer];
    opc_op op = p->l.op;
    if (p->l.act != OPC_ACT_NONE)
        return OPC_OK;
    if (n->l.op == OPC_OP_ACT) {
        if (op != OPC_OP_CONV && op != OPC_OP_ADD && op != OPC_OP_AFFINE)
            return OPC_OK;
        p->l.act = n->l.act;
        p->l.slope = n->l.slope;
    } else {
        if (op != OPC_OP_CONV && op != OPC_OP_AFFINE)
            return OPC_OK;
        int c = op == OPC_OP_CONV ? p->l.out_channels : (int)p->l.weight.count;
        int rc = opc_convert_fold_affine(cv->g, &p->l, n->l.weight.data, n->l.bias.data, c,
                                         cv->err);
        if (rc != OPC_OK)
            return rc;
    }
    p->l.output = n->l.output;
    net->blobs[n->l.output].writer = in->writer;
    n->dead = 1;
    return OPC_OK;
}

/* ---- emitting the graph ----------------------------------------------------------- */

static const char *blob_name(const caffe_net *net, int id, char *buf, size_t size)
{
    const caffe_blob *b = &net->blobs[id];
    if (b->final)
        return b->name;
    snprintf(buf, size, "%s@%s", b->name,
             b->writer_layer >= 0 ? net->layers[b->writer_layer].name : "input");
    return buf;
}

static int emit(converter *cv)
{
    caffe_net *net = &cv->net;
    int *gid = malloc((size_t)net->n_blobs * sizeof *gid);
    if (!gid)
        return opc_fail(cv->err, OPC_ERR_NOMEM, "%s: out of memory", net->path);
    gid[0] = 0;
    int rc = OPC_OK;
    for (int i = 0; i < net->n_nodes && rc == OPC_OK; i++) {
        const caffe_node *n = &net->nodes[i];
        if (n->dead)
            continue;
        char buf[512];
        opc_error sub;
        const char *out = blob_name(net, n->l.output, buf, sizeof buf);
        opc_layer *l = opc_graph_add_layer(cv->g, n->l.op, net->layers[n->layer].name, out, &sub);
        if (!l) {
            rc = opc_fail(cv->err, OPC_ERR_FORMAT, "%s: %s", net->path, sub.msg);
            break;
        }
        opc_layer t = n->l;
        t.name = l->name;
        t.output = l->output;
        for (int k = 0; k < t.n_inputs; k++)
            t.inputs[k] = gid[n->l.inputs[k]]; /* written earlier: prototxt order */
        *l = t;
        gid[n->l.output] = l->output;
    }
    if (rc == OPC_OK)
        rc = opc_convert_paf_output(cv->g, cv->topology, gid[net->output], cv->err);
    free(gid);
    return rc;
}

int opc_convert_caffe(const char *prototxt, const char *caffemodel, const char *out_path,
                      const opc_convert_options *opt, opc_error *err)
{
    converter cv = {.caffemodel = caffemodel, .err = err};
    int rc = caffe_net_load(&cv.net, prototxt, err);
    if (rc != OPC_OK)
        return rc;
    caffe_net *net = &cv.net;
    if (net->blobs[0].channels != 3) {
        rc = opc_fail(err, OPC_ERR_UNSUPPORTED,
                      "%s: the input has %d channels; OpenPose networks take 3 (BGR)", net->path,
                      net->blobs[0].channels);
        caffe_net_free(net);
        return rc;
    }
    rc = caffe_model_open(&cv.model, caffemodel, err);
    if (rc != OPC_OK) {
        caffe_net_free(net);
        return rc;
    }
    char buf[512];
    cv.g = opc_graph_new(blob_name(net, 0, buf, sizeof buf), 3);
    if (!cv.g) {
        rc = opc_fail(err, OPC_ERR_NOMEM, "out of memory");
        goto done;
    }
    rc = opc_convert_pick_topology(opt ? opt->topology : NULL, net->blobs[net->output].channels,
                                   net->path, net->blobs[net->output].name, &cv.topology, err);
    for (int i = 0; i < net->n_layers && rc == OPC_OK; i++)
        rc = attach_weights(&cv, i);
    for (int i = 0; i < net->n_nodes && rc == OPC_OK; i++)
        rc = fuse(&cv, &net->nodes[i]);
    if (rc == OPC_OK)
        rc = emit(&cv);
    if (rc == OPC_OK)
        rc = opc_convert_set_names(cv.g, "caffe", net->path, out_path, opt ? opt->name : NULL, err);
    if (rc != OPC_OK)
        goto done;
    /* CMU OpenPose's input: BGR, pixel / 256 - 0.5, maps at 1/8, default -1x368. */
    cv.g->preprocess = opc_convert_openpose_preprocess(1.0f / 256, -0.5f, 0, 8, -1, 368);
    if (opt && (opt->net_width || opt->net_height)) {
        cv.g->preprocess.net_width = opt->net_width;
        cv.g->preprocess.net_height = opt->net_height;
    }
    const opc_preprocess *p = &cv.g->preprocess;
    if (p->net_height < 1 || (p->net_width < 1 && p->net_width != -1)) {
        rc = opc_fail(err, OPC_ERR_ARG, "net resolution %dx%d: need WxH with H > 0, W > 0 or -1",
                      p->net_width, p->net_height);
        goto done;
    }
    opc_error verr;
    if ((rc = opc_convert_fold_scales(cv.g, &verr)) != OPC_OK) {
        rc = opc_fail(err, rc, "%s: %s", prototxt, verr.msg);
        goto done;
    }
    rc = opc_graph_validate(cv.g, p->net_width > 0 ? p->net_width : p->net_height, p->net_height,
                            NULL, &verr);
    if (rc != OPC_OK) {
        rc = opc_fail(err, rc, "%s: %s", prototxt, verr.msg);
        goto done;
    }
    rc = opc_model_write(cv.g, out_path, err);
done:
    opc_graph_free(cv.g);
    caffe_model_close(&cv.model);
    caffe_net_free(net);
    return rc;
}
