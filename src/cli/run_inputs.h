/* The image command's input list: paths from the command line, folders (sorted,
 * optionally recursive) and --list files, each with the name its outputs get. */
#ifndef OPC_CLI_RUN_INPUTS_H
#define OPC_CLI_RUN_INPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "cli/run_args.h"
#include "openpose-c/error.h"

typedef struct run_input {
    char *path;  /* as given or found; "-" = stdin */
    char *name;  /* output stem relative to the output folder: "x" for x.jpg, "sub/x" for
                    DIR/sub/x.jpg found under a folder argument, "stdin" for "-" */
    int64_t image_id; /* --format coco: its COCO image_id (inputs_assign_ids) */
} run_input;

typedef struct run_inputs {
    run_input *v;
    size_t n, cap;
    int single;  /* the command line names one image (a file or '-'): no folder, no
                    --list, whatever the folder or list would hold. Only then may an
                    output be one file. */
} run_inputs;

/* Collects the inputs in order: command-line paths first, then --list entries. Folders
 * contribute their regular files named as images (not hidden ones, not NAME_rendered.*
 * renders), sorted by name; with -r also their subfolders (links to folders included,
 * but none leading back to a folder above). Files of other kinds (FIFOs, devices) are
 * skipped with a message on stderr, as are renders (one line for all). A path named on
 * the command line or in the list is kept whatever it is (a pipe such as /dev/fd/63 is
 * fine); one that does not exist fails later, reported like any bad image. */
int inputs_collect(const run_args *a, run_inputs *in, opc_error *err);

/* Fails when two inputs would write the same output names. */
int inputs_check_unique(const run_inputs *in, opc_error *err);

/* --format coco: gives every input its image_id (--image-id, --image-ids GT.json or the
 * last number in the file name) and fails, before anything runs, when one has none or
 * two share one. */
int inputs_assign_ids(const run_args *a, run_inputs *in, opc_error *err);

/* Keeps the inputs whose index i satisfies i % n == k - 1. */
void inputs_shard(run_inputs *in, int k, int n);

void inputs_free(run_inputs *in);

#endif
