/* Writes the maps a perfect network would output for random people (the tests'
 * ground-truth renderer): a 1 x C x H/8 x W/8 float32 .npy that 'openpose-c parse' reads,
 * and the people drawn, one per line as x y v triples in net pixels (OpenPose's
 * convention: the top-left pixel's centre is 0.5, 0.5), on standard output.
 * usage: gt_maps OUT.npy [--topology coco|body25|mpi] [--people N] [--seed S]
 *                [--net-size WxH] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gt_render.h"
#include "openpose-c/tensor.h"

int main(int argc, char **argv)
{
    const char *out = NULL, *name = "coco";
    int n = 1, w = 656, h = 368;
    unsigned long seed = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--topology") && i + 1 < argc)
            name = argv[++i];
        else if (!strcmp(argv[i], "--people") && i + 1 < argc)
            n = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--net-size") && i + 1 < argc)
            sscanf(argv[++i], "%dx%d", &w, &h);
        else if (argv[i][0] != '-' && !out)
            out = argv[i];
        else
            out = NULL, i = argc;
    }
    const opc_paf_topology *t = opc_paf_topology_builtin(name);
    if (!out || !t || n < 0 || n > 100 || w < 8 || h < 8) {
        fprintf(stderr, "usage: gt_maps OUT.npy [--topology coco|body25|mpi] [--people N] "
                        "[--seed S] [--net-size WxH]\n");
        return 2;
    }
    const int P = t->num_parts;
    float *kp = calloc((size_t)(n ? n : 1) * P * 3, sizeof *kp);
    gt_rng r = {seed};
    const int cols = n ? (int)ceilf(sqrtf(n * (float)w / h)) : 1, rows = n ? (n + cols - 1) / cols : 1;
    const float cw = (float)w / cols, ch = (float)h / rows;
    for (int i = 0; i < n; i++)
        gt_random_pose(t, &r, (i % cols + 0.5f) * cw, (i / cols + 0.5f) * ch, 0.75f * cw,
                       0.8f * ch, kp + (size_t)i * P * 3);
    const gt_style style = gt_default_style();
    opc_tensor maps;
    opc_error err;
    if (!kp || gt_render(t, &style, w, h, kp, n, &maps) != 0 ||
        opc_npy_write(out, &maps, &err) != OPC_OK) {
        fprintf(stderr, "gt_maps: %s: cannot write the maps\n", out);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < P; k++)
            printf("%s%.3f %.3f %.0f", k ? " " : "", kp[(i * P + k) * 3], kp[(i * P + k) * 3 + 1],
                   kp[(i * P + k) * 3 + 2]);
        printf("\n");
    }
    opc_tensor_free(&maps);
    free(kp);
    return 0;
}
