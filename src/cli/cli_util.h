/* What every subcommand parses the same way: numbers, sizes and usage errors. */
#ifndef OPC_CLI_UTIL_H
#define OPC_CLI_UTIL_H

#include <stdio.h>

/* Prints "openpose-c[ CMD]: MESSAGE (see openpose-c[ CMD] --help)" on stderr and returns
 * the usage exit status. cmd is NULL for the image command. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A whole decimal integer in [lo, hi]: 1 if s is one (stored in *out), else 0. */
int cli_int(const char *s, long lo, long hi, int *out);
/* The same for 64-bit integers. */
int cli_int64(const char *s, long long lo, long long hi, long long *out);
/* A finite number in [lo, hi]. */
int cli_double(const char *s, double lo, double hi, double *out);
int cli_float(const char *s, double lo, double hi, float *out);
/* "WxH" with sides in 1..65536; with allow_auto one side may be -1 ("-1x368"). */
int cli_size(const char *s, int allow_auto, int *w, int *h);

/* Two lines on f: the BLAS build and the kernel it runs on this CPU (--version, info). */
void cli_print_blas(FILE *f);

#endif
