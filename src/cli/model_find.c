#include "cli/model_find.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "openpose-c/error.h"

#define MAX_DIRS 3
#define DIR_LEN 4096

static int exists(const char *p) { return access(p, F_OK) == 0; }

/* The folder of the running program, from /proc/self/exe (Linux): "" when unknown. */
static void program_dir(char *dir, size_t n)
{
    ssize_t len = readlink("/proc/self/exe", dir, n - 1);
    dir[len > 0 ? len : 0] = 0;
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        dir[0] = 0;
}

/* The models folders in search order: $OPENPOSE_C_MODELS_DIR; the installed one, found
 * from where the program is (BINDIR/OPC_MODELS_FROM_BINDIR: <prefix>/bin/openpose-c ->
 * <prefix>/share/openpose-c/models), so an installed tree works wherever it is installed
 * or moved; and for the program of the build tree, the source tree's models/, where
 * tools/get-models.sh puts them. */
static int model_dirs(char dirs[MAX_DIRS][DIR_LEN])
{
    int n = 0;
    const char *env = getenv("OPENPOSE_C_MODELS_DIR");
    if (env && *env)
        snprintf(dirs[n++], DIR_LEN, "%s", env);
    char bin[DIR_LEN], up[DIR_LEN];
    program_dir(bin, sizeof bin);
    char build[PATH_MAX]; /* the build tree, as /proc/self/exe names it: links resolved */
    int in_build_tree = realpath(OPC_BUILD_DIR, build) && strcmp(bin, build) == 0;
    /* bin/../share/... -> share/..., for the messages that name the folder. */
    const char *rel = OPC_MODELS_FROM_BINDIR;
    memcpy(up, bin, sizeof up);
    for (char *slash; !strncmp(rel, "../", 3) && (slash = strrchr(up, '/')); rel += 3)
        *slash = 0;
    size_t ul = strlen(up), rl = strlen(rel);
    if (*bin && ul + rl + 2 <= DIR_LEN) {
        char *d = dirs[n++];
        memcpy(d, up, ul);
        d[ul] = '/';
        memcpy(d + ul + 1, rel, rl + 1);
    }
    if (in_build_tree)
        snprintf(dirs[n++], DIR_LEN, "%s", OPC_SOURCE_MODEL_DIR);
    return n;
}

/* NAME -> the first DIR/NAME.opc (or DIR/NAME) that exists. */
static int lookup(const char *name, char *path, size_t n)
{
    char dirs[MAX_DIRS][DIR_LEN];
    int nd = model_dirs(dirs);
    for (int i = 0; i < nd; i++) {
        snprintf(path, n, "%s/%s.opc", dirs[i], name);
        if (exists(path))
            return 1;
        snprintf(path, n, "%s/%s", dirs[i], name);
        if (exists(path))
            return 1;
    }
    return 0;
}

/* "DIR1, DIR2" into where, of WHERE_LEN bytes. */
#define WHERE_LEN (MAX_DIRS * (DIR_LEN + 2))
static void searched(char *where)
{
    char dirs[MAX_DIRS][DIR_LEN];
    int nd = model_dirs(dirs);
    size_t len = 0;
    for (int i = 0; i < nd; i++) {
        if (i) {
            memcpy(where + len, ", ", 2);
            len += 2;
        }
        size_t dl = strlen(dirs[i]);
        memcpy(where + len, dirs[i], dl);
        len += dl;
    }
    where[len] = 0;
}

int model_find(const char *requested, char *path, size_t n, opc_error *err)
{
    const char *env = getenv("OPENPOSE_C_MODEL");
    const char *want = requested ? requested : env && *env ? env : NULL;
    char where[WHERE_LEN];
    if (want) {
        /* A file here, or a path, is opened as it is (its error names it); a bare name is a
         * model in the models folders. */
        if (exists(want) || strchr(want, '/')) {
            snprintf(path, n, "%s", want);
            return OPC_OK;
        }
        if (lookup(want, path, n))
            return OPC_OK;
        searched(where);
        return opc_fail(err, OPC_ERR_IO,
                        "no model '%s': not a file here, and no %s.opc in %s; "
                        "tools/get-models.sh %s gets it, or pass --model PATH",
                        want, want, *where ? where : "any models folder", want);
    }
    if (lookup(OPC_DEFAULT_MODEL, path, n))
        return OPC_OK;
    searched(where);
    return opc_fail(err, OPC_ERR_IO,
                    "no model: %s.opc is not in %s; run tools/get-models.sh, or pass --model "
                    "PATH or set OPENPOSE_C_MODEL",
                    OPC_DEFAULT_MODEL, *where ? where : "any models folder");
}
