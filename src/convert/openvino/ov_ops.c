/* The OpenVINO ops we map, one function each, and the table naming them (one row per op:
 * adding an op is adding a row). Tensors are N x C x H x W with N = 1 in both. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "convert/common/convert_common.h"
#include "convert/openvino/ov_map.h"
#include "model/limits.h"
#include "openpose-c/error.h"

#define OP_MASK(op) (1u << (op))

/* The ops an activation can fold into (their rows in the op table say they carry one). */
static unsigned act_hosts(void)
{
    unsigned m = 0;
    for (int op = 0; op < OPC_OP_COUNT; op++)
        if (opc_op_info_of((opc_op)op)->act && op != OPC_OP_ACT)
            m |= OP_MASK(op);
    return m;
}

static const ov_layer *layer_of(ov_ctx *c, int layer) { return &c->ir->layers[layer]; }

static int is(const char *s, const char *t) { return s && strcmp(s, t) == 0; }

/* A boolean attribute: "true"/"false" (or 1/0); def when absent. */
static int bool_attr(ov_ctx *c, int layer, const char *key, int def, int *v)
{
    const char *s = ov_attr_get(layer_of(c, layer), key);
    if (!s)
        *v = def;
    else if (is(s, "true") || is(s, "True") || is(s, "1"))
        *v = 1;
    else if (is(s, "false") || is(s, "False") || is(s, "0"))
        *v = 0;
    else
        return ov_fail(c, layer, OPC_ERR_FORMAT, "%s \"%.20s\" is not true or false", key, s);
    return OPC_OK;
}

/* Convolution and pooling windows: strides, dilations and pads (explicit/notset, valid,
 * same_upper = TensorFlow's SAME). */
static int window_attrs(ov_ctx *c, int layer, opc_layer *gl)
{
    int pb[2], pe[2], rc;
    const char *auto_pad = ov_attr_get(layer_of(c, layer), "auto_pad");
    if ((rc = ov_attr_pair(c, layer, "strides", -1, 1, OPC_GRAPH_MAX_KERNEL, gl->stride)) ||
        (rc = ov_attr_pair(c, layer, "dilations", 1, 1, OPC_GRAPH_MAX_KERNEL, gl->dilation)))
        return rc;
    if (!auto_pad || is(auto_pad, "explicit") || is(auto_pad, "notset")) {
        if ((rc = ov_attr_pair(c, layer, "pads_begin", -1, 0, OPC_GRAPH_MAX_KERNEL, pb)) ||
            (rc = ov_attr_pair(c, layer, "pads_end", -1, 0, OPC_GRAPH_MAX_KERNEL, pe)))
            return rc;
        gl->pad[0] = pb[0];
        gl->pad[1] = pb[1];
        gl->pad[2] = pe[0];
        gl->pad[3] = pe[1];
    } else if (is(auto_pad, "same_upper")) {
        gl->pad_same = 1;
    } else if (!is(auto_pad, "valid")) {
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED,
                       "auto_pad %.20s (explicit, notset, valid and same_upper are supported)",
                       auto_pad);
    }
    return OPC_OK;
}

/* ---- the ops ---- */

/* Convolution: weights [O, I, kh, kw]; GroupConvolution: [G, O/G, I/G, kh, kw], the same
 * numbers in the same order as our [O, I/G, kh, kw] with G groups. */
