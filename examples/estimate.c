/* The library in one call: open a model, estimate the poses in one image, print them.
 *
 *     build/examples/example_estimate models/lwopenpose.opc photo.jpg
 *
 * Link with the openpose-c library (CMake target openpose-c-lib). */
#include <stdio.h>

#include "openpose-c/estimate.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s MODEL.opc IMAGE\n", argv[0]);
        return 2;
    }
    opc_error err;
    opc_model *model = opc_model_open(argv[1], &err);
    if (!model) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    opc_estimator_options opt;
    opc_estimator_options_default(&opt, model);  /* the model's net size and decoder defaults */
    opc_estimator *est = opc_estimator_create(model, &opt, &err);
    opc_image img = {0};
    opc_people people = {0};
    int rc = 1;
    if (est && opc_image_load(argv[2], &img, &err) == OPC_OK &&
        opc_estimate(est, &img, &people, &err) == OPC_OK) {
        const opc_keypoint_set *k = opc_model_keypoints(model);
        printf("%s: %d people\n", argv[2], people.count);
        for (int p = 0; p < people.count; p++) {
            printf("person %d (score %.2f)\n", p, people.scores[p]);
            for (int i = 0; i < people.num_parts; i++) {
                const float *kp = people.keypoints + (p * people.num_parts + i) * 3;
                if (kp[2] > 0)  /* missing parts are (0, 0, 0) */
                    printf("  %-14s %7.1f %7.1f  %.2f\n", k->part_names[i], kp[0], kp[1], kp[2]);
            }
        }
        rc = 0;
    } else {
        fprintf(stderr, "%s\n", err.msg);
    }
    opc_people_free(&people);
    opc_image_free(&img);
    opc_estimator_free(est);
    opc_model_close(model);
    return rc;
}
