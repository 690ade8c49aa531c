/* The IR's .xml, parsed with expat (a maintained, fuzzed Debian library; see the README):
 * one pass collects the layers, their <data> attributes and port ids, and the edges; then
 * every edge is resolved and checked. A DOCTYPE is refused, so no entity is ever
 * declared, let alone expanded; the elements we do not use (<dim>, <rt_info>,
 * <meta_data>, ...) are skipped. */
#include <errno.h>
#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/common/limits.h"
#include "convert/openvino/ov_ir.h"
#include "openpose-c/files.h"

/* The element we are in, by depth: net / layers|edges / layer|edge / data|input|output /
 * port. Deeper elements, and those of no interest, are skipped. */
enum { E_OTHER, E_NET, E_LAYERS, E_EDGES, E_LAYER, E_EDGE, E_DATA, E_INPUT, E_OUTPUT, E_PORT };
#define MAX_TRACKED_DEPTH 6

typedef struct raw_layer {
    int id, line;
    const char *name, *type, *version;
    int first_attr, n_attrs, has_data;
    int first_port, n_in, n_out; /* ports of the layer: inputs then outputs, once sorted */
} raw_layer;

typedef struct raw_port {
    int id, out, layer;
} raw_port;

typedef struct raw_edge {
    int from_layer, from_port, to_layer, to_port, line;
} raw_edge;

typedef struct parser {
    ov_ir *ir;
    XML_Parser xp;
    opc_error *err;
    int failed;                /* the first error is in err, with its code here */
    int code;
    int depth;
    unsigned char stack[MAX_TRACKED_DEPTH + 1];
    int seen_net, seen_layers;

    raw_layer *layers;
    int n_layers, cap_layers;
    ov_attr *attrs;
    int n_attrs, cap_attrs;
    raw_port *ports;
    int n_ports, cap_ports;
    raw_edge *edges;
    int n_edges, cap_edges;

    char *block;               /* current string block */
    size_t block_used, block_cap;
} parser;

static int line_of(parser *p) { return (int)XML_GetCurrentLineNumber(p->xp); }

static void fail(parser *p, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(parser *p, int code, const char *fmt, ...)
{
    if (p->failed)
        return;
    char reason[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    opc_fail(p->err, code, "%s:%d: %s", p->ir->path, line_of(p), reason);
    p->failed = 1;
    p->code = code;
    XML_StopParser(p->xp, XML_FALSE);
}

/* Grows *arr (of elem-size items) so that one more fits; 0 ok, -1 out of memory. */
static int grow(void **arr, int *cap, int n, size_t elem)
{
    if (n < *cap)
        return 0;
    int ncap = *cap ? 2 * *cap : 64;
    void *na = realloc(*arr, (size_t)ncap * elem);
    if (!na)
        return -1;
    *arr = na;
    *cap = ncap;
    return 0;
}

/* A copy of s that lives as long as the IR. Strings are packed into blocks. */
static const char *keep(parser *p, const char *s)
{
    size_t n = strlen(s) + 1;
    if (p->block_used + n > p->block_cap) {
        size_t cap = n > 65536 ? n : 65536;
        char **nb = realloc(p->ir->blocks, (size_t)(p->ir->n_blocks + 1) * sizeof *nb);
        char *b = nb ? malloc(cap) : NULL;
        if (nb)
            p->ir->blocks = nb;
        if (!b) {
            fail(p, OPC_ERR_NOMEM, "out of memory");
            return NULL;
        }
        p->ir->blocks[p->ir->n_blocks++] = b;
        p->block = b;
        p->block_used = 0;
        p->block_cap = cap;
    }
    char *d = p->block + p->block_used;
    memcpy(d, s, n);
    p->block_used += n;
    return d;
}

static const char *find_attr(const XML_Char **atts, const char *key)
{
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(atts[i], key) == 0)
            return atts[i + 1];
    return NULL;
}

/* A non-negative decimal integer below 2^31; -1 when s is not one. */
static int parse_id(const char *s)
{
    long long v = 0;
    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 0x7fffffffLL / 10)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v > 0x7fffffff ? -1 : (int)v;
}

static int id_attr(parser *p, const XML_Char **atts, const char *elem, const char *key)
{
    const char *s = find_attr(atts, key);
    int v = parse_id(s);
    if (v < 0)
        fail(p, OPC_ERR_FORMAT, "<%s> %s \"%.40s\" is not a number from 0 to 2^31-1", elem, key,
             s ? s : "(missing)");
    return v;
}

static void start_net(parser *p, const XML_Char **atts)
{
    const char *v = find_attr(atts, "version");
    if (!v)
        return fail(p, OPC_ERR_FORMAT, "<net> has no version (an IR of version 10 or 11?)");
    int version = parse_id(v);
    if (version != 10 && version != 11)
        return fail(p, OPC_ERR_UNSUPPORTED, "IR version %.20s (10 and 11 are supported)", v);
    p->ir->version = version;
    p->seen_net = 1;
}