static int map_conv(ov_ctx *c, int layer)
{
    int grouped = is(layer_of(c, layer)->type, "GroupConvolution");
    int x, rc;
    if ((rc = ov_in_blob(c, layer, 0, &x)))
        return rc;
    const ov_tensor *w = ov_in_const(c, layer, 1);
    if (!w)
        return OPC_ERR_UNSUPPORTED;
    int nd = grouped ? 5 : 4;
    int64_t groups = grouped ? w->dims[0] : 1;
    const int64_t *d = w->dims + (grouped ? 1 : 0);
    if (w->ndim != nd || groups < 1 || d[0] < 1 || d[1] < 1 || d[2] < 1 || d[3] < 1 ||
        d[2] > OPC_GRAPH_MAX_KERNEL || d[3] > OPC_GRAPH_MAX_KERNEL ||
        groups * d[0] > OPC_GRAPH_MAX_CHANNELS || groups * d[1] > OPC_GRAPH_MAX_CHANNELS)
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED,
                       "weights of %d dimensions ([%sO, I, kh, kw] with a window up to %d and up "
                       "to %d channels expected)",
                       w->ndim, grouped ? "G, " : "", OPC_GRAPH_MAX_KERNEL,
                       OPC_GRAPH_MAX_CHANNELS);
    int out = (int)(groups * d[0]), in = (int)(groups * d[1]);
    if (c->blob_channels[x] != in)
        return ov_fail(c, layer, OPC_ERR_FORMAT,
                       "shapes do not chain: input %s has %d channels, the weights take %d",
                       c->g->blob_names[x], c->blob_channels[x], in);
    opc_layer *gl = ov_new_layer(c, layer, OPC_OP_CONV, out);
    if (!gl)
        return OPC_ERR_FORMAT;
    gl->inputs[gl->n_inputs++] = x;
    gl->kernel[0] = (int)d[2];
    gl->kernel[1] = (int)d[3];
    gl->group = (int)groups;
    gl->out_channels = out;
    if ((rc = window_attrs(c, layer, gl)))
        return rc;
    return ov_weight(c, layer, "weight", &gl->weight, 4,
                     (int[]){out, (int)d[1], (int)d[2], (int)d[3]}, w->v);
}

/* y = s * x + o per channel, folded into the convolution or affine layer that wrote x when
 * nothing else reads it, else an affine layer of its own; on the input it changes the
 * preprocessing. */
static int map_scale_shift(ov_ctx *c, int layer, int x_in, const double *s, const double *o)
{
    ov_value *xv = &c->val[layer_of(c, layer)->src[x_in]];
    if (xv->kind == OV_V_INPUT) {
        ov_value v = *xv;
        for (int i = 0; i < 3; i++) {
            v.scale[i] *= s[i];
            v.offset[i] = v.offset[i] * s[i] + o[i];
        }
        c->val[layer] = v;
        return OPC_OK;
    }
    int x = xv->blob, ch = c->blob_channels[x], rc;
    opc_layer *p = ov_foldable(c, x, OP_MASK(OPC_OP_CONV) | OP_MASK(OPC_OP_AFFINE));
    if (p) {
        float *fs = malloc(2 * (size_t)ch * sizeof *fs), *fo = fs + ch;
        if (!fs)
            return ov_fail(c, layer, OPC_ERR_NOMEM, "out of memory");
        for (int k = 0; k < ch; k++) {
            fs[k] = (float)s[k];
            fo[k] = (float)o[k];
        }
        opc_error why;
        rc = opc_convert_fold_affine(c->g, p, fs, fo, ch, &why);
        free(fs);
        if (rc)
            return ov_fail(c, layer, rc, "%s", why.msg);
        for (size_t i = 0; i < p->weight.count; i++)
            if (!isfinite(p->weight.data[i]))
                return ov_fail(c, layer, OPC_ERR_FORMAT, "a weight becomes %g", p->weight.data[i]);
        for (int k = 0; k < ch; k++)
            if (!isfinite(p->bias.data[k]))
                return ov_fail(c, layer, OPC_ERR_FORMAT, "the bias of channel %d becomes %g", k,
                               p->bias.data[k]);
        return ov_fold_into(c, layer, x);
    }
    opc_layer *gl = ov_new_layer(c, layer, OPC_OP_AFFINE, ch);
    if (!gl)
        return OPC_ERR_FORMAT;
    gl->inputs[gl->n_inputs++] = x;
    if ((rc = ov_weight(c, layer, "scale", &gl->weight, 1, &ch, s)))
        return rc;
    return ov_weight(c, layer, "shift", &gl->bias, 1, &ch, o);
}

/* Add, Subtract, Multiply, Divide with an activation: of two activations only Add (same
 * shapes); with a constant of one value per channel, a scale and shift. */
