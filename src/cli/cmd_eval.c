/* PLACEHOLDER: replaced by the real implementation. */
#include <stdio.h>

#include "cli/commands.h"

int cmd_eval(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "openpose-c: 'eval' is not implemented yet\n");
    return EXIT_FAIL;
}
