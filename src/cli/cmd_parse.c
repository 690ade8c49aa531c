/* openpose-c parse: saved network output (.npy) -> people (OpenPose JSON). */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/cmd_args.h"
#include "cli/commands.h"
#include "openpose-c/files.h"
#include "openpose-c/model.h"
#include "openpose-c/output.h"
#include "openpose-c/paf.h"

static void help(FILE *f)
{
    fprintf(f,
        "usage: openpose-c parse MAPS.npy (--topology NAME | --model MODEL.opc)\n"
        "                        --net-size WxH [OPTIONS] -o PEOPLE.json\n"
        "\n"
        "Turns a saved network output into people, as OpenPose does: every channel is\n"
        "upsampled (bicubic) to the net input size, heatmap peaks are found (NMS), limbs\n"
        "are scored along their part affinity fields and joined into people. Re-parse with\n"
        "other thresholds without running the network again.\n"
        "\n"
        "MAPS.npy      1 x C x h x w float32, as 'openpose-c forward' writes it: C = part\n"
        "              heatmaps, background, then PAFs (57 for coco, 78 for body25, 44 mpi)\n"
        "\n"
        "  --topology NAME      coco, body25, mpi or mpi4 (MPI with the 4-stage net's\n"
        "                       NMS threshold)\n"
        "  --model MODEL.opc    take the topology and its defaults from a converted model\n"
        "  --net-size WxH       the network input size the maps come from (required)\n"
        "  --image-size WxH     the original image, to map keypoints back to its pixels\n"
        "                       (default: the net size); the image is assumed scaled into\n"
        "                       the net input at the top-left, as OpenPose does\n"
        "  -o, --output FILE    the JSON to write, '-' for standard output (required)\n"
        "\n"
        "Parser settings (defaults are OpenPose's for the topology):\n"
        "  --nms-threshold X        a peak must exceed X (0.05; mpi 0.6, mpi4 0.3)\n"
        "  --paf-threshold X        a limb sample must exceed X (0.05; mpi 0.01)\n"
        "  --paf-min-above X        share of samples above it (0.95)\n"
        "  --min-parts N            parts a person needs (3)\n"
        "  --min-score X            mean score per part a person needs (0.4)\n"
        "  --maximize-positives     OpenPose's flag: lower defaults (0.02, 0.01, 0.75, 2,\n"
        "                           0.05) and feet count toward min parts; thresholds given\n"
        "                           explicitly still win\n"
        "  --number-people-max N    keep the N best people (default all)\n"
        "  --assembly MODE          global (default: OpenPose's GPU build, merges partial\n"
        "                           people) or sequential (its CPU build)\n"
        "  --part-candidates        also write every peak as \"part_candidates\"\n"
        "\n"
        "Output: OpenPose's JSON (version 1.3); keypoints x,y,score in image pixels, the\n"
        "top-left pixel's centre at 0.5,0.5, missing parts 0,0,0; best person first.\n"
        "\n"
        "example:\n"
        "  openpose-c parse maps.npy --topology coco --net-size 656x368 \\\n"
        "      --image-size 1280x720 --min-parts 5 -o people.json\n"
        "\n"
        "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static const char *const FLOAT_OPTS[NUM_FLOAT_OPTS] = {"--nms-threshold", "--paf-threshold",
                                                      "--paf-min-above", "--min-score"};

int parse_args_parse(int argc, char **argv, parse_args *o)
{
    const char *topology = NULL;
    *o = (parse_args){.min_parts = -1, .assembly = OPC_ASSEMBLY_GLOBAL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help(stdout);
            return EXIT_OK;
        }
        if (!strcmp(a, "--maximize-positives")) {
            o->maximize_positives = 1;
            continue;
        }
        if (!strcmp(a, "--part-candidates")) {
            o->part_candidates = 1;
            continue;
        }
        if (a[0] == '-' && a[1]) {
            if (i + 1 >= argc)
                return cli_usage_error("parse", "%s needs a value", a);
            const char *v = argv[++i];
            int done = 0;
            for (int k = 0; k < NUM_FLOAT_OPTS && !done; k++)
                if (!strcmp(a, FLOAT_OPTS[k])) {
                    if (!cli_float(v, -FLT_MAX, FLT_MAX, &o->value[k]))
                        return cli_usage_error("parse", "bad number '%s'", v);
                    o->set[k] = done = 1;
                }
            if (done)
                continue;
            if (!strcmp(a, "--topology"))
                topology = v;
            else if (!strcmp(a, "--model"))
                o->model = v;
            else if (!strcmp(a, "-o") || !strcmp(a, "--output"))
                o->out = v;
            else if (!strcmp(a, "--net-size")) {
                if (!cli_size(v, 0, &o->net_w, &o->net_h))
                    return cli_usage_error("parse", "bad size '%s' (want WxH, e.g. 656x368)", v);
            } else if (!strcmp(a, "--image-size")) {
                if (!cli_size(v, 0, &o->img_w, &o->img_h))
                    return cli_usage_error("parse", "bad size '%s' (want WxH, e.g. 1280x720)", v);
            } else if (!strcmp(a, "--min-parts")) {
                if (!cli_int(v, 0, OPC_MAX_PARTS, &o->min_parts))
                    return cli_usage_error("parse", "bad part count '%s'", v);
            } else if (!strcmp(a, "--number-people-max")) {
                if (!cli_int(v, -1, 1 << 20, &o->people_max))
                    return cli_usage_error("parse", "bad people count '%s'", v);
            } else if (!strcmp(a, "--assembly")) {
                if (!strcmp(v, "global"))
                    o->assembly = OPC_ASSEMBLY_GLOBAL;
                else if (!strcmp(v, "sequential"))
                    o->assembly = OPC_ASSEMBLY_SEQUENTIAL;
                else
                    return cli_usage_error("parse", "unknown assembly '%s' (global or sequential)", v);
            } else {
                return cli_usage_error("parse", "unknown option '%s'", a);
            }
            continue;
        }
        if (o->maps)
            return cli_usage_error("parse", "more than one maps file ('%s')", a);
        o->maps = a;
    }
    if (!o->maps)
        return cli_usage_error("parse", "no maps file given");
    if (!topology == !o->model)
        return cli_usage_error("parse", "give exactly one of --topology and --model");
    if (!o->net_w)
        return cli_usage_error("parse", "--net-size is required");
    if (!o->out)
        return cli_usage_error("parse", "-o is required ('-' for standard output)");
    if (topology && !(o->topology = opc_paf_topology_builtin(topology)))
        return cli_usage_error("parse", "unknown topology '%s' (coco, body25, mpi, mpi4)", topology);
    if (!o->img_w) {
        o->img_w = o->net_w;
        o->img_h = o->net_h;
    }
    return -1;
}