static int map_arith(ov_ctx *c, int layer)
{
    const ov_layer *l = layer_of(c, layer);
    char op = l->type[0];
    const char *mode = ov_attr_get(l, "auto_broadcast");
    if (mode && !is(mode, "numpy") && !is(mode, "none"))
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "auto_broadcast %.20s (numpy or none)", mode);
    int k_const = c->val[l->src[0]].kind == OV_V_CONST ? 0
                  : c->val[l->src[1]].kind == OV_V_CONST ? 1 : -1;
    if (k_const < 0) {
        int x, y, rc;
        if (op != 'A')
            return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "%s of two activations", l->type);
        if ((rc = ov_in_blob(c, layer, 0, &x)) || (rc = ov_in_blob(c, layer, 1, &y)))
            return rc;
        if (c->blob_channels[x] != c->blob_channels[y])
            return ov_fail(c, layer, OPC_ERR_FORMAT,
                           "shapes do not chain: adds %s (%d channels) to %s (%d channels)",
                           c->g->blob_names[x], c->blob_channels[x], c->g->blob_names[y],
                           c->blob_channels[y]);
        opc_layer *gl = ov_new_layer(c, layer, OPC_OP_ADD, c->blob_channels[x]);
        if (!gl)
            return OPC_ERR_FORMAT;
        gl->inputs[gl->n_inputs++] = x;
        gl->inputs[gl->n_inputs++] = y;
        return OPC_OK;
    }
    if (op == 'D' && k_const == 0)
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "divides a constant by an activation");
    const ov_tensor *t = ov_in_const(c, layer, k_const);
    const ov_value *xv = &c->val[l->src[1 - k_const]];
    int ch = xv->kind == OV_V_INPUT ? 3 : c->blob_channels[xv->blob];
    double *s = malloc(2 * (size_t)ch * sizeof *s), *o = s + ch, *v = s;
    if (!s)
        return ov_fail(c, layer, OPC_ERR_NOMEM, "out of memory");
    if (!t || !ov_per_channel(t, ch, v)) {
        free(s);
        return t ? ov_fail(c, layer, OPC_ERR_UNSUPPORTED,
                           "the constant is not one value per channel of %d", ch)
                 : OPC_ERR_UNSUPPORTED;
    }
    for (int i = 0; i < ch; i++) {
        double k = v[i];
        /* v aliases s: read it before writing */
        s[i] = op == 'M' ? k : op == 'D' ? 1 / k : op == 'S' && k_const == 0 ? -1 : 1;
        o[i] = op == 'A' ? k : op == 'S' ? (k_const == 0 ? k : -k) : 0;
        if (op == 'D' && k == 0) {
            free(s);
            return ov_fail(c, layer, OPC_ERR_FORMAT, "divides channel %d by zero", i);
        }
    }
    int rc = map_scale_shift(c, layer, 1 - k_const, s, o);
    free(s);
    return rc;
}

/* An activation, folded into the layer that wrote its input when nothing else reads it,
 * else a layer of its own. */
static int map_activation(ov_ctx *c, int layer, opc_act act, const float *params,
                          const ov_tensor *slope)
{
    int x, rc;
    if ((rc = ov_in_blob(c, layer, 0, &x)))
        return rc;
    int ch = c->blob_channels[x];
    double *sv = NULL;
    if (slope) {
        if (!(sv = malloc((size_t)ch * sizeof *sv)))
            return ov_fail(c, layer, OPC_ERR_NOMEM, "out of memory");
        if (!ov_per_channel(slope, ch, sv)) {
            free(sv);
            return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "slope is not one value per channel");
        }
    }
    opc_layer *p = ov_foldable(c, x, act_hosts());
    if (p) {
        rc = ov_fold_into(c, layer, x);
    } else if ((p = ov_new_layer(c, layer, OPC_OP_ACT, ch))) {
        p->inputs[p->n_inputs++] = x;
        rc = OPC_OK;
    } else {
        rc = OPC_ERR_FORMAT;
    }
    if (p) {
        p->act = act;
        for (int i = 0; i < opc_act_info_of(act)->n_params; i++)
            p->act_param[i] = params[i];
    }
    if (rc == OPC_OK && slope)
        rc = ov_weight(c, layer, "slope", &p->slope, 1, &ch, sv);
    free(sv);
    return rc;
}