static void start_layer(parser *p, const XML_Char **atts)
{
    if (p->n_layers >= OPC_CONVERT_MAX_OV_LAYERS)
        return fail(p, OPC_ERR_FORMAT, "more than %d layers", OPC_CONVERT_MAX_OV_LAYERS);
    int id = id_attr(p, atts, "layer", "id");
    const char *type = find_attr(atts, "type"), *name = find_attr(atts, "name");
    const char *version = find_attr(atts, "version");
    if (p->failed)
        return;
    if (!type || !*type)
        return fail(p, OPC_ERR_FORMAT, "layer %d has no type", id);
    if (grow((void **)&p->layers, &p->cap_layers, p->n_layers, sizeof *p->layers))
        return fail(p, OPC_ERR_NOMEM, "out of memory");
    raw_layer *l = &p->layers[p->n_layers];
    *l = (raw_layer){.id = id, .line = line_of(p), .first_attr = p->n_attrs,
                     .first_port = p->n_ports};
    l->type = keep(p, type);
    l->name = keep(p, name ? name : "");
    l->version = keep(p, version ? version : "");
    if (!p->failed)
        p->n_layers++;
}

static void start_data(parser *p, const XML_Char **atts)
{
    raw_layer *l = &p->layers[p->n_layers - 1];
    if (l->has_data++)
        return fail(p, OPC_ERR_FORMAT, "layer %.100s has two <data> elements", l->name);
    for (int i = 0; atts[i] && !p->failed; i += 2) {
        if (l->n_attrs >= OPC_CONVERT_MAX_OV_ATTRS)
            return fail(p, OPC_ERR_FORMAT, "layer %.100s: more than %d attributes", l->name,
                        OPC_CONVERT_MAX_OV_ATTRS);
        if (grow((void **)&p->attrs, &p->cap_attrs, p->n_attrs, sizeof *p->attrs))
            return fail(p, OPC_ERR_NOMEM, "out of memory");
        const char *k = keep(p, atts[i]), *v = keep(p, atts[i + 1]);
        p->attrs[p->n_attrs++] = (ov_attr){k, v};
        l->n_attrs++;
    }
}

static void start_port(parser *p, const XML_Char **atts, int out)
{
    raw_layer *l = &p->layers[p->n_layers - 1];
    int id = id_attr(p, atts, "port", "id");
    if (p->failed)
        return;
    if (l->n_in + l->n_out >= OPC_CONVERT_MAX_OV_PORTS)
        return fail(p, OPC_ERR_FORMAT, "layer %.100s: more than %d ports", l->name,
                    OPC_CONVERT_MAX_OV_PORTS);
    if (grow((void **)&p->ports, &p->cap_ports, p->n_ports, sizeof *p->ports))
        return fail(p, OPC_ERR_NOMEM, "out of memory");
    p->ports[p->n_ports++] = (raw_port){id, out, p->n_layers - 1};
    *(out ? &l->n_out : &l->n_in) += 1;
}

static void start_edge(parser *p, const XML_Char **atts)
{
    if (p->n_edges >= OPC_CONVERT_MAX_OV_EDGES)
        return fail(p, OPC_ERR_FORMAT, "more than %d edges", OPC_CONVERT_MAX_OV_EDGES);
    raw_edge e = {id_attr(p, atts, "edge", "from-layer"), id_attr(p, atts, "edge", "from-port"),
                  id_attr(p, atts, "edge", "to-layer"), id_attr(p, atts, "edge", "to-port"),
                  line_of(p)};
    if (p->failed)
        return;
    if (grow((void **)&p->edges, &p->cap_edges, p->n_edges, sizeof *p->edges))
        return fail(p, OPC_ERR_NOMEM, "out of memory");
    p->edges[p->n_edges++] = e;
}

