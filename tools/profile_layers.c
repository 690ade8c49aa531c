/* Where a forward spends its time: runs a model on a random input and prints, per layer,
 * the kernel that ran it, the median time over the runs, its share and its GFLOP/s
 * (2 x MACs / time), then the totals per kernel.
 *
 *   profile_layers MODEL [--size WxH] [--threads N] [--repeat N] [--engine fast|reference]
 *
 * The first forward (planning, page faults of the weights) is not counted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/clock.h"
#include "openpose-c/model.h"
#include "openpose-c/net.h"
#include "openpose-c/tensor.h"

typedef struct {
    const char *kernel;
    double ms, macs;
    int layers;
} kernel_total;

int main(int argc, char **argv)
{
    const char *path = NULL;
    int w = 368, h = 368, repeat = 5;
    opc_net_options opt = {2, OPC_ENGINE_FAST};
    for (int i = 1; i < argc; i++) {
        const char *val = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(argv[i], "--size") && sscanf(val, "%dx%d", &w, &h) == 2)
            i++;
        else if (!strcmp(argv[i], "--threads") && (opt.threads = atoi(val)) >= 0)
            i++;
        else if (!strcmp(argv[i], "--repeat") && (repeat = atoi(val)) >= 1)
            i++;
        else if (!strcmp(argv[i], "--engine") && (!strcmp(val, "fast") || !strcmp(val, "reference"))) {
            opt.engine = strcmp(val, "fast") ? OPC_ENGINE_REFERENCE : OPC_ENGINE_FAST;
            i++;
        } else if (!path && argv[i][0] != '-')
            path = argv[i];
        else {
            fprintf(stderr, "usage: profile_layers MODEL [--size WxH] [--threads N] "
                            "[--repeat N] [--engine fast|reference]\n");
            return 2;
        }
    }
    if (!path || w < 1 || h < 1) {
        fprintf(stderr, "profile_layers: MODEL and a valid --size are required\n");
        return 2;
    }
    opc_error err;
    opc_model *m = opc_model_open(path, &err);
    opc_net *net = m ? opc_net_create(m, &opt, &err) : NULL;
    opc_tensor in = {0};
    if (!net || opc_tensor_alloc(&in, 1, opc_net_input_channels(net), h, w, &err) != OPC_OK) {
        fprintf(stderr, "profile_layers: %s\n", err.msg);
        return 1;
    }
    unsigned s = 1;
    for (size_t i = 0; i < opc_tensor_count(&in); i++) {
        s = s * 1664525u + 1013904223u;
        in.data[i] = (float)(s >> 8) / 16777216.0f - 0.5f;
    }
    int n = opc_net_layers(net);
    opc_layer_time *t = calloc((size_t)n * (repeat + 1), sizeof *t);
    double *v = calloc((size_t)repeat, sizeof *v), *ms = calloc((size_t)n, sizeof *ms);
    kernel_total *k = calloc((size_t)n, sizeof *k);
    for (int r = 0; r <= repeat; r++)
        if (opc_net_forward_profile(net, &in, t + (size_t)r * n, &err) != OPC_OK) {
            fprintf(stderr, "profile_layers: %s\n", err.msg);
            return 1;
        }
    double total = 0, total_macs = 0;
    for (int i = 0; i < n; i++) {
        for (int r = 0; r < repeat; r++)
            v[r] = t[(size_t)(r + 1) * n + i].ms;
        ms[i] = opc_median(v, repeat);
        total += ms[i];
        total_macs += t[i].macs;
    }
    printf("%-28s %-26s %9s %6s %8s\n", "layer", "kernel", "ms", "%", "GFLOP/s");
    int nk = 0;
    for (int i = 0; i < n; i++) {
        printf("%-28s %-26s %9.3f %6.2f %8.1f\n", t[i].layer, t[i].kernel, ms[i],
               100 * ms[i] / total, ms[i] > 0 ? 2 * t[i].macs / ms[i] * 1e-6 : 0.0);
        int j = 0;
        while (j < nk && strcmp(k[j].kernel, t[i].kernel))
            j++;
        if (j == nk)
            k[nk++] = (kernel_total){t[i].kernel, 0, 0, 0};
        k[j].ms += ms[i];
        k[j].macs += t[i].macs;
        k[j].layers++;
    }
    printf("\n%-26s %6s %9s %6s %8s\n", "kernel", "layers", "ms", "%", "GFLOP/s");
    for (int j = 0; j < nk; j++)
        printf("%-26s %6d %9.2f %6.2f %8.1f\n", k[j].kernel, k[j].layers, k[j].ms,
               100 * k[j].ms / total, k[j].ms > 0 ? 2 * k[j].macs / k[j].ms * 1e-6 : 0.0);
    printf("%-26s %6d %9.2f %6.2f %8.1f   (%dx%d, %d threads, median of %d)\n", "total", n,
           total, 100.0, 2 * total_macs / total * 1e-6, w, h, opt.threads, repeat);
    free(t);
    free(v);
    free(ms);
    free(k);
    opc_tensor_free(&in);
    opc_net_free(net);
    opc_model_close(m);
    return 0;
}
