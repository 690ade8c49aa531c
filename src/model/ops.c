/* The op table: one row per op with everything the model, the file format and the memory
 * planner need to know of it. Adding an op is a row here, its kernels (one row per engine in
 * engine/kernel_tables.c) and its converter mappings. Activations and resize modes likewise. */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "model/graph.h"
#include "model/limits.h"

/* ---- shape inference ---- */

/* Output size along one dimension for windows (CONV: floor; MAXPOOL: floor or Caffe ceil). */
static int pooled_size(const opc_layer *l, int d, int in, int pad_before, int pad_after)
{
    int k = l->dilation[d] * (l->kernel[d] - 1) + 1;
    int span = in + pad_before + pad_after - k;
    if (span < 0)
        return 0;
    if (l->ceil_mode && !l->pad_same) {
        int out = (span + l->stride[d] - 1) / l->stride[d] + 1;
        /* Caffe: the last window must start inside the image or the leading pad. */
        if ((pad_before || pad_after) && (out - 1) * l->stride[d] >= in + pad_before)
            out--;
        return out;
    }
    return span / l->stride[d] + 1;
}

static int window_shape(const opc_layer *l, opc_shape in, opc_shape *out, opc_error *err)
{
    int pad[4];
    opc_layer_pads(l, in.h, in.w, pad);
    *out = in;
    out->h = pooled_size(l, 0, in.h, pad[0], pad[2]);
    out->w = pooled_size(l, 1, in.w, pad[1], pad[3]);
    if (out->h < 1 || out->w < 1)
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: input %dx%d is smaller than its %dx%d window",
                        l->name, in.w, in.h, l->kernel[1], l->kernel[0]);
    return OPC_OK;
}

static int conv_shape(const opc_graph *g, const opc_layer *l, const opc_shape *shapes,
                      opc_shape *out, opc_error *err)
{
    opc_shape in = shapes[l->inputs[0]];
    int cin_g = l->weight.shape[1];
    if (in.c != cin_g * l->group)
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: input %s has %d channels, weights expect %d",
                        l->name, g->blob_names[l->inputs[0]], in.c, cin_g * l->group);
    int rc = window_shape(l, in, out, err);
    out->c = l->out_channels;
    return rc;
}

static int pool_shape(const opc_graph *g, const opc_layer *l, const opc_shape *shapes,
                      opc_shape *out, opc_error *err)
{
    return window_shape(l, shapes[l->inputs[0]], out, err);
}

static int concat_shape(const opc_graph *g, const opc_layer *l, const opc_shape *shapes,
                        opc_shape *out, opc_error *err)
{
    opc_shape in = shapes[l->inputs[0]];
    *out = in;
    out->c = 0;
    for (int k = 0; k < l->n_inputs; k++) {
        opc_shape s = shapes[l->inputs[k]];
        if (s.h != in.h || s.w != in.w)
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: input %s is %dx%d, %s is %dx%d",
                            l->name, g->blob_names[l->inputs[k]], s.w, s.h,
                            g->blob_names[l->inputs[0]], in.w, in.h);
        out->c += s.c;
    }
    if (out->c > OPC_GRAPH_MAX_CHANNELS)
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: %d channels", l->name, out->c);
    return OPC_OK;
}

static int add_shape(const opc_graph *g, const opc_layer *l, const opc_shape *shapes,
                     opc_shape *out, opc_error *err)
{
    opc_shape in = shapes[l->inputs[0]];
    for (int k = 1; k < l->n_inputs; k++) {
        opc_shape s = shapes[l->inputs[k]];
        if (s.c != in.c || s.h != in.h || s.w != in.w)
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: cannot add %s (%dx%dx%d) to %s (%dx%dx%d)",
                            l->name, g->blob_names[l->inputs[k]], s.c, s.h, s.w,
                            g->blob_names[l->inputs[0]], in.c, in.h, in.w);
    }
    *out = in;
    return OPC_OK;
}

/* Per-channel weights ([c]). */
static int check_channel_weight(const opc_layer *l, const opc_weight *w, const char *what, int c,
                                int required, opc_error *err)
{
    if (!w->data)
        return required ? opc_fail(err, OPC_ERR_FORMAT, "layer %s: missing %s", l->name, what)
                        : OPC_OK;
    if (w->count == (size_t)c)
        return OPC_OK;
    return opc_fail(err, OPC_ERR_FORMAT, "layer %s: %s has %zu values for %d channels", l->name,
                    what, w->count, c);
}

static int same_shape(const opc_graph *g, const opc_layer *l, const opc_shape *shapes,
                      opc_shape *out, opc_error *err)
{
    *out = shapes[l->inputs[0]];
    return OPC_OK;
}

