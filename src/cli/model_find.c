#include "cli/model_find.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "openpose-c/error.h"

static int exists(const char *p) { return access(p, F_OK) == 0; }

/* The models folders in search order: $OPENPOSE_C_MODELS_DIR, then (set by CMake)
 * <prefix>/share/openpose-c/models and <source>/models. */
static int model_dirs(const char *dirs[3])
{
    int n = 0;
    const char *env = getenv("OPENPOSE_C_MODELS_DIR");
    if (env && *env)
        dirs[n++] = env;
    dirs[n++] = OPC_INSTALL_MODEL_DIR;
    dirs[n++] = OPC_SOURCE_MODEL_DIR;
    return n;
}

/* NAME -> the first DIR/NAME.opc (or DIR/NAME) that exists. */
static int lookup(const char *name, char *path, size_t n)
{
    const char *dirs[3];
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

int model_find(const char *requested, char *path, size_t n, opc_error *err)
{
    const char *env = getenv("OPENPOSE_C_MODEL");
    const char *want = requested ? requested : env && *env ? env : NULL;
    if (want) {
        /* A bare name that is not a file here is a model in the models folders. */
        if (exists(want) || strchr(want, '/') || !lookup(want, path, n))
            snprintf(path, n, "%s", want);
        return OPC_OK;
    }
    if (lookup(OPC_DEFAULT_MODEL, path, n))
        return OPC_OK;
    const char *dirs[3];
    int nd = model_dirs(dirs);
    char where[1024] = "";
    for (int i = 0; i < nd; i++)
        snprintf(where + strlen(where), sizeof where - strlen(where), "%s%s", i ? ", " : "",
                 dirs[i]);
    return opc_fail(err, OPC_ERR_IO,
                    "no model: %s.opc is not in %s; run tools/get-models.sh, or pass --model "
                    "PATH or set OPENPOSE_C_MODEL",
                    OPC_DEFAULT_MODEL, where);
}
