/* TensorFlow frozen GraphDef -> .opc: picks the input and output nodes, orders the nodes
 * that feed the output, maps each (tf_ops.c), and writes the model. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/common/convert_common.h"
#include "convert/tf/tf_map.h"
#include "openpose-c/error.h"

/* A constant may hold more elements than the file has bytes (one value broadcast to a
 * shape), but not without bound: at most this many, or the file's size in elements. */
#define MIN_CONST_LIMIT ((size_t)1 << 22)

/* ---- helpers for the op mappings (tf_map.h) ---- */

int tf_node_fail(tf_ctx *c, int node, int code, const char *fmt, ...)
{
    char reason[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    const tf_node *n = &c->gd->nodes[node];
    return opc_fail(c->err, code, "%s: node %s (%s): %s", c->path, n->name, n->op, reason);
}

/* Follows Identity nodes from node `from` (stopping at the network input). */
static int skip_identity(tf_ctx *c, int from, int *src)
{
    int s = from;
    for (int hops = 0; s != c->input && strcmp(c->gd->nodes[s].op, "Identity") == 0; hops++) {
        const tf_node *n = &c->gd->nodes[s];
        if (hops > c->gd->n_nodes)
            return tf_node_fail(c, from, OPC_ERR_FORMAT, "a cycle of Identity nodes");
        if (n->n_inputs < 1 || n->inputs[0] < 0)
            return tf_node_fail(c, s, OPC_ERR_FORMAT, "input %s does not exist",
                                n->n_inputs ? n->input_names[0] : "(none)");
        if (n->ports[0] != 0)
            return tf_node_fail(c, s, OPC_ERR_UNSUPPORTED,
                                "reads output %d of %s (only output 0 is supported)", n->ports[0],
                                n->input_names[0]);
        s = n->inputs[0];
    }
    *src = s;
    return OPC_OK;
}

int tf_source(tf_ctx *c, int node, int k, int *src)
{
    const tf_node *n = &c->gd->nodes[node];
    if (k >= n->n_inputs)
        return tf_node_fail(c, node, OPC_ERR_FORMAT, "has %d inputs, needs at least %d",
                            n->n_inputs, k + 1);
    if (n->inputs[k] < 0)
        return tf_node_fail(c, node, OPC_ERR_FORMAT, "input %s does not exist",
                            n->input_names[k]);
    if (n->ports[k] != 0)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED,
                            "reads output %d of %s (only output 0 is supported)", n->ports[k],
                            n->input_names[k]);
    return skip_identity(c, n->inputs[k], src);
}

int tf_in_blob(tf_ctx *c, int node, int k, int *blob)
{
    int s, rc = tf_source(c, node, k, &s);
    if (rc)
        return rc;
    if (c->val[s].kind != TF_V_BLOB)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED,
                            "input %d (%s, %s) is not a tensor computed from the network input",
                            k, c->gd->nodes[s].name, c->gd->nodes[s].op);
    *blob = c->val[s].blob;
    return OPC_OK;
}

int tf_in_const(tf_ctx *c, int node, int k, int dtype, tf_tensor *t)
{
    memset(t, 0, sizeof *t);
    int s, rc = tf_source(c, node, k, &s);
    if (rc)
        return rc;
    if (c->val[s].kind != TF_V_CONST)
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED, "input %d (%s, %s) is not a constant",
                            k, c->gd->nodes[s].name, c->gd->nodes[s].op);
    pb_reader v;
    opc_error why;
    const tf_node *cn = &c->gd->nodes[s];
    if (tf_attr_tensor(cn, "value", &v) != 1)
        return tf_node_fail(c, s, OPC_ERR_FORMAT, "missing or malformed value");
    size_t limit = c->gd->size > MIN_CONST_LIMIT ? c->gd->size : MIN_CONST_LIMIT;
    if ((rc = tf_tensor_decode(v, limit, t, &why)))
        return tf_node_fail(c, s, rc, "%s", why.msg);
    int is_int = t->dtype == TF_DT_INT32 || t->dtype == TF_DT_INT64;
    if (dtype == TF_DT_FLOAT ? t->dtype != TF_DT_FLOAT : !is_int) {
        int got = t->dtype;
        tf_tensor_free(t);
        return tf_node_fail(c, node, OPC_ERR_UNSUPPORTED, "input %d (%s) is %s, expected %s", k,
                            cn->name, tf_dtype_name(got),
                            dtype == TF_DT_FLOAT ? "float32" : "an integer");
    }
    return OPC_OK;
}

