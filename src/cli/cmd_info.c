/* openpose-c info: what a model file holds and what running it costs at one input size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/cmd_args.h"
#include "cli/commands.h"
#include "cli/model_find.h"
#include "openpose-c/model.h"
#include "openpose-c/net.h"

/* Used when a model leaves both sides of its net resolution to the image. */
#define FALLBACK_SIDE 368

static void help(FILE *f)
{
    fprintf(f,
            "usage: openpose-c info MODEL [--net-resolution WxH]\n"
            "\n"
            "Describes MODEL (an .opc file, or NAME.opc in the models folders): its name and\n"
            "source, keypoint topology, input preprocessing, layers by type, parameter\n"
            "count, and at one input size the multiply-accumulates of a forward, the output\n"
            "shape and the activation memory (after buffer reuse, and what one buffer per\n"
            "blob would take); then the BLAS build and the kernel it runs on this CPU.\n"
            "\n"
            "options:\n"
            "  --net-resolution WxH  network input size for the figures (default: the\n"
            "                        model's default; a -1 side is taken equal to the other,\n"
            "                        as for a square image)\n"
            "\n"
            "example:\n"
            "  openpose-c info coco.opc --net-resolution 656x368\n");
}

static void resolve_square(int *w, int *h)
{
    if (*w < 1 && *h < 1)
        *w = *h = FALLBACK_SIDE;
    else if (*w < 1)
        *w = *h;
    else if (*h < 1)
        *h = *w;
}

/* The head: its decoder and, for the families this command knows, what it reads. */
static void print_head(const opc_model *m)
{
    const opc_head *h = opc_model_head(m);
    opc_paf_topology t;
    if (strcmp(h->decoder, "paf") == 0 && opc_model_paf_topology(m, &t, NULL) == 0) {
        printf("head:         paf (OpenPose's parser), topology %s: %d parts, %d limbs; %d "
               "heatmaps",
               t.name, t.num_parts, t.num_pairs, t.heatmap_channels);
        if (t.background >= 0)
            printf(" (background %d)", t.background);
        printf(" + %d PAF channels from %d\n", 2 * t.num_pairs, t.paf_offset);
    } else {
        printf("head:         %s\n", h->decoder);
    }
}

static void print_keypoints(const opc_keypoint_set *k)
{
    printf("keypoints:    %s, %d parts:", k->name, k->num_parts);
    for (int i = 0; i < k->num_parts; i++)
        printf(" %s", k->part_names[i]);
    int coco = 0;
    for (int c = 0; c < 17; c++)
        coco += k->coco17[c] >= 0;
    printf("\n              %d of COCO's 17 keypoints, %d limbs drawn\n", coco, k->num_skeleton);
}

static void print_outputs(const opc_model *m)
{
    printf("outputs:     ");
    for (int i = 0; i < opc_model_num_outputs(m); i++)
        printf(" %s", opc_model_output_name(m, i));
    printf("\n");
}

static void print_preprocess(const opc_preprocess *p, int channels)
{
    printf("preprocess:   %.3s, input = pixel * (%g, %g, %g) + (%g, %g, %g), 1x%dxHxW",
           p->channel_order, p->scale[0], p->scale[1], p->scale[2], p->offset[0], p->offset[1],
           p->offset[2], channels);
    if (p->nhwc)
        printf(" (forward reads NHWC .npy: 1xHxWx%d)", channels);
    printf("\n              placement %s, sides %s %d, stride %d, default net resolution "
           "%dx%d\n",
           p->placement, strcmp(p->size_rule, "plus_one") ? "multiples of" : "1 + multiples of",
           p->size_step, p->stride, p->net_width, p->net_height);
}

/* Names and how often each occurs, in order of first appearance. */
typedef struct {
    int n;
    const char *name[64];
    int count[64];
} tally;

static void tally_add(tally *t, const char *name)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->name[i], name) == 0) {
            t->count[i]++;
            return;
        }
    if (t->n < 64) {
        t->name[t->n] = name;
        t->count[t->n++] = 1;
    }
}

