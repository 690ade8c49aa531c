#include "cli/model_find.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"

/* Set by CMake: <prefix>/share/openpose-c/models and <source>/models. */
static const char *const MODEL_DIRS[] = {OPC_INSTALL_MODEL_DIR, OPC_SOURCE_MODEL_DIR, NULL};

static int exists(const char *p) { return access(p, F_OK) == 0; }

/* NAME -> the first DIR/NAME.opc (or DIR/NAME) that exists. */
static int lookup(const char *name, char *path, size_t n)
{
    for (int i = 0; MODEL_DIRS[i]; i++) {
        snprintf(path, n, "%s/%s.opc", MODEL_DIRS[i], name);
        if (exists(path))
            return 1;
        snprintf(path, n, "%s/%s", MODEL_DIRS[i], name);
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
    return opc_fail(err, OPC_ERR_IO,
                    "no model: the default %s.opc is in neither %s nor %s; run "
                    "tools/get-models.sh, or pass --model PATH or set OPENPOSE_C_MODEL",
                    OPC_DEFAULT_MODEL, MODEL_DIRS[0], MODEL_DIRS[1]);
}
