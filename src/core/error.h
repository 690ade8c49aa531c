/* Internal helpers for filling opc_error. */
#ifndef OPC_CORE_ERROR_H
#define OPC_CORE_ERROR_H

#include "openpose-c/error.h"

/* Formats the message into err (if not NULL) and returns code. */
int opc_fail(opc_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