opc_layer *tf_new_layer(tf_ctx *c, int node, opc_op op)
{
    opc_error why;
    const char *name = c->gd->nodes[node].name;
    opc_layer *l = opc_graph_add_layer(c->g, op, name, name, &why);
    if (!l) {
        tf_node_fail(c, node, OPC_ERR_NOMEM, "%s", why.msg);
        return NULL;
    }
    c->blob_layer[l->output] = c->g->n_layers - 1;
    c->blob_readers[l->output] = c->readers[node];
    c->val[node] = (tf_value){TF_V_BLOB, l->output};
    return l;
}

opc_layer *tf_foldable(tf_ctx *c, int blob, unsigned ops)
{
    if (blob <= 0 || c->blob_readers[blob] != 1)
        return NULL;
    opc_layer *l = &c->g->layers[c->blob_layer[blob]];
    return (ops >> l->op & 1) && l->act == OPC_ACT_NONE ? l : NULL;
}

int tf_fold_into(tf_ctx *c, int node, int blob)
{
    char *name = opc_graph_strdup(c->g, c->gd->nodes[node].name);
    if (!name)
        return opc_fail(c->err, OPC_ERR_NOMEM, "%s: out of memory", c->path);
    c->g->blob_names[blob] = name;
    c->blob_readers[blob] = c->readers[node];
    c->val[node] = (tf_value){TF_V_BLOB, blob};
    return OPC_OK;
}

/* ---- choosing the ends and ordering ---- */

static int named_node(tf_ctx *c, const char *name, const char *what, int *node)
{
    *node = tf_graphdef_find(c->gd, name);
    if (*node < 0)
        return opc_fail(c->err, OPC_ERR_ARG, "%s: no node called %s (%s)", c->path, name, what);
    return OPC_OK;
}

/* Without --output-node: the one node nothing reads (Const and NoOp aside). */
static int default_output(tf_ctx *c, int *node)
{
    const tf_graphdef *gd = c->gd;
    unsigned char *read = calloc((size_t)gd->n_nodes, 1);
    if (!read)
        return opc_fail(c->err, OPC_ERR_NOMEM, "%s: out of memory", c->path);
    for (int i = 0; i < gd->n_nodes; i++)
        for (int k = 0; k < gd->nodes[i].n_inputs; k++)
            if (gd->nodes[i].inputs[k] >= 0)
                read[gd->nodes[i].inputs[k]] = 1;
    int found = -1, second = -1;
    for (int i = 0; i < gd->n_nodes && second < 0; i++) {
        const char *op = gd->nodes[i].op;
        if (read[i] || strcmp(op, "Const") == 0 || strcmp(op, "NoOp") == 0)
            continue;
        if (found < 0)
            found = i;
        else
            second = i;
    }
    free(read);
    if (found < 0)
        return opc_fail(c->err, OPC_ERR_FORMAT, "%s: no output node found", c->path);
    if (second >= 0)
        return opc_fail(c->err, OPC_ERR_ARG,
                        "%s: several possible outputs (%s, %s, ...): choose one with --output-node",
                        c->path, gd->nodes[found].name, gd->nodes[second].name);
    *node = found;
    return OPC_OK;
}

/* Appends the nodes that feed root and are not visited yet to order, inputs before readers
 * (depth-first, iterative so a long chain cannot overflow the stack; state: 0 new, 1 on
 * the stack, 2 done). Stops at the input node, if known. */
static int visit(tf_ctx *c, int root, unsigned char *state, int *stack, int *next, int *order,
                 int *n_order)
{
    int top = 0;
    if (state[root])
        return OPC_OK;
    stack[top++] = root;
    state[root] = 1;
    while (top > 0) {
        int v = stack[top - 1], s, rc;
        if (v == c->input || next[v] == c->gd->nodes[v].n_inputs) {
            top--;
            state[v] = 2;
            order[(*n_order)++] = v;
            continue;
        }
        if ((rc = tf_source(c, v, next[v]++, &s)))
            return rc;
        if (state[s] == 1)
            return tf_node_fail(c, v, OPC_ERR_FORMAT, "the graph has a cycle through %s",
                                c->gd->nodes[s].name);
        if (state[s] == 0) {
            state[s] = 1;
            stack[top++] = s;
        }
    }
    return OPC_OK;
}

/* The nodes that feed the outputs, in an order where inputs come before their readers. */
static int order_nodes(tf_ctx *c, int *order, int *n_order)
{
    int n = c->gd->n_nodes, rc = OPC_OK;
    unsigned char *state = calloc((size_t)n, 1);
    int *stack = malloc((size_t)n * sizeof *stack), *next = calloc((size_t)n, sizeof *next);
    *n_order = 0;
    if (!state || !stack || !next)
        rc = opc_fail(c->err, OPC_ERR_NOMEM, "%s: out of memory", c->path);
    for (int k = 0; k < c->n_outputs && rc == OPC_OK; k++)
        rc = visit(c, c->outputs[k], state, stack, next, order, n_order);
    free(state);
    free(stack);
    free(next);
    return rc;
}

