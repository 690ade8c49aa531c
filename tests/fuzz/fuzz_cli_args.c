/* Fuzz target: the command-line parsers, without running anything: the image command's
 * (getopt_long options, numbers, sizes, enumerations, shards) and, when the first argument
 * names one, a subcommand's. The input is the argument list, one argument per line or
 * NUL-terminated. */
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_args.h"
#include "cli/run_args.h"
#include "fuzz_target.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    copy[size] = 0;
    /* getopt permutes argv, so it gets its own array; the strings are cut in place. */
    char *argv[MAX_ARGS + 2] = {"openpose-c"};
    int argc = 1;
    for (char *s = copy; argc <= MAX_ARGS && s < copy + size; argc++) {
        argv[argc] = s;
        size_t n = strcspn(s, "\n");
        s[n] = 0;
        s += n + 1;
    }
    /* As main() dispatches: a subcommand gets the arguments after the program name. */
    const char *cmd = argc > 1 ? argv[1] : "";
    if (!strcmp(cmd, "info")) {
        info_args a;
        info_args_parse(argc - 1, argv + 1, &a);
    } else if (!strcmp(cmd, "eval")) {
        eval_args a;
        eval_args_parse(argc - 1, argv + 1, &a);
    } else if (!strcmp(cmd, "forward")) {
        forward_args a;
        forward_args_parse(argc - 1, argv + 1, &a);
    } else if (!strcmp(cmd, "convert")) {
        convert_args a;
        convert_args_parse(argc - 1, argv + 1, &a);
    } else if (!strcmp(cmd, "parse")) {
        parse_args a;
        parse_args_parse(argc - 1, argv + 1, &a);
    } else {
        run_args a;
        int done;
        run_args_parse(argc, argv, &a, &done);
    }
    free(copy);
    return 0;
}
