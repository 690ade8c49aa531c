/* opc_net: runs a model's graph. It keeps the plan for the last input size (re-planned
 * when the size changes), the arena and scratch sized for it, and its own thread pool. */
#include "openpose-c/net.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "openpose-c/error.h"
#include "openpose-c/clock.h"
#include "core/cpu.h"
#include "engine/net_pool.h"
#include "engine/plan.h"
#include "model/graph.h"

#define MAX_THREADS 256
#define HUGE_PAGE ((size_t)2 << 20)

struct opc_net {
    const opc_graph *g;
    opc_engine engine;
    int threads;
    opc_pool *pool;
    opc_plan plan;     /* plan.shapes == NULL: none yet */
    /* Kept across plans and only grown: a folder of photos of many sizes re-plans at
     * almost every image, and fresh memory costs page faults and zeroing each time. */
    float *arena;      /* arena_cap >= plan.mem.arena_floats */
    float *scratch;    /* scratch_cap >= plan.scratch_floats */
    size_t arena_cap, scratch_cap;
    float **data;      /* [n_blobs] where each blob lives during a forward */
    /* [n_layers] each layer's weights as the kernel packed_by[i] packs them
     * (opc_kernel.packing); kept across plans, packed again only when a new input size
     * picks a kernel that packs them otherwise. */
    float **packed;
    const opc_kernel **packed_by;
    opc_tensor outputs[OPC_MAX_OUTPUTS]; /* views of the output blobs */
};

opc_net *opc_net_create(const opc_model *m, const opc_net_options *opt, opc_error *err)
{
    opc_net_options o = opt ? *opt : (opc_net_options){0, OPC_ENGINE_FAST};
    if (o.engine != OPC_ENGINE_FAST && o.engine != OPC_ENGINE_REFERENCE) {
        opc_fail(err, OPC_ERR_ARG, "net: unknown engine %d", (int)o.engine);
        return NULL;
    }
    if (o.threads < 0 || o.threads > MAX_THREADS) {
        opc_fail(err, OPC_ERR_ARG, "net: %d threads (allowed 0..%d)", o.threads, MAX_THREADS);
        return NULL;
    }
    if (opc_cpu_check(err) != OPC_OK)
        return NULL;
    if (o.threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        o.threads = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
    }
    opc_net *net = calloc(1, sizeof *net);
    if (!net) {
        opc_fail(err, OPC_ERR_NOMEM, "net: out of memory");
        return NULL;
    }
    net->g = opc_model_graph(m);
    net->engine = o.engine;
    net->threads = o.threads;
    net->data = calloc((size_t)net->g->n_blobs, sizeof *net->data);
    net->packed = calloc((size_t)net->g->n_layers + 1, sizeof *net->packed);
    net->packed_by = calloc((size_t)net->g->n_layers + 1, sizeof *net->packed_by);
    /* The reference engine is single-threaded by design. */
    net->pool = opc_pool_create(o.engine == OPC_ENGINE_FAST ? o.threads : 1, err);
    if (!net->data || !net->packed || !net->packed_by || !net->pool) {
        if (net->pool)
            opc_fail(err, OPC_ERR_NOMEM, "net: out of memory");
        opc_net_free(net);
        return NULL;
    }
    return net;
}

static void drop_buffers(opc_net *net)
{
    free(net->arena);
    free(net->scratch);
    net->arena = net->scratch = NULL;
    net->arena_cap = net->scratch_cap = 0;
}

void opc_net_free(opc_net *net)
{
    if (!net)
        return;
    opc_plan_free(&net->plan);
    drop_buffers(net);
    opc_pool_free(net->pool);
    for (int i = 0; net->packed && i < net->g->n_layers; i++)
        free(net->packed[i]);
    free(net->packed);
    free(net->packed_by);
    free(net->data);
    free(net);
}

int opc_net_input_channels(const opc_net *net) { return net->g->input_channels; }

opc_pool *opc_net_pool(opc_net *net) { return net->pool; }

/* n floats in whole cache lines, one at least. */
static size_t floats_bytes(size_t n)
{
    size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
    return bytes ? bytes : 64;
}

/* 64-byte-aligned floats (at least one cache line, so a zero size is no special case). */
static float *alloc_floats(size_t n)
{
    size_t bytes = floats_bytes(n);
    if (bytes < HUGE_PAGE)
        return aligned_alloc(64, bytes);
    /* Big buffers in transparent huge pages where the system allows them: the kernels
     * stride through tens of MB, and 4 KiB pages would make that a TLB miss per row. */
    bytes = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    float *p = aligned_alloc(HUGE_PAGE, bytes);
    if (p)
        madvise(p, bytes, MADV_HUGEPAGE);
    return p;
}

