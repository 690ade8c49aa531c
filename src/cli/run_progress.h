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

void progress_start(run_progress *p, size_t total);
/* Counts one finished input (ok, failed or skipped) and redraws when due. */
void progress_step(run_progress *p, int failed, int skipped);
/* Prints a message on stderr without tearing the progress line. */
void progress_message(run_progress *p, const char *msg);
/* Replaces the line with a summary. An interrupted run (signal names the signal) always
 * gets one, saying how far it came; a finished run only on a terminal. */
void progress_finish(run_progress *p, const char *signal);
/* Seconds since an arbitrary start. */
double progress_now(void);

#endif