/* INSTANCE_NORM, AFFINE: per-channel scale (required) and bias (optional). */
static int scaled_shape(const opc_graph *g, const opc_layer *l, const opc_shape *shapes,
                        opc_shape *out, opc_error *err)
{
    *out = shapes[l->inputs[0]];
    int rc = check_channel_weight(l, &l->weight, "scale", out->c, 1, err);
    return rc ? rc : check_channel_weight(l, &l->bias, "bias", out->c, 0, err);
}

static int resize_shape(const opc_graph *g, const opc_layer *l, const opc_shape *shapes,
                        opc_shape *out, opc_error *err)
{
    *out = shapes[l->inputs[0]];
    if (l->size_ref >= 0) {
        out->h = shapes[l->size_ref].h;
        out->w = shapes[l->size_ref].w;
    } else {
        out->h *= l->resize_factor;
        out->w *= l->resize_factor;
    }
    return OPC_OK;
}

/* ---- parameter checks ---- */

static int check_window(const opc_graph *g, const opc_layer *l, const unsigned char *written,
                        opc_error *err)
{
    for (int d = 0; d < 2; d++)
        if (l->kernel[d] < 1 || l->kernel[d] > OPC_GRAPH_MAX_KERNEL || l->stride[d] < 1 ||
            l->stride[d] > OPC_GRAPH_MAX_KERNEL || l->dilation[d] < 1 ||
            l->dilation[d] > OPC_GRAPH_MAX_KERNEL)
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: kernel/stride/dilation out of range",
                            l->name);
    for (int d = 0; d < 4; d++)
        if (l->pad[d] < 0 || l->pad[d] > OPC_GRAPH_MAX_KERNEL)
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: padding %d out of range", l->name,
                            l->pad[d]);
    return OPC_OK;
}

static int weight_is(const opc_weight *w, int ndim, const int *shape)
{
    if (!w->data || w->ndim != ndim)
        return 0;
    for (int i = 0; i < ndim; i++)
        if (w->shape[i] != shape[i])
            return 0;
    return 1;
}

static int check_conv(const opc_graph *g, const opc_layer *l, const unsigned char *written,
                      opc_error *err)
{
    int rc = check_window(g, l, written, err);
    if (rc != OPC_OK)
        return rc;
    if (l->group < 1 || l->out_channels < 1 || l->out_channels > OPC_GRAPH_MAX_CHANNELS ||
        l->out_channels % l->group)
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: %d outputs in %d groups", l->name,
                        l->out_channels, l->group);
    int shape[4] = {l->out_channels, l->weight.shape[1], l->kernel[0], l->kernel[1]};
    if (l->weight.shape[1] < 1 || l->weight.shape[1] > OPC_GRAPH_MAX_CHANNELS ||
        !weight_is(&l->weight, 4, shape))
        return opc_fail(err, OPC_ERR_FORMAT,
                        "layer %s: weight shape does not match %d outputs, %dx%d kernel", l->name,
                        l->out_channels, l->kernel[1], l->kernel[0]);
    if (l->bias.data && l->bias.count != (size_t)l->out_channels)
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: bias has %zu values for %d outputs",
                        l->name, l->bias.count, l->out_channels);
    return OPC_OK;
}

static int check_act(const opc_graph *g, const opc_layer *l, const unsigned char *written,
                     opc_error *err)
{
    if (l->act == OPC_ACT_NONE)
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: activation layer without activation",
                        l->name);
    return OPC_OK;
}

static int check_norm(const opc_graph *g, const opc_layer *l, const unsigned char *written,
                      opc_error *err)
{
    if (!(l->eps > 0 && l->eps < 1))
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: epsilon %g out of range", l->name,
                        l->eps);
    return OPC_OK;
}

static int check_resize(const opc_graph *g, const opc_layer *l, const unsigned char *written,
                        opc_error *err)
{
    if ((unsigned)l->resize_mode >= OPC_RESIZE_COUNT ||
        (l->size_ref >= 0 ? (l->size_ref >= g->n_blobs || !written[l->size_ref])
                          : (l->resize_factor < 1 || l->resize_factor > OPC_GRAPH_MAX_KERNEL)))
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: bad resize target", l->name);
    return OPC_OK;
}

/* FAKE_QUANTIZE: 2..65536 levels; limits [4, 1] or [4, C], finite. */
static int check_fake_quantize(const opc_graph *g, const opc_layer *l,
                               const unsigned char *written, opc_error *err)
{
    if (l->levels < 2 || l->levels > 65536)
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: %d levels (2 to 65536)", l->name,
                        l->levels);
    if (!l->weight.data || l->weight.ndim != 2 || l->weight.shape[0] != 4 ||
        l->weight.shape[1] < 1)
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: limits must be a [4, C] weight",
                        l->name);
    for (size_t i = 0; i < l->weight.count; i++)
        if (!isfinite(l->weight.data[i]))
            return opc_fail(err, OPC_ERR_FORMAT, "layer %s: a limit is not finite", l->name);
    return OPC_OK;
}

