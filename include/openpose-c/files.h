/* Files as the library reads and writes them: bounded whole-file reads, and atomic writes
 * (temp file + rename), so a crash or a full disk never leaves a partial output behind.
 * The command line writes every result through these. */
#ifndef OPENPOSE_C_FILES_H
#define OPENPOSE_C_FILES_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#ifdef __cplusplus
}
#endif
#endif

/* Reads all of path ("-" = stdin) into a malloc'd buffer with one extra NUL byte after the
 * data. Fails when the content is larger than max_bytes: a regular file by its size,
 * before reading; a pipe once max_bytes + 1 have come. */
int opc_read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *size,
                  opc_error *err);

typedef struct opc_atomic_file {
    FILE *f;
    char *path;
    char *tmp_path;
} opc_atomic_file;

/* Opens a temporary file beside path for writing. */
int opc_atomic_open(opc_atomic_file *af, const char *path, opc_error *err);
/* Flushes and closes the temporary file and renames it over path; on any failure the
 * temporary file is removed and path is left as it was. */
int opc_atomic_commit(opc_atomic_file *af, opc_error *err);
/* Discards the temporary file. */
void opc_atomic_abort(opc_atomic_file *af);
/* Writes a whole buffer atomically. */
int opc_write_file_atomic(const char *path, const void *data, size_t n, opc_error *err);

#ifdef __cplusplus
}
#endif
#endif
