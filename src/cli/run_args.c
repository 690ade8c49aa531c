/* Option parsing and --help for the image command. */
#include "cli/run_args.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "openpose-c/net.h"

static const char HELP[] =
    "usage: openpose-c [OPTIONS] IMAGE|DIR|- ... [-o OUT]\n"
    "       openpose-c [OPTIONS] --list FILE|- [-o OUT]\n"
    "\n"
    "Finds people and their body keypoints (OpenPose's Part Affinity Fields) in images.\n"
    "Reads JPEG, PNG, BMP, PPM/PGM and TGA; '-' is one encoded image on standard input.\n"
    "\n"
    "Examples:\n"
    "  openpose-c photo.jpg -o photo.json             one image, one OpenPose JSON file\n"
    "  openpose-c photo.jpg -o - | jq .people[0]      the same document on stdout\n"
    "  openpose-c photos/ -o out/ --render out/       out/NAME_keypoints.json + NAME_rendered.png\n"
    "  openpose-c -r photos/ -o out/ --skip-existing  whole tree; rerun to resume\n"
    "  find . -name '*.jpg' | openpose-c --list - --format jsonl > people.jsonl\n"
    "  find . -name '*.jpg' -print0 | openpose-c -0 --list - -o out/\n"
    "  openpose-c val2017/ --format coco -o results.json\n"
    "  openpose-c eval person_keypoints_val2017.json results.json\n"
    "  openpose-c photos/ -o out/ --shard 2/8          the 2nd of 8 slices (Slurm, parallel)\n"
    "  curl -s https://example.org/p.jpg | openpose-c - --format jsonl\n"
    "\n"
    "Inputs:\n"
    "  IMAGE | DIR | -        images, folders of images (sorted by name), or stdin;\n"
    "                         in folders only regular files named .jpg, .jpeg, .png,\n"
    "                         .bmp, .ppm, .pgm, .pnm, .tga count, not hidden ones, not\n"
    "                         NAME_rendered.png/.jpg (an earlier run's renders)\n"
    "  -r, --recursive        also look in subfolders, links to folders included (their\n"
    "                         layout is mirrored in OUT)\n"
    "  --list FILE            read input paths from FILE, one per line ('-' = stdin)\n"
    "  -0, --null             --list entries end with NUL bytes (find -print0)\n"
    "  --shard K/N            process only the K-th of N interleaved slices of the inputs\n"
    "                         (K = 1..N): N jobs with K = 1..N together do everything\n"
    "  --skip-existing        skip images whose outputs all exist (resume a batch)\n"
    "\n"
    "Outputs (written atomically: a file is complete or absent; standard output, devices\n"
    "and FIFOs are written in place, so -o /dev/null discards):\n"
    "  -o, --output OUT       where results go (see --format); '-' = stdout\n"
    "  --format openpose      (default) OpenPose's JSON: OUT is a folder of\n"
    "                         NAME_keypoints.json, one per image, unless OUT ends in\n"
    "                         .json or is '-' or a device or FIFO: then it is the one\n"
    "                         document of the one IMAGE argument (a file or '-'; a folder\n"
    "                         or several inputs are a usage error)\n"
    "  --format coco          one COCO results array for the whole run in the file OUT\n"
    "                         (image_id = the last number in the file name; two inputs\n"
    "                         with one id, or one without, stop the run before it starts)\n"
    "  --image-ids GT.json    image_ids from a COCO ground-truth file's \"images\" (by\n"
    "                         file name), for datasets whose names are not their ids\n"
    "  --image-id N           the image_id of the one IMAGE argument (e.g. '-')\n"
    "  --format jsonl         one line per image {\"image\",\"width\",\"height\",\"people\"}\n"
    "                         on stdout (or in the file OUT), as each image finishes\n"
    "  --part-candidates      add every detected part candidate (OpenPose JSON, jsonl)\n"
    "  --render DIR           the image with skeletons drawn: DIR/NAME_rendered.png, or the\n"
    "                         one picture of the one IMAGE argument when DIR ends in .png,\n"
    "                         .jpg or .jpeg or is '-' or a device or FIFO (as -o)\n"
    "  --render-format EXT    png (default) or jpg for renders in a folder\n"
    "  --write-maps DIR       the network's heatmaps and PAFs: DIR/NAME_maps.npy\n"
    "                         (1 x C x H/8 x W/8 float32; NAME_maps_K.npy for scale K > 0)\n"
    "  Keypoints are written first: a render or maps file that cannot be written fails\n"
    "  the image (reported), not its keypoints. A folder that cannot be made or written\n"
    "  stops the run before the first image; so does a failed write to standard output,\n"
    "  the COCO array or the JSON lines file.\n"
    "\n"
    "Model and network:\n"
    "  --model PATH|NAME      .opc model file, or NAME.opc in the models folders\n"
    "                         (default: $OPENPOSE_C_MODEL, then lwopenpose.opc)\n"
    "  --net-resolution WxH   network input size, multiples of the model's step (16 for\n"
    "                         CMU's and tf-pose's networks, 8 for Lightweight OpenPose), at\n"
    "                         most 4096; one side may be -1 (from the image's aspect ratio,\n"
    "                         capped at 16:9 and 4096); default: the model's\n"
    "  --scale-number N       run N scales (1 to 8) and average the maps (default 1)\n"
    "  --scale-gap G          scales 1, 1-G, 1-2G, ... (default 0.25)\n"
    "  --threads N            CPU threads, 0 to 1024 (default 0: all)\n"
    "  --engine fast|reference  convolution kernels (reference = plain loops, slow)\n"
    "  --timing               at the end, where the time went (one line on stderr)\n"
    "\n"
    "People (defaults: OpenPose's, for the model's topology):\n"
    "  --nms-threshold X      a part peak must exceed X (0.05)\n"
    "  --paf-threshold X      a PAF sample must exceed X along the limb (0.05)\n"
    "  --paf-min-above X      share of PAF samples that must pass, 0 to 1 (0.95)\n"
    "  --min-parts N          a person needs N parts (3)\n"
    "  --min-score X          and an average score of X (0.4)\n"
    "  --maximize-positives   OpenPose's lower thresholds: more people, more mistakes\n"
    "  --number-people-max N  keep the N best people per image (PoseNet: its maxDetections,\n"
    "                         default 5)\n"
    "  --assembly global|sequential  OpenPose's GPU-build (default) or CPU-build grouping\n"
    "  --pose-decoder multi|single  PoseNet models: the posenet package's multi-person\n"
    "                         decoder (default) or its single-person one\n"
    "  --score-threshold X    PoseNet: a person's first keypoint needs a score >= X (0.5)\n"
    "  --nms-radius R         PoseNet: keypoints within R net-input pixels of the same\n"
    "                         keypoint of a better person do not start or count (20)\n"
    "  --keypoint-scale S     pixels (default), 0..1 or -1..1 (also OpenPose's 0, 3, 4)\n"
    "\n"
    "Top-down models (one person per box: each box is cropped, run and decoded alone):\n"
    "  --boxes FILE           a person detector's COCO results ([{\"image_id\", \"bbox\":\n"
    "                         [x,y,w,h], \"score\", \"category_id\": 1}]; an image's id as\n"
    "                         for --format coco, --image-ids and --image-id apply)\n"
    "  --boxes whole          the whole image is one person (the default)\n"
    "  --box-threshold X      use boxes (or --boxes-from people) scoring at least X\n"
    "                         (default 0)\n"
    "  --boxes-from MODEL     the boxes around the people a bottom-up MODEL finds\n"
    "  --flip-test            also run each box mirrored and average the maps (MMPose)\n"
    "\n"
    "Environment:\n"
    "  OPENPOSE_C_MODEL       the model used without --model\n"
    "  OPENPOSE_C_MODELS_DIR  the first models folder searched\n"
    "  OPENBLAS_CORETYPE      the OpenBLAS kernel (default: OpenBLAS's choice for the CPU;\n"
    "                         --version shows it)\n"
    "  OPENPOSE_C_CPU         baseline, avx2 or avx512: kernels of a lower CPU level than\n"
    "                         the best this CPU runs (--version shows the level in use)\n"
    "\n"
    "Other commands: convert, info, forward, parse, eval ('openpose-c help COMMAND').\n"
    "Progress is shown on stderr when it is a terminal. Exit status: 0 all images done,\n"
    "1 some failed (each is reported as 'PATH: reason'), 2 usage error. SIGINT or SIGTERM\n"
    "stops after the image in progress, or at once while waiting for an input (status\n"
    "130 or 143; a second one stops at once).\n";

