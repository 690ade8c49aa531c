/* PLACEHOLDER: replaced by the real implementation. */
#include <stdio.h>

#include "cli/commands.h"

int cmd_forward(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "openpose-c: 'forward' is not implemented yet\n");
    return EXIT_FAIL;
}
