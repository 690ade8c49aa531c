/* PLACEHOLDER: replaced by the real implementation. */
#include <stdio.h>

#include "cli/commands.h"

int cmd_convert(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "openpose-c: 'convert' is not implemented yet\n");
    return EXIT_FAIL;
}
