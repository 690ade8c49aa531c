/* GraphDef reading: two passes over the file's nodes, the first to size the arrays,
 * the second to fill them, then a name index for input resolution. */
#include "convert/tf/tf_graphdef.h"

#include <stdlib.h>
#include <string.h>

#include "convert/common/limits.h"
#include "openpose-c/error.h"
#include "openpose-c/files.h"

enum { NODE_NAME = 1, NODE_OP = 2, NODE_INPUT = 3 };

typedef struct {
    size_t nodes, inputs, string_bytes;
} sizes;

/* Names must print on one line: no control characters (a NUL would also cut them). */
static int printable(const pb_field *f)
{
    if (f->len == 0)
        return 0;
    for (size_t i = 0; i < f->len; i++)
        if (f->data[i] < 0x20 || f->data[i] == 0x7f)
            return 0;
    return 1;
}

static char *copy_string(char **pool, const uint8_t *s, size_t n)
{
    char *p = *pool;
    memcpy(p, s, n);
    p[n] = 0;
    *pool += n + 1;
    return p;
}

/* Splits "name:port" (port = decimal digits); a name without a port has port 0. */
static size_t split_port(const uint8_t *s, size_t n, int *port)
{
    size_t i = n;
    while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
        i--;
    *port = 0;
    if (i == n || i < 2 || s[i - 1] != ':' || n - i > 6)
        return n;
    for (size_t k = i; k < n; k++)
        *port = *port * 10 + (s[k] - '0');
    return i - 1;
}

/* One NodeDef: counts (fill == NULL) or fills node n. */
static int scan_node(tf_graphdef *gd, const pb_field *nf, sizes *sz, tf_node *n, char **pool,
                     size_t *next_input, opc_error *err)
{
    pb_reader r = pb_sub(nf);
    pb_field f;
    int rc, have_name = 0, have_op = 0;
    if (n) {
        n->def = nf->data;
        n->def_len = nf->len;
        n->input_names = gd->input_names + *next_input;
        n->inputs = gd->inputs + *next_input;
        n->ports = gd->ports + *next_input;
    }
    while ((rc = pb_next(&r, &f)) == 1) {
        if (f.number < NODE_NAME || f.number > NODE_INPUT)
            continue;
        if (f.wire != PB_BYTES)
            return opc_fail(err, OPC_ERR_FORMAT, "node #%zu: field %u has the wrong wire type",
                            sz->nodes, f.number);
        if (f.number == NODE_INPUT && f.len > 0 && f.data[0] == '^')
            continue; /* control dependency: ordering only, no data */
        if (!printable(&f))
            return opc_fail(err, OPC_ERR_FORMAT, "node #%zu: empty or unprintable %s", sz->nodes,
                            f.number == NODE_NAME ? "name" : f.number == NODE_OP ? "op" : "input");
        if (!n) {
            sz->string_bytes += f.len + 1;
            sz->inputs += f.number == NODE_INPUT;
            have_name |= f.number == NODE_NAME;
            have_op |= f.number == NODE_OP;
            continue;
        }
        if (f.number == NODE_NAME)
            n->name = copy_string(pool, f.data, f.len);
        else if (f.number == NODE_OP)
            n->op = copy_string(pool, f.data, f.len);
        else {
            int port;
            size_t len = split_port(f.data, f.len, &port);
            n->input_names[n->n_inputs] = copy_string(pool, f.data, len);
            n->ports[n->n_inputs] = port;
            n->n_inputs++;
            (*next_input)++;
        }
    }
    if (rc < 0)
        return opc_fail(err, OPC_ERR_FORMAT, "node #%zu: malformed protobuf", sz->nodes);
    if (!n && (!have_name || !have_op))
        return opc_fail(err, OPC_ERR_FORMAT, "node #%zu has no %s", sz->nodes,
                        have_name ? "op" : "name");
    return OPC_OK;
}

static int scan(tf_graphdef *gd, sizes *sz, int fill, opc_error *err)
{
    pb_reader r = pb_init(gd->buf, gd->size);
    pb_field f;
    int rc;
    char *pool = gd->strings;
    size_t next_input = 0;
    sz->nodes = 0;
    while ((rc = pb_next(&r, &f)) == 1) {
        if (f.number != 1)
            continue;
        if (f.wire != PB_BYTES)
            return opc_fail(err, OPC_ERR_FORMAT, "not a GraphDef (field 1 has wire type %d)",
                            f.wire);
        tf_node *n = fill ? &gd->nodes[sz->nodes] : NULL;
        if ((rc = scan_node(gd, &f, sz, n, &pool, &next_input, err)) != OPC_OK)
            return rc;
        sz->nodes++;
    }
    if (rc < 0 && sz->nodes == 0)
        return opc_fail(err, OPC_ERR_FORMAT, "not a GraphDef (malformed protobuf)");
    if (rc < 0)
        return opc_fail(err, OPC_ERR_FORMAT, "malformed protobuf after node #%zu (truncated?)",
                        sz->nodes);
    if (sz->nodes == 0)
        return opc_fail(err, OPC_ERR_FORMAT, "no nodes: not a TensorFlow GraphDef");
    return OPC_OK;
}