static int map_relu(ov_ctx *c, int layer)
{
    return map_activation(c, layer, OPC_ACT_RELU, NULL, NULL);
}

static int map_sigmoid(ov_ctx *c, int layer)
{
    return map_activation(c, layer, OPC_ACT_SIGMOID, NULL, NULL);
}

static int map_prelu(ov_ctx *c, int layer)
{
    const ov_tensor *slope = ov_in_const(c, layer, 1);
    return slope ? map_activation(c, layer, OPC_ACT_PRELU, NULL, slope) : OPC_ERR_UNSUPPORTED;
}

static int map_elu(ov_ctx *c, int layer)
{
    double alpha;
    int rc = ov_attr_double(c, layer, "alpha", 1, 0, &alpha);
    if (rc)
        return rc;
    if (fabs(alpha) > FLT_MAX)
        return ov_fail(c, layer, OPC_ERR_FORMAT, "alpha %g beyond float32", alpha);
    return map_activation(c, layer, OPC_ACT_ELU, (float[]){(float)alpha}, NULL);
}

/* Clamp(0, 6) is ReLU6 and Clamp(0, beyond float32) ReLU (their kernels are the faster);
 * any other range a clamp. */
static int map_clamp(ov_ctx *c, int layer)
{
    double lo, hi;
    int rc;
    if ((rc = ov_attr_double(c, layer, "min", 1, 0, &lo)) ||
        (rc = ov_attr_double(c, layer, "max", 1, 0, &hi)))
        return rc;
    if (lo == 0 && hi == 6)
        return map_activation(c, layer, OPC_ACT_RELU6, NULL, NULL);
    if (lo == 0 && hi >= FLT_MAX)
        return map_activation(c, layer, OPC_ACT_RELU, NULL, NULL);
    if (!(lo <= hi))
        return ov_fail(c, layer, OPC_ERR_FORMAT, "Clamp(%g, %g): min above max", lo, hi);
    float p[2] = {lo < -FLT_MAX ? -FLT_MAX : (float)lo, hi > FLT_MAX ? FLT_MAX : (float)hi};
    return map_activation(c, layer, OPC_ACT_CLAMP, p, NULL);
}

static int map_concat(ov_ctx *c, int layer)
{
    const ov_layer *l = layer_of(c, layer);
    double axis;
    int rc = ov_attr_double(c, layer, "axis", 1, 0, &axis);
    if (rc)
        return rc;
    if (axis != 1 && axis != -3)
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "axis %g (only channels, 1)", axis);
    if (l->n_inputs > OPC_MAX_INPUTS)
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "%d inputs (at most %d)", l->n_inputs,
                       OPC_MAX_INPUTS);
    int blobs[OPC_MAX_INPUTS], ch = 0;
    for (int k = 0; k < l->n_inputs; k++) {
        if ((rc = ov_in_blob(c, layer, k, &blobs[k])))
            return rc;
        ch += c->blob_channels[blobs[k]];
    }
    if (ch > OPC_GRAPH_MAX_CHANNELS)
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "%d channels", ch);
    opc_layer *gl = ov_new_layer(c, layer, OPC_OP_CONCAT, ch);
    if (!gl)
        return OPC_ERR_FORMAT;
    for (int k = 0; k < l->n_inputs; k++)
        gl->inputs[gl->n_inputs++] = blobs[k];
    return OPC_OK;
}

/* MaxPool: floor rounding, or ceil without padding (where Caffe's ceil rule, ours, is the
 * plain one). */
static int map_maxpool(ov_ctx *c, int layer)
{
    int x, rc;
    const char *rounding = ov_attr_get(layer_of(c, layer), "rounding_type");
    if ((rc = ov_in_blob(c, layer, 0, &x)))
        return rc;
    if (rounding && !is(rounding, "floor") && !is(rounding, "ceil"))
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "rounding_type %.20s", rounding);
    opc_layer *gl = ov_new_layer(c, layer, OPC_OP_MAXPOOL, c->blob_channels[x]);
    if (!gl)
        return OPC_ERR_FORMAT;
    gl->inputs[gl->n_inputs++] = x;
    if ((rc = ov_attr_pair(c, layer, "kernel", -1, 1, OPC_GRAPH_MAX_KERNEL, gl->kernel)) ||
        (rc = window_attrs(c, layer, gl)))
        return rc;
    gl->ceil_mode = is(rounding, "ceil");
    if (gl->ceil_mode && (gl->pad_same || gl->pad[0] || gl->pad[1] || gl->pad[2] || gl->pad[3]))
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "ceil rounding with padding");
    return OPC_OK;
}