int cmd_parse(int argc, char **argv)
{
    parse_args o;
    int status = parse_args_parse(argc, argv, &o);
    if (status >= 0)
        return status;
    const char *maps_path = o.maps, *model_path = o.model, *out_path = o.out;
    opc_paf_topology model_topology;
    const opc_paf_topology *t = o.topology;
    const int net_w = o.net_w, net_h = o.net_h, img_w = o.img_w, img_h = o.img_h;

    opc_error err = {{0}};
    opc_model *model = NULL;
    if (model_path) {
        if (!(model = opc_model_open(model_path, &err))) {
            fprintf(stderr, "openpose-c parse: %s\n", err.msg);
            return EXIT_FAIL;
        }
        if (opc_model_paf_topology(model, &model_topology, &err) != OPC_OK) {
            fprintf(stderr, "openpose-c parse: %s\n", err.msg);
            opc_model_close(model);
            return EXIT_FAIL;
        }
        t = &model_topology;
    }
    opc_parse_params p;
    opc_parse_params_default(&p, t, o.maximize_positives);
    if (o.set[O_NMS])
        p.nms_threshold = o.value[O_NMS];
    if (o.set[O_PAF])
        p.inter_threshold = o.value[O_PAF];
    if (o.set[O_ABOVE])
        p.inter_min_above = o.value[O_ABOVE];
    if (o.set[O_SCORE])
        p.min_score = o.value[O_SCORE];
    if (o.min_parts >= 0)
        p.min_parts = o.min_parts;
    p.number_people_max = o.people_max;
    p.assembly = o.assembly;
    p.part_candidates = o.part_candidates;

    status = EXIT_FAIL;
    opc_tensor maps = {0};
    opc_people people = {0};
    char *json = NULL;
    if (opc_parse_params_validate(&p, &err) != OPC_OK) {
        fprintf(stderr, "openpose-c parse: %s\n", err.msg);
        status = EXIT_USAGE;
        goto done;
    }
    if (opc_npy_read(maps_path, &maps, &err) != OPC_OK) {
        fprintf(stderr, "openpose-c parse: %s\n", err.msg);
        goto done;
    }
    if (maps.n != 1 || maps.c != t->total_channels) {
        fprintf(stderr,
                "openpose-c parse: %s: shape %dx%dx%dx%d, topology %s needs 1x%dxHxW\n",
                maps_path, maps.n, maps.c, maps.h, maps.w, t->name, t->total_channels);
        goto done;
    }
    const float scale = opc_net_to_image_scale(img_w, img_h, net_w, net_h);
    if (opc_parse(t, &p, &maps, net_w, net_h, scale, &people, &err) != OPC_OK) {
        fprintf(stderr, "openpose-c parse: %s: %s\n", maps_path, err.msg);
        goto done;
    }
    if (!(json = opc_people_to_openpose_json(&people, &err))) {
        fprintf(stderr, "openpose-c parse: %s\n", err.msg);
        goto done;
    }
    if (!strcmp(out_path, "-")) {
        if (fputs(json, stdout) == EOF || fflush(stdout) != 0) {
            fprintf(stderr, "openpose-c parse: standard output: %s\n", strerror(errno));
            goto done;
        }
    } else if (opc_write_file_atomic(out_path, json, strlen(json), &err) != OPC_OK) {
        fprintf(stderr, "openpose-c parse: %s\n", err.msg);
        goto done;
    }
    status = EXIT_OK;
done:
    free(json);
    opc_people_free(&people);
    opc_tensor_free(&maps);
    opc_model_close(model);
    return status;
}
