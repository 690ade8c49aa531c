/* The image command: inputs -> estimator -> outputs. A loader thread decodes and
 * preprocesses the next image while the network runs on the current one; a bounded queue
 * between them keeps memory flat on folders of any size. A bad image is reported and
 * skipped; the exit status says whether any failed. SIGINT or SIGTERM stops the batch
 * after the image in progress (run_signals.h). */
#include <pthread.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/model_find.h"
#include "cli/run_args.h"
#include "cli/run_inputs.h"
#include "cli/run_outputs.h"
#include "cli/run_progress.h"
#include "cli/run_signals.h"
#include "openpose-c/estimate.h"

#define QUEUE_LEN 2  /* images decoded ahead of the network */
/* Blocks this large or larger get their own mapping, returned to the system when freed.
 * Any fixed value keeps RSS flat; at 128 KiB every photo's buffers were mapped and
 * page-faulted anew, 5 % of a batch's time, so a usual photo's stay on the heap. */
#define MMAP_THRESHOLD (4 << 20)

typedef struct job {
    size_t index;
    int skipped;
    int failed;
    opc_error err;
    opc_image img;
    opc_prepared *prep;
} job;

typedef struct loader {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t changed;
    job *queue[QUEUE_LEN];
    size_t head, count;
    int stop;      /* the consumer wants no more jobs */
    int finished;  /* the loader has queued its last job */
    const run_inputs *in;
    const run_outputs *out;
    const opc_estimator *est;
    int skip_existing;
    double decode, prepare; /* seconds, the loader's own (read after it has ended) */
} loader;

static job *load_one(loader *l, size_t i)
{
    job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->index = i;
    const run_input *in = &l->in->v[i];
    if (l->skip_existing && outputs_exist(l->out, in))
        j->skipped = 1;
    else if (outputs_precheck(l->out, in, &j->err) != OPC_OK)
        j->failed = 1;
    if (j->skipped || j->failed)
        return j;
    double t0 = progress_now();
    j->failed = opc_image_load(in->path, &j->img, &j->err) != OPC_OK;
    double t1 = progress_now();
    j->failed = j->failed || opc_estimator_prepare(l->est, &j->img, &j->prep, &j->err) != OPC_OK;
    l->decode += t1 - t0;
    l->prepare += progress_now() - t1;
    return j;
}

static void job_free(job *j)
{
    if (!j)
        return;
    opc_prepared_free(j->prep);
    opc_image_free(&j->img);
    free(j);
}

static void *loader_main(void *arg)
{
    loader *l = arg;
    /* An interrupted run decodes nothing more: the consumer stops at the next image. */
    for (size_t i = 0; i < l->in->n && !signals_caught(); i++) {
        job *j = load_one(l, i);
        pthread_mutex_lock(&l->mu);
        while (l->count == QUEUE_LEN && !l->stop)
            pthread_cond_wait(&l->changed, &l->mu);
        int stop = l->stop;
        if (!stop) /* a NULL job (out of memory) is passed on; the consumer reports it */
            l->queue[(l->head + l->count++) % QUEUE_LEN] = j;
        pthread_cond_broadcast(&l->changed);
        pthread_mutex_unlock(&l->mu);
        if (stop) {
            job_free(j);
            break;
        }
    }
    pthread_mutex_lock(&l->mu);
    l->finished = 1;
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

/* The next job in *j (NULL when out of memory); 0 when the loader has ended. */
static int loader_next(loader *l, job **j)
{
    pthread_mutex_lock(&l->mu);
    while (l->count == 0 && !l->finished)
        pthread_cond_wait(&l->changed, &l->mu);
    int got = l->count > 0;
    if (got) {
        *j = l->queue[l->head];
        l->head = (l->head + 1) % QUEUE_LEN;
        l->count--;
    }
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->mu);
    return got;
}

/* Stops the loader, waits for it and frees the jobs it had queued. */
static void loader_end(loader *l)
{
    pthread_mutex_lock(&l->mu);
    l->stop = 1;
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->mu);
    pthread_join(l->thread, NULL);
    for (; l->count; l->count--, l->head = (l->head + 1) % QUEUE_LEN)
        job_free(l->queue[l->head]);
    pthread_cond_destroy(&l->changed);
    pthread_mutex_destroy(&l->mu);
}

/* Runs the network and writes the outputs of one loaded job. */
static int process(opc_estimator *est, run_outputs *out, const run_input *in, job *j,
                   run_timing *tm)
{
    opc_people people;
    opc_error err;
    double t0 = progress_now();
    int rc = opc_estimator_run(est, j->prep, &people, &err);
    double t1 = progress_now();
    tm->network += t1 - t0;
    if (rc != OPC_OK) {
        /* Network and parser errors name their object, not the image: add it. */
        snprintf(j->err.msg, sizeof j->err.msg, "%.250s: %.250s", in->path, err.msg);
        return -1;
    }
    const opc_tensor *maps;
    int n_outputs, n_views = opc_estimator_outputs(est, &maps, &n_outputs);
    rc = outputs_write(out, in, &j->img, &people, maps, n_views, n_outputs, &j->err);
    tm->write += progress_now() - t1;
    opc_people_free(&people);
    return rc == OPC_OK ? 0 : -1;
}

