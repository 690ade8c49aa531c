/* What the subcommands' command lines parse into. Parsing is kept apart from running so that
 * every parser can be fuzzed without touching a file (tests/fuzz/fuzz_cli_args.c). Each
 * *_args_parse takes the subcommand's argv (argv[0] is the subcommand) and returns -1 when
 * the arguments are complete and valid, otherwise the status to exit with: EXIT_OK after
 * --help, EXIT_USAGE after a one-line error on stderr. */
#ifndef OPC_CLI_CMD_ARGS_H
#define OPC_CLI_CMD_ARGS_H

#include "openpose-c/convert.h"
#include "openpose-c/net.h"
#include "openpose-c/paf.h"

typedef struct {
    const char *path;
    int w, h; /* --net-resolution; 0 x 0: the model's own */
} info_args;
int info_args_parse(int argc, char **argv, info_args *a);

typedef struct {
    const char *gt, *results;
    int json;
} eval_args;
int eval_args_parse(int argc, char **argv, eval_args *a);

typedef struct {
    const char *model, *input, *output, *blob;
    opc_net_options net;
    int repeat;
} forward_args;
int forward_args_parse(int argc, char **argv, forward_args *a);

#define CONVERT_MAX_INPUTS 8
typedef struct {
    int framework; /* index in cmd_convert.c's table */
    opc_convert_options opt;
    const char *out;
    char *inputs[CONVERT_MAX_INPUTS];
} convert_args;
int convert_args_parse(int argc, char **argv, convert_args *a);

/* parse's threshold options, applied over the topology's defaults once it is known. */
enum { O_NMS, O_PAF, O_ABOVE, O_SCORE, NUM_FLOAT_OPTS };
typedef struct {
    const char *maps, *model, *out;
    const opc_paf_topology *topology; /* --topology, or NULL with --model */
    int net_w, net_h, img_w, img_h;
    int set[NUM_FLOAT_OPTS];
    float value[NUM_FLOAT_OPTS];
    int min_parts, people_max, maximize_positives, part_candidates;
    opc_assembly assembly;
} parse_args;
int parse_args_parse(int argc, char **argv, parse_args *a);

#endif
