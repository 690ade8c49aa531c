/* prototxt -> caffe_net: one pass over the layers in file order (Caffe requires every
 * bottom to be produced earlier), binding blob names to SSA blob versions. */
#include "convert/caffe/caffe_build.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/common/limits.h"
#include "openpose-c/error.h"

int caffe_layer_fail(const caffe_layer_ctx *c, const char *fmt, ...)
{
    char reason[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    const caffe_layer *l = caffe_cur(c);
    return opc_fail(c->b->err, OPC_ERR_FORMAT, "%s:%d: layer '%.80s' (%.40s): %s",
                    pt_path(c->b->doc), l->line, l->name, l->type, reason);
}

static int grow(void **p, int *cap, int n, size_t elem)
{
    if (n < *cap)
        return 1;
    int ncap = *cap ? 2 * *cap : 64;
    void *q = realloc(*p, (size_t)ncap * elem);
    if (!q)
        return 0;
    *p = q;
    *cap = ncap;
    return 1;
}

void caffe_shape_str(const int *shape, int ndim, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = 0;
    if (ndim == 0)
        snprintf(buf, size, "scalar");
    for (int i = 0; i < ndim && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, i ? "x%d" : "%d", shape[i]);
}

/* ---- blobs and bindings ------------------------------------------------------------ */

static int lookup(const caffe_builder *b, const char *name)
{
    return strmap_get(&b->blob_of, name);
}

int caffe_bind(caffe_builder *b, const char *name, int blob)
{
    if (strmap_put(&b->blob_of, name, blob) != 0)
        return opc_fail(b->err, OPC_ERR_NOMEM, "%s: out of memory", pt_path(b->doc));
    return OPC_OK;
}

/* A new blob version called name, written by node (or -1), bound to the name. */
static int new_blob(caffe_builder *b, const char *name, int layer, int node, int channels, int *id)
{
    caffe_net *net = b->net;
    if (!grow((void **)&net->blobs, &b->cap_blobs, net->n_blobs, sizeof *net->blobs))
        return opc_fail(b->err, OPC_ERR_NOMEM, "%s: out of memory", pt_path(b->doc));
    *id = net->n_blobs;
    net->blobs[net->n_blobs++] = (caffe_blob){name, 0, layer, node, channels, 0};
    return caffe_bind(b, name, *id);
}

int caffe_bottom_blob(const caffe_layer_ctx *c, int k, int *id)
{
    *id = lookup(c->b, c->bottoms[k]);
    if (*id < 0)
        return caffe_layer_fail(c, "bottom '%.80s' is not produced by any earlier layer%s",
                                c->bottoms[k],
                                c->b->net->n_blobs ? "" : " (the net declares no input)");
    return OPC_OK;
}

/* A node of op reading every bottom and writing one new blob for the single top. */
int caffe_new_node(caffe_layer_ctx *c, opc_op op, int out_channels, caffe_node **node)
{
    caffe_net *net = c->b->net;
    if (!grow((void **)&net->nodes, &c->b->cap_nodes, net->n_nodes, sizeof *net->nodes))
        return opc_fail(c->b->err, OPC_ERR_NOMEM, "%s: out of memory", pt_path(c->b->doc));
    int id = net->n_nodes;
    caffe_node *n = &net->nodes[id];
    memset(n, 0, sizeof *n);
    n->layer = c->index;
    n->l.op = op;
    n->l.stride[0] = n->l.stride[1] = 1;
    n->l.dilation[0] = n->l.dilation[1] = 1;
    n->l.group = 1;
    n->l.size_ref = -1;
    for (int k = 0; k < c->n_bottoms; k++) {
        int rc = caffe_bottom_blob(c, k, &n->l.inputs[k]);
        if (rc != OPC_OK)
            return rc;
        net->blobs[n->l.inputs[k]].readers++;
    }
    n->l.n_inputs = c->n_bottoms;
    if (out_channels < 0) /* same as the input */
        out_channels = net->blobs[n->l.inputs[0]].channels;
    if (out_channels > CAFFE_MAX_CHANNELS)
        return caffe_layer_fail(c, "%d output channels", out_channels);
    int rc = new_blob(c->b, c->tops[0], c->index, id, out_channels, &n->l.output);
    if (rc != OPC_OK)
        return rc;
    net->n_nodes++;
    caffe_cur(c)->node = id;
    *node = n;
    return OPC_OK;
}

void caffe_expect_weight(caffe_layer_ctx *c, caffe_weight_role role, int ndim, const int *shape)
{
    caffe_layer *l = caffe_cur(c);
    caffe_weight_spec *w = &l->weights[l->n_weights++];
    w->role = role;
    w->ndim = ndim;
    w->count = 1;
    for (int i = 0; i < ndim; i++) {
        w->shape[i] = shape[i];
        w->count *= (size_t)shape[i];
    }
}

int caffe_read_dims(const caffe_builder *b, const pt_node *shape, int *channels)
{
    const pt_doc *doc = b->doc;
    int rc = pt_message(doc, shape, b->err);
    if (rc != OPC_OK)
        return rc;
    int n = 0;
    for (const pt_node *f = pt_field(shape, "dim"); f; f = pt_next_same(f), n++) {
        long v;
        rc = pt_int(doc, f, 0, INT_MAX, &v, b->err);
        if (rc != OPC_OK)
            return rc;
        if (n == 1)
            *channels = (int)v;
    }
    if (n < 2 || *channels < 1 || *channels > CAFFE_MAX_CHANNELS)
        return opc_fail(b->err, OPC_ERR_FORMAT,
                        "%s:%d: input shape needs at least 2 dims (N, C, ...) with 1..%d channels",
                        pt_path(doc), shape->line, CAFFE_MAX_CHANNELS);
    return OPC_OK;
}

int caffe_declare_input(caffe_builder *b, const char *name, int layer, int channels, int line)
{
    if (b->net->n_blobs)
        return opc_fail(b->err, OPC_ERR_FORMAT,
                        "%s:%d: a second net input '%.80s'; only one input is supported",
                        pt_path(b->doc), line, name);
    int id;
    return new_blob(b, name, layer, -1, channels, &id);
}

/* ---- the net ---------------------------------------------------------------------- */

/* Caffe's NetStateRule for the TEST phase (stages and levels are not used by deploy
 * nets): a rule matches unless it names another phase. */
static int rule_matches(const pt_doc *doc, const pt_node *rule, opc_error *err, int *match)
{
    int rc = pt_message(doc, rule, err);
    const pt_node *f = pt_field(rule, "phase");
    const char *phase = "TEST";
    if (rc == OPC_OK && f)
        rc = pt_enum(doc, f, &phase, err);
    *match = strcmp(phase, "TEST") == 0;
    return rc;
}

static int included(const pt_doc *doc, const pt_node *layer, opc_error *err, int *yes)
{
    const pt_node *inc = pt_field(layer, "include");
    int rc = OPC_OK, m;
    *yes = inc == NULL;
    for (; inc && rc == OPC_OK; inc = pt_next_same(inc))
        if ((rc = rule_matches(doc, inc, err, &m)) == OPC_OK && m)
            *yes = 1;
    for (const pt_node *ex = pt_field(layer, "exclude"); ex && rc == OPC_OK; ex = pt_next_same(ex))
        if ((rc = rule_matches(doc, ex, err, &m)) == OPC_OK && m)
            *yes = 0;
    return rc;
}

/* A name used in messages and matched across files: no control characters, so that
 * every message stays one line. */
static int name_field(const pt_doc *doc, const pt_node *f, const char **out, opc_error *err)
{
    int rc = pt_string(doc, f, out, err);
    for (const unsigned char *p = (const unsigned char *)*out; rc == OPC_OK && *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            rc = opc_fail(err, OPC_ERR_FORMAT, "%s:%d: %s contains a control character",
                          pt_path(doc), f->line, f->name);
    return rc;
}

/* The repeated string field name of msg as an array (caller frees). */
static int string_list(const pt_doc *doc, const pt_node *msg, const char *name, const char ***out,
                       int *n, opc_error *err)
{
    *n = pt_count(msg, name);
    *out = calloc((size_t)*n + 1, sizeof **out);
    if (!*out)
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", pt_path(doc));
    int i = 0;
    for (const pt_node *f = pt_field(msg, name); f; f = pt_next_same(f)) {
        int rc = name_field(doc, f, &(*out)[i++], err);
        if (rc != OPC_OK)
            return rc;
    }
    return OPC_OK;
}

static int check_arity(const caffe_layer_ctx *c, const char *what, int n, int lo, int hi)
{
    if (n >= lo && n <= hi)
        return OPC_OK;
    if (lo == hi)
        return caffe_layer_fail(c, "has %d %s, %s takes %d", n, what, caffe_cur(c)->type, lo);
    if (hi == INT_MAX)
        return caffe_layer_fail(c, "has %d %s, %s takes %d or more", n, what, caffe_cur(c)->type,
                                lo);
    return caffe_layer_fail(c, "has %d %s, %s takes %d..%d", n, what, caffe_cur(c)->type, lo, hi);
}

static int parse_layer(caffe_builder *b, const pt_node *msg)
{
    const pt_doc *doc = b->doc;
    caffe_net *net = b->net;
    int rc = pt_message(doc, msg, b->err), yes;
    if (rc == OPC_OK)
        rc = included(doc, msg, b->err, &yes);
    if (rc != OPC_OK || !yes)
        return rc;
    const pt_node *fn = pt_field(msg, "name"), *ft = pt_field(msg, "type");
    if (!fn || !ft)
        return opc_fail(b->err, OPC_ERR_FORMAT, "%s:%d: layer without %s", pt_path(doc), msg->line,
                        fn ? "a type" : "a name");
    caffe_layer l = {.line = msg->line, .node = -1};
    if ((rc = name_field(doc, fn, &l.name, b->err)) || (rc = name_field(doc, ft, &l.type, b->err)))
        return rc;
    int first = strmap_get(&b->layer_of, l.name);
    if (first >= 0)
        return opc_fail(b->err, OPC_ERR_FORMAT,
                        "%s:%d: a second layer called '%.80s' (first on line %d)", pt_path(doc),
                        l.line, l.name, net->layers[first].line);
    if (net->n_layers == OPC_CONVERT_MAX_LAYERS)
        return opc_fail(b->err, OPC_ERR_FORMAT, "%s:%d: more than %d layers", pt_path(doc), l.line,
                        OPC_CONVERT_MAX_LAYERS);
    const caffe_layer_type *t = caffe_find_layer_type(l.type);
    if (!t)
        return opc_fail(b->err, OPC_ERR_UNSUPPORTED,
                        "%s:%d: layer '%.80s': unsupported layer type '%.40s'", pt_path(doc),
                        l.line, l.name, l.type);
    l.kind = t->kind;
    if (!grow((void **)&net->layers, &b->cap_layers, net->n_layers, sizeof *net->layers) ||
        strmap_put(&b->layer_of, l.name, net->n_layers) != 0)
        return opc_fail(b->err, OPC_ERR_NOMEM, "%s: out of memory", pt_path(doc));
    net->layers[net->n_layers] = l;
    caffe_layer_ctx c = {b, net->n_layers, msg, NULL, NULL, 0, 0};
    net->n_layers++;
    rc = string_list(doc, msg, "bottom", &c.bottoms, &c.n_bottoms, b->err);
    if (rc == OPC_OK)
        rc = string_list(doc, msg, "top", &c.tops, &c.n_tops, b->err);
    if (rc == OPC_OK)
        rc = check_arity(&c, "bottoms", c.n_bottoms, t->min_bottoms, t->max_bottoms);
    if (rc == OPC_OK)
        rc = check_arity(&c, "tops", c.n_tops, t->min_tops, t->max_tops);
    if (rc == OPC_OK)
        rc = t->parse(&c);
    free(c.bottoms);
    free(c.tops);
    return rc;
}

/* The old top-level declaration: input: "x" + input_dim x4 or input_shape { dim }. */
static int parse_net_input(caffe_builder *b, const pt_node *root)
{
    const pt_doc *doc = b->doc;
    const pt_node *in = pt_field(root, "input");
    if (!in)
        return OPC_OK;
    if (pt_next_same(in))
        return opc_fail(b->err, OPC_ERR_FORMAT, "%s:%d: a second net input; only one is supported",
                        pt_path(doc), pt_next_same(in)->line);
    const char *name;
    int rc = name_field(doc, in, &name, b->err), channels = 0;
    if (rc != OPC_OK)
        return rc;
    const pt_node *shape = pt_field(root, "input_shape");
    int ndims = pt_count(root, "input_dim");
    if (shape) {
        rc = caffe_read_dims(b, shape, &channels);
    } else if (ndims == 4) {
        long v;
        rc = pt_int(doc, pt_next_same(pt_field(root, "input_dim")), 1, CAFFE_MAX_CHANNELS, &v,
                    b->err);
        channels = (int)v;
    } else {
        return opc_fail(b->err, OPC_ERR_FORMAT,
                        "%s:%d: input '%.80s' has no shape: give 4 input_dim values (N, C, H, "
                        "W) or input_shape { dim: ... }",
                        pt_path(doc), in->line, name);
    }
    return rc == OPC_OK ? caffe_declare_input(b, name, -1, channels, in->line) : rc;
}

static int find_output(caffe_builder *b)
{
    caffe_net *net = b->net;
    int out = -1;
    for (int i = 1; i < net->n_blobs; i++) {
        if (net->blobs[i].readers || net->blobs[i].writer < 0)
            continue;
        if (out >= 0)
            return opc_fail(b->err, OPC_ERR_FORMAT,
                            "%s: two candidate outputs, '%.80s' and '%.80s': no layer reads "
                            "either, and a net must have one output",
                            pt_path(b->doc), net->blobs[out].name, net->blobs[i].name);
        out = i;
    }
    if (out < 0)
        return opc_fail(b->err, OPC_ERR_FORMAT, "%s: the net computes nothing (no output blob)",
                        pt_path(b->doc));
    net->output = out;
    return OPC_OK;
}

int caffe_net_load(caffe_net *net, const char *prototxt, opc_error *err)
{
    memset(net, 0, sizeof *net);
    net->doc = pt_load(prototxt, OPC_CONVERT_MAX_PROTOTXT_BYTES, err);
    if (!net->doc)
        return OPC_ERR_FORMAT;
    net->path = pt_path(net->doc);
    caffe_builder b = {.net = net, .doc = net->doc, .err = err};
    const pt_node *root = pt_root(net->doc);
    int rc = OPC_OK;
    if (pt_field(root, "layers"))
        rc = opc_fail(err, OPC_ERR_UNSUPPORTED,
                      "%s:%d: legacy V1 'layers' entries are not supported; upgrade the file "
                      "with Caffe's upgrade_net_proto_text",
                      net->path, pt_field(root, "layers")->line);
    if (rc == OPC_OK)
        rc = parse_net_input(&b, root);
    for (const pt_node *l = pt_field(root, "layer"); l && rc == OPC_OK; l = pt_next_same(l))
        rc = parse_layer(&b, l);
    if (rc == OPC_OK && net->n_blobs == 0)
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: the net declares no input and has no layers",
                      net->path);
    if (rc == OPC_OK)
        rc = find_output(&b);
    /* The last binding of each name marks that blob final, unless the name was last bound
     * by an alias to a blob created under another name. */
    for (int i = 0; i < net->n_blobs && rc == OPC_OK; i++)
        net->blobs[i].final = lookup(&b, net->blobs[i].name) == i;
    strmap_free(&b.blob_of);
    strmap_free(&b.layer_of);
    if (rc != OPC_OK) {
        caffe_net_free(net);
        return rc;
    }
    return OPC_OK;
}

void caffe_net_free(caffe_net *net)
{
    pt_free(net->doc);
    free(net->layers);
    free(net->nodes);
    free(net->blobs);
    memset(net, 0, sizeof *net);
}