/* The integer factor by which an Interpolate enlarges both spatial axes: from its scales,
 * or from its target sizes over the input's size at the IR's own input size. */
static int resize_factor(ov_ctx *c, int layer, const ov_tensor *t, int are_scales, int x,
                         int *factor)
{
    double f[2];
    if (t->count != 2 && t->count != 4)
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "%s of %zu values (2 spatial axes)",
                       are_scales ? "scales" : "sizes", t->count);
    const double *v = t->v + (t->count == 4 ? 2 : 0);
    if (are_scales) {
        f[0] = v[0];
        f[1] = v[1];
    } else {
        opc_error why;
        opc_shape *shapes = calloc((size_t)c->g->n_blobs, sizeof *shapes);
        if (!shapes)
            return ov_fail(c, layer, OPC_ERR_NOMEM, "out of memory");
        int rc = opc_graph_infer_shapes(c->g, c->ref_h, c->ref_w, shapes, &why);
        opc_shape s = shapes[x];
        free(shapes);
        if (rc)
            return ov_fail(c, layer, rc, "%s", why.msg);
        f[0] = v[0] / s.h;
        f[1] = v[1] / s.w;
    }
    if (f[0] != f[1] || f[0] != floor(f[0]) || f[0] < 1 || f[0] > OPC_GRAPH_MAX_KERNEL)
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED,
                       "resizes by %g x %g (one whole factor for both axes, 1 to %d)", f[0], f[1],
                       OPC_GRAPH_MAX_KERNEL);
    *factor = (int)f[0];
    return OPC_OK;
}

/* Whether nearest-neighbour sampling by a whole factor f under this coordinate rule and
 * rounding picks source floor(x / f) for every output x, as our nearest mode does: the
 * pattern repeats every f outputs, so f of them decide. */
static int nearest_is_floor(const char *coord, const char *rounding, int f)
{
    for (int x = 0; x < f; x++) {
        double src;
        if (is(coord, "asymmetric"))
            src = (double)x / f;
        else if (is(coord, "half_pixel") || is(coord, "pytorch_half_pixel"))
            src = (x + 0.5) / f - 0.5;
        else if (is(coord, "tf_half_pixel_for_nn"))
            src = (x + 0.5) / f;
        else
            return 0;
        double fl = floor(src), frac = src - fl, pick;
        if (is(rounding, "floor") || is(rounding, "simple"))
            pick = fl;
        else if (is(rounding, "ceil"))
            pick = ceil(src);
        else if (is(rounding, "round_prefer_floor"))
            pick = frac <= 0.5 ? fl : fl + 1;
        else if (is(rounding, "round_prefer_ceil"))
            pick = frac < 0.5 ? fl : fl + 1;
        else
            return 0;
        if (pick != 0) /* not even -1 clamped to 0: the next f outputs would get it wrong */
            return 0;
    }
    return 1;
}

/* Interpolate by a whole factor: linear with the asymmetric rule (source = destination /
 * factor; OpenVINO itself runs Interpolate-1's linear without align_corners so) is our
 * bilinear resize; nearest, under any rule that picks floor(destination / factor), our
 * nearest resize. */
