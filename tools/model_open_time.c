/* How long opening a model file takes: opc_model_open + opc_model_close, repeated, in one
 * process (the first open may read the header from disk; the weights are only mapped).
 *
 *   model_open_time MODEL [--repeat N]
 *
 * Prints each open's time in ms, then the median. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/clock.h"
#include "openpose-c/model.h"

int main(int argc, char **argv)
{
    int repeat = 10;
    if (argc == 4 && !strcmp(argv[2], "--repeat"))
        repeat = atoi(argv[3]);
    if ((argc != 2 && argc != 4) || repeat < 1 || repeat > 10000) {
        fprintf(stderr, "usage: model_open_time MODEL [--repeat N]\n");
        return 2;
    }
    double *ms = malloc((size_t)repeat * sizeof *ms);
    if (!ms)
        return 1;
    for (int r = 0; r < repeat; r++) {
        opc_error err;
        double t0 = opc_clock_ms();
        opc_model *m = opc_model_open(argv[1], &err);
        ms[r] = opc_clock_ms() - t0;
        if (!m) {
            fprintf(stderr, "model_open_time: %s\n", err.msg);
            free(ms);
            return 1;
        }
        opc_model_close(m);
        printf("open %d: %.3f ms\n", r + 1, ms[r]);
    }
    printf("open: median %.3f ms over %d\n", opc_median(ms, repeat), repeat);
    free(ms);
    return 0;
}