enum {
    OPT_LIST = 256, OPT_FORMAT, OPT_MODEL, OPT_RENDER, OPT_RENDER_FORMAT, OPT_WRITE_MAPS,
    OPT_PART_CANDIDATES, OPT_SKIP_EXISTING, OPT_SHARD, OPT_NET_RES, OPT_SCALE_NUMBER,
    OPT_SCALE_GAP, OPT_THREADS, OPT_ENGINE, OPT_KEYPOINT_SCALE, OPT_MAXPOS, OPT_NMS, OPT_PAF,
    OPT_PAF_MIN_ABOVE, OPT_MIN_SCORE, OPT_MIN_PARTS, OPT_PEOPLE_MAX, OPT_ASSEMBLY, OPT_VERSION,
    OPT_TIMING, OPT_IMAGE_IDS, OPT_IMAGE_ID, OPT_POSE_DECODER, OPT_SCORE_THRESHOLD,
    OPT_NMS_RADIUS, OPT_BOXES, OPT_BOX_THRESHOLD, OPT_BOXES_FROM, OPT_FLIP_TEST
};

static const struct option LONG_OPTS[] = {
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"output", required_argument, NULL, 'o'},
    {"recursive", no_argument, NULL, 'r'},
    {"list", required_argument, NULL, OPT_LIST},
    {"null", no_argument, NULL, '0'},
    {"image-ids", required_argument, NULL, OPT_IMAGE_IDS},
    {"image-id", required_argument, NULL, OPT_IMAGE_ID},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"model", required_argument, NULL, OPT_MODEL},
    {"render", required_argument, NULL, OPT_RENDER},
    {"render-format", required_argument, NULL, OPT_RENDER_FORMAT},
    {"write-maps", required_argument, NULL, OPT_WRITE_MAPS},
    {"part-candidates", no_argument, NULL, OPT_PART_CANDIDATES},
    {"skip-existing", no_argument, NULL, OPT_SKIP_EXISTING},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"net-resolution", required_argument, NULL, OPT_NET_RES},
    {"scale-number", required_argument, NULL, OPT_SCALE_NUMBER},
    {"scale-gap", required_argument, NULL, OPT_SCALE_GAP},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"engine", required_argument, NULL, OPT_ENGINE},
    {"timing", no_argument, NULL, OPT_TIMING},
    {"keypoint-scale", required_argument, NULL, OPT_KEYPOINT_SCALE},
    {"maximize-positives", no_argument, NULL, OPT_MAXPOS},
    {"nms-threshold", required_argument, NULL, OPT_NMS},
    {"paf-threshold", required_argument, NULL, OPT_PAF},
    {"paf-min-above", required_argument, NULL, OPT_PAF_MIN_ABOVE},
    {"min-score", required_argument, NULL, OPT_MIN_SCORE},
    {"min-parts", required_argument, NULL, OPT_MIN_PARTS},
    {"number-people-max", required_argument, NULL, OPT_PEOPLE_MAX},
    {"assembly", required_argument, NULL, OPT_ASSEMBLY},
    {"pose-decoder", required_argument, NULL, OPT_POSE_DECODER},
    {"score-threshold", required_argument, NULL, OPT_SCORE_THRESHOLD},
    {"nms-radius", required_argument, NULL, OPT_NMS_RADIUS},
    {"boxes", required_argument, NULL, OPT_BOXES},
    {"box-threshold", required_argument, NULL, OPT_BOX_THRESHOLD},
    {"boxes-from", required_argument, NULL, OPT_BOXES_FROM},
    {"flip-test", no_argument, NULL, OPT_FLIP_TEST},
    {NULL, 0, NULL, 0},
};