static void XMLCALL on_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
    parser *p = ud;
    if (p->failed)
        return;
    int parent = p->depth == 0 ? -1 : p->depth <= MAX_TRACKED_DEPTH ? p->stack[p->depth - 1]
                                                                      : E_OTHER;
    int kind = E_OTHER;
    if (parent < 0) {
        if (strcmp(el, "net") != 0)
            return fail(p, OPC_ERR_FORMAT, "the root element is <%.40s>, not <net>", el);
        kind = E_NET;
        start_net(p, atts);
    } else if (parent == E_NET && strcmp(el, "layers") == 0) {
        if (p->seen_layers++)
            return fail(p, OPC_ERR_FORMAT, "a second <layers>");
        kind = E_LAYERS;
    } else if (parent == E_NET && strcmp(el, "edges") == 0) {
        kind = E_EDGES;
    } else if (parent == E_LAYERS && strcmp(el, "layer") == 0) {
        kind = E_LAYER;
        start_layer(p, atts);
    } else if (parent == E_EDGES && strcmp(el, "edge") == 0) {
        kind = E_EDGE;
        start_edge(p, atts);
    } else if (parent == E_LAYER && strcmp(el, "data") == 0) {
        kind = E_DATA;
        start_data(p, atts);
    } else if (parent == E_LAYER && strcmp(el, "input") == 0) {
        kind = E_INPUT;
    } else if (parent == E_LAYER && strcmp(el, "output") == 0) {
        kind = E_OUTPUT;
    } else if ((parent == E_INPUT || parent == E_OUTPUT) && strcmp(el, "port") == 0) {
        kind = E_PORT;
        start_port(p, atts, parent == E_OUTPUT);
    }
    if (p->depth < MAX_TRACKED_DEPTH)
        p->stack[p->depth] = (unsigned char)kind;
    p->depth++;
}

static void XMLCALL on_end(void *ud, const XML_Char *el)
{
    parser *p = ud;
    p->depth--;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    fail(ud, OPC_ERR_FORMAT, "a DOCTYPE declaration (an IR has none; entities are not expanded)");
}

/* ---- resolving the edges ---- */

typedef struct id_index {
    int id, index;
} id_index;