/* Packs each layer's weights for its kernel in the plan, where that kernel has its own
 * layout and they are not already packed so. */
static int pack_weights(opc_net *net, opc_error *err)
{
    for (int i = 0; i < net->g->n_layers; i++) {
        const opc_kernel *k = net->plan.kernels[i];
        const opc_layer *l = &net->g->layers[i];
        if (!k->packing || net->packed_by[i] == k)
            continue;
        free(net->packed[i]);
        net->packed_by[i] = NULL;
        if (!(net->packed[i] = alloc_floats(k->packing->floats(l)))) {
            opc_plan_free(&net->plan);
            return opc_fail(err, OPC_ERR_NOMEM, "net: out of memory for layer %s's weights",
                            l->name);
        }
        k->packing->pack(l, net->packed[i]);
        net->packed_by[i] = k;
    }
    return OPC_OK;
}

/* Makes the plan fit an h x w input. */
static int ensure_plan(opc_net *net, int h, int w, opc_error *err)
{
    if (net->plan.shapes && net->plan.h == h && net->plan.w == w)
        return OPC_OK;
    opc_plan_free(&net->plan);
    int rc = opc_plan_build(&net->plan, net->g, net->engine, h, w,
                            opc_pool_threads(net->pool), err);
    if (rc != OPC_OK)
        return rc;
    size_t need_a = net->plan.mem.arena_floats, need_s = net->plan.scratch_floats;
    if (!net->arena || need_a > net->arena_cap) {
        free(net->arena);
        net->arena_cap = (net->arena = alloc_floats(need_a)) ? need_a : 0;
    }
    if (!net->scratch || need_s > net->scratch_cap) {
        free(net->scratch);
        net->scratch_cap = (net->scratch = alloc_floats(need_s)) ? need_s : 0;
    }
    if (!net->arena || !net->scratch) {
        size_t mb = (need_a + need_s) * sizeof(float) >> 20;
        opc_plan_free(&net->plan);
        drop_buffers(net);
        return opc_fail(err, OPC_ERR_NOMEM, "net: out of memory for a %dx%d input (%zu MiB)", w,
                        h, mb);
    }
    for (int b = 1; b < net->g->n_blobs; b++)
        net->data[b] = net->arena + net->plan.mem.offset[b];
    return pack_weights(net, err);
}

static int check_input(const opc_net *net, const opc_tensor *in, opc_error *err)
{
    if (!in || !in->data || in->n != 1 || in->c != net->g->input_channels || in->h < 1 ||
        in->w < 1)
        return opc_fail(err, OPC_ERR_ARG,
                        "net input: expected 1x%dxHxW (NCHW), got %dx%dx%dx%d",
                        net->g->input_channels, in ? in->n : 0, in ? in->c : 0, in ? in->h : 0,
                        in ? in->w : 0);
    return OPC_OK;
}

/* Runs every layer; each blob ids[k] is copied into out[k] as soon as it is written (later
 * layers may reuse its memory). With times, records each layer's time and kernel. */
static void run_layers(opc_net *net, int n, const int *ids, opc_tensor *out,
                       opc_layer_time *times)
{
    const opc_graph *g = net->g;
    const opc_plan *p = &net->plan;
    /* Every kernel splits its GEMMs between the net's own threads and runs each
     * single-threaded: OpenBLAS's threads would spin between calls, competing with ours.
     * (The setting is process-wide; nets only ever set it to 1.) */
    openblas_set_num_threads(1);
    for (int i = -1; i < g->n_layers; i++) {
        int written = 0; /* the input, "written" by the caller before layer 0 */
        if (i >= 0) {
            const opc_layer *l = &g->layers[i];
            opc_kernel_args a = {.layer = l, .n_inputs = l->n_inputs,
                                 .out = net->data[l->output],
                                 .out_shape = p->shapes[l->output], .scratch = net->scratch,
                                 .pool = net->pool, .param = p->kernels[i]->param,
                                 .packed = net->packed[i]};
            for (int k = 0; k < l->n_inputs; k++) {
                a.in[k] = net->data[l->inputs[k]];
                a.in_shape[k] = p->shapes[l->inputs[k]];
            }
            double t0 = times ? opc_clock_ms() : 0.0;
            p->kernels[i]->run(&a);
            if (times)
                times[i] = (opc_layer_time){l->name, p->kernels[i]->name, opc_clock_ms() - t0,
                                            opc_layer_macs(g, l, p->shapes)};
            written = l->output;
        }
        for (int k = 0; k < n; k++)
            if (ids[k] == written)
                memcpy(out[k].data, net->data[written], opc_tensor_count(&out[k]) * sizeof(float));
    }
}