static int fake_quantize_shape(const opc_graph *g, const opc_layer *l, const opc_shape *shapes,
                               opc_shape *out, opc_error *err)
{
    *out = shapes[l->inputs[0]];
    if (l->weight.shape[1] != 1 && l->weight.shape[1] != out->c)
        return opc_fail(err, OPC_ERR_FORMAT, "layer %s: limits for %d channels, input has %d",
                        l->name, l->weight.shape[1], out->c);
    return OPC_OK;
}

/* ---- multiply-accumulates ---- */

static double conv_macs(const opc_layer *l, const opc_shape *shapes)
{
    const opc_shape *o = &shapes[l->output];
    return (double)o->c * o->h * o->w * l->weight.shape[1] * l->kernel[0] * l->kernel[1];
}

/* ---- the tables ---- */

static const opc_op_info OPS[] = {
    [OPC_OP_CONV] = {"conv", 1, 1, OPC_ATTR_WINDOW | OPC_ATTR_GROUP | OPC_ATTR_OUT_CHANNELS, 1,
                     check_conv, conv_shape, conv_macs, 0},
    [OPC_OP_MAXPOOL] = {"maxpool", 1, 1, OPC_ATTR_WINDOW | OPC_ATTR_CEIL_MODE, 0, check_window,
                        pool_shape, NULL, 0},
    [OPC_OP_CONCAT] = {"concat", 1, OPC_MAX_INPUTS, 0, 0, NULL, concat_shape, NULL, 0},
    [OPC_OP_ADD] = {"add", 2, OPC_MAX_INPUTS, 0, 1, NULL, add_shape, NULL, 1},
    [OPC_OP_ACT] = {"act", 1, 1, 0, 1, check_act, same_shape, NULL, 1},
    [OPC_OP_INSTANCE_NORM] = {"instance_norm", 1, 1, OPC_ATTR_EPS, 1, check_norm, scaled_shape,
                              NULL, 1},
    [OPC_OP_AFFINE] = {"affine", 1, 1, 0, 1, NULL, scaled_shape, NULL, 1},
    [OPC_OP_RESIZE] = {"resize", 1, 1, OPC_ATTR_SIZE_LIKE | OPC_ATTR_FACTOR | OPC_ATTR_RESIZE_MODE,
                       1, check_resize, resize_shape, NULL, 0},
    [OPC_OP_FAKE_QUANTIZE] = {"fake_quantize", 1, 1, OPC_ATTR_LEVELS, 0, check_fake_quantize,
                              fake_quantize_shape, NULL, 1},
};
static_assert(sizeof OPS / sizeof OPS[0] == OPC_OP_COUNT, "one row per op");

static const opc_act_info ACTS[] = {
    [OPC_ACT_NONE] = {"none", 0},   [OPC_ACT_RELU] = {"relu", 0},
    [OPC_ACT_RELU6] = {"relu6", 0}, [OPC_ACT_PRELU] = {"prelu", 0},
    [OPC_ACT_ELU] = {"elu", 1},     [OPC_ACT_SIGMOID] = {"sigmoid", 0},
    [OPC_ACT_CLAMP] = {"clamp", 2},
};
static_assert(sizeof ACTS / sizeof ACTS[0] == OPC_ACT_COUNT, "one row per activation");

static const char *const RESIZE_MODES[] = {
    [OPC_RESIZE_BILINEAR] = "bilinear",
    [OPC_RESIZE_NEAREST] = "nearest",
};
static_assert(sizeof RESIZE_MODES / sizeof RESIZE_MODES[0] == OPC_RESIZE_COUNT,
              "one name per resize mode");

const opc_op_info *opc_op_info_of(opc_op op)
{
    return (unsigned)op < OPC_OP_COUNT ? &OPS[op] : NULL;
}
const opc_act_info *opc_act_info_of(opc_act act)
{
    return (unsigned)act < OPC_ACT_COUNT ? &ACTS[act] : NULL;
}
const char *opc_op_name(opc_op op) { return (unsigned)op < OPC_OP_COUNT ? OPS[op].name : "?"; }
const char *opc_act_name(opc_act act)
{
    return (unsigned)act < OPC_ACT_COUNT ? ACTS[act].name : "?";
}
const char *opc_resize_mode_name(opc_resize_mode m)
{
    return (unsigned)m < OPC_RESIZE_COUNT ? RESIZE_MODES[m] : "?";
}

int opc_op_by_name(const char *name)
{
    for (int i = 0; i < OPC_OP_COUNT; i++)
        if (strcmp(OPS[i].name, name) == 0)
            return i;
    return -1;
}
int opc_act_by_name(const char *name)
{
    for (int i = 0; i < OPC_ACT_COUNT; i++)
        if (strcmp(ACTS[i].name, name) == 0)
            return i;
    return -1;
}
int opc_resize_mode_by_name(const char *name)
{
    for (int i = 0; i < OPC_RESIZE_COUNT; i++)
        if (strcmp(RESIZE_MODES[i], name) == 0)
            return i;
    return -1;
}