static int cmp_id(const void *a, const void *b)
{
    const id_index *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static int find_index(const id_index *ix, int n, int id)
{
    id_index key = {id, 0};
    const id_index *f = bsearch(&key, ix, (size_t)n, sizeof *ix, cmp_id);
    return f ? f->index : -1;
}

/* Position of port id among l's inputs (out = 0) or outputs (out = 1), or -1. */
static int port_pos(const ov_layer *l, int id, int out)
{
    int n = out ? l->n_outputs : l->n_inputs;
    const int *ports = out ? l->out_ports : l->in_ports;
    for (int i = 0; i < n; i++)
        if (ports[i] == id)
            return i;
    return -1;
}

static int edge_fail(parser *p, const raw_edge *e, const char *fmt, const char *what, int id)
{
    char reason[300];
    snprintf(reason, sizeof reason, fmt, what, id);
    return opc_fail(p->err, OPC_ERR_FORMAT, "%s:%d: edge %d:%d -> %d:%d: %s", p->ir->path,
                    e->line, e->from_layer, e->from_port, e->to_layer, e->to_port, reason);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Whether two of the n port ids are equal (n is at most OPC_CONVERT_MAX_OV_PORTS). */
static int duplicate_port(const int *ids, int n)
{
    int sorted[OPC_CONVERT_MAX_OV_PORTS];
    memcpy(sorted, ids, (size_t)n * sizeof *ids);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_int);
    for (int i = 1; i < n; i++)
        if (sorted[i] == sorted[i - 1])
            return 1;
    return 0;
}

/* Builds ir->layers from the raw records and resolves every edge. */
static int finish(parser *p)
{
    ov_ir *ir = p->ir;
    int n = p->n_layers, rc = OPC_OK;
    id_index *ix = malloc(((size_t)n + 1) * sizeof *ix);
    ir->layers = calloc((size_t)n + 1, sizeof *ir->layers);
    ir->port_store = malloc(((size_t)p->n_ports + 1) * sizeof *ir->port_store);
    ir->src_store = malloc(2 * ((size_t)p->n_ports + 1) * sizeof *ir->src_store);
    if (!ix || !ir->layers || !ir->port_store || !ir->src_store) {
        free(ix);
        return opc_fail(p->err, OPC_ERR_NOMEM, "%s: out of memory", ir->path);
    }
    ir->attr_store = p->attrs;
    p->attrs = NULL;
    /* Ports are stored per layer, inputs first, in document order. */
    int next = 0;
    for (int i = 0; i < n; i++) {
        const raw_layer *r = &p->layers[i];
        ov_layer *l = &ir->layers[i];
        *l = (ov_layer){.id = r->id, .line = r->line, .name = r->name, .type = r->type,
                        .version = r->version, .n_attrs = r->n_attrs,
                        .attrs = r->n_attrs ? ir->attr_store + r->first_attr : NULL,
                        .n_inputs = r->n_in,
                        .n_outputs = r->n_out};
        int *in = ir->port_store + next, *out = in + r->n_in;
        int k_in = 0, k_out = 0;
        for (int k = r->first_port; k < r->first_port + r->n_in + r->n_out; k++) {
            if (p->ports[k].out)
                out[k_out++] = p->ports[k].id;
            else
                in[k_in++] = p->ports[k].id;
        }
        l->in_ports = in;
        l->out_ports = out;
        if (duplicate_port(in, r->n_in + r->n_out)) {
            rc = opc_fail(p->err, OPC_ERR_FORMAT, "%s:%d: layer %s: two ports with one id",
                          ir->path, r->line, r->name);
            goto done;
        }
        l->src = ir->src_store + 2 * (size_t)next;
        l->src_port = l->src + r->n_in;
        for (int k = 0; k < r->n_in; k++)
            l->src[k] = -1;
        next += r->n_in + r->n_out;
        ix[i] = (id_index){r->id, i};
    }
    ir->n_layers = n;
    qsort(ix, (size_t)n, sizeof *ix, cmp_id);
    for (int i = 1; i < n; i++)
        if (ix[i].id == ix[i - 1].id) {
            rc = opc_fail(p->err, OPC_ERR_FORMAT, "%s:%d: a second layer with id %d", ir->path,
                          ir->layers[ix[i].index].line, ix[i].id);
            goto done;
        }
    for (int i = 0; i < p->n_edges; i++) {
        const raw_edge *e = &p->edges[i];
        int from = find_index(ix, n, e->from_layer), to = find_index(ix, n, e->to_layer);
        if (from < 0 || to < 0) {
            rc = edge_fail(p, e, "no %s layer with id %d", from < 0 ? "source" : "target",
                           from < 0 ? e->from_layer : e->to_layer);
            goto done;
        }
        int op = port_pos(&ir->layers[from], e->from_port, 1);
        int ip = port_pos(&ir->layers[to], e->to_port, 0);
        if (op < 0 || ip < 0) {
            rc = edge_fail(p, e, "layer %s has no such port (%d)",
                           op < 0 ? "source" : "target", op < 0 ? e->from_port : e->to_port);
            goto done;
        }
        ov_layer *t = &ir->layers[to];
        if (t->src[ip] >= 0) {
            rc = edge_fail(p, e, "%s port %d is fed by two edges", "input", e->to_port);
            goto done;
        }
        t->src[ip] = from;
        t->src_port[ip] = op;
    }
    for (int i = 0; i < n; i++) {
        const ov_layer *l = &ir->layers[i];
        for (int k = 0; k < l->n_inputs; k++)
            if (l->src[k] < 0) {
                rc = opc_fail(p->err, OPC_ERR_FORMAT,
                              "%s:%d: layer %s (%s): input port %d is not connected", ir->path,
                              l->line, l->name, l->type, l->in_ports[k]);
                goto done;
            }
    }
done:
    free(ix);
    return rc;
}

int ov_ir_read(ov_ir *ir, const char *path, opc_error *err)
{
    memset(ir, 0, sizeof *ir);
    ir->path = path;
    unsigned char *buf;
    size_t size;
    int rc = opc_read_file(path, OPC_CONVERT_MAX_OV_XML_BYTES, &buf, &size, err);
    if (rc)
        return rc;
    parser p = {.ir = ir, .err = err};
    p.xp = XML_ParserCreate(NULL);
    if (!p.xp) {
        free(buf);
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
    }
    XML_SetUserData(p.xp, &p);
    XML_SetElementHandler(p.xp, on_start, on_end);
    XML_SetStartDoctypeDeclHandler(p.xp, on_doctype);
    if (size > (size_t)INT32_MAX) { /* XML_Parse takes an int; the limit is far below */
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: too large", path);
    } else if (XML_Parse(p.xp, (const char *)buf, (int)size, XML_TRUE) != XML_STATUS_OK) {
        rc = p.failed ? p.code
                      : opc_fail(err, OPC_ERR_FORMAT, "%s:%d: malformed XML: %s", path,
                                 (int)XML_GetCurrentLineNumber(p.xp),
                                 XML_ErrorString(XML_GetErrorCode(p.xp)));
    } else if (!p.seen_net) {
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: no <net> element", path);
    } else if (p.n_layers == 0) {
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: no layers", path);
    } else {
        rc = finish(&p);
    }
    if (p.failed && rc == OPC_OK)
        rc = p.code;
    XML_ParserFree(p.xp);
    free(buf);
    free(p.layers);
    free(p.attrs);
    free(p.ports);
    free(p.edges);
    if (rc)
        ov_ir_free(ir);
    return rc;
}

void ov_ir_free(ov_ir *ir)
{
    for (int i = 0; i < ir->n_blocks; i++)
        free(ir->blocks[i]);
    free(ir->blocks);
    free(ir->layers);
    free(ir->attr_store);
    free(ir->port_store);
    free(ir->src_store);
    const char *path = ir->path;
    memset(ir, 0, sizeof *ir);
    ir->path = path;
}

const char *ov_attr_get(const ov_layer *l, const char *key)
{
    for (int i = 0; i < l->n_attrs; i++)
        if (strcmp(l->attrs[i].key, key) == 0)
            return l->attrs[i].value;
    return NULL;
}
