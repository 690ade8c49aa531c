/* PoseNet decoding time: the multi-person decoder (and the sigmoid before it) on the
 * TensorFlow.js outputs of a photo, repeated, median per call.
 *
 *   bench_posenet_decode PREFIX [--repeat N] [--max N] [--threshold T] [--radius R]
 *
 * PREFIX names the reference tensors PREFIX_{heatmap,offsets,displacement_fwd,
 * displacement_bwd}.npy (1 x H x W x C, as in testdata/posenet/real/), output stride 16.
 * Prints the people found and the median times of the sigmoid, the decoder and both. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/clock.h"
#include "openpose-c/posenet.h"
#include "openpose-c/tensor.h"

/* PREFIX_name.npy, 1 x H x W x C, as 1 x C x H x W. */
static int load(const char *prefix, const char *name, opc_tensor *out)
{
    char path[4096];
    snprintf(path, sizeof path, "%s_%s.npy", prefix, name);
    opc_tensor raw;
    opc_error err;
    if (opc_npy_read(path, &raw, &err)) {
        fprintf(stderr, "bench_posenet_decode: %s\n", err.msg);
        return -1;
    }
    int h = raw.c, w = raw.h, c = raw.w;
    if (opc_tensor_alloc(out, 1, c, h, w, &err)) {
        opc_tensor_free(&raw);
        return -1;
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int k = 0; k < c; k++)
                out->data[((size_t)k * h + y) * w + x] = raw.data[((size_t)y * w + x) * c + k];
    opc_tensor_free(&raw);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_posenet_decode PREFIX [--repeat N] [--max N] "
                        "[--threshold T] [--radius R]\n");
        return 2;
    }
    opc_posenet_params p;
    opc_posenet_params_default(&p);
    int repeat = 1000;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--repeat"))
            repeat = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--max"))
            p.max_detections = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threshold"))
            p.score_threshold = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--radius"))
            p.nms_radius = atof(argv[i + 1]);
    }
    if (repeat < 1 || repeat > 1000000)
        repeat = 1000;
    opc_tensor t[4], scores;
    static const char *const names[4] = {"heatmap", "offsets", "displacement_fwd",
                                         "displacement_bwd"};
    for (int i = 0; i < 4; i++)
        if (load(argv[1], names[i], &t[i]))
            return 1;
    opc_error err;
    if (opc_tensor_alloc(&scores, 1, t[0].c, t[0].h, t[0].w, &err))
        return 1;
    opc_posenet_maps m = {&scores, &t[1], &t[2], &t[3], 16};
    opc_posenet_pose *poses = malloc((size_t)p.max_detections * sizeof *poses);
    double *sig = malloc((size_t)repeat * sizeof *sig), *dec = malloc((size_t)repeat * sizeof *dec),
           *both = malloc((size_t)repeat * sizeof *both);
    int n = 0;
    for (int r = 0; r < repeat; r++) {
        double t0 = opc_clock_ms();
        opc_posenet_scores(&t[0], &scores);
        double t1 = opc_clock_ms();
        if (opc_posenet_decode_multi(&m, &p, poses, &n, &err)) {
            fprintf(stderr, "bench_posenet_decode: %s\n", err.msg);
            return 1;
        }
        double t2 = opc_clock_ms();
        sig[r] = t1 - t0;
        dec[r] = t2 - t1;
        both[r] = t2 - t0;
    }
    printf("%s: %d poses on a %dx%d grid; median of %d: sigmoid %.4f ms, decoder %.4f ms, "
           "both %.4f ms\n",
           argv[1], n, t[0].w, t[0].h, repeat, opc_median(sig, repeat), opc_median(dec, repeat),
           opc_median(both, repeat));
    free(poses);
    free(sig);
    free(dec);
    free(both);
    for (int i = 0; i < 4; i++)
        opc_tensor_free(&t[i]);
    opc_tensor_free(&scores);
    return 0;
}
