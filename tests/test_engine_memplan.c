/* The memory planner: buffers are reused (less memory than one buffer per blob), no two
 * blobs that are alive at the same time share memory unless one is legitimately a view in
 * the other (a concat input at its channel offset in the concat's output) or written over
 * it in place (an elementwise layer over its dying input), both really happen, and every
 * blob read back with forward_blob holds the values a symbolic evaluation of the graph
 * predicts, across re-plans for new input sizes. */
#include "engine/plan.h"
#include "engine_graphs.h"

static const char *dir;

/* A chain of 6 convs: with reuse two buffers alternate. */
static void chain_reuses_memory(void)
{
    unsigned seed = 1;
    opc_graph *g = tg_new(8);
    int b = 0;
    char name[16];
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "c%d", i);
        b = tg_conv(g, name, b, 8, (tg_conv_spec){.cout = 8, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}}, &seed);
    }
    tg_head(g, b, 8, &seed);
    opc_model *m = tg_open(g, dir, "chain");
    opc_net *net = tg_net(m, OPC_ENGINE_FAST, 1);
    opc_net_memory mem;
    opc_error err;
    CHECK(opc_net_memory_at(net, 32, 32, &mem, &err) == OPC_OK, "%s", err.msg);
    size_t blob = 8 * 32 * 32 * sizeof(float), head = 57 * 32 * 32 * sizeof(float);
    CHECK(mem.naive_bytes == 6 * blob + head, "naive %zu", mem.naive_bytes);
    /* The last conv's input and output, plus the head's output, at most. */
    CHECK(mem.activation_bytes <= 2 * blob + head, "after reuse %zu of naive %zu",
          mem.activation_bytes, mem.naive_bytes);
    CHECK(mem.activation_bytes < mem.naive_bytes, "no reuse");
    /* The convs' scratch is counted: an unfolded output row at least. */
    CHECK(mem.scratch_bytes >= 8 * 9 * 32 * sizeof(float), "im2col scratch %zu",
          mem.scratch_bytes);
    opc_net_free(net);
    opc_model_close(m);
    opc_graph_free(g);
}

/* An OpenPose-shaped graph: a backbone with pooling, a feature map read by every stage,
 * two branches per stage joined by stage concats, a dense block of three chained convs
 * concatenated, and a final concat of the last stage's branches. */
static opc_graph *openpose_like(void)
{
    unsigned seed = 2;
    opc_graph *g = tg_new(3);
    tg_conv_spec c3 = {.cout = 8, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU};
    int x = tg_conv(g, "conv1", 0, 3, c3, &seed);
    x = tg_pool(g, "pool1", x, 2, 2, NULL, 0, 1);
    x = tg_conv(g, "conv2", x, 8, c3, &seed);
    int feat = tg_conv(g, "feat", x, 8, c3, &seed);
    int in = feat, in_c = 8, l1 = -1, l2 = -1;
    char n[32];
    for (int s = 1; s <= 3; s++) {
        tg_conv_spec a = {.cout = 4, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_PRELU};
        snprintf(n, sizeof n, "s%d_d1", s);
        int d1 = tg_conv(g, n, in, in_c, a, &seed);
        snprintf(n, sizeof n, "s%d_d2", s);
        int d2 = tg_conv(g, n, d1, 4, a, &seed);
        snprintf(n, sizeof n, "s%d_d3", s);
        int d3 = tg_conv(g, n, d2, 4, a, &seed);
        snprintf(n, sizeof n, "s%d_dense", s);
        int dense = tg_concat(g, n, 3, (int[]){d1, d2, d3});
        snprintf(n, sizeof n, "s%d_L1", s);
        l1 = tg_conv(g, n, dense, 12, (tg_conv_spec){.cout = 5, .kh = 1, .kw = 1}, &seed);
        snprintf(n, sizeof n, "s%d_L2", s);
        l2 = tg_conv(g, n, in, in_c, (tg_conv_spec){.cout = 3, .kh = 7, .kw = 7, .pad = {3, 3, 3, 3}}, &seed);
        if (s < 3) {
            snprintf(n, sizeof n, "concat_stage%d", s + 1);
            in = tg_concat(g, n, 3, (int[]){l1, l2, feat});
            in_c = 16;
        }
    }
    int out = tg_concat(g, "net_output", 2, (int[]){l2, l1});
    tg_head(g, out, 8, &seed);
    return g;
}