static int map_interpolate(ov_ctx *c, int layer)
{
    const ov_layer *l = layer_of(c, layer);
    const char *mode = ov_attr_get(l, "mode");
    int v1 = is(l->version, "opset1"), x, rc, aa, factor;
    if ((rc = ov_in_blob(c, layer, 0, &x)) || (rc = bool_attr(c, layer, "antialias", 0, &aa)))
        return rc;
    const char *pads[2] = {ov_attr_get(l, "pads_begin"), ov_attr_get(l, "pads_end")};
    for (int i = 0; i < 2; i++) {
        int64_t p[OV_MAX_DIMS];
        int n;
        if (pads[i] && ov_parse_ints(pads[i], p, OV_MAX_DIMS, &n))
            return ov_fail(c, layer, OPC_ERR_FORMAT, "malformed pads");
        for (int k = 0; pads[i] && k < n; k++)
            if (p[k])
                return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "padding");
    }
    if (aa)
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "antialias");
    int nearest = is(mode, "nearest");
    if (!nearest && !is(mode, "linear") && !(is(mode, "linear_onnx") && !v1))
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "mode %.20s (nearest, linear%s)",
                       mode ? mode : "(missing)", v1 ? "" : ", linear_onnx");
    const char *coord = "asymmetric", *rounding = "simple";
    if (v1) {
        int align;
        const char *axes = ov_attr_get(l, "axes");
        if ((rc = bool_attr(c, layer, "align_corners", 1, &align)))
            return rc;
        if (align || !is(axes, "2,3"))
            return ov_fail(c, layer, OPC_ERR_UNSUPPORTED,
                           "align_corners %d, axes %.20s (0 and 2,3 are supported)", align,
                           axes ? axes : "?");
        const ov_tensor *sizes = ov_in_const(c, layer, 1);
        if (!sizes)
            return OPC_ERR_UNSUPPORTED;
        rc = resize_factor(c, layer, sizes, 0, x, &factor);
    } else {
        const char *calc = ov_attr_get(l, "shape_calculation_mode");
        coord = ov_attr_get(l, "coordinate_transformation_mode");
        rounding = ov_attr_get(l, "nearest_mode");
        coord = coord ? coord : "half_pixel";
        rounding = rounding ? rounding : "round_prefer_floor";
        int scales = is(calc, "scales");
        if (!scales && !is(calc, "sizes"))
            return ov_fail(c, layer, OPC_ERR_FORMAT, "shape_calculation_mode %.20s",
                           calc ? calc : "(missing)");
        /* Interpolate-4 has sizes, scales and axes; Interpolate-11 scales or sizes, axes. */
        int v4 = is(l->version, "opset4");
        if (v4 && l->n_inputs < 3)
            return ov_fail(c, layer, OPC_ERR_FORMAT, "Interpolate-4 without its scales input");
        const ov_tensor *t = ov_in_const(c, layer, v4 && scales ? 2 : 1);
        if (!t)
            return OPC_ERR_UNSUPPORTED;
        if (l->n_inputs == (v4 ? 4 : 3)) {
            const ov_tensor *axes = ov_in_const(c, layer, l->n_inputs - 1);
            if (!axes)
                return OPC_ERR_UNSUPPORTED;
            if (axes->count != 2 || axes->v[0] != 2 || axes->v[1] != 3)
                return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "axes other than 2, 3");
        }
        rc = resize_factor(c, layer, t, scales, x, &factor);
    }
    if (rc)
        return rc;
    if (nearest ? !nearest_is_floor(coord, rounding, factor) : !is(coord, "asymmetric"))
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED,
                       "%s with coordinate_transformation_mode %.30s%s%.30s (supported: "
                       "linear asymmetric; nearest picking floor(x / factor))",
                       mode, coord, nearest ? ", nearest_mode " : "", nearest ? rounding : "");
    opc_layer *gl = ov_new_layer(c, layer, OPC_OP_RESIZE, c->blob_channels[x]);
    if (!gl)
        return OPC_ERR_FORMAT;
    gl->inputs[gl->n_inputs++] = x;
    gl->resize_factor = factor;
    gl->resize_mode = nearest ? OPC_RESIZE_NEAREST : OPC_RESIZE_BILINEAR;
    return OPC_OK;
}

static int map_result(ov_ctx *c, int layer)
{
    int x, rc = ov_in_blob(c, layer, 0, &x);
    if (rc)
        return rc;
    if (x == 0)
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "the output is the input itself");
    c->outputs[c->n_outputs++] = x;
    return OPC_OK;
}

/* FakeQuantize kept (--keep-fake-quantize): a layer of our own, its four limits one value
 * per channel or one for all. */
