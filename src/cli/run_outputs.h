/* Where the image command's results go and how they are written: per-image OpenPose
 * JSON files (or one document), one COCO array, JSON lines, rendered pictures and maps.
 * Every file is written atomically. */
#ifndef OPC_CLI_RUN_OUTPUTS_H
#define OPC_CLI_RUN_OUTPUTS_H

#include <stdio.h>

#include "cli/run_args.h"
#include "cli/run_inputs.h"
#include "openpose-c/files.h"
#include "openpose-c/coco.h"
#include "openpose-c/estimate.h"

typedef enum { DEST_NONE, DEST_STDOUT, DEST_FILE, DEST_DIR } run_dest;

typedef struct run_outputs {
    const run_args *a;
    const opc_model *model;
    const opc_keypoint_set *keypoints;
    run_dest json, render, maps;       /* per-image destinations */
    opc_coco_writer *coco;             /* --format coco */
    FILE *jsonl;                       /* --format jsonl: stdout or jsonl_file.f */
    opc_atomic_file jsonl_file;
} run_outputs;

/* Decides the destinations for n inputs and creates the output folders. Returns 0, or an
 * exit status with the message printed (2 for a contradiction in the options, 1 when a
 * folder or file cannot be created). */
int outputs_open(run_outputs *o, const run_args *a, const opc_model *m, size_t n);

/* Whether every per-image output of in already exists (--skip-existing). */
int outputs_exist(const run_outputs *o, const run_input *in);

/* Checks before the network runs that the image can be written (a COCO image_id). */
int outputs_precheck(const run_outputs *o, const run_input *in, opc_error *err);

/* Writes everything for one image: maps (the raw network outputs, n_outputs for each of
 * n_views views), the rendering (img is drawn on), then the keypoints, converted to
 * --keypoint-scale first. */
int outputs_write(run_outputs *o, const run_input *in, opc_image *img, opc_people *people,
                  const opc_tensor *maps, int n_views, int n_outputs, opc_error *err);

/* Records a failed image in the JSON lines stream ({"image", "error"}). */
void outputs_failed(run_outputs *o, const run_input *in, const char *msg);

/* Finishes run-wide outputs (COCO array, JSON lines file). Returns 0 or 1 (printed). */
int outputs_close(run_outputs *o, int commit);

#endif