/* Without --input-node: the one Placeholder among the nodes that feed the outputs. */
static int find_input(tf_ctx *c, const int *order, int n_order)
{
    int found = -1;
    for (int i = 0; i < n_order; i++) {
        if (strcmp(c->gd->nodes[order[i]].op, "Placeholder") != 0)
            continue;
        if (found >= 0)
            return opc_fail(c->err, OPC_ERR_ARG,
                            "%s: Placeholders %s and %s both feed %s: choose one with --input-node",
                            c->path, c->gd->nodes[found].name, c->gd->nodes[order[i]].name,
                            c->gd->nodes[c->outputs[0]].name);
        found = order[i];
    }
    if (found < 0)
        return opc_fail(c->err, OPC_ERR_FORMAT,
                        "%s: no Placeholder feeds %s: name the input node with --input-node",
                        c->path, c->gd->nodes[c->outputs[0]].name);
    c->input = found;
    return OPC_OK;
}

/* Channels and (when fixed) size of the input: the Placeholder's shape [N, H, W, C],
 * else the channels of the first convolution reading it. */
static int input_shape(tf_ctx *c, const int *order, int n_order)
{
    const tf_node *in = &c->gd->nodes[c->input];
    int64_t dims[TF_MAX_DIMS];
    int ndim = -1, dtype;
    if (strcmp(in->op, "Placeholder") == 0) {
        int known = tf_attr_type(in, "dtype", &dtype) == 1;
        if (!known || dtype != TF_DT_FLOAT)
            return tf_node_fail(c, c->input, OPC_ERR_UNSUPPORTED,
                                "input of type %s (only float32 is supported)",
                                known ? tf_dtype_name(dtype) : "unknown");
        if (tf_attr_shape(in, "shape", dims, &ndim) < 0)
            return tf_node_fail(c, c->input, OPC_ERR_FORMAT, "malformed shape");
        if (ndim >= 0 && ndim != 4)
            return tf_node_fail(c, c->input, OPC_ERR_UNSUPPORTED,
                                "input has %d dimensions (NHWC, 4, expected)", ndim);
    }
    if (ndim == 4 && dims[1] > 0 && dims[2] > 0 && dims[1] <= 65536 && dims[2] <= 65536) {
        c->ref_h = (int)dims[1];
        c->ref_w = (int)dims[2];
    }
    if (ndim == 4 && dims[3] > 0 && dims[3] <= 65536) {
        c->g->input_channels = (int)dims[3];
        return OPC_OK;
    }
    for (int i = 0; i < n_order; i++) {
        const tf_node *n = &c->gd->nodes[order[i]];
        int s;
        tf_tensor f;
        if (!strstr(n->op, "Conv2D") && !strstr(n->op, "DepthwiseConv2dNative"))
            continue;
        if (tf_source(c, order[i], 0, &s) || s != c->input ||
            tf_in_const(c, order[i], 1, TF_DT_FLOAT, &f))
            continue;
        int channels = f.ndim == 4 ? (int)f.dims[2] : 0;
        tf_tensor_free(&f);
        if (channels > 0) {
            c->g->input_channels = channels;
            return OPC_OK;
        }
    }
    return tf_node_fail(c, c->input, OPC_ERR_UNSUPPORTED, "cannot tell how many channels it has");
}

static int map_nodes(tf_ctx *c, const int *order, int n_order)
{
    c->val[c->input] = (tf_value){TF_V_BLOB, 0};
    c->blob_layer[0] = -1;
    c->blob_readers[0] = c->readers[c->input];
    /* Constants first, so that input_shape can read the convolution filters. */
    for (int i = 0; i < n_order; i++)
        if (strcmp(c->gd->nodes[order[i]].op, "Const") == 0)
            c->val[order[i]].kind = TF_V_CONST;
    int rc = input_shape(c, order, n_order);
    for (int i = 0; i < n_order && rc == OPC_OK; i++) {
        int v = order[i];
        if (v == c->input)
            continue;
        tf_map_fn fn = tf_op_mapper(c->gd->nodes[v].op);
        rc = fn ? fn(c, v) : tf_node_fail(c, v, OPC_ERR_UNSUPPORTED, "unsupported op");
    }
    return rc;
}

/* ---- model-level settings ---- */