/* Whether blob b lies inside blob a through concat-input views at their exact offsets. */
static int nested(const opc_graph *g, const opc_plan *p, int a, int b)
{
    for (int i = 0; i < g->n_layers; i++) {
        const opc_layer *l = &g->layers[i];
        if (l->op != OPC_OP_CONCAT)
            continue;
        size_t at = 0;
        for (int k = 0; k < l->n_inputs; k++) {
            const opc_shape *s = &p->shapes[l->inputs[k]];
            if (l->inputs[k] == b && p->mem.offset[b] == p->mem.offset[l->output] + at &&
                (l->output == a || nested(g, p, a, l->output)))
                return 1;
            at += (size_t)s->c * s->h * s->w;
        }
    }
    return 0;
}

/* Whether blob b is written in place over blob a: by an elementwise layer whose first input
 * is a, read last by that layer, at a's offset. */
static int over(const opc_graph *g, const opc_plan *p, const int *last, int a, int b)
{
    for (int i = 0; i < g->n_layers; i++) {
        const opc_layer *l = &g->layers[i];
        if (l->output == b && l->inputs[0] == a && last[a] == i &&
            (l->op == OPC_OP_ADD || l->op == OPC_OP_ACT || l->op == OPC_OP_AFFINE ||
             l->op == OPC_OP_INSTANCE_NORM) &&
            p->mem.offset[a] == p->mem.offset[b])
            return 1;
    }
    return 0;
}

/* Lifetimes worked out here from the graph alone: [writer, last reader], the output to the
 * end. Any two blobs alive together must not share memory, unless nested or one written
 * in place over the other. At least min_views (blob, enclosing blob) pairs must be nested
 * (concat inputs placed in place) and min_over written in place. */
static void no_live_overlap(const opc_graph *g, int h, int w, int min_views, int min_over)
{
    opc_plan p;
    opc_error err;
    int rc = opc_plan_build(&p, g, OPC_ENGINE_FAST, h, w, 1, &err);
    CHECK(rc == OPC_OK, "%s", err.msg);
    if (rc != OPC_OK)
        return;
    int nb = g->n_blobs;
    int *first = calloc((size_t)nb, sizeof *first), *last = calloc((size_t)nb, sizeof *last);
    for (int i = 0; i < g->n_layers; i++) {
        first[g->layers[i].output] = last[g->layers[i].output] = i;
        for (int k = 0; k < g->layers[i].n_inputs; k++)
            last[g->layers[i].inputs[k]] = i;
    }
    last[g->outputs[0].blob] = g->n_layers;
    int views = 0, overs = 0;
    for (int a = 1; a < nb; a++) {
        size_t a0 = p.mem.offset[a], a1 = a0 + (size_t)p.shapes[a].c * p.shapes[a].h * p.shapes[a].w;
        CHECK(a1 <= p.mem.arena_floats, "blob %s outside the arena", g->blob_names[a]);
        for (int b = a + 1; b < nb; b++) {
            size_t b0 = p.mem.offset[b], b1 = b0 + (size_t)p.shapes[b].c * p.shapes[b].h * p.shapes[b].w;
            int alive_together = first[a] <= last[b] && first[b] <= last[a];
            int share = a0 < b1 && b0 < a1;
            int view = nested(g, &p, a, b) || nested(g, &p, b, a);
            int in_place = over(g, &p, last, a, b) || over(g, &p, last, b, a);
            views += view;
            overs += in_place;
            CHECK(!(alive_together && share) || view || in_place,
                  "%s and %s share memory while both alive", g->blob_names[a], g->blob_names[b]);
        }
    }
    CHECK(views >= min_views, "only %d of %d views: concat inputs are copied", views, min_views);
    CHECK(overs >= min_over, "only %d of %d layers in place", overs, min_over);
    CHECK(p.mem.arena_floats < p.mem.naive_floats, "no reuse");
    free(first);
    free(last);
    opc_plan_free(&p);
}

/* A graph of 1x1 convs, concats (in place, copied, nested), ADDs and AFFINEs (in place or not): every
 * blob is an affine function of the input pixel, blob[c] = sum_j A[c][j] x[j] + t[c],
 * which this test tracks symbolically in double from the weights. */
enum { C0 = 3, MAXC = 64 };
typedef struct {
    int c;
    double a[MAXC][C0], t[MAXC];
} affine_blob;

static void sym_conv(const opc_layer *l, const affine_blob *in, affine_blob *out)
{
    out->c = l->out_channels;
    for (int o = 0; o < out->c; o++) {
        out->t[o] = l->bias.data ? l->bias.data[o] : 0;
        for (int j = 0; j < C0; j++)
            out->a[o][j] = 0;
        for (int i = 0; i < in->c; i++) {
            double w = l->weight.data[o * in->c + i];
            out->t[o] += w * in->t[i];
            for (int j = 0; j < C0; j++)
                out->a[o][j] += w * in->a[i][j];
        }
    }
}