static int parse_shard(const char *s, int *k, int *n)
{
    char buf[64];
    const char *slash = strchr(s, '/');
    if (!slash || (size_t)(slash - s) >= sizeof buf)
        return 0;
    memcpy(buf, s, (size_t)(slash - s));
    buf[slash - s] = 0;
    return cli_int(buf, 1, 1000000, k) && cli_int(slash + 1, 1, 1000000, n) && *k <= *n;
}

/* Picks value's index among NULL-terminated names, or -1. */
static int pick(const char *value, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(value, names[i]) == 0)
            return i;
    return -1;
}

static int parse_keypoint_scale(const char *s, opc_keypoint_scale *out)
{
    static const char *const names[] = {"pixels", "0", "0..1", "3", "-1..1", "4", NULL};
    static const opc_keypoint_scale values[] = {OPC_KEYPOINTS_PIXELS, OPC_KEYPOINTS_PIXELS,
                                                OPC_KEYPOINTS_UNIT,   OPC_KEYPOINTS_UNIT,
                                                OPC_KEYPOINTS_SIGNED, OPC_KEYPOINTS_SIGNED};
    int i = pick(s, names);
    if (i < 0)
        return -1;
    *out = values[i];
    return 0;
}

static void defaults(run_args *a)
{
    memset(a, 0, sizeof *a);
    a->format = FORMAT_OPENPOSE;
    a->render_ext = "png";
    a->scale_number = 1;
    a->scale_gap = 0.25;
    a->engine = OPC_ENGINE_FAST;
    a->keypoint_scale = OPC_KEYPOINTS_PIXELS;
    a->nms_threshold = a->paf_threshold = a->paf_min_above = a->min_score = NAN;
    a->min_parts = -1;
    a->number_people_max = -1;
    a->assembly = -1;
    a->image_id = -1;
    a->pose_decoder = -1;
    a->score_threshold = a->nms_radius = NAN;
}

