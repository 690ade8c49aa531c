#include "openpose-c/files.h"

#include <errno.h>
#include <fcntl.h>
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

/* The descriptor a path names when it is standard output or an open descriptor ("-",
 * /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N), else -1. Such an output is the
 * descriptor itself: opening the path anew would start at offset 0 of a file the shell
 * opened for appending. */
static int named_fd(const char *path)
{
    static const char *const dirs[] = {"/dev/fd/", "/proc/self/fd/"};
    if (strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0)
        return STDOUT_FILENO;
    if (strcmp(path, "/dev/stderr") == 0)
        return STDERR_FILENO;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        size_t n = strlen(dirs[i]);
        if (strncmp(path, dirs[i], n) == 0 && path[n]) {
            char *end;
            long fd = strtol(path + n, &end, 10);
            if (!*end && fd >= 0 && fd <= INT32_MAX && path[n] != '-' && path[n] != '+')
                return (int)fd;
        }
    }
    return -1;
}

#define MAX_LINKS 40  /* as the kernel's own limit on links in one lookup */

/* Follows path's symbolic links to the file an output replaces, in *target (malloc'd);
 * stops early at a descriptor path (*fd set) or a file that is not regular (*in_place). */
static int resolve(const char *path, char **target, int *fd, int *in_place, opc_error *err)
{
    char *cur = strdup(path);
    *target = NULL;
    *fd = -1;
    *in_place = 0;
    for (int hops = 0; cur; hops++) {
        struct stat st;
        if ((*fd = named_fd(cur)) >= 0)
            break;
        if (lstat(cur, &st) != 0) /* absent (created at commit), or the open reports why */
            break;
        if (S_ISDIR(st.st_mode)) {
            free(cur);
            return opc_fail(err, OPC_ERR_IO, "%s: is a folder", path);
        }
        if (!S_ISLNK(st.st_mode)) {
            *in_place = !S_ISREG(st.st_mode);
            break;
        }
        char link[4096];
        ssize_t n = hops < MAX_LINKS ? readlink(cur, link, sizeof link - 1) : -1;
        if (n < 0 || (size_t)n >= sizeof link - 1) {
            free(cur);
            return opc_fail(err, OPC_ERR_IO, "%s: cannot follow the symbolic link: %s", path,
                            n < 0 && hops < MAX_LINKS ? strerror(errno) : "too many levels");
        }
        link[n] = 0;
        /* A relative link is relative to the folder that holds it. */
        const char *slash = strrchr(cur, '/');
        size_t dir = link[0] != '/' && slash ? (size_t)(slash - cur + 1) : 0;
        char *next = malloc(dir + (size_t)n + 1);
        if (next) {
            memcpy(next, cur, dir);
            memcpy(next + dir, link, (size_t)n + 1);
        }
        free(cur);
        cur = next;
    }
    if (!cur)
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
    *target = cur;
    return OPC_OK;
}

/* Writes in place: a dup of descriptor fd, or target opened as it is (no truncation
 * matters for devices and FIFOs; a FIFO's open waits for its reader). */
static int open_in_place(opc_atomic_file *af, int fd, const char *target, opc_error *err)
{
    if (fd == STDOUT_FILENO)
        fflush(stdout); /* what the process wrote there before comes first */
    int mine = fd >= 0 ? dup(fd) : open(target, O_WRONLY | O_CLOEXEC);
    if (mine < 0)
        return opc_fail(err, OPC_ERR_IO, "%s: cannot write: %s", af->path, strerror(errno));
    if (!(af->f = fdopen(mine, "wb"))) {
        int e = errno;
        close(mine);
        return opc_fail(err, OPC_ERR_IO, "%s: cannot write: %s", af->path, strerror(e));
    }
    return OPC_OK;
}

static void atomic_free(opc_atomic_file *af)
{
    free(af->path);
    free(af->tmp_path);
    free(af->target);
    memset(af, 0, sizeof *af);
}

int opc_atomic_target(const char *path, char **target, opc_error *err)
{
    int fd, in_place;
    int rc = resolve(path, target, &fd, &in_place, err);
    if (rc == OPC_OK && (fd >= 0 || in_place)) {
        free(*target);
        *target = NULL;
    }
    return rc;
}

int opc_atomic_open(opc_atomic_file *af, const char *path, opc_error *err)
{
    memset(af, 0, sizeof *af);
    char *target;
    int fd, in_place;
    int rc = resolve(path, &target, &fd, &in_place, err);
    if (rc != OPC_OK)
        return rc;
    af->path = strdup(strcmp(path, "-") ? path : "standard output");
    if (!af->path) {
        free(target);
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
    }
    if (fd >= 0 || in_place) {
        rc = open_in_place(af, fd, target, err);
        free(target);
        if (rc != OPC_OK)
            atomic_free(af);
        return rc;
    }
    af->target = target;
    size_t len = strlen(target);
    if (!(af->tmp_path = malloc(len + 32))) {
        atomic_free(af);
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
    }
    /* Hidden temp name in the same directory, so rename() is atomic. */
    const char *slash = strrchr(target, '/');
    size_t dir = slash ? (size_t)(slash - target + 1) : 0;
    snprintf(af->tmp_path, len + 32, "%.*s.%s.tmp.XXXXXX", (int)dir, target, target + dir);
    fd = mkstemp(af->tmp_path);
    if (fd < 0) {
        int e = errno;
        atomic_free(af);
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
        atomic_free(af);
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
    else if (af->tmp_path && rename(af->tmp_path, af->target) != 0)
        rc = opc_fail(err, OPC_ERR_IO, "%s: cannot replace: %s", af->path, strerror(errno));
    if (rc != OPC_OK && af->tmp_path)
        unlink(af->tmp_path);
    atomic_free(af);
    return rc;
}

void opc_atomic_abort(opc_atomic_file *af)
{
    if (af->f)
        fclose(af->f);
    if (af->tmp_path)
        unlink(af->tmp_path);
    atomic_free(af);
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