static void symbolic(const opc_graph *g, affine_blob *v)
{
    v[0].c = C0;
    for (int j = 0; j < C0; j++) {
        for (int k = 0; k < C0; k++)
            v[0].a[j][k] = j == k;
        v[0].t[j] = 0;
    }
    for (int i = 0; i < g->n_layers; i++) {
        const opc_layer *l = &g->layers[i];
        affine_blob *o = &v[l->output];
        const affine_blob *in = &v[l->inputs[0]];
        memset(o, 0, sizeof *o);
        if (l->op == OPC_OP_CONV) {
            sym_conv(l, in, o);
        } else if (l->op == OPC_OP_CONCAT) {
            for (int k = 0; k < l->n_inputs; k++) {
                const affine_blob *s = &v[l->inputs[k]];
                memcpy(o->a[o->c], s->a, (size_t)s->c * sizeof s->a[0]);
                memcpy(o->t + o->c, s->t, (size_t)s->c * sizeof s->t[0]);
                o->c += s->c;
            }
        } else if (l->op == OPC_OP_ADD) {
            *o = *in;
            for (int k = 1; k < l->n_inputs; k++)
                for (int c = 0; c < o->c; c++) {
                    o->t[c] += v[l->inputs[k]].t[c];
                    for (int j = 0; j < C0; j++)
                        o->a[c][j] += v[l->inputs[k]].a[c][j];
                }
        } else { /* AFFINE */
            *o = *in;
            for (int c = 0; c < o->c; c++) {
                o->t[c] = l->weight.data[c] * in->t[c] + l->bias.data[c];
                for (int j = 0; j < C0; j++)
                    o->a[c][j] *= l->weight.data[c];
            }
        }
    }
}

static opc_graph *linear_graph(void)
{
    unsigned seed = 3;
#define C1(n, in, in_c, out_c) tg_conv(g, n, in, in_c, (tg_conv_spec){.cout = out_c, .kh = 1, .kw = 1}, &seed)
    opc_graph *g = tg_new(C0);
    int a = C1("a", 0, C0, 8);
    int b = C1("b", a, 8, 6);
    int c = C1("c", b, 6, 4);
    int d = tg_concat(g, "d", 2, (int[]){b, c});        /* b, c in place */
    int e = C1("e", d, 10, 5);
    int f = C1("f", a, 8, 3);
    int gg = tg_concat(g, "g", 3, (int[]){e, f, 0});    /* e in place; f read later, x is input */
    int h = C1("h", gg, 11, 11);
    int i = tg_add(g, "i", 2, (int[]){h, gg}, OPC_ACT_NONE, 11, &seed);
    int m = C1("m", f, 3, 2);
    int j = tg_concat(g, "j", 3, (int[]){i, d, m});     /* d nested: b, c inside it */
    int k = tg_channelwise(g, OPC_OP_AFFINE, "k", j, 23, OPC_ACT_NONE, &seed); /* j holds views */
    int k2 = tg_channelwise(g, OPC_OP_AFFINE, "k2", k, 23, OPC_ACT_NONE, &seed); /* over k */
    int n = C1("n", k2, 23, 23);
    int q = tg_add(g, "q", 2, (int[]){n, n}, OPC_ACT_NONE, 23, &seed); /* over n */
    int o = C1("o", q, 23, 23);
    int r = tg_channelwise(g, OPC_OP_AFFINE, "r", o, 23, OPC_ACT_NONE, &seed); /* o read on */
    int t = tg_add(g, "t", 2, (int[]){r, o}, OPC_ACT_NONE, 23, &seed); /* over r */
    tg_head(g, t, 23, &seed);
#undef C1
    return g;
}