static int one_option(int c, const char *arg, run_args *a)
{
    static const char *const formats[] = {"openpose", "coco", "jsonl", NULL};
    static const char *const engines[] = {"fast", "reference", NULL};
    static const char *const assemblies[] = {"global", "sequential", NULL};
    static const char *const exts[] = {"png", "jpg", NULL};
    double d;
    int i;
    switch (c) {
    case 'o': a->output = arg; return 0;
    case 'r': a->recursive = 1; return 0;
    case OPT_LIST: a->list = arg; return 0;
    case '0': a->list_nul = 1; return 0;
    case OPT_IMAGE_IDS: a->image_ids = arg; return 0;
    case OPT_MODEL: a->model = arg; return 0;
    case OPT_RENDER: a->render = arg; return 0;
    case OPT_WRITE_MAPS: a->write_maps = arg; return 0;
    case OPT_PART_CANDIDATES: a->part_candidates = 1; return 0;
    case OPT_SKIP_EXISTING: a->skip_existing = 1; return 0;
    case OPT_TIMING: a->timing = 1; return 0;
    case OPT_MAXPOS: a->maximize_positives = 1; return 0;
    case OPT_BOXES: a->boxes = arg; return 0;
    case OPT_BOXES_FROM: a->boxes_from = arg; return 0;
    case OPT_FLIP_TEST: a->flip_test = 1; return 0;
    case OPT_BOX_THRESHOLD:
        if (!cli_double(arg, -1e9, 1e9, &a->box_threshold))
            return cli_usage_error(NULL, "--box-threshold: expected a number, got '%s'", arg);
        return 0;
    case OPT_FORMAT:
        if ((i = pick(arg, formats)) < 0)
            return cli_usage_error(NULL, "--format: expected openpose, coco or jsonl, got '%s'", arg);
        a->format = (run_format)i;
        return 0;
    case OPT_RENDER_FORMAT:
        if ((i = pick(arg, exts)) < 0)
            return cli_usage_error(NULL, "--render-format: expected png or jpg, got '%s'", arg);
        a->render_ext = exts[i];
        return 0;
    case OPT_ENGINE:
        if ((i = pick(arg, engines)) < 0)
            return cli_usage_error(NULL, "--engine: expected fast or reference, got '%s'", arg);
        a->engine = i == 0 ? OPC_ENGINE_FAST : OPC_ENGINE_REFERENCE;
        return 0;
    case OPT_ASSEMBLY:
        if ((i = pick(arg, assemblies)) < 0)
            return cli_usage_error(NULL, "--assembly: expected global or sequential, got '%s'", arg);
        a->assembly = i == 0 ? OPC_ASSEMBLY_GLOBAL : OPC_ASSEMBLY_SEQUENTIAL;
        return 0;
    case OPT_KEYPOINT_SCALE:
        if (parse_keypoint_scale(arg, &a->keypoint_scale))
            return cli_usage_error(NULL, "--keypoint-scale: expected pixels, 0..1 or -1..1, got '%s'", arg);
        return 0;
    case OPT_SHARD:
        if (!parse_shard(arg, &a->shard_k, &a->shard_n))
            return cli_usage_error(NULL, "--shard: expected K/N with 1 <= K <= N, got '%s'", arg);
        return 0;
    case OPT_NET_RES:
        if (!cli_size(arg, 1, &a->net_w, &a->net_h))
            return cli_usage_error(NULL, "--net-resolution: expected WxH such as -1x368 or 656x368, got "
                               "'%s'", arg);
        return 0;
    case OPT_SCALE_NUMBER:
        if (!cli_int(arg, 1, OPC_MAX_SCALES, &a->scale_number))
            return cli_usage_error(NULL, "--scale-number: expected 1 to %d, got '%s'",
                                   OPC_MAX_SCALES, arg);
        return 0;
    case OPT_IMAGE_ID:
        if (!cli_int64(arg, 0, (long long)1 << 53, &a->image_id))
            return cli_usage_error(NULL, "--image-id: expected an integer from 0 to 2^53, got "
                                   "'%s'", arg);
        return 0;
    case OPT_THREADS:
        if (!cli_int(arg, 0, 1024, &a->threads))
            return cli_usage_error(NULL, "--threads: expected 0 to 1024 (0 = all CPUs), got '%s'", arg);
        return 0;
    case OPT_MIN_PARTS:
        if (!cli_int(arg, 0, OPC_MAX_PARTS, &a->min_parts))
            return cli_usage_error(NULL, "--min-parts: expected 0 to %d, got '%s'", OPC_MAX_PARTS,
                                   arg);
        return 0;
    case OPT_PEOPLE_MAX:
        if (!cli_int(arg, -1, 1000000, &a->number_people_max))
            return cli_usage_error(NULL, "--number-people-max: expected -1 (all) to 1000000, got "
                                   "'%s'", arg);
        return 0;
    case OPT_POSE_DECODER: {
        static const char *const decoders[] = {"multi", "single", NULL};
        for (int k = 0; decoders[k]; k++)
            if (strcmp(arg, decoders[k]) == 0)
                a->pose_decoder = k;
        if (a->pose_decoder < 0)
            return cli_usage_error(NULL, "--pose-decoder: expected multi or single, got '%s'", arg);
        return 0;
    }
    case OPT_SCORE_THRESHOLD:
        if (!cli_double(arg, 0, 1, &a->score_threshold))
            return cli_usage_error(NULL, "--score-threshold: expected a number in [0, 1], got '%s'", arg);
        return 0;
    case OPT_NMS_RADIUS:
        if (!cli_double(arg, 1e-6, 1e6, &a->nms_radius))
            return cli_usage_error(NULL, "--nms-radius: expected a number of pixels > 0, got '%s'", arg);
        return 0;
    case OPT_SCALE_GAP:
        if (!cli_double(arg, 1e-6, 1, &a->scale_gap))
            return cli_usage_error(NULL, "--scale-gap: expected a number in (0, 1], got '%s'", arg);
        return 0;
    }
    /* The float thresholds. */
    static const struct {
        int opt;
        const char *name;
        double lo, hi;
        size_t off;
    } FLOATS[] = {
        {OPT_NMS, "--nms-threshold", 0, 1e9, offsetof(run_args, nms_threshold)},
        {OPT_PAF, "--paf-threshold", -1e9, 1e9, offsetof(run_args, paf_threshold)},
        {OPT_PAF_MIN_ABOVE, "--paf-min-above", 0, 1, offsetof(run_args, paf_min_above)},
        {OPT_MIN_SCORE, "--min-score", -1e9, 1e9, offsetof(run_args, min_score)},
    };
    for (size_t k = 0; k < sizeof FLOATS / sizeof FLOATS[0]; k++)
        if (FLOATS[k].opt == c) {
            if (!cli_double(arg, FLOATS[k].lo, FLOATS[k].hi, &d))
                return cli_usage_error(NULL, "%s: expected a number from %g to %g, got '%s'",
                                       FLOATS[k].name, FLOATS[k].lo, FLOATS[k].hi, arg);
            *(float *)((char *)a + FLOATS[k].off) = (float)d;
            return 0;
        }
    return EXIT_USAGE;
}