static int print_layers(const opc_model *m, int n, opc_error *err)
{
    tally ops = {0}, acts = {0};
    for (int i = 0; i < n; i++) {
        opc_layer_desc d;
        if (opc_model_layer(m, i, &d, err) != 0)
            return -1;
        tally_add(&ops, d.op);
        if (strcmp(d.act, "none") != 0)
            tally_add(&acts, d.act);
    }
    printf("layers:       %d:", n);
    for (int i = 0; i < ops.n; i++)
        printf(" %s %d", ops.name[i], ops.count[i]);
    printf("; fused activations:");
    for (int i = 0; i < acts.n; i++)
        printf(" %s %d", acts.name[i], acts.count[i]);
    printf("\n");
    return 0;
}

static double mib(size_t bytes) { return (double)bytes / (1 << 20); }

/* 136.1 G, 271.5 M, 3.1 k: three significant-ish digits whatever the size. */
static void print_count(double n)
{
    static const char *const UNITS[] = {"", " k", " M", " G", " T"};
    int u = 0;
    while (n >= 1000 && u < 4) {
        n /= 1000;
        u++;
    }
    printf(u ? "%.1f%s" : "%.0f%s", n, UNITS[u]);
}

int info_args_parse(int argc, char **argv, info_args *a)
{
    const char *res = NULL;
    *a = (info_args){0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            help(stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--net-resolution")) {
            if (i + 1 >= argc)
                return cli_usage_error("info", "missing value after: %s", argv[i]);
            res = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error("info", "unknown option: %s", argv[i]);
        } else if (!a->path) {
            a->path = argv[i];
        } else {
            return cli_usage_error("info", "unexpected argument: %s", argv[i]);
        }
    }
    if (!a->path)
        return cli_usage_error("info", "MODEL is required");
    if (res && !cli_size(res, 1, &a->w, &a->h))
        return cli_usage_error("info", "--net-resolution must be WxH (sides 1..65536, or one -1), not: %s", res);
    return -1;
}

int cmd_info(int argc, char **argv)
{
    info_args a;
    int status = info_args_parse(argc, argv, &a);
    if (status >= 0)
        return status;
    const char *path = a.path;
    int w = a.w, h = a.h;

    opc_error err = {{0}};
    char found[4096];
    opc_model *m = NULL;
    opc_net *net = NULL;
    if (model_find(path, found, sizeof found, &err) != OPC_OK ||
        !(m = opc_model_open(found, &err)))
        goto fail;
    const opc_preprocess *pp = opc_model_preprocess(m);
    if (!w) {
        w = pp->net_width;
        h = pp->net_height;
    }
    resolve_square(&w, &h);
    opc_model_stats st;
    opc_net_memory mem;
    opc_net_options one = {1, OPC_ENGINE_FAST};
    if (opc_model_stats_at(m, w, h, &st, &err) != OPC_OK || !(net = opc_net_create(m, &one, &err)) ||
        opc_net_memory_at(net, w, h, &mem, &err) != OPC_OK)
        goto fail;

    printf("model:        %s\n", opc_model_name(m) ? opc_model_name(m) : "?");
    printf("source:       %s\n", opc_model_source(m) ? opc_model_source(m) : "?");
    print_outputs(m);
    print_head(m);
    print_keypoints(opc_model_keypoints(m));
    print_preprocess(pp, opc_model_input_channels(m));
    if (print_layers(m, st.layers, &err) != 0)
        goto fail;
    printf("parameters:   %zu (%.1f MiB of float32)\n", st.params, mib(st.params * sizeof(float)));
    char size[32];
    snprintf(size, sizeof size, "%dx%d:", w, h);
    printf("at %-11sMACs ", size);
    print_count(st.macs);
    printf(", output %dx%dx%d\n", st.out_c, st.out_h, st.out_w);
    printf("memory:       activations %.1f MiB after reuse (%.1f MiB one buffer per blob), "
           "scratch %.1f MiB, packed weights %.1f MiB\n",
           mib(mem.activation_bytes), mib(mem.naive_bytes), mib(mem.scratch_bytes),
           mib(mem.packed_bytes));
    cli_print_blas(stdout);
    opc_net_free(net);
    opc_model_close(m);
    return EXIT_OK;
fail:
    fprintf(stderr, "openpose-c info: %s\n", err.msg);
    opc_net_free(net);
    opc_model_close(m);
    return EXIT_FAIL;
}
