/* make_random_caffemodel: a deterministic random-weight .caffemodel for any prototxt the
 * converter accepts (opc_caffe_random_weights), so full-size networks can be converted,
 * run and compared with other engines without the trained weights.
 *
 *   make_random_caffemodel PROTOTXT OUT.caffemodel [--seed N] [--legacy] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/convert.h"

static int usage(void)
{
    fprintf(stderr,
            "usage: make_random_caffemodel PROTOTXT OUT.caffemodel [--seed N] [--legacy]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *paths[2];
    int n_paths = 0, legacy = 0;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            char *end;
            seed = strtoull(argv[++i], &end, 10);
            if (*end)
                return usage();
        } else if (strcmp(argv[i], "--legacy") == 0) {
            legacy = 1;
        } else if (argv[i][0] != '-' && n_paths < 2) {
            paths[n_paths++] = argv[i];
        } else {
            return usage();
        }
    }
    if (n_paths != 2)
        return usage();
    opc_error err;
    int written = 0;
    if (opc_caffe_random_weights(paths[0], paths[1], seed, legacy, &written, &err) != 0) {
        fprintf(stderr, "make_random_caffemodel: %s\n", err.msg);
        return 1;
    }
    printf("%s: %d layers with weights, seed %llu%s\n", paths[1], written,
           (unsigned long long)seed, legacy ? ", legacy dims" : "");
    return 0;
}
