/* Where the image command's results go and how they are written: per-image OpenPose
 * JSON files (or one document), one COCO array, JSON lines, rendered pictures and maps.
 * Every file is written atomically (standard output, devices and FIFOs in place). */
#ifndef OPC_CLI_RUN_OUTPUTS_H
#define OPC_CLI_RUN_OUTPUTS_H

#include <stdio.h>

#include "cli/run_args.h"
#include "cli/run_inputs.h"
#include "openpose-c/files.h"
#include "openpose-c/coco.h"
#include "openpose-c/estimate.h"

typedef enum { DEST_NONE, DEST_FILE, DEST_DIR } run_dest;

typedef struct run_outputs {
    const run_args *a;
    const opc_model *model;
    const opc_keypoint_set *keypoints;
    run_dest json, render, maps;       /* per-image destinations */
    opc_coco_writer *coco;             /* --format coco */
    FILE *jsonl;                       /* --format jsonl: stdout or jsonl_file.f */
    opc_atomic_file jsonl_file;
    int broken;  /* a write to a run-wide output (standard output, the COCO array, the JSON
                    lines file) failed: nothing more can go there, the run stops */
} run_outputs;

/* Decides the destinations from the command line: an output is one file only when the
 * inputs are one image named on the command line (in->single) and its name says so (a
 * .json for -o, a .png/.jpg/.jpeg for --render, '-', or an existing device or FIFO);
 * otherwise a folder. Creates the output folders (and a file's folder) and checks that
 * files can be made in them. Returns 0, or an exit status with the message printed (2
 * for a contradiction in the options, 1 when a folder or file cannot be made). */
int outputs_open(run_outputs *o, const run_args *a, const opc_model *m,
                 const run_inputs *in);

/* Whether every per-image output of in already exists (--skip-existing). */
int outputs_exist(const run_outputs *o, const run_input *in);

/* Writes everything for one image: the keypoints first (converted to --keypoint-scale),
 * then the rendering (img is drawn on) and the maps (the raw network outputs, n_outputs
 * for each of n_views views). A failed render or maps file fails the image, not its
 * keypoints; when a run-wide output fails, o->broken is set. */
int outputs_write(run_outputs *o, const run_input *in, opc_image *img, opc_people *people,
                  const opc_tensor *maps, int n_views, int n_outputs, opc_error *err);

/* Records a failed image in the JSON lines stream ({"image", "error"}). */
void outputs_failed(run_outputs *o, const run_input *in, const char *msg);

/* Finishes run-wide outputs (COCO array, JSON lines file). Returns 0 or 1 (printed). */
int outputs_close(run_outputs *o, int commit);

#endif
