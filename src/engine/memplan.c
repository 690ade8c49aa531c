/* Memory planner (see memplan.h): lifetimes, concat views, layers in place, then a greedy
 * placement of the buffers, largest first, each at the lowest offset free during its whole
 * life. */
#include "engine/memplan.h"

#include <stdlib.h>
#include <string.h>

#include "openpose-c/error.h"

/* Buffers start on 64-byte boundaries. */
#define ALIGN_FLOATS 16

static size_t blob_floats(const opc_shape *s) { return (size_t)s->c * s->h * s->w; }
static size_t round_up(size_t n) { return (n + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS; }

typedef struct {
    int blob;           /* the root blob owning the buffer */
    int start, end;     /* first and last layer index during which it is live */
    size_t size;        /* floats */
    size_t offset;
} buffer;

static int by_size_desc(const void *pa, const void *pb)
{
    const buffer *a = pa, *b = pb;
    if (a->size != b->size)
        return a->size > b->size ? -1 : 1;
    return a->start - b->start;
}

static int by_offset(const void *pa, const void *pb)
{
    const buffer *a = *(const buffer *const *)pa, *b = *(const buffer *const *)pb;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* Marks the concat inputs that become views in their concat's output: those written by a
 * layer (not the caller's input), read last by that concat, listed once in it, and not a
 * view already. rel[b] is the view's float offset inside the concat output. */
static void make_views(const opc_graph *g, const opc_shape *shapes, const int *last,
                       int *view_of, size_t *rel)
{
    for (int i = 0; i < g->n_layers; i++) {
        const opc_layer *l = &g->layers[i];
        if (l->op != OPC_OP_CONCAT)
            continue;
        size_t at = 0;
        for (int k = 0; k < l->n_inputs; k++) {
            int b = l->inputs[k], once = 1;
            for (int j = 0; j < l->n_inputs; j++)
                once &= j == k || l->inputs[j] != b;
            if (b != 0 && once && last[b] == i && view_of[b] < 0) {
                view_of[b] = l->output;
                rel[b] = at;
            }
            at += blob_floats(&shapes[b]);
        }
    }
}

/* Marks the elementwise layers (the op table's in_place rows: ADD, ACT, AFFINE,
 * INSTANCE_NORM) that write their output over their first input, where it dies with them:
 * both engines' kernels read each element before writing it. A norm then rewrites its tensor where it lies instead of streaming it
 * into a second buffer (on MobileNet's 15 MB tensors that kept them in cache: its norms 26 %
 * faster). Only where the input has a buffer of its own (not the caller's, not a view, no
 * views in it) and the output is no concat's view. holds: n_blobs bytes of scratch. */
static void make_in_place(const opc_graph *g, const int *last, int *view_of, size_t *rel,
                          char *holds)
{
    memset(holds, 0, (size_t)g->n_blobs); /* holds[b]: some view lies in b */
    for (int b = 1; b < g->n_blobs; b++)
        if (view_of[b] >= 0)
            holds[view_of[b]] = 1;
    for (int i = 0; i < g->n_layers; i++) {
        const opc_layer *l = &g->layers[i];
        int in = l->inputs[0], out = l->output;
        if (opc_op_info_of(l->op)->in_place && in != 0 && last[in] == i && view_of[in] < 0 && !holds[in] && view_of[out] < 0) {
            view_of[out] = in;
            rel[out] = 0;
            holds[in] = 1;
        }
    }
}

/* Lowest offset where a buffer of b->size fits between the placed buffers live with it. */
static size_t place(const buffer *b, buffer **live, int n_live)
{
    qsort(live, (size_t)n_live, sizeof *live, by_offset);
    size_t at = 0;
    for (int k = 0; k < n_live; k++) {
        if (live[k]->offset >= at + b->size)
            break;
        size_t end = live[k]->offset + live[k]->size;
        if (end > at)
            at = end;
    }
    return at;
}

int opc_memplan_build(opc_memplan *mp, const opc_graph *g, const opc_shape *shapes,
                      opc_error *err)
{
    int n = g->n_blobs;
    memset(mp, 0, sizeof *mp);
    mp->offset = calloc((size_t)n, sizeof *mp->offset);
    mp->view_of = malloc((size_t)n * sizeof *mp->view_of);
    int *def = malloc((size_t)n * sizeof *def), *last = malloc((size_t)n * sizeof *last);
    int *root = malloc((size_t)n * sizeof *root);
    size_t *rel = calloc((size_t)n, sizeof *rel);
    buffer *bufs = calloc((size_t)n, sizeof *bufs);
    buffer **live = calloc((size_t)n, sizeof *live);
    int *buf_of = malloc((size_t)n * sizeof *buf_of);
    char *holds = malloc((size_t)n);
    int rc = OPC_OK;
    if (!mp->offset || !mp->view_of || !def || !last || !root || !rel || !bufs || !live ||
        !buf_of || !holds) {
        rc = opc_fail(err, OPC_ERR_NOMEM, "memory planner: out of memory");
        goto done;
    }

    /* Lifetimes. */
    for (int b = 0; b < n; b++)
        def[b] = last[b] = -1, mp->view_of[b] = -1;
    for (int i = 0; i < g->n_layers; i++) {
        const opc_layer *l = &g->layers[i];
        def[l->output] = last[l->output] = i;
        for (int k = 0; k < l->n_inputs; k++)
            last[l->inputs[k]] = i;
    }
    for (int k = 0; k < g->n_outputs; k++) /* read after the last layer */
        last[g->outputs[k].blob] = g->n_layers;
    make_views(g, shapes, last, mp->view_of, rel);
    make_in_place(g, last, mp->view_of, rel, holds);

    /* Roots: a view's buffer is its outermost concat's; fold each blob's life into it. */
    int n_bufs = 0;
    for (int b = 1; b < n; b++) {
        int r = b;
        while (mp->view_of[r] >= 0)
            r = mp->view_of[r];
        root[b] = r;
        mp->naive_floats += round_up(blob_floats(&shapes[b]));
    }
    for (int b = 1; b < n; b++)
        buf_of[b] = -1;
    for (int b = 1; b < n; b++)
        if (root[b] == b) {
            buf_of[b] = n_bufs;
            bufs[n_bufs++] = (buffer){b, def[b], last[b], round_up(blob_floats(&shapes[b])), 0};
        }
    for (int b = 1; b < n; b++) {
        buffer *r = &bufs[buf_of[root[b]]];
        if (def[b] < r->start)
            r->start = def[b];
        if (last[b] > r->end)
            r->end = last[b];
    }

    /* Placement, largest first. */
    qsort(bufs, (size_t)n_bufs, sizeof *bufs, by_size_desc);
    for (int i = 0; i < n_bufs; i++) {
        int n_live = 0;
        for (int j = 0; j < i; j++)
            if (bufs[j].start <= bufs[i].end && bufs[i].start <= bufs[j].end)
                live[n_live++] = &bufs[j];
        bufs[i].offset = place(&bufs[i], live, n_live);
        if (bufs[i].offset + bufs[i].size > mp->arena_floats)
            mp->arena_floats = bufs[i].offset + bufs[i].size;
        buf_of[bufs[i].blob] = i;
    }

    /* Each blob's offset: its root's plus the views' offsets along the way. */
    for (int b = 1; b < n; b++) {
        size_t at = 0;
        for (int v = b; v != root[b]; v = mp->view_of[v])
            at += rel[v];
        mp->offset[b] = bufs[buf_of[root[b]]].offset + at;
    }

done:
    free(def);
    free(last);
    free(root);
    free(rel);
    free(bufs);
    free(live);
    free(buf_of);
    free(holds);
    if (rc != OPC_OK)
        opc_memplan_free(mp);
    return rc;
}

void opc_memplan_free(opc_memplan *mp)
{
    free(mp->offset);
    free(mp->view_of);
    memset(mp, 0, sizeof *mp);
}
