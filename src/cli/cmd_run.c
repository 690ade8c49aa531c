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
#include <time.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/model_find.h"
#include "cli/run_args.h"
#include "cli/run_inputs.h"
#include "cli/run_outputs.h"
#include "cli/run_progress.h"
#include "cli/run_signals.h"
#include "openpose-c/boxes.h"
#include "openpose-c/coco.h"
#include "openpose-c/estimate.h"

#define QUEUE_LEN 2  /* images decoded ahead of the network */
/* How often a wait for the loader looks for a signal: a handler cannot wake a condition
 * variable, and an input that blocks (a FIFO, a terminal) would hold the wait forever. */
#define SIGNAL_POLL_NS 50000000L
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
    opc_prepared *prep;     /* the model's inputs; with --boxes-from, made once its boxes are */
    opc_prepared *box_prep; /* --boxes-from: the box model's inputs */
} job;

/* Where a top-down model's person boxes come from (NULL / 0 everywhere: the whole image). */
typedef struct box_source {
    opc_box_file *file;     /* --boxes FILE */
    opc_model *model;       /* --boxes-from MODEL */
    opc_estimator *est;
    double threshold;       /* --box-threshold, for the box model's people too */
} box_source;

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
    const box_source *boxes;
    int skip_existing;
    double decode, prepare; /* seconds, the loader's own (read after it has ended) */
} loader;

/* The network inputs of a loaded image: for its boxes in the file, those of the box model
 * (the model's own follow once it has run), or as the options say. */
static int prepare(const opc_estimator *est, const box_source *b, const run_input *in, job *j,
                   opc_error *err)
{
    if (b->est)
        return opc_estimator_prepare(b->est, &j->img, &j->box_prep, err);
    if (!b->file)
        return opc_estimator_prepare(est, &j->img, &j->prep, err);
    int n; /* the input's image_id was checked before the run (inputs_assign_ids) */
    const opc_box *boxes = opc_box_file_boxes(b->file, in->image_id, &n);
    return opc_estimator_prepare_boxes(est, &j->img, boxes, n, &j->prep, err);
}

static job *load_one(loader *l, size_t i)
{
    job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->index = i;
    const run_input *in = &l->in->v[i];
    if (l->skip_existing && outputs_exist(l->out, in)) {
        j->skipped = 1;
        return j;
    }
    double t0 = progress_now();
    j->failed = opc_image_load(in->path, &j->img, &j->err) != OPC_OK;
    double t1 = progress_now();
    opc_error err;
    if (!j->failed && prepare(l->est, l->boxes, in, j, &err) != OPC_OK) {
        /* Preparation errors name the network input, not the image: add it. */
        snprintf(j->err.msg, sizeof j->err.msg, "%.250s: %.250s", in->path, err.msg);
        j->failed = 1;
    }
    l->decode += t1 - t0;
    l->prepare += progress_now() - t1;
    return j;
}

static void job_free(job *j)
{
    if (!j)
        return;
    opc_prepared_free(j->prep);
    opc_prepared_free(j->box_prep);
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

/* The next job in *j (NULL when out of memory); 0 when the loader has ended or a signal
 * came while waiting for it. */
static int loader_next(loader *l, job **j)
{
    pthread_mutex_lock(&l->mu);
    while (l->count == 0 && !l->finished && !signals_caught()) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_nsec += SIGNAL_POLL_NS;
        if (t.tv_nsec >= 1000000000L) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&l->changed, &l->mu, &t);
    }
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

/* Stops the loader, waits for it and frees the jobs it had queued and the loader. Returns
 * 1 when an interrupted run leaves it instead: it may be blocked in a read that never
 * ends (a FIFO, a terminal), and the process is about to end by the signal; the loader
 * and what it reads (inputs, outputs, estimator) must then stay allocated. */
static int loader_end(loader *l)
{
    pthread_mutex_lock(&l->mu);
    l->stop = 1;
    pthread_cond_broadcast(&l->changed);
    int leave = !l->finished && signals_caught();
    pthread_mutex_unlock(&l->mu);
    if (leave) {
        pthread_detach(l->thread);
        return 1;
    }
    pthread_join(l->thread, NULL);
    for (; l->count; l->count--, l->head = (l->head + 1) % QUEUE_LEN)
        job_free(l->queue[l->head]);
    pthread_cond_destroy(&l->changed);
    pthread_mutex_destroy(&l->mu);
    free(l);
    return 0;
}