/* Topology, preprocessing (tf-pose's: raw BGR 0..255, NHWC), the output stride from the
 * shapes at the size the graph was built for (else the default net resolution), and the
 * names: the model's is given, else the output file's name without its extension. */
static int finish(tf_ctx *c, const char *out_path, const opc_convert_options *opt)
{
    opc_graph *g = c->g;
    opc_error why;
    if (opc_convert_fold_scales(g, &why) != OPC_OK)
        return opc_fail(c->err, OPC_ERR_NOMEM, "%s: %s", c->path, why.msg);
    int net_w = opt && opt->net_width ? opt->net_width : -1;
    int net_h = opt && opt->net_height ? opt->net_height : 368;
    int h = c->ref_h ? c->ref_h : net_h;
    int w = c->ref_w ? c->ref_w : net_w > 0 ? net_w : h;
    opc_shape *shapes = calloc((size_t)g->n_blobs, sizeof *shapes);
    if (!shapes)
        return opc_fail(c->err, OPC_ERR_NOMEM, "%s: out of memory", c->path);
    int rc = opc_graph_infer_shapes(g, h, w, shapes, &why);
    int out_blob = g->outputs[0].blob;
    opc_shape out = shapes[out_blob];
    free(shapes);
    if (rc)
        return opc_fail(c->err, rc, "%s: at %dx%d: %s", c->path, w, h, why.msg);
    const opc_paf_topology *t;
    if ((rc = opc_convert_pick_topology(opt ? opt->topology : NULL, out.c, c->path,
                                        g->blob_names[out_blob], &t, c->err)))
        return rc;
    if ((rc = opc_convert_set_paf_head(g, t, "maps", "maps", &why)))
        return opc_fail(c->err, rc, "%s: %s", c->path, why.msg);
    int stride = (h + out.h / 2) / out.h;
    if ((w + out.w / 2) / out.w != stride)
        return opc_fail(c->err, OPC_ERR_FORMAT,
                        "%s: output %dx%d of a %dx%d input has no single stride", c->path,
                        out.w, out.h, w, h);
    g->preprocess = opc_convert_openpose_preprocess(1.0f, 0.0f, 1, stride, net_w, net_h);
    return opc_convert_set_names(g, "tensorflow", c->path, out_path, opt ? opt->name : NULL,
                                 c->err);
}

/* Resolves the outputs (through Identity nodes) and the input, orders the nodes between
 * them and counts each node's readers. */
static int plan(tf_ctx *c, const char *in_name, const int *requested, int *order,
                int *n_order)
{
    int rc;
    for (int k = 0; k < c->n_outputs; k++)
        if ((rc = skip_identity(c, requested[k], &c->outputs[k])))
            return rc;
    if ((in_name && (rc = named_node(c, in_name, "--input-node", &c->input))) ||
        (rc = order_nodes(c, order, n_order)) ||
        (c->input < 0 && (rc = find_input(c, order, *n_order))))
        return rc;
    int fed = 0;
    for (int i = 0; i < *n_order; i++)
        fed |= order[i] == c->input;
    if (!fed)
        return opc_fail(c->err, OPC_ERR_ARG, "%s: input %s does not feed output %s", c->path,
                        c->gd->nodes[c->input].name, c->gd->nodes[requested[0]].name);
    for (int i = 0; i < *n_order; i++) {
        int v = order[i], s;
        for (int k = 0; v != c->input && k < c->gd->nodes[v].n_inputs; k++)
            if (tf_source(c, v, k, &s) == OPC_OK)
                c->readers[s]++;
    }
    return OPC_OK;
}

/* Output k's blob, called what was asked for even through an Identity. */
static int name_outputs(tf_ctx *c, const int *requested, int *blobs)
{
    for (int k = 0; k < c->n_outputs; k++) {
        const tf_value *ov = &c->val[c->outputs[k]];
        if (ov->kind != TF_V_BLOB || ov->blob == 0)
            return tf_node_fail(c, requested[k], OPC_ERR_UNSUPPORTED,
                                "an output must be a tensor computed from the input");
        for (int j = 0; j < k; j++)
            if (blobs[j] == ov->blob)
                return opc_fail(c->err, OPC_ERR_ARG, "%s: outputs %s and %s are one tensor",
                                c->path, c->gd->nodes[requested[j]].name,
                                c->gd->nodes[requested[k]].name);
        char *name = opc_graph_strdup(c->g, c->gd->nodes[requested[k]].name);
        if (!name)
            return opc_fail(c->err, OPC_ERR_NOMEM, "%s: out of memory", c->path);
        c->g->blob_names[ov->blob] = name;
        blobs[k] = ov->blob;
    }
    return OPC_OK;
}

