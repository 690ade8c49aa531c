#include "cli/run_signals.h"

#include <signal.h>
#include <string.h>

/* A handler can only talk to the program through a static flag: this is the one piece of
 * process-wide state the batch has, and it is written only here. */
static volatile sig_atomic_t caught;

static const int HANDLED[] = {SIGINT, SIGTERM};
#define N_HANDLED (int)(sizeof HANDLED / sizeof HANDLED[0])

/* Sets handler for every handled signal that is not ignored: a process started with
 * SIGINT ignored (a background job of a script) stays immune, as its parent asked. */
static void set_all(void (*handler)(int))
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    /* Restart interrupted reads and writes: the image in progress must finish normally. */
    sa.sa_flags = SA_RESTART;
    for (int i = 0; i < N_HANDLED; i++)
        if (sigaction(HANDLED[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(HANDLED[i], &sa, NULL);
}

/* The first signal is remembered; the handlers then go back to the default action, so a
 * second SIGINT or SIGTERM ends the process at once (sigaction is async-signal-safe). */
static void on_signal(int sig)
{
    caught = sig;
    set_all(SIG_DFL);
}

void signals_install(void)
{
    caught = 0;
    set_all(on_signal);
}

int signals_caught(void) { return caught; }

void signals_restore(void) { set_all(SIG_DFL); }

int signals_reraise(int sig)
{
    signals_restore();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    return 128 + sig;
}

const char *signals_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}