/* Runs every input until done or interrupted; the counts are in prog. */
static int run_all(opc_estimator *est, run_outputs *out, const run_inputs *in,
                   const run_args *a, run_progress *prog, run_timing *tm)
{
    loader l = {.in = in, .out = out, .est = est, .skip_existing = a->skip_existing};
    pthread_mutex_init(&l.mu, NULL);
    pthread_cond_init(&l.changed, NULL);
    if (pthread_create(&l.thread, NULL, loader_main, &l) != 0) {
        fprintf(stderr, "openpose-c: cannot start the loader thread\n");
        pthread_cond_destroy(&l.changed);
        pthread_mutex_destroy(&l.mu);
        return EXIT_FAIL;
    }
    job *j = NULL;
    /* A signal that came while the next image was being decoded stops before it. */
    for (size_t i = 0; i < in->n; i++) {
        double t0 = progress_now();
        int got = loader_next(&l, &j);
        tm->wait += progress_now() - t0;
        if (!got || signals_caught())
            break;
        int failed = !j || j->failed;
        if (j && !failed && !j->skipped)
            failed = process(est, out, &in->v[i], j, tm) != 0;
        if (failed) {
            opc_error oom;
            if (!j)
                snprintf(oom.msg, sizeof oom.msg, "%s: out of memory", in->v[i].path);
            const char *msg = j ? j->err.msg : oom.msg;
            progress_message(prog, msg);
            outputs_failed(out, &in->v[i], msg);
        }
        progress_step(prog, failed, j && j->skipped);
        job_free(j);
        j = NULL;
    }
    job_free(j);
    loader_end(&l);
    tm->decode = l.decode;
    tm->prepare = l.prepare;
    return prog->failed ? EXIT_FAIL : EXIT_OK;
}

static int open_estimator(const run_args *a, opc_model **model, opc_estimator **est)
{
    char path[4096];
    opc_error err;
    if (model_find(a->model, path, sizeof path, &err) != OPC_OK ||
        !(*model = opc_model_open(path, &err))) {
        fprintf(stderr, "openpose-c: %s\n", err.msg);
        return EXIT_FAIL;
    }
    opc_estimator_options o;
    opc_estimator_options_default(&o, *model);
    o.net.threads = a->threads;
    o.net.engine = a->engine;
    if (a->net_w) {
        o.input.net_width = a->net_w;
        o.input.net_height = a->net_h;
    }
    o.input.scale_number = a->scale_number;
    o.input.scale_gap = a->scale_gap;
    /* The model's placement and size rule decide what a net resolution may be: a wrong
     * one is a usage error, found before any image. */
    if (opc_input_check(opc_model_preprocess(*model), &o.input, &err) != OPC_OK)
        return cli_usage_error(NULL, "%s", err.msg);
    if (run_args_apply_decode(a, *model, &o.decode, &err) != OPC_OK)
        return cli_usage_error(NULL, "%s", err.msg);
    /* Pixels: the renderer needs them; outputs convert to --keypoint-scale afterwards. */
    o.keypoint_scale = OPC_KEYPOINTS_PIXELS;
    if (!(*est = opc_estimator_create(*model, &o, &err))) {
        fprintf(stderr, "openpose-c: %s\n", err.msg);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* Per-image buffers (file, pixels, network input) come and go in every size. glibc by
 * default raises its mmap threshold past the largest block freed, after which they are
 * carved from the heaps, whose fragmentation made RSS wander by up to 20 % over a few
 * hundred images of mixed sizes; a fixed threshold keeps memory flat. */
static void keep_memory_flat(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
#endif
}

int cmd_run(int argc, char **argv)
{
    keep_memory_flat();
    run_args a;
    int done, rc = run_args_parse(argc, argv, &a, &done);
    if (done)
        return rc;
    opc_error err;
    run_inputs in;
    if ((rc = inputs_collect(&a, &in, &err)) != OPC_OK) {
        fprintf(stderr, "openpose-c: %s\n", err.msg);
        return rc == OPC_ERR_ARG ? EXIT_USAGE : EXIT_FAIL;
    }
    if (in.n == 0) {
        fprintf(stderr, "openpose-c: no images found (folders are searched for .jpg, .jpeg, "
                        ".png, .bmp, .ppm, .pgm, .pnm and .tga files%s)\n",
                a.recursive ? "" : "; -r searches subfolders");
        inputs_free(&in);
        return EXIT_FAIL;
    }
    int per_image_files = (a.format == FORMAT_OPENPOSE && a.output && strcmp(a.output, "-")) ||
                          a.render || a.write_maps;
    if (per_image_files && inputs_check_unique(&in, &err) != OPC_OK) {
        fprintf(stderr, "openpose-c: %s\n", err.msg);
        inputs_free(&in);
        return EXIT_USAGE;
    }
    if (a.shard_n)
        inputs_shard(&in, a.shard_k, a.shard_n);

    opc_model *model = NULL;
    opc_estimator *est = NULL;
    run_outputs out;
    int interrupted = 0;
    signals_install();
    if ((rc = open_estimator(&a, &model, &est)) == EXIT_OK &&
        (rc = outputs_open(&out, &a, model, in.n)) == EXIT_OK) {
        run_progress prog;
        run_timing tm = {0};
        progress_start(&prog, in.n);
        rc = run_all(est, &out, &in, &a, &prog, &tm);
        interrupted = signals_caught();
        progress_finish(&prog, interrupted ? signals_name(interrupted) : NULL);
        if (a.timing)
            progress_timing(&prog, &tm);
        /* Run-wide files (COCO array, JSON lines file) are written by a finished run only. */
        if (outputs_close(&out, !interrupted) != 0)
            rc = EXIT_FAIL;
        if (prog.failed && !prog.enabled && !interrupted)  /* else the summary said it */
            fprintf(stderr, "openpose-c: %zu of %zu images failed\n", prog.failed, in.n);
    }
    signals_restore();
    opc_estimator_free(est);
    opc_model_close(model);
    inputs_free(&in);
    return interrupted ? signals_reraise(interrupted) : rc;
}
