/* openpose-c: multi-person 2D pose estimation. A thin dispatcher over the subcommands;
 * everything else lives in the library. */
#include <errno.h>
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
            "       openpose-c COMMAND [ARGS]             (openpose-c help COMMAND for details)\n\n"
            "commands:\n");
    for (int i = 0; i < NUM_COMMANDS; i++)
        fprintf(f, "  %-8s  %s\n", COMMANDS[i].name, COMMANDS[i].summary);
}

/* A command that wrote its output and then found standard output broken (a full disk,
 * `> /dev/full`) has failed: stdio only reports that at the final flush. */
static int finish(int rc)
{
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == EXIT_OK) {
        fprintf(stderr, "openpose-c: standard output: write failed: %s\n", strerror(errno));
        return EXIT_FAIL;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2) {
        for (int i = 0; i < NUM_COMMANDS; i++)
            if (strcmp(argv[1], COMMANDS[i].name) == 0)
                return finish(COMMANDS[i].fn(argc - 1, argv + 1));
        if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "commands") == 0) {
            /* help COMMAND is COMMAND --help; help alone lists the commands. */
            char help[] = "--help";
            char *args[] = {argc > 2 ? argv[2] : argv[1], help, NULL};
            for (int i = 0; argc > 2 && i < NUM_COMMANDS; i++)
                if (strcmp(argv[2], COMMANDS[i].name) == 0)
                    return finish(COMMANDS[i].fn(2, args));
            if (argc > 2 && strcmp(argv[2], "run") != 0) {
                fprintf(stderr, "openpose-c: help: no command '%s' (see openpose-c help)\n",
                        argv[2]);
                return EXIT_USAGE;
            }
            if (argc > 2) /* help run: the image command's own help */
                return finish(cmd_run(2, args));
            usage(stdout);
            return finish(EXIT_OK);
        }
    }
    return finish(cmd_run(argc, argv));
}
