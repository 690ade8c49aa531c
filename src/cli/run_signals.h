/* SIGINT and SIGTERM during a batch: the first one asks the run to stop after the image
 * in progress (its outputs are finished, nothing is left half-written); a second one
 * ends the process at once, as without the handler. */
#ifndef OPC_CLI_RUN_SIGNALS_H
#define OPC_CLI_RUN_SIGNALS_H

/* Installs the handlers for SIGINT and SIGTERM. */
void signals_install(void);
/* The signal that asked the run to stop, or 0. Any thread may ask. */
int signals_caught(void);
/* Puts the default actions back (after the batch: later work is not interrupted). */
void signals_restore(void);
/* Ends the process by sig with the default action, so that the caller (a shell loop, a job
 * runner) sees the run was interrupted: status 128 + sig in a shell (130 SIGINT, 143
 * SIGTERM). Returns that status in case the signal could not be delivered. */
int signals_reraise(int sig);
/* "SIGINT" or "SIGTERM". */
const char *signals_name(int sig);

#endif
