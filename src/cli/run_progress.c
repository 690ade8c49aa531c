#include "cli/run_progress.h"

#include <stdio.h>
#include <unistd.h>

#include "openpose-c/clock.h"

#define REDRAW_SECONDS 0.25

double progress_now(void) { return opc_clock_ms() * 1e-3; }

void progress_start(run_progress *p, size_t total)
{
    *p = (run_progress){.enabled = isatty(STDERR_FILENO), .total = total};
    p->start = progress_now();
}

static void clear_line(void) { fputs("\r\033[K", stderr); }

static void draw(run_progress *p)
{
    double t = progress_now() - p->start;
    size_t worked = p->done - p->skipped;
    double rate = t > 0 ? worked / t : 0;
    clear_line();
    fprintf(stderr, "%zu/%zu images", p->done, p->total);
    if (p->failed)
        fprintf(stderr, ", %zu failed", p->failed);
    if (p->skipped)
        fprintf(stderr, ", %zu skipped", p->skipped);
    if (worked > 0) {
        double eta = (double)(p->total - p->done) / rate;
        fprintf(stderr, "  %.2f images/s  ETA %dm%02ds", rate, (int)(eta / 60), (int)eta % 60);
    }
    fflush(stderr);
    p->last_draw = progress_now();
}

void progress_step(run_progress *p, int failed, int skipped)
{
    p->done++;
    p->failed += failed != 0;
    p->skipped += skipped != 0;
    if (p->enabled && (progress_now() - p->last_draw >= REDRAW_SECONDS || p->done == p->total))
        draw(p);
}

void progress_message(run_progress *p, const char *msg)
{
    if (p->enabled)
        clear_line();
    fprintf(stderr, "openpose-c: %s\n", msg);
    if (p->enabled && p->done)
        draw(p);
}

void progress_finish(run_progress *p, const char *signal)
{
    if (!signal && (!p->enabled || !p->done))
        return;
    double t = progress_now() - p->start;
    if (p->enabled)
        clear_line();
    fprintf(stderr, "openpose-c: %zu", p->done);
    if (signal)
        fprintf(stderr, " of %zu", p->total);
    fprintf(stderr, " images");
    if (p->failed)
        fprintf(stderr, ", %zu failed", p->failed);
    if (p->skipped)
        fprintf(stderr, ", %zu skipped", p->skipped);
    fprintf(stderr, " in %.1f s (%.2f images/s)", t, t > 0 ? (p->done - p->skipped) / t : 0);
    if (signal)
        fprintf(stderr, "; interrupted by %s", signal);
    fputc('\n', stderr);
}

void progress_timing(const run_progress *p, const run_timing *t)
{
    double total = progress_now() - p->start, main = t->network + t->write + t->wait;
    size_t worked = p->done - p->skipped;
    fprintf(stderr,
            "openpose-c: timing: %zu images in %.3f s = network+parse %.3f s (%.1f ms an "
            "image) + writing %.3f s + waiting for images %.3f s + other %.3f s; loader "
            "thread, overlapped: decoding %.3f s, preparing %.3f s\n",
            worked, total, t->network, worked ? t->network * 1e3 / worked : 0.0, t->write,
            t->wait, total - main > 0 ? total - main : 0.0, t->decode, t->prepare);
}
