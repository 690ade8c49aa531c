/* The image command's input list: paths from the command line, folders (sorted,
 * optionally recursive) and --list files, each with the name its outputs get. */
#ifndef OPC_CLI_RUN_INPUTS_H
#define OPC_CLI_RUN_INPUTS_H

#include <stddef.h>

#include "cli/run_args.h"
#include "openpose-c/error.h"

typedef struct run_input {
    char *path;  /* as given or found; "-" = stdin */
    char *name;  /* output stem relative to the output folder: "x" for x.jpg, "sub/x" for
                    DIR/sub/x.jpg found under a folder argument, "stdin" for "-" */
} run_input;

typedef struct run_inputs {
    run_input *v;
    size_t n, cap;
} run_inputs;

/* Collects the inputs in order: command-line paths first, then --list entries. Folders
 * contribute their image files (by extension, hidden files skipped) sorted by name. A
 * path that does not exist is kept: it fails later, reported like any bad image. */
int inputs_collect(const run_args *a, run_inputs *in, opc_error *err);

/* Fails when two inputs would write the same output names. */
int inputs_check_unique(const run_inputs *in, opc_error *err);

/* Keeps the inputs whose index i satisfies i % n == k - 1. */
void inputs_shard(run_inputs *in, int k, int n);

void inputs_free(run_inputs *in);

#endif