int run_args_parse(int argc, char **argv, run_args *a, int *done)
{
    defaults(a);
    *done = 0;
    optind = 1;
    opterr = 0;
    int c;
    /* The leading ':' makes a missing value ':' and an unknown option '?'. */
    while ((c = getopt_long(argc, argv, ":ho:r0", LONG_OPTS, NULL)) != -1) {
        if (c == 'h') {
            fputs(HELP, stdout);
            *done = 1;
            return EXIT_OK;
        }
        if (c == OPT_VERSION) {
            printf("openpose-c %s\nkernels: %s (this CPU runs up to %s)\n", OPC_VERSION,
                   opc_cpu_level_in_use(), opc_cpu_level_best());
            cli_print_blas(stdout);
            *done = 1;
            opc_error err;
            if (opc_cpu_level_check(&err) != OPC_OK) { /* no network would run */
                fprintf(stderr, "openpose-c: %s\n", err.msg);
                return EXIT_FAIL;
            }
            return EXIT_OK;
        }
        if (c == '?' || c == ':') {
            *done = 1;
            /* An unknown short option may share its argument with others (-rx): name the
             * letter; long options and missing values name the argument. */
            const char *bad = argv[optind - 1];
            if (c == ':')
                return cli_usage_error(NULL, "option %s needs a value", bad);
            if (optopt && bad[0] == '-' && bad[1] != '-')
                return cli_usage_error(NULL, "unknown option -%c", optopt);
            return cli_usage_error(NULL, "unknown option %s", bad);
        }
        int rc = one_option(c, optarg, a);
        if (rc) {
            *done = 1;
            return rc;
        }
    }
    if (a->boxes && a->boxes_from) {
        *done = 1;
        return cli_usage_error(NULL, "--boxes and --boxes-from both say where the boxes come "
                               "from: give one");
    }
    a->paths = argv + optind;
    a->npaths = argc - optind;
    if (a->npaths == 0 && !a->list) {
        *done = 1;
        return cli_usage_error(NULL, "no input: give images, folders, '-' or --list FILE");
    }
    if (a->list_nul && !a->list) {
        *done = 1;
        return cli_usage_error(NULL, "-0 (--null) is for --list: the list's entries end with "
                               "NUL bytes");
    }
    if (a->image_ids && a->image_id >= 0) {
        *done = 1;
        return cli_usage_error(NULL, "give --image-ids GT.json or --image-id N, not both");
    }
    if ((a->image_ids || a->image_id >= 0) && a->format != FORMAT_COCO && !run_args_box_file(a)) {
        *done = 1;
        return cli_usage_error(NULL, "--image-ids and --image-id are for --format coco and "
                               "--boxes FILE");
    }
    return 0;
}

