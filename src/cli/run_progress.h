/* A one-line progress report on stderr (count, images/s, ETA), shown only when stderr is
 * a terminal, at most a few times a second. */
#ifndef OPC_CLI_RUN_PROGRESS_H
#define OPC_CLI_RUN_PROGRESS_H

#include <stddef.h>

typedef struct run_progress {
    int enabled;
    size_t total, done, failed, skipped;
    double start, last_draw;
} run_progress;

/* Where a batch's time went, in seconds: the main thread's network + parsing, output
 * writing and waits for the next decoded image; the loader thread's decoding and input
 * preparation, which overlap the network. */
typedef struct run_timing {
    double network, write, wait;
    double decode, prepare;
} run_timing;

void progress_start(run_progress *p, size_t total);
/* Counts one finished input (ok, failed or skipped) and redraws when due. */
void progress_step(run_progress *p, int failed, int skipped);
/* Prints a message on stderr without tearing the progress line. */
void progress_message(run_progress *p, const char *msg);
/* Replaces the line with a summary. An interrupted run (signal names the signal) always
 * gets one, saying how far it came; a finished run only on a terminal. */
void progress_finish(run_progress *p, const char *signal);
/* The --timing line: the batch's wall time so far and its parts. */
void progress_timing(const run_progress *p, const run_timing *t);
/* Seconds since an arbitrary start. */
double progress_now(void);

#endif
