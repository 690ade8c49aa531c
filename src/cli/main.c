/* openpose-c: multi-person 2D pose estimation. A thin dispatcher over the subcommands;
 * everything else lives in the library. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} COMMANDS[] = {
    {"convert", cmd_convert, "convert a Caffe or TensorFlow model to an .opc model file"},
    {"info", cmd_info, "describe a model: topology, layers, parameters, MACs, memory"},
    {"forward", cmd_forward, "run the network on an .npy tensor (debugging, conformance)"},
    {"parse", cmd_parse, "turn saved heatmaps and PAFs (.npy) into people"},
    {"eval", cmd_eval, "COCO keypoint AP/AR of results against ground truth"},
};
#define NUM_COMMANDS (int)(sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *f)
{
    fprintf(f,
            "usage: openpose-c [OPTIONS] IMAGE|DIR|- ...   estimate poses (see --help)\n"
            "       openpose-c COMMAND [ARGS]             (COMMAND --help for details)\n\n"
            "commands:\n");
    for (int i = 0; i < NUM_COMMANDS; i++)
        fprintf(f, "  %-8s  %s\n", COMMANDS[i].name, COMMANDS[i].summary);
}

int main(int argc, char **argv)
{
    if (argc >= 2) {
        for (int i = 0; i < NUM_COMMANDS; i++)
            if (strcmp(argv[1], COMMANDS[i].name) == 0)
                return COMMANDS[i].fn(argc - 1, argv + 1);
        if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "commands") == 0) {
            usage(stdout);
            return EXIT_OK;
        }
    }
    return cmd_run(argc, argv);
}