static void apply_paf(const run_args *a, opc_parse_params *p)
{
    if (!isnan(a->nms_threshold))
        p->nms_threshold = a->nms_threshold;
    if (!isnan(a->paf_threshold))
        p->inter_threshold = a->paf_threshold;
    if (!isnan(a->paf_min_above))
        p->inter_min_above = a->paf_min_above;
    if (!isnan(a->min_score))
        p->min_score = a->min_score;
    if (a->min_parts >= 0)
        p->min_parts = a->min_parts;
    if (a->number_people_max >= 0)
        p->number_people_max = a->number_people_max;
    if (a->assembly >= 0)
        p->assembly = (opc_assembly)a->assembly;
    p->part_candidates = a->part_candidates;
}

/* The first option given on the command line that is another family's, or NULL. */
static const char *paf_option_given(const run_args *a)
{
    return !isnan(a->nms_threshold)   ? "--nms-threshold"
           : !isnan(a->paf_threshold) ? "--paf-threshold"
           : !isnan(a->paf_min_above) ? "--paf-min-above"
           : !isnan(a->min_score)     ? "--min-score"
           : a->min_parts >= 0        ? "--min-parts"
           : a->assembly >= 0         ? "--assembly"
           : a->maximize_positives    ? "--maximize-positives"
           : a->part_candidates       ? "--part-candidates"
                                      : NULL;
}