static void values_survive(void)
{
    opc_graph *g = linear_graph();
    /* b, c in d; e in g; i, d, m in j; and so b, c in j too. k2 over k, q over n, t over r. */
    no_live_overlap(g, 7, 9, 8, 3);
    affine_blob *v = calloc((size_t)g->n_blobs, sizeof *v);
    symbolic(g, v);
    opc_model *m = tg_open(g, dir, "linear");
    static const int SIZES[][2] = {{7, 9}, {16, 16}, {3, 5}, {7, 9}}; /* h, w; re-plans */
    for (int e = 0; e < 2; e++) {
        opc_net *net = tg_net(m, e ? OPC_ENGINE_REFERENCE : OPC_ENGINE_FAST, 3);
        /* The fast engine's 1x1 kernels keep their weights packed (n and o, 23 x 23, at
         * least); the reference engine reads them as they are. */
        opc_net_memory mem;
        opc_error merr;
        CHECK(opc_net_memory_at(net, 9, 7, &mem, &merr) == OPC_OK, "%s", merr.msg);
        CHECK(e ? mem.packed_bytes == 0 : mem.packed_bytes >= 2 * 23 * 23 * sizeof(float),
              "%s engine: packed %zu bytes", e ? "reference" : "fast", mem.packed_bytes);
        for (int s = 0; s < 4; s++) {
            opc_tensor in;
            tg_input(&in, C0, SIZES[s][0], SIZES[s][1], 99u + (unsigned)s);
            size_t hw = (size_t)in.h * in.w;
            for (int b = 0; b < g->n_blobs; b++) {
                opc_tensor out;
                opc_error err;
                int rc = opc_net_forward_blob(net, &in, g->blob_names[b], &out, &err);
                CHECK(rc == OPC_OK, "%s", err.msg);
                if (rc != OPC_OK)
                    continue;
                CHECK(out.c == v[b].c && out.h == in.h && out.w == in.w, "%s: shape",
                      g->blob_names[b]);
                double worst = 0;
                for (int c = 0; c < v[b].c && out.c == v[b].c; c++)
                    for (size_t p = 0; p < hw; p++) {
                        double want = v[b].t[c];
                        for (int jj = 0; jj < C0; jj++)
                            want += v[b].a[c][jj] * in.data[jj * hw + p];
                        double d = fabs(out.data[c * hw + p] - want) / (1 + fabs(want));
                        worst = d > worst ? d : worst;
                    }
                /* float32 through at most 6 small layers: ~1e-6; a clobbered blob: ~1. */
                CHECK(worst < 1e-5, "%s engine, %dx%d, blob %s: error %g",
                      e ? "reference" : "fast", in.w, in.h, g->blob_names[b], worst);
                opc_tensor_free(&out);
            }
            opc_tensor_free(&in);
        }
        opc_net_free(net);
    }
    opc_model_close(m);
    free(v);
    opc_graph_free(g);
}

/* Misuse of the API: an unknown blob name, a wrong input shape. Clear errors, nothing
 * allocated, and the net still works afterwards. */
static void api_errors(void)
{
    opc_graph *g = linear_graph();
    opc_model *m = tg_open(g, dir, "api");
    opc_net *net = tg_net(m, OPC_ENGINE_FAST, 2);
    opc_tensor in, bad, out;
    opc_error err = {{0}};
    tg_input(&in, C0, 5, 6, 1);
    tg_input(&bad, C0 + 1, 5, 6, 1);
    CHECK(opc_net_forward_blob(net, &in, "nosuch", &out, &err) != OPC_OK && !out.data &&
              strstr(err.msg, "nosuch"),
          "unknown blob: %s", err.msg);
    const char *names[2] = {"d", "nosuch"};
    opc_tensor two[2];
    CHECK(opc_net_forward_blobs(net, &in, 2, names, two, &err) != OPC_OK && !two[0].data &&
              !two[1].data,
          "one unknown blob of two: %s", err.msg);
    const opc_tensor *o;
    CHECK(opc_net_forward(net, &bad, &o, &err) != OPC_OK && strstr(err.msg, "1x3xHxW"),
          "wrong channels: %s", err.msg);
    bad.n = 2;
    CHECK(opc_net_forward(net, &bad, &o, &err) != OPC_OK, "batch 2 accepted");
    CHECK(opc_net_forward(net, &in, &o, &err) == OPC_OK && o->c == 57 && o->h == 5 && o->w == 6,
          "forward after errors: %s", err.msg);
    opc_net_options silly = {-1, OPC_ENGINE_FAST};
    CHECK(!opc_net_create(m, &silly, &err), "-1 threads accepted");
    opc_tensor_free(&in);
    opc_tensor_free(&bad);
    opc_net_free(net);
    opc_model_close(m);
    opc_graph_free(g);
}

int main(void)
{
    dir = opc_test_tmpdir("engine_memplan");
    chain_reuses_memory();
    opc_graph *g = openpose_like();
    /* Each stage's d1..d3 in its dense concat (9); stages 1-2's branches in the next stage
     * concat (4); feat in concat_stage3, its last reader (1); the last branches in
     * net_output (2). */
    no_live_overlap(g, 24, 32, 16, 0);
    no_live_overlap(g, 13, 9, 16, 0);
    opc_graph_free(g);
    values_survive();
    api_errors();
    return opc_test_result();
}
