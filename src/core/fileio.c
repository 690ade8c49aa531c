#include "openpose-c/files.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "openpose-c/error.h"

static int too_large(const char *path, size_t max_bytes, opc_error *err)
{
    return opc_fail(err, OPC_ERR_FORMAT, "%s: larger than the limit of %zu bytes", path,
                    max_bytes);
}

int opc_read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *size,
                  opc_error *err)
{
    *data = NULL;
    *size = 0;
    int use_stdin = strcmp(path, "-") == 0;
    FILE *f = use_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return opc_fail(err, OPC_ERR_IO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (!use_stdin && fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            fclose(f);
            return opc_fail(err, OPC_ERR_IO, "%s: is a directory", path);
        }
        /* A regular file's size is known: refuse it before reading any of it. Pipes and
         * stdin are refused by the loop below once max_bytes have come. */
        if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max_bytes) {
            fclose(f);
            return too_large(path, max_bytes, err);
        }
    }
    size_t cap = max_bytes < (1 << 16) ? max_bytes : 1 << 16, n = 0;
    unsigned char *buf = malloc(cap + 1);  /* + the NUL, or one byte past max_bytes */
    int rc = OPC_OK;
    if (!buf) {
        rc = opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= max_bytes) {  /* full: one more byte means too large */
                if (fread(buf + n, 1, 1, f) == 1)
                    rc = too_large(path, max_bytes, err);
                else if (ferror(f))
                    rc = opc_fail(err, OPC_ERR_IO, "%s: read error: %s", path, strerror(errno));
                break;
            }
            size_t ncap = cap * 2 > max_bytes ? max_bytes : cap * 2;
            unsigned char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                rc = opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
                goto done;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                rc = opc_fail(err, OPC_ERR_IO, "%s: read error: %s", path, strerror(errno));
            break;
        }
    }
done:
    if (!use_stdin)
        fclose(f);
    if (rc != OPC_OK) {
        free(buf);
        return rc;
    }
    buf[n] = 0;
    *data = buf;
    *size = n;
    return OPC_OK;
}

int opc_atomic_open(opc_atomic_file *af, const char *path, opc_error *err)
{
    memset(af, 0, sizeof *af);
    size_t len = strlen(path);
    af->path = malloc(len + 1);
    af->tmp_path = malloc(len + 32);
    if (!af->path || !af->tmp_path) {
        free(af->path);
        free(af->tmp_path);
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
    }
    memcpy(af->path, path, len + 1);
    /* Hidden temp name in the same directory, so rename() is atomic. */
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path + 1) : 0;
    snprintf(af->tmp_path, len + 32, "%.*s.%s.tmp.XXXXXX", (int)dir, path, path + dir);
    int fd = mkstemp(af->tmp_path);
    if (fd < 0) {
        int e = errno;
        free(af->path);
        free(af->tmp_path);
        af->path = af->tmp_path = NULL;
        return opc_fail(err, OPC_ERR_IO, "%s: cannot create: %s", path, strerror(e));
    }
    /* mkstemp makes 0600; outputs are ordinary files. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    af->f = fdopen(fd, "wb");
    if (!af->f) {
        int e = errno;
        close(fd);
        unlink(af->tmp_path);
        free(af->path);
        free(af->tmp_path);
        af->path = af->tmp_path = NULL;
        return opc_fail(err, OPC_ERR_IO, "%s: cannot create: %s", path, strerror(e));
    }
    return OPC_OK;
}

int opc_atomic_commit(opc_atomic_file *af, opc_error *err)
{
    int rc = OPC_OK;
    int bad = ferror(af->f);
    int e = errno;
    if (fflush(af->f) != 0) {
        bad = 1;
        e = errno;
    }
    if (fclose(af->f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    af->f = NULL;
    if (bad)
        rc = opc_fail(err, OPC_ERR_IO, "%s: write failed: %s", af->path, strerror(e));
    else if (rename(af->tmp_path, af->path) != 0)
        rc = opc_fail(err, OPC_ERR_IO, "%s: cannot replace: %s", af->path, strerror(errno));
    if (rc != OPC_OK)
        unlink(af->tmp_path);
    free(af->path);
    free(af->tmp_path);
    af->path = af->tmp_path = NULL;
    return rc;
}

void opc_atomic_abort(opc_atomic_file *af)
{
    if (af->f)
        fclose(af->f);
    if (af->tmp_path)
        unlink(af->tmp_path);
    free(af->path);
    free(af->tmp_path);
    memset(af, 0, sizeof *af);
}

int opc_write_file_atomic(const char *path, const void *data, size_t n, opc_error *err)
{
    opc_atomic_file af;
    int rc = opc_atomic_open(&af, path, err);
    if (rc != OPC_OK)
        return rc;
    if (n > 0) /* fwrite(NULL, 1, 0, f) is undefined; an empty file is just created */
        fwrite(data, 1, n, af.f); /* a failure sets the error flag, which the commit reports */
    return opc_atomic_commit(&af, err);
}
