#include "cli/cli_util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/commands.h"
#include "openpose-c/net.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "openpose-c%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see openpose-c%s%s --help)\n", cmd ? " " : "", cmd ? cmd : "");
    va_end(ap);
    return EXIT_USAGE;
}

int cli_int(const char *s, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return 0;
    *out = (int)v;
    return 1;
}

int cli_int64(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

int cli_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

int cli_float(const char *s, double lo, double hi, float *out)
{
    double v;
    if (!cli_double(s, lo, hi, &v))
        return 0;
    *out = (float)v;
    return 1;
}

int cli_size(const char *s, int allow_auto, int *w, int *h)
{
    char *end;
    errno = 0;
    long a = strtol(s, &end, 10);
    if (errno || end == s || (*end != 'x' && *end != 'X'))
        return 0;
    const char *t = end + 1;
    long b = strtol(t, &end, 10);
    if (errno || end == t || *end)
        return 0;
    int a_ok = (a >= 1 && a <= 65536) || (allow_auto && a == -1);
    int b_ok = (b >= 1 && b <= 65536) || (allow_auto && b == -1);
    if (!a_ok || !b_ok || (a == -1 && b == -1))
        return 0;
    *w = (int)a;
    *h = (int)b;
    return 1;
}

void cli_print_blas(FILE *f)
{
    const char *kernel = opc_blas_kernel(), *forced = getenv("OPENBLAS_CORETYPE");
    fprintf(f, "BLAS: %s\n", opc_blas_config());
    if (!forced || !*forced)
        fprintf(f, "BLAS kernel: %s (OpenBLAS's choice for this CPU; OPENBLAS_CORETYPE=NAME "
                   "forces another)\n", kernel);
    else if (strcasecmp(forced, kernel) == 0)
        fprintf(f, "BLAS kernel: %s (forced by OPENBLAS_CORETYPE)\n", kernel);
    else
        fprintf(f, "BLAS kernel: %s (OPENBLAS_CORETYPE=%s is not a kernel of this OpenBLAS, "
                   "or not one this CPU can run)\n", kernel, forced);
}
