/* openpose-c eval: COCO keypoint AP/AR like pycocotools (GT.json RESULTS.json), with PCK
 * and EPE per matched person on request; MMPose's PCK, PCKh, AUC, EPE and NME on a
 * keypoint-eval instance file (INSTANCES.json --metric ...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/cmd_args.h"
#include "cli/commands.h"
#include "openpose-c/eval.h"
#include "openpose-c/metrics.h"
#include "openpose-c/output.h"

static void usage(FILE *f)
{
    fputs("usage: openpose-c eval GT.json RESULTS.json [--metric pck|epe] [--thr T]\n"
          "                       [--keypoints LIST] [--json]\n"
          "       openpose-c eval INSTANCES.json --metric M[,M...] [--thr T]\n"
          "                       [--norm bbox|head|torso] [--auc-norm-factor F]\n"
          "                       [--auc-thresholds N] [--raw-coordinates] [--json]\n"
          "\n"
          "With two files, scores keypoint results against COCO ground truth with the 10\n"
          "standard numbers (AP, AP50, AP75, APm, APl, AR, AR50, AR75, ARm, ARl), computed as\n"
          "pycocotools' COCOeval(iouType='keypoints') does with its default settings, and\n"
          "prints the summary lines pycocotools prints.\n"
          "\n"
          "  GT.json       COCO keypoint ground truth (e.g. person_keypoints_val2017.json)\n"
          "  RESULTS.json  COCO results: [{\"image_id\": 785, \"category_id\": 1,\n"
          "                \"keypoints\": [x,y,v, ...17 times], \"score\": 0.9}, ...], such as\n"
          "                `openpose-c --format coco -o RESULTS.json IMAGES...` writes\n"
          "                (either file may be -, standard input)\n"
          "  --metric pck  also PCK@T and EPE per matched person (epe: the same): each GT\n"
          "                person is matched to at most one detection, in score order, by\n"
          "                OKS >= 0.5 over the scored keypoints; a labelled keypoint is\n"
          "                correct when its distance is below T times the longer side of the\n"
          "                person's box (clipped to the image, as MMPose). A keypoint the\n"
          "                detection lacks (v = 0) counts as wrong and stays out of the EPE\n"
          "  --thr T       PCK threshold (default 0.2)\n"
          "  --keypoints LIST  score only these COCO keypoints: names or 0-based indices,\n"
          "                comma-separated, ranges as 5-16 (default all 17)\n"
          "\n"
          "How results are scored: a detection matches a person when their object keypoint\n"
          "similarity (OKS, COCO's 17 per-keypoint sigmas, scaled by the person's area)\n"
          "reaches the threshold; AP averages precision over 101 recall points and the\n"
          "thresholds 0.50:0.05:0.95. Only the 20 best-scored detections per image count.\n"
          "Areas: medium 32^2..96^2, large above 96^2 (pixels). Crowd persons and persons\n"
          "without labelled keypoints are ignored, as are detections that match them. A\n"
          "number is -1 when no person falls in its area range. Every image_id in the results\n"
          "must be an image of GT.json.\n"
          "\n"
          "With one file, computes MMPose's metrics on a keypoint-eval instance file: one\n"
          "ground-truth person and its prediction per instance, with visibility and the\n"
          "normalisers ({\"format\": \"openpose-c keypoint-eval v1\", \"keypoint_names\": [...],\n"
          "\"gt_coordinate_base\": 0|1, \"pred_coordinate_base\": 0|1, \"instances\": [{\"gt\":\n"
          "[[x,y],...], \"visible\": [0|1,...], \"pred\": [[x,y],...], \"bbox_size\": S,\n"
          "\"head_size\": S, \"headbox\": [[x1,y1],[x2,y2]]}, ...]}).\n"
          "  --metric M    one or more of (comma-separated or repeated):\n"
          "                pck   PCK@T: share of visible keypoints closer than T normalisers\n"
          "                      (strictly), per keypoint and their plain mean (default T 0.2)\n"
          "                pckh  MPII's PCKh@T (default 0.5): head size = head_size, or 0.6 x\n"
          "                      the head box diagonal; per joint, the groups, the plain mean\n"
          "                      of the joints but pelvis and thorax, and the visible-weighted\n"
          "                      mean (MMPose's MpiiPCKAccuracy)\n"
          "                auc   area under PCK over thresholds 0, 1/N, ..., (N-1)/N of F\n"
          "                      pixels (default F 30, N 20)\n"
          "                epe   mean pixel distance of the visible keypoints\n"
          "                nme   mean distance / the --norm normaliser\n"
          "  --norm N      PCK and NME normaliser: bbox (bbox_size, the default), head\n"
          "                (head_size), torso (|left_shoulder - right_hip| of the GT)\n"
          "  --raw-coordinates  compare coordinates as stored even when the file's bases\n"
          "                differ, as MMPose's PCKAccuracy, AUC, EPE and NME do (by default\n"
          "                predictions are moved to the ground truth's base; pckh always\n"
          "                moves them, as MpiiPCKAccuracy adds 1 to 0-based predictions)\n"
          "\n"
          "  --json        print the numbers as one JSON object for scripts\n"
          "  -h, --help    show this help\n"
          "\n"
          "Examples:\n"
          "  openpose-c --format coco -o results.json val2017/\n"
          "  openpose-c eval person_keypoints_val2017.json results.json --metric pck\n"
          "  openpose-c eval mpii_val.json --metric pckh\n"
          "  openpose-c eval instances.json --metric pck,auc,epe --norm bbox --thr 0.05\n"
          "\n"
          "Exit status: 0 success, 1 a file is missing, unreadable or malformed, 2 usage error.\n",
          f);
}

static int bad_usage(const char *fmt, const char *arg)
{
    return cli_usage_error("eval", fmt, arg);
}

static int parse_metrics(const char *list, unsigned *metrics)
{
    char buf[256];
    if (strlen(list) >= sizeof buf)
        return bad_usage("--metric '%.40s...': too long", list);
    strcpy(buf, list);
    for (char *save, *m = strtok_r(buf, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
        int i = opc_metric_from_name(m);
        if (i < 0)
            return bad_usage("unknown metric '%s' (pck, pckh, auc, epe, nme)", m);
        *metrics |= 1u << i;
    }
    return *metrics ? -1 : bad_usage("--metric '%s' names no metric", list);
}

/* A COCO keypoint: its name or 0-based index. */
static int coco_keypoint(const char *s)
{
    int k;
    if (cli_int(s, 0, 16, &k))
        return k;
    for (k = 0; k < 17; k++)
        if (strcmp(s, opc_coco_keypoint_name(k)) == 0)
            return k;
    return -1;
}

