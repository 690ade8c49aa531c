/* Which model file the image command opens: --model PATH (or NAME, looked up as
 * NAME.opc in the models folders), else $OPENPOSE_C_MODEL, else the default model in the
 * models folders: $OPENPOSE_C_MODELS_DIR, the installed one, the source tree's models/
 * (where tools/get-models.sh puts them). */
#ifndef OPC_CLI_MODEL_FIND_H
#define OPC_CLI_MODEL_FIND_H

#include <stddef.h>

#include "openpose-c/error.h"

#define OPC_DEFAULT_MODEL "lwopenpose"

/* Fills path (of size n) with the model to open. */
int model_find(const char *requested, char *path, size_t n, opc_error *err);

#endif
