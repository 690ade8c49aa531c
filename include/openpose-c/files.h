/* Files as the library reads and writes them: bounded whole-file reads, and atomic writes
 * (temp file + rename), so a crash or a full disk never leaves a partial output behind;
 * devices, FIFOs and standard output are written in place.
 * The command line writes every result through these. */
#ifndef OPENPOSE_C_FILES_H
#define OPENPOSE_C_FILES_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads all of path ("-" = stdin) into a malloc'd buffer with one extra NUL byte after the
 * data. Fails when the content is larger than max_bytes: a regular file by its size,
 * before reading; a pipe once max_bytes + 1 have come. */
int opc_read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *size,
                  opc_error *err);

/* A file being written. Where the output is a regular file (or does not exist yet) the
 * data go to a hidden temporary file beside it, .NAME.tmp.XXXXXX, renamed over it at commit:
 * the output is complete or absent. A symbolic link is followed: the file it points to is
 * replaced (in the link target's folder) and the link stays. Anything else is written in
 * place as the data come, without a temporary file or a rename, so a device, a FIFO or a
 * terminal is never replaced by a file: "-" and /dev/stdout (also /dev/stderr, /dev/fd/N,
 * /proc/self/fd/N, or a link to one) write to that open descriptor (appending where the
 * shell opened it with >>), /dev/null discards, a FIFO goes to its reader. A folder is
 * refused. */
typedef struct opc_atomic_file {
    FILE *f;
    char *path;      /* as given, for messages */
    char *tmp_path;  /* the temporary file; NULL when written in place */
    char *target;    /* what the rename replaces (path with its links followed); NULL in place */
} opc_atomic_file;

/* Where opc_atomic_open(path) would write: *target (malloc'd, the caller frees it) is the
 * file a rename would replace, links followed, or NULL when path is written in place. A
 * caller can then check that file's folder before anything is written. */
int opc_atomic_target(const char *path, char **target, opc_error *err);

/* Opens path for writing as above. */
int opc_atomic_open(opc_atomic_file *af, const char *path, opc_error *err);
/* Flushes and closes the temporary file and renames it over the output; on any failure
 * the temporary file is removed and the output is left as it was. In place: flushes and
 * reports a failed write. */
int opc_atomic_commit(opc_atomic_file *af, opc_error *err);
/* Discards the temporary file (in place: stops writing; what was written stays). */
void opc_atomic_abort(opc_atomic_file *af);
/* Writes a whole buffer atomically. */
int opc_write_file_atomic(const char *path, const void *data, size_t n, opc_error *err);

#ifdef __cplusplus
}
#endif
#endif