static int parse_keypoints(const char *list, unsigned char keep[17])
{
    char buf[512];
    if (strlen(list) >= sizeof buf)
        return bad_usage("--keypoints '%.40s...': too long", list);
    strcpy(buf, list);
    for (char *save, *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        char *dash = strchr(s, '-');
        if (dash)
            *dash = 0;
        int a = coco_keypoint(s), b = dash ? coco_keypoint(dash + 1) : a;
        if (a < 0 || b < a)
            return bad_usage("--keypoints: '%s' is not a COCO keypoint name, index 0-16 or "
                             "range", s);
        for (int k = a; k <= b; k++)
            keep[k] = 1;
    }
    return -1;
}

/* The option at argv[*i] that takes a value; the value, or NULL after a usage error. */
static const char *value_of(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        bad_usage("%s needs a value", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

static int parse_option(int argc, char **argv, int *i, eval_args *a)
{
    const char *s = argv[*i], *v;
    int n;
    if (strcmp(s, "--json") == 0) {
        a->json = 1;
        return -1;
    }
    if (strcmp(s, "--raw-coordinates") == 0) {
        a->metric.raw_coordinates = 1;
        return -1;
    }
    if (strcmp(s, "--metric") != 0 && strcmp(s, "--thr") != 0 && strcmp(s, "--norm") != 0 &&
        strcmp(s, "--auc-norm-factor") != 0 && strcmp(s, "--auc-thresholds") != 0 &&
        strcmp(s, "--keypoints") != 0)
        return bad_usage("unknown option '%s'", s);
    if (!(v = value_of(argc, argv, i)))
        return EXIT_USAGE;
    if (strcmp(s, "--metric") == 0)
        return parse_metrics(v, &a->metrics);
    if (strcmp(s, "--keypoints") == 0)
        return parse_keypoints(v, a->coco.keypoints);
    if (strcmp(s, "--norm") == 0) {
        if ((n = opc_norm_from_name(v)) < 0)
            return bad_usage("unknown --norm '%s' (bbox, head, torso)", v);
        a->metric.norm = n;
        return -1;
    }
    if (strcmp(s, "--auc-thresholds") == 0)
        return cli_int(v, 1, 100000, &a->metric.auc_num_thrs)
                   ? -1 : bad_usage("--auc-thresholds '%s': expected 1 to 100000", v);
    double *target = strcmp(s, "--thr") == 0 ? &a->metric.thr : &a->metric.auc_norm_factor;
    if (!cli_double(v, 1e-12, 1e12, target))
        return bad_usage("%s: expected a positive number", v);
    a->coco.thr = a->metric.thr;
    return -1;
}

/* With COCO ground truth only pck and epe (computed together) go beside the AP. */
static int check_combination(const eval_args *a, int with_norm)
{
    if (a->results) {
        if (a->metrics & ~(1u << OPC_METRIC_PCK | 1u << OPC_METRIC_EPE))
            return bad_usage("%s: with COCO ground truth only --metric pck and epe apply",
                             a->gt);
        if (with_norm || a->metric.raw_coordinates || a->metric.auc_norm_factor > 0 ||
            a->metric.auc_num_thrs > 0)
            return bad_usage("%s: --norm, --raw-coordinates and --auc-* apply to instance "
                             "files; COCO persons are normalised by their box", a->gt);
        return -1;
    }
    if (!a->metrics)
        return bad_usage("%s: one file is a keypoint-eval instance file: say which "
                         "--metric to compute", a->gt);
    for (int k = 0; k < 17; k++)
        if (a->coco.keypoints[k])
            return bad_usage("%s: --keypoints applies to COCO ground truth", a->gt);
    return -1;
}

int eval_args_parse(int argc, char **argv, eval_args *a)
{
    const char *paths[2];
    int n = 0, options = 1, with_norm = 0;
    *a = (eval_args){0};
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (options && (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0)) {
            usage(stdout);
            return EXIT_OK;
        } else if (options && strcmp(s, "--") == 0) {
            options = 0;
        } else if (options && s[0] == '-' && s[1] != '\0') {
            with_norm |= strcmp(s, "--norm") == 0;
            int status = parse_option(argc, argv, &i, a);
            if (status >= 0)
                return status;
        } else if (n < 2) {
            paths[n++] = s;
        } else {
            return bad_usage("too many arguments: '%s'", s);
        }
    }
    if (n < 1) {
        fprintf(stderr, "openpose-c eval: needs GT.json and RESULTS.json, or INSTANCES.json "
                "and --metric (see openpose-c eval --help)\n");
        return EXIT_USAGE;
    }
    if (n == 2 && strcmp(paths[0], "-") == 0 && strcmp(paths[1], "-") == 0) {
        fprintf(stderr, "openpose-c eval: only one of GT.json and RESULTS.json can be read "
                "from standard input\n");
        return EXIT_USAGE;
    }
    a->gt = paths[0];
    a->results = n == 2 ? paths[1] : NULL;
    return check_combination(a, with_norm);
}

static void put_double(double v)
{
    char buf[OPC_NUMBER_LEN];
    fputs(opc_format_double(buf, v), stdout);
}

static int eval_coco(const eval_args *a)
{
    double stats[OPC_COCO_NUM_STATS];
    opc_coco_pck pck;
    opc_error err = {{0}};
    if (opc_coco_eval_pck(a->gt, a->results, stats, &a->coco, &pck, &err) != 0) {
        fprintf(stderr, "openpose-c eval: %s\n", err.msg);
        return EXIT_FAIL;
    }
    char *pck_text = a->metrics ? opc_coco_pck_report(&pck, a->json) : NULL;
    if (a->metrics && !pck_text) {
        fprintf(stderr, "openpose-c eval: out of memory\n");
        return EXIT_FAIL;
    }
    if (a->json) {
        for (int i = 0; i < OPC_COCO_NUM_STATS; i++) {
            printf("%s\"%s\": ", i ? ", " : "{", opc_coco_stat_name(i));
            put_double(stats[i]);
        }
        if (pck_text)
            printf(", \"PCK\": %s", pck_text);
        fputs("}\n", stdout);
    } else {
        for (int i = 0; i < OPC_COCO_NUM_STATS; i++) {
            char line[160];
            opc_coco_summary_line(i, stats[i], line, sizeof line);
            puts(line);
        }
        if (pck_text)
            printf("\n%s", pck_text);
    }
    free(pck_text);
    return EXIT_OK;
}

/* Every report is made before anything is printed, so a failure prints nothing. */
static int eval_instances(const eval_args *a)
{
    opc_keypoint_instances d;
    opc_error err = {{0}};
    char *text[OPC_METRIC_COUNT] = {0};
    int status = EXIT_OK;
    if (opc_keypoint_instances_load(a->gt, &d, &err) != OPC_OK) {
        fprintf(stderr, "openpose-c eval: %s\n", err.msg);
        return EXIT_FAIL;
    }
    for (int m = 0; m < OPC_METRIC_COUNT && status == EXIT_OK; m++)
        if (a->metrics >> m & 1 &&
            opc_metric_report(&d, m, &a->metric, a->json, &text[m], &err) != OPC_OK) {
            fprintf(stderr, "openpose-c eval: %s: %s\n", a->gt, err.msg);
            status = EXIT_FAIL;
        }
    int first = 1;
    for (int m = 0; m < OPC_METRIC_COUNT && status == EXIT_OK; m++) {
        if (!text[m])
            continue;
        if (a->json)
            printf("%s\"%s\": %s", first ? "{" : ", ", opc_metric_name(m), text[m]);
        else
            printf("%s%s", first ? "" : "\n", text[m]);
        first = 0;
    }
    if (status == EXIT_OK && a->json)
        fputs("}\n", stdout);
    for (int m = 0; m < OPC_METRIC_COUNT; m++)
        free(text[m]);
    opc_keypoint_instances_free(&d);
    return status;
}

int cmd_eval(int argc, char **argv)
{
    eval_args a;
    int status = eval_args_parse(argc, argv, &a);
    if (status >= 0)
        return status;
    status = a.results ? eval_coco(&a) : eval_instances(&a);
    if (status == EXIT_OK && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "openpose-c eval: standard output: write failed\n");
        return EXIT_FAIL;
    }
    return status;
}
