/* Benchmark of the PAF parser on rendered people: COCO maps for 1, 10, 30 and 60 people at
 * a 656x368 net input (maps 82x46), one thread, median of repeats. Reports opc_parse (the
 * fast path: upsamples only the part heatmaps, reads PAFs at the sampled pixels) and, for
 * comparison, the straightforward way: resize all 57 channels (opc_maps_resize_merge) then
 * opc_parse_maps. Columns: parse = opc_parse, global assembly (median, fastest run),
 * (seq.) = the same with the sequential assembly; resize 57ch, parse_maps and their sum.
 * usage: bench_parse [REPEATS] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/clock.h"
#include "gt_render.h"
#include "openpose-c/paf.h"

enum { NET_W = 656, NET_H = 368 };

/* n people on a grid, each filling most of its cell. */
static float *crowd(const opc_paf_topology *t, int n, gt_rng *r)
{
    const int P = t->num_parts;
    float *kp = calloc((size_t)n * P * 3, sizeof *kp);
    int cols = (int)ceilf(sqrtf(n * (float)NET_W / NET_H)), rows = (n + cols - 1) / cols;
    const float cw = (float)NET_W / cols, ch = (float)NET_H / rows;
    for (int i = 0; i < n; i++)
        gt_random_pose(t, r, (i % cols + 0.5f) * cw, (i / cols + 0.5f) * ch, 0.8f * cw,
                       0.85f * ch, kp + (size_t)i * P * 3);
    return kp;
}

int main(int argc, char **argv)
{
    const int repeats = argc > 1 ? atoi(argv[1]) : 51;
    if (repeats < 1) {
        fprintf(stderr, "usage: bench_parse [REPEATS]\n");
        return 2;
    }
    const opc_paf_topology *t = opc_paf_topology_builtin("coco");
    const gt_style style = gt_default_style();
    opc_parse_params p;
    opc_parse_params_default(&p, t, 0);
    double *ms = malloc((size_t)repeats * sizeof *ms);
    printf("PAF parser, COCO, net %dx%d, maps %dx%d, 1 thread, median of %d runs (ms)\n",
           NET_W, NET_H, NET_W / 8, NET_H / 8, repeats);
    printf("%7s %7s | %9s %9s %9s | %11s %11s %11s\n", "people", "found", "parse", "(fastest)",
           "(seq.)", "resize 57ch", "parse_maps", "both");
    const int sizes[] = {1, 10, 30, 60};
    for (int si = 0; si < 4; si++) {
        gt_rng r = {42u + (uint64_t)si};
        float *kp = crowd(t, sizes[si], &r);
        opc_tensor maps, full;
        opc_error err;
        if (gt_render(t, &style, NET_W, NET_H, kp, sizes[si], &maps) != 0)
            return 1;
        opc_people res;
        double t_parse[2], t_fastest = 0, t_resize, t_maps;
        int found = 0;
        for (int mode = 0; mode < 2; mode++) {
            p.assembly = (opc_assembly)mode;
            for (int i = 0; i < repeats; i++) {
                double t0 = opc_clock_ms();
                if (opc_parse(t, &p, &maps, NET_W, NET_H, 1.f, &res, &err) != OPC_OK) {
                    fprintf(stderr, "%s\n", err.msg);
                    return 1;
                }
                ms[i] = opc_clock_ms() - t0;
                if (mode == 0)
                    found = res.count;
                opc_people_free(&res);
            }
            t_parse[mode] = opc_median(ms, repeats);
            if (mode == 0)
                t_fastest = ms[0];
        }
        p.assembly = OPC_ASSEMBLY_GLOBAL;
        const opc_tensor *list[1] = {&maps};
        for (int i = 0; i < repeats; i++) {
            double t0 = opc_clock_ms();
            if (opc_maps_resize_merge(list, 1, NET_W, NET_H, &full, &err) != OPC_OK)
                return 1;
            ms[i] = opc_clock_ms() - t0;
            if (i + 1 < repeats)
                opc_tensor_free(&full);
        }
        t_resize = opc_median(ms, repeats);
        for (int i = 0; i < repeats; i++) {
            double t0 = opc_clock_ms();
            if (opc_parse_maps(t, &p, &full, 1.f, &res, &err) != OPC_OK)
                return 1;
            ms[i] = opc_clock_ms() - t0;
            opc_people_free(&res);
        }
        t_maps = opc_median(ms, repeats);
        printf("%7d %7d | %9.3f %9.3f %9.3f | %11.3f %11.3f %11.3f\n", sizes[si], found,
               t_parse[0], t_fastest, t_parse[1], t_resize, t_maps, t_resize + t_maps);
        opc_tensor_free(&full);
        opc_tensor_free(&maps);
        free(kp);
    }
    free(ms);
    return 0;
}