static int by_name_cmp(const void *a, const void *b)
{
    return strcmp(((const tf_name_index *)a)->name, ((const tf_name_index *)b)->name);
}

int tf_graphdef_find(const tf_graphdef *gd, const char *name)
{
    tf_name_index key = {name, -1};
    const tf_name_index *hit =
        bsearch(&key, gd->by_name, (size_t)gd->n_nodes, sizeof key, by_name_cmp);
    return hit ? hit->node : -1;
}

static int index_nodes(tf_graphdef *gd, opc_error *err)
{
    for (int i = 0; i < gd->n_nodes; i++)
        gd->by_name[i] = (tf_name_index){gd->nodes[i].name, i};
    qsort(gd->by_name, (size_t)gd->n_nodes, sizeof *gd->by_name, by_name_cmp);
    for (int i = 1; i < gd->n_nodes; i++)
        if (strcmp(gd->by_name[i - 1].name, gd->by_name[i].name) == 0)
            return opc_fail(err, OPC_ERR_FORMAT, "two nodes are called %s", gd->by_name[i].name);
    for (int i = 0; i < gd->n_nodes; i++) {
        tf_node *n = &gd->nodes[i];
        for (int k = 0; k < n->n_inputs; k++)
            n->inputs[k] = tf_graphdef_find(gd, n->input_names[k]);
    }
    return OPC_OK;
}

static int parse(tf_graphdef *gd, opc_error *err)
{
    sizes sz = {0};
    int rc = scan(gd, &sz, 0, err);
    if (rc != OPC_OK)
        return rc;
    if (sz.nodes > OPC_CONVERT_MAX_NODES || sz.inputs > OPC_CONVERT_MAX_INPUTS)
        return opc_fail(err, OPC_ERR_FORMAT, "%zu nodes with %zu inputs: more than the limit of "
                        "%d nodes or %d inputs", sz.nodes, sz.inputs, OPC_CONVERT_MAX_NODES,
                        OPC_CONVERT_MAX_INPUTS);
    gd->n_nodes = (int)sz.nodes;
    gd->nodes = calloc(sz.nodes, sizeof *gd->nodes);
    gd->by_name = calloc(sz.nodes, sizeof *gd->by_name);
    gd->strings = malloc(sz.string_bytes);
    gd->input_names = calloc(sz.inputs + 1, sizeof *gd->input_names);
    gd->inputs = calloc(sz.inputs + 1, sizeof *gd->inputs);
    gd->ports = calloc(sz.inputs + 1, sizeof *gd->ports);
    if (!gd->nodes || !gd->by_name || !gd->strings || !gd->input_names || !gd->inputs ||
        !gd->ports)
        return opc_fail(err, OPC_ERR_NOMEM, "out of memory");
    if ((rc = scan(gd, &sz, 1, err)) != OPC_OK)
        return rc;
    return index_nodes(gd, err);
}

int tf_graphdef_parse(tf_graphdef *gd, unsigned char *buf, size_t size, const char *path,
                      opc_error *err)
{
    memset(gd, 0, sizeof *gd);
    gd->buf = buf;
    gd->size = size;
    opc_error why;
    int rc = parse(gd, &why);
    if (rc != OPC_OK) {
        tf_graphdef_free(gd);
        return opc_fail(err, rc, "%s: %s", path, why.msg);
    }
    return OPC_OK;
}

int tf_graphdef_read(tf_graphdef *gd, const char *path, opc_error *err)
{
    unsigned char *buf;
    size_t size;
    memset(gd, 0, sizeof *gd);
    int rc = opc_read_file(path, OPC_CONVERT_MAX_PROTOBUF_BYTES, &buf, &size, err);
    return rc ? rc : tf_graphdef_parse(gd, buf, size, path, err);
}

void tf_graphdef_free(tf_graphdef *gd)
{
    free(gd->buf);
    free(gd->nodes);
    free(gd->by_name);
    free(gd->strings);
    free(gd->input_names);
    free(gd->inputs);
    free(gd->ports);
    memset(gd, 0, sizeof *gd);
}
