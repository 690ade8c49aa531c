/* openpose-c eval GT.json RESULTS.json [--json]: COCO keypoint AP/AR like pycocotools. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_args.h"
#include "cli/commands.h"
#include "openpose-c/eval.h"
#include "openpose-c/output.h"

static void usage(FILE *f)
{
    fputs("usage: openpose-c eval GT.json RESULTS.json [--json]\n"
          "\n"
          "Scores keypoint results against COCO ground truth with the 10 standard numbers\n"
          "(AP, AP50, AP75, APm, APl, AR, AR50, AR75, ARm, ARl), computed as pycocotools'\n"
          "COCOeval(iouType='keypoints') does with its default settings, and prints the\n"
          "summary lines pycocotools prints.\n"
          "\n"
          "  GT.json       COCO keypoint ground truth (e.g. person_keypoints_val2017.json)\n"
          "  RESULTS.json  COCO results: [{\"image_id\": 785, \"category_id\": 1,\n"
          "                \"keypoints\": [x,y,v, ...17 times], \"score\": 0.9}, ...], such as\n"
          "                `openpose-c --format coco -o RESULTS.json IMAGES...` writes\n"
          "                (either file may be -, standard input)\n"
          "  --json        print the stats as one JSON object ({\"AP\": 0.52, ...}) for scripts\n"
          "  -h, --help    show this help\n"
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
          "Example:\n"
          "  openpose-c --format coco -o results.json val2017/\n"
          "  openpose-c eval person_keypoints_val2017.json results.json\n"
          "\n"
          "Exit status: 0 success, 1 a file is missing, unreadable or malformed, 2 usage error.\n",
          f);
}

static void put_double(double v)
{
    char buf[OPC_NUMBER_LEN];
    fputs(opc_format_double(buf, v), stdout);
}

int eval_args_parse(int argc, char **argv, eval_args *a)
{
    const char *paths[2];
    int n = 0, options = 1;
    *a = (eval_args){0};
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (options && (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0)) {
            usage(stdout);
            return EXIT_OK;
        } else if (options && strcmp(s, "--json") == 0) {
            a->json = 1;
        } else if (options && strcmp(s, "--") == 0) {
            options = 0;
        } else if (options && s[0] == '-' && s[1] != '\0') {
            fprintf(stderr, "openpose-c eval: unknown option '%s' (see openpose-c eval --help)\n",
                    s);
            return EXIT_USAGE;
        } else if (n < 2) {
            paths[n++] = s;
        } else {
            fprintf(stderr, "openpose-c eval: too many arguments: '%s' (see openpose-c eval "
                    "--help)\n", s);
            return EXIT_USAGE;
        }
    }
    if (n < 2) {
        fprintf(stderr, "openpose-c eval: needs GT.json and RESULTS.json (see openpose-c eval "
                "--help)\n");
        return EXIT_USAGE;
    }
    if (strcmp(paths[0], "-") == 0 && strcmp(paths[1], "-") == 0) {
        fprintf(stderr, "openpose-c eval: only one of GT.json and RESULTS.json can be read "
                "from standard input\n");
        return EXIT_USAGE;
    }
    a->gt = paths[0];
    a->results = paths[1];
    return -1;
}

int cmd_eval(int argc, char **argv)
{
    eval_args a;
    int status = eval_args_parse(argc, argv, &a);
    if (status >= 0)
        return status;
    double stats[OPC_COCO_NUM_STATS];
    opc_error err = {{0}};
    if (opc_coco_eval(a.gt, a.results, stats, &err) != 0) {
        fprintf(stderr, "openpose-c eval: %s\n", err.msg);
        return EXIT_FAIL;
    }
    if (a.json) {
        for (int i = 0; i < OPC_COCO_NUM_STATS; i++) {
            printf("%s\"%s\": ", i ? ", " : "{", opc_coco_stat_name(i));
            put_double(stats[i]);
        }
        fputs("}\n", stdout);
    } else {
        for (int i = 0; i < OPC_COCO_NUM_STATS; i++) {
            char line[160];
            opc_coco_summary_line(i, stats[i], line, sizeof line);
            puts(line);
        }
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "openpose-c eval: standard output: write failed\n");
        return EXIT_FAIL;
    }
    return EXIT_OK;
}