/* --boxes-from: the box model's people, the boxes around them, the model's inputs. */
static int boxes_from_people(const opc_estimator *est, const box_source *b, job *j,
                             opc_error *err)
{
    opc_people found;
    int rc = opc_estimator_run(b->est, j->box_prep, &found, err);
    if (rc != OPC_OK)
        return rc;
    opc_box *boxes = malloc(sizeof *boxes * (found.count ? (size_t)found.count : 1));
    if (!boxes) {
        rc = opc_fail(err, OPC_ERR_NOMEM, "out of memory");
    } else {
        int n = 0, all = opc_boxes_from_people(&found, boxes);
        for (int i = 0; i < all; i++)
            if (boxes[i].score >= b->threshold)
                boxes[n++] = boxes[i];
        rc = opc_estimator_prepare_boxes(est, &j->img, boxes, n, &j->prep, err);
    }
    free(boxes);
    opc_people_free(&found);
    return rc;
}

/* Runs the network and writes the outputs of one loaded job. */
static int process(opc_estimator *est, const box_source *b, run_outputs *out,
                   const run_input *in, job *j, run_timing *tm)
{
    opc_people people;
    opc_error err;
    double t0 = progress_now();
    int rc = b->est ? boxes_from_people(est, b, j, &err) : OPC_OK;
    if (rc == OPC_OK)
        rc = opc_estimator_run(est, j->prep, &people, &err);
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

/* Runs every input until done, interrupted or an output breaks; the counts are in prog.
 * *left is set when the loader was left running (loader_end). */
static int run_all(opc_estimator *est, const box_source *b, run_outputs *out,
                   const run_inputs *in, const run_args *a, run_progress *prog,
                   run_timing *tm, int *left)
{
    *left = 0;
    loader *l = calloc(1, sizeof *l);
    if (!l) {
        fprintf(stderr, "openpose-c: out of memory\n");
        return EXIT_FAIL;
    }
    l->in = in;
    l->out = out;
    l->est = est;
    l->boxes = b;
    l->skip_existing = a->skip_existing;
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->changed, NULL);
    if (pthread_create(&l->thread, NULL, loader_main, l) != 0) {
        fprintf(stderr, "openpose-c: cannot start the loader thread\n");
        pthread_cond_destroy(&l->changed);
        pthread_mutex_destroy(&l->mu);
        free(l);
        return EXIT_FAIL;
    }
    job *j = NULL;
    /* A signal that came while the next image was being decoded stops before it. */
    for (size_t i = 0; i < in->n && !out->broken; i++) {
        double t0 = progress_now();
        int got = loader_next(l, &j);
        tm->wait += progress_now() - t0;
        if (!got || signals_caught())
            break;
        int failed = !j || j->failed;
        if (j && !failed && !j->skipped)
            failed = process(est, b, out, &in->v[i], j, tm) != 0;
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
    tm->decode = l->decode; /* the loader's own figures: read after it has ended */
    tm->prepare = l->prepare;
    *left = loader_end(l);
    return prog->failed ? EXIT_FAIL : EXIT_OK;
}

static int top_down(const opc_model *m)
{
    return strcmp(opc_model_preprocess(m)->placement, "crop") == 0;
}

/* The box model of --boxes-from: its own defaults, the command's threads and engine. */
static int open_box_model(const run_args *a, box_source *b)
{
    char path[4096];
    opc_error err;
    if (model_find(a->boxes_from, path, sizeof path, &err) != OPC_OK ||
        !(b->model = opc_model_open(path, &err))) {
        fprintf(stderr, "openpose-c: --boxes-from: %s\n", err.msg);
        return EXIT_FAIL;
    }
    if (top_down(b->model))
        return cli_usage_error(NULL, "--boxes-from %s: a top-down model needs boxes itself; "
                               "give a bottom-up model (OpenPose's, PoseNet's)", a->boxes_from);
    opc_estimator_options o;
    opc_estimator_options_default(&o, b->model);
    o.net.threads = a->threads;
    o.net.engine = a->engine;
    if (!(b->est = opc_estimator_create(b->model, &o, &err))) {
        fprintf(stderr, "openpose-c: --boxes-from: %s\n", err.msg);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* The person boxes of a top-down model; the box options are refused for any other. */
static int open_boxes(const run_args *a, const opc_model *m, box_source *b)
{
    int given = a->boxes || a->boxes_from || a->flip_test || a->box_threshold != 0;
    if (!top_down(m))
        return given ? cli_usage_error(NULL, "--boxes, --boxes-from, --box-threshold and "
                                       "--flip-test are for top-down models; %s finds everyone "
                                       "at once", opc_model_name(m))
                     : EXIT_OK;
    b->threshold = a->box_threshold;
    if (a->boxes_from)
        return open_box_model(a, b);
    if (!a->boxes || strcmp(a->boxes, "whole") == 0)
        return EXIT_OK;
    opc_error err;
    if (opc_box_file_load(a->boxes, a->box_threshold, &b->file, &err) != OPC_OK) {
        fprintf(stderr, "openpose-c: %s\n", err.msg);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static void close_boxes(box_source *b)
{
    opc_box_file_free(b->file);
    opc_estimator_free(b->est);
    opc_model_close(b->model);
}

static int open_estimator(const run_args *a, opc_model **model, opc_estimator **est,
                          box_source *boxes)
{
    char path[4096];
    opc_error err;
    if (model_find(a->model, path, sizeof path, &err) != OPC_OK ||
        !(*model = opc_model_open(path, &err))) {
        fprintf(stderr, "openpose-c: %s\n", err.msg);
        return EXIT_FAIL;
    }
    int rc = open_boxes(a, *model, boxes);
    if (rc != EXIT_OK)
        return rc;
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
    o.input.flip = a->flip_test;
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

/* Whether results go to standard output. */
static int results_on_stdout(const run_args *a)
{
    int dash = a->output && strcmp(a->output, "-") == 0;
    return dash || (a->format == FORMAT_JSONL && !a->output) ||
           (a->render && strcmp(a->render, "-") == 0);
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
    /* COCO ids (of the results, and of the boxes in a --boxes file) are checked over all
     * inputs, before sharding: every shard of a run takes the same verdict, and shards'
     * arrays merge without clashes. */
    if ((a.format == FORMAT_COCO || run_args_box_file(&a)) &&
        (rc = inputs_assign_ids(&a, &in, &err)) != OPC_OK) {
        fprintf(stderr, "openpose-c: %s\n", err.msg);
        inputs_free(&in);
        return rc == OPC_ERR_ARG ? EXIT_USAGE : EXIT_FAIL;
    }
    if (a.shard_n)
        inputs_shard(&in, a.shard_k, a.shard_n);

    opc_model *model = NULL;
    opc_estimator *est = NULL;
    box_source boxes = {0};
    run_outputs out;
    int interrupted = 0, left = 0;
    signals_install();
    if ((rc = open_estimator(&a, &model, &est, &boxes)) == EXIT_OK &&
        (rc = outputs_open(&out, &a, model, &in)) == EXIT_OK) {
        run_progress prog;
        run_timing tm = {0};
        progress_start(&prog, in.n);
        /* Results on the terminal would share their lines with the progress line. */
        if (results_on_stdout(&a) && isatty(STDOUT_FILENO))
            prog.enabled = 0;
        rc = run_all(est, &boxes, &out, &in, &a, &prog, &tm, &left);
        interrupted = signals_caught();
        progress_finish(&prog, interrupted ? signals_name(interrupted) : NULL);
        if (a.timing)
            progress_timing(&prog, &tm);
        /* Run-wide files (COCO array, JSON lines file) are written by a finished run only. */
        if (outputs_close(&out, !interrupted && !out.broken) != 0 || out.broken)
            rc = EXIT_FAIL;
        if (prog.failed && !prog.enabled && !interrupted && !out.broken)
            fprintf(stderr, "openpose-c: %zu of %zu images failed\n", prog.failed, in.n);
    }
    if (left) /* the loader still reads the inputs and the estimator: end now, by the signal */
        return signals_reraise(interrupted);
    signals_restore();
    close_boxes(&boxes);
    opc_estimator_free(est);
    opc_model_close(model);
    inputs_free(&in);
    return interrupted ? signals_reraise(interrupted) : rc;
}