static int prepare(opc_net *net, const opc_tensor *input, opc_error *err)
{
    int rc = check_input(net, input, err);
    if (rc == OPC_OK)
        rc = ensure_plan(net, input->h, input->w, err);
    if (rc == OPC_OK)
        net->data[0] = input->data; /* read in place, never written */
    return rc;
}

int opc_net_forward_all(opc_net *net, const opc_tensor *input, const opc_tensor **outputs,
                        opc_error *err)
{
    int rc = prepare(net, input, err);
    if (rc != OPC_OK)
        return rc;
    run_layers(net, 0, NULL, NULL, NULL);
    for (int k = 0; k < net->g->n_outputs; k++) {
        int b = net->g->outputs[k].blob;
        const opc_shape *s = &net->plan.shapes[b];
        net->outputs[k] = (opc_tensor){1, s->c, s->h, s->w, net->data[b]};
        outputs[k] = &net->outputs[k];
    }
    return OPC_OK;
}

int opc_net_forward(opc_net *net, const opc_tensor *input, const opc_tensor **output,
                    opc_error *err)
{
    const opc_tensor *all[OPC_MAX_OUTPUTS];
    int rc = opc_net_forward_all(net, input, all, err);
    if (rc == OPC_OK)
        *output = all[0];
    return rc;
}

int opc_net_forward_blobs(opc_net *net, const opc_tensor *input, int n,
                          const char *const *blob_names, opc_tensor *out, opc_error *err)
{
    for (int k = 0; k < n; k++)
        memset(&out[k], 0, sizeof out[k]);
    int *ids = malloc((n > 0 ? (size_t)n : 1) * sizeof *ids);
    if (!ids)
        return opc_fail(err, OPC_ERR_NOMEM, "net: out of memory");
    int rc = OPC_OK;
    for (int k = 0; k < n && rc == OPC_OK; k++)
        if ((ids[k] = opc_graph_find_blob(net->g, blob_names[k])) < 0)
            rc = opc_fail(err, OPC_ERR_ARG, "blob %s: not in model %s", blob_names[k],
                          net->g->name ? net->g->name : "?");
    if (rc == OPC_OK)
        rc = prepare(net, input, err);
    for (int k = 0; k < n && rc == OPC_OK; k++) {
        const opc_shape *s = &net->plan.shapes[ids[k]];
        rc = opc_tensor_alloc(&out[k], 1, s->c, s->h, s->w, err);
    }
    if (rc == OPC_OK)
        run_layers(net, n, ids, out, NULL);
    else
        for (int k = 0; k < n; k++)
            opc_tensor_free(&out[k]);
    free(ids);
    return rc;
}

int opc_net_forward_blob(opc_net *net, const opc_tensor *input, const char *blob_name,
                         opc_tensor *out, opc_error *err)
{
    return opc_net_forward_blobs(net, input, 1, &blob_name, out, err);
}

int opc_net_forward_profile(opc_net *net, const opc_tensor *input, opc_layer_time *times,
                            opc_error *err)
{
    int rc = prepare(net, input, err);
    if (rc == OPC_OK)
        run_layers(net, 0, NULL, NULL, times);
    return rc;
}

int opc_net_layers(const opc_net *net) { return net->g->n_layers; }

int opc_net_memory_at(opc_net *net, int net_w, int net_h, opc_net_memory *mem, opc_error *err)
{
    opc_plan p;
    int rc = opc_plan_build(&p, net->g, net->engine, net_h, net_w, opc_pool_threads(net->pool),
                            err);
    if (rc != OPC_OK)
        return rc;
    mem->activation_bytes = p.mem.arena_floats * sizeof(float);
    mem->naive_bytes = p.mem.naive_floats * sizeof(float);
    mem->scratch_bytes = p.scratch_floats * sizeof(float);
    mem->packed_bytes = 0;
    for (int i = 0; i < net->g->n_layers; i++)
        if (p.kernels[i]->packing)
            mem->packed_bytes += floats_bytes(p.kernels[i]->packing->floats(&net->g->layers[i]));
    opc_plan_free(&p);
    return OPC_OK;
}

const char *opc_cpu_level_in_use(void) { return opc_cpu_level_name(opc_cpu_level()); }

const char *opc_cpu_level_best(void) { return opc_cpu_level_name(opc_cpu_level_supported()); }

int opc_cpu_level_check(opc_error *err) { return opc_cpu_check(err); }
