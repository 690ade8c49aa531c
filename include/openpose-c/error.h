/* Errors: every fallible call takes an opc_error * (may be NULL) and fills it with one
 * line, "<file or object>: <reason>", suitable for printing as is. */
#ifndef OPENPOSE_C_ERROR_H
#define OPENPOSE_C_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct opc_error {
    char msg[512];
} opc_error;

/* Status codes returned by fallible calls (0 = success). */
enum {
    OPC_OK = 0,
    OPC_ERR_IO = -1,      /* a file could not be read or written */
    OPC_ERR_FORMAT = -2,  /* the content is malformed or inconsistent */
    OPC_ERR_NOMEM = -3,   /* an allocation failed or a size is too large */
    OPC_ERR_ARG = -4,     /* a caller's argument is invalid */
    OPC_ERR_UNSUPPORTED = -5
};

/* Formats the message into err (if not NULL) and returns code: how every call here fills
 * its error, and how a caller's own code may do the same. */
int opc_fail(opc_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif
