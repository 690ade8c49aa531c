/* The image command's options, parsed from argv. Parsing checks syntax and ranges only;
 * what depends on the model (parser defaults) is resolved once the model is open. */
#ifndef OPC_CLI_RUN_ARGS_H
#define OPC_CLI_RUN_ARGS_H

#include "openpose-c/estimate.h"

typedef enum { FORMAT_OPENPOSE, FORMAT_COCO, FORMAT_JSONL } run_format;

typedef struct run_args {
    char **paths;              /* images, folders, "-" (one image on stdin) */
    int npaths;
    const char *list;          /* --list FILE ("-" = stdin) */
    int list_nul;              /* -0: --list entries end with NUL bytes, not newlines */
    int recursive;
    const char *output;        /* -o */
    run_format format;
    const char *model;
    const char *render;        /* --render DIR or FILE.png/.jpg */
    const char *render_ext;    /* "png" or "jpg" for renders in a folder */
    const char *write_maps;    /* --write-maps DIR */
    int part_candidates;
    int skip_existing;
    int shard_k, shard_n;      /* 1-based K of N; 0 = all */
    int timing;                /* --timing: the time summary at the end */
    const char *image_ids;     /* --image-ids GT.json: COCO image_ids by file name */
    long long image_id;        /* --image-id N; -1 = none */

    /* Estimator: net_w == 0 keeps the model's net resolution. */
    int net_w, net_h;
    int scale_number;
    double scale_gap;
    int threads;
    opc_engine engine;
    opc_keypoint_scale keypoint_scale;

    /* Top-down models: where the person boxes come from. */
    const char *boxes;         /* --boxes FILE (a detector's COCO results) or "whole" */
    double box_threshold;      /* --box-threshold: a box's score must reach it */
    const char *boxes_from;    /* --boxes-from MODEL: around the people it finds */
    int flip_test;             /* --flip-test */

    /* Parser overrides; NAN / -1 = the topology's default. */
    int maximize_positives;
    float nms_threshold, paf_threshold, paf_min_above, min_score;
    int min_parts;
    int number_people_max;
    int assembly;              /* -1 = default */

    /* PoseNet's decoder: -1 = its default (multi), 0 = multi, 1 = single; NAN = default. */
    int pose_decoder;
    double score_threshold, nms_radius;
} run_args;

/* Returns 0 on success, or an exit status with *done set: 0 after --help or --version, 1
 * when --version finds OPENPOSE_C_CPU naming no level this CPU runs, 2 on a usage error
 * (the message printed). */
int run_args_parse(int argc, char **argv, run_args *a, int *done);

/* Whether the boxes come from a file (--boxes FILE): its image_ids are the inputs'. */
int run_args_box_file(const run_args *a);

/* The decoder options of the command line onto the model's defaults in d (its head's
 * family's: OpenPose's parser settings for a "paf" model, the posenet package's decoder
 * for a "posenet" one; --number-people-max is both's). Another family's options are
 * refused with a message. */
int run_args_apply_decode(const run_args *a, const opc_model *m, opc_decode_options *d,
                          opc_error *err);

#endif
