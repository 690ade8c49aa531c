/* Where the image command's time goes: for every image of a folder, in one thread and one
 * after another, the time to decode it, to prepare the network input (resize, normalise)
 * and to run the network and parse the people. The sums tell how long the command would
 * take with nothing overlapped, and how long its network + parsing alone takes, which is
 * the floor for a pipeline that decodes on another thread.
 *
 *   bench_pipeline MODEL FOLDER [--threads N] [--net-resolution WxH]
 *
 * Prints per image and the totals (ms); every image is run once before the timed pass so
 * that planning and first-touch costs are not counted. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/clock.h"
#include "openpose-c/estimate.h"

#define MAX_IMAGES 4096

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_image(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcmp(dot, ".jpg") || !strcmp(dot, ".jpeg") || !strcmp(dot, ".png") ||
                   !strcmp(dot, ".JPG") || !strcmp(dot, ".PNG"));
}

/* One image: decode, prepare, run; the times in t[0..2]. Returns 0 on success. */
static int one(opc_estimator *e, const char *path, double t[3])
{
    opc_error err;
    opc_image img;
    opc_prepared *in = NULL;
    opc_people people;
    double t0 = opc_clock_ms();
    if (opc_image_load(path, &img, &err) != OPC_OK) {
        fprintf(stderr, "bench_pipeline: %s\n", err.msg);
        return 1;
    }
    double t1 = opc_clock_ms();
    int rc = opc_estimator_prepare(e, &img, &in, &err);
    double t2 = opc_clock_ms();
    if (rc == OPC_OK)
        rc = opc_estimator_run(e, in, &people, &err);
    double t3 = opc_clock_ms();
    if (rc == OPC_OK)
        opc_people_free(&people);
    else
        fprintf(stderr, "bench_pipeline: %s: %s\n", path, err.msg);
    opc_prepared_free(in);
    opc_image_free(&img);
    t[0] = t1 - t0;
    t[1] = t2 - t1;
    t[2] = t3 - t2;
    return rc != OPC_OK;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_pipeline MODEL FOLDER [--threads N] "
                        "[--net-resolution WxH]\n");
        return 2;
    }
    opc_error err;
    opc_model *m = opc_model_open(argv[1], &err);
    if (!m) {
        fprintf(stderr, "bench_pipeline: %s\n", err.msg);
        return 1;
    }
    opc_estimator_options o;
    opc_estimator_options_default(&o, m);
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--threads"))
            o.net.threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--net-resolution") &&
                 sscanf(argv[i + 1], "%dx%d", &o.input.net_width, &o.input.net_height) == 2)
            continue;
        else {
            fprintf(stderr, "bench_pipeline: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    opc_estimator *e = opc_estimator_create(m, &o, &err);
    DIR *d = e ? opendir(argv[2]) : NULL;
    if (!d) {
        fprintf(stderr, "bench_pipeline: %s\n", e ? argv[2] : err.msg);
        return 1;
    }
    static char *paths[MAX_IMAGES];
    int n = 0;
    for (struct dirent *de; (de = readdir(d)) && n < MAX_IMAGES;)
        if (is_image(de->d_name)) {
            size_t len = strlen(argv[2]) + strlen(de->d_name) + 2;
            paths[n] = malloc(len);
            if (!paths[n])
                return 1;
            snprintf(paths[n++], len, "%s/%s", argv[2], de->d_name);
        }
    closedir(d);
    qsort(paths, (size_t)n, sizeof *paths, cmp_str);
    double t[3], sum[3] = {0};
    int failed = 0;
    for (int i = 0; i < n; i++) /* warm-up: plans for every size */
        failed |= one(e, paths[i], t);
    for (int i = 0; i < n; i++) {
        failed |= one(e, paths[i], t);
        printf("%-60s decode %7.1f  prepare %6.1f  network+parse %7.1f ms\n", paths[i], t[0],
               t[1], t[2]);
        for (int k = 0; k < 3; k++)
            sum[k] += t[k];
    }
    printf("total: %d images, decode %.1f ms, prepare %.1f ms, network+parse %.1f ms, "
           "all %.1f ms\n", n, sum[0], sum[1], sum[2], sum[0] + sum[1] + sum[2]);
    for (int i = 0; i < n; i++)
        free(paths[i]);
    opc_estimator_free(e);
    opc_model_close(m);
    return failed;
}