int tf_build_graph(tf_ctx *c, const char *in_name, const char *const *outputs, int n_outputs,
                   int *blobs)
{
    int n = c->gd->n_nodes, n_order = 0, rc = OPC_OK;
    int *order = malloc((size_t)n * sizeof *order);
    int *requested = calloc((size_t)n_outputs, sizeof *requested);
    c->outputs = calloc((size_t)n_outputs, sizeof *c->outputs);
    c->n_outputs = n_outputs;
    c->readers = calloc((size_t)n, sizeof *c->readers);
    c->val = calloc((size_t)n, sizeof *c->val);
    c->blob_readers = calloc((size_t)n + 1, sizeof *c->blob_readers);
    c->blob_layer = calloc((size_t)n + 1, sizeof *c->blob_layer);
    c->input = -1;
    c->g = NULL;
    if (!order || !requested || !c->outputs || !c->readers || !c->val || !c->blob_readers ||
        !c->blob_layer)
        rc = opc_fail(c->err, OPC_ERR_NOMEM, "%s: out of memory", c->path);
    for (int k = 0; k < n_outputs && rc == OPC_OK; k++)
        rc = named_node(c, outputs[k], "an output", &requested[k]);
    if (rc == OPC_OK && !(rc = plan(c, in_name, requested, order, &n_order)) &&
        !(c->g = opc_graph_new(c->gd->nodes[c->input].name, 3)))
        rc = opc_fail(c->err, OPC_ERR_NOMEM, "%s: out of memory", c->path);
    if (rc == OPC_OK && !(rc = map_nodes(c, order, n_order)))
        rc = name_outputs(c, requested, blobs);
    free(order);
    free(requested);
    free(c->outputs);
    free(c->readers);
    free(c->val);
    free(c->blob_readers);
    free(c->blob_layer);
    c->outputs = c->readers = c->blob_readers = c->blob_layer = NULL;
    c->val = NULL;
    if (rc) {
        opc_graph_free(c->g);
        c->g = NULL;
    }
    return rc;
}

static int add_output(tf_ctx *c, const char *name, int blob)
{
    opc_error why;
    int rc = opc_graph_add_output(c->g, name, blob, &why);
    return rc ? opc_fail(c->err, rc, "%s: %s", c->path, why.msg) : OPC_OK;
}

static int check_resolution(tf_ctx *c, const opc_convert_options *opt)
{
    int w = opt ? opt->net_width : 0, h = opt ? opt->net_height : 0;
    if ((w && w != -1 && (w < 16 || w > 16384)) || (h && (h < 16 || h > 16384)))
        return opc_fail(c->err, OPC_ERR_ARG,
                        "%s: net resolution %dx%d out of range "
                        "(width -1 or 16..16384, height 16..16384)",
                        c->path, w, h);
    if (w > 0 && h > 0) {
        c->ref_w = w; /* the Placeholder's own size, if fixed, takes precedence */
        c->ref_h = h;
    }
    return OPC_OK;
}

/* The graph of a frozen GraphDef with its one output (--output-node, else the one node
 * nothing reads); the caller frees *out. */
static int convert_graph(const char *graph_pb, const char *out_path,
                         const opc_convert_options *opt, opc_graph **out, opc_error *err)
{
    tf_graphdef gd;
    *out = NULL;
    int rc = tf_graphdef_read(&gd, graph_pb, err);
    if (rc)
        return rc;
    tf_ctx c = {.path = graph_pb, .gd = &gd, .err = err};
    int output = -1, blob;
    const char *out_name = opt ? opt->output_node : NULL;
    if (!(rc = check_resolution(&c, opt)) &&
        !(rc = out_name ? named_node(&c, out_name, "--output-node", &output)
                        : default_output(&c, &output)) &&
        !(rc = tf_build_graph(&c, opt ? opt->input_node : NULL,
                              (const char *const[]){gd.nodes[output].name}, 1, &blob)) &&
        ((rc = add_output(&c, "maps", blob)) || (rc = finish(&c, out_path, opt)))) {
        opc_graph_free(c.g);
        c.g = NULL;
    }
    *out = c.g;
    tf_graphdef_free(&gd);
    return rc;
}

int opc_convert_tf(const char *graph_pb, const char *out_path, const opc_convert_options *opt,
                   opc_error *err)
{
    opc_graph *g;
    int rc = convert_graph(graph_pb, out_path, opt, &g, err);
    if (rc)
        return rc;
    rc = opc_model_write(g, out_path, err);
    opc_graph_free(g);
    return rc;
}