static int map_fake_quantize(ov_ctx *c, int layer)
{
    int x, rc;
    double levels;
    if ((rc = ov_in_blob(c, layer, 0, &x)) ||
        (rc = ov_attr_double(c, layer, "levels", 1, 0, &levels)))
        return rc;
    if (!(levels >= 2 && levels <= 65536 && levels == floor(levels)))
        return ov_fail(c, layer, OPC_ERR_FORMAT, "levels %g (2 to 65536)", levels);
    int ch = c->blob_channels[x], shared = 1;
    const ov_tensor *lim[4];
    for (int k = 0; k < 4; k++) {
        if (!(lim[k] = ov_in_const(c, layer, k + 1)))
            return OPC_ERR_UNSUPPORTED;
        shared &= lim[k]->count == 1;
    }
    int n = shared ? 1 : ch;
    double *v = malloc(4 * (size_t)ch * sizeof *v);
    if (!v)
        return ov_fail(c, layer, OPC_ERR_NOMEM, "out of memory");
    for (int k = 0; k < 4; k++)
        if (!ov_per_channel(lim[k], n, v + (size_t)k * n)) {
            free(v);
            return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "limit %d is not one value per channel",
                           k + 1);
        }
    opc_layer *gl = ov_new_layer(c, layer, OPC_OP_FAKE_QUANTIZE, ch);
    rc = gl ? ov_weight(c, layer, "limit", &gl->weight, 2, (int[]){4, n}, v) : OPC_ERR_FORMAT;
    free(v);
    if (gl) {
        gl->inputs[gl->n_inputs++] = x;
        gl->levels = (int)levels;
    }
    return rc;
}

static const ov_op OPS[] = {
    /* type            inputs  on an activation       constants only        otherwise */
    {"Parameter",        0, 0, OV_PASS_NEVER,         NULL,                  NULL},
    {"Const",            0, 0, OV_PASS_NEVER,         ov_fold_const,         NULL},
    {"Convert",          1, 1, OV_PASS_ALWAYS,        ov_fold_convert,       NULL},
    {"Add",              2, 2, OV_PASS_NEVER,         ov_fold_arith,         map_arith},
    {"Subtract",         2, 2, OV_PASS_NEVER,         ov_fold_arith,         map_arith},
    {"Multiply",         2, 2, OV_PASS_NEVER,         ov_fold_arith,         map_arith},
    {"Divide",           2, 2, OV_PASS_NEVER,         ov_fold_arith,         map_arith},
    {"FakeQuantize",     5, 5, OV_PASS_UNLESS_KEPT,   ov_fold_fake_quantize, map_fake_quantize},
    {"Reshape",          2, 2, OV_PASS_NEVER,         ov_fold_reshape,       NULL},
    {"Convolution",      2, 2, OV_PASS_NEVER,         NULL,                  map_conv},
    {"GroupConvolution", 2, 2, OV_PASS_NEVER,         NULL,                  map_conv},
    {"ReLU",             1, 1, OV_PASS_NEVER,         NULL,                  map_relu},
    {"PReLU",            2, 2, OV_PASS_NEVER,         NULL,                  map_prelu},
    {"Clamp",            1, 1, OV_PASS_NEVER,         NULL,                  map_clamp},
    {"Elu",              1, 1, OV_PASS_NEVER,         NULL,                  map_elu},
    {"Sigmoid",          1, 1, OV_PASS_NEVER,         NULL,                  map_sigmoid},
    {"Concat",           1, OPC_MAX_INPUTS, OV_PASS_NEVER, NULL,             map_concat},
    {"MaxPool",          1, 1, OV_PASS_NEVER,         NULL,                  map_maxpool},
    {"Interpolate",      2, 4, OV_PASS_NEVER,         NULL,                  map_interpolate},
    {"Result",           1, 1, OV_PASS_NEVER,         NULL,                  map_result},
};
#define NUM_OPS (int)(sizeof OPS / sizeof OPS[0])
_Static_assert(NUM_OPS == 20, "one row per IR op");

const ov_op *ov_op_find(const char *type)
{
    for (int i = 0; i < NUM_OPS; i++)
        if (strcmp(OPS[i].type, type) == 0)
            return &OPS[i];
    return NULL;
}

const ov_op *ov_ops(int *count)
{
    *count = NUM_OPS;
    return OPS;
}