static const char *posenet_option_given(const run_args *a)
{
    return a->pose_decoder >= 0         ? "--pose-decoder"
           : !isnan(a->score_threshold) ? "--score-threshold"
           : !isnan(a->nms_radius)      ? "--nms-radius"
                                        : NULL;
}

static void apply_posenet(const run_args *a, opc_posenet_options *o)
{
    if (a->pose_decoder >= 0)
        o->single = a->pose_decoder == 1;
    if (!isnan(a->score_threshold))
        o->multi.score_threshold = a->score_threshold;
    if (!isnan(a->nms_radius))
        o->multi.nms_radius = a->nms_radius;
    if (a->number_people_max >= 0) /* checked by the decoder: 1 to OPC_POSENET_MAX_DETECTIONS */
        o->multi.max_detections = a->number_people_max;
}

int run_args_box_file(const run_args *a)
{
    return a->boxes && strcmp(a->boxes, "whole") != 0;
}

int run_args_apply_decode(const run_args *a, const opc_model *m, opc_decode_options *d,
                          opc_error *err)
{
    const char *family = opc_model_head(m)->decoder;
    int posenet = strcmp(family, "posenet") == 0, heatmap = strcmp(family, "heatmap") == 0;
    const char *other = posenet ? paf_option_given(a) : posenet_option_given(a);
    if (!other && heatmap) /* one person per box: no parser's settings apply */
        other = paf_option_given(a);
    if (other)
        return opc_fail(err, OPC_ERR_ARG, "%s does not apply to a model with a %s head",
                        other, family);
    if (posenet)
        apply_posenet(a, &d->posenet);
    if (heatmap && a->number_people_max >= 0)
        d->heatmap.number_people_max = a->number_people_max;
    if (strcmp(opc_model_head(m)->decoder, "paf") == 0) {
        if (a->maximize_positives) {
            opc_paf_topology t;
            int rc = opc_model_paf_topology(m, &t, err);
            if (rc != OPC_OK)
                return rc;
            opc_parse_params_default(&d->paf, &t, 1);
        }
        apply_paf(a, &d->paf);
    }
    return OPC_OK;
}
