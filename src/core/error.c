#include "openpose-c/error.h"

#include <stdarg.h>
#include <stdio.h>

int opc_fail(opc_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}
