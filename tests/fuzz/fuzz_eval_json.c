/* Fuzz target: what `openpose-c eval` reads, then the evaluation itself; and the ground
 * truth as --image-ids reads it (file name -> image_id), with a lookup. The input is COCO
 * keypoint ground truth, a NUL byte, then a results array (OpenPose's --write_coco_json
 * format): AP and PCK per matched person. Without a NUL it is both ground truth alone,
 * evaluated against an empty results array, and a keypoint-eval instance file, on which
 * every metric is reported with every normaliser. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "openpose-c/coco.h"
#include "openpose-c/eval.h"
#include "openpose-c/metrics.h"

static void instance_metrics(const char *path)
{
    opc_keypoint_instances d;
    opc_error err;
    if (opc_keypoint_instances_load(path, &d, &err) != OPC_OK)
        return;
    for (int m = 0; m < OPC_METRIC_COUNT; m++)
        for (int n = 0; n < OPC_NORM_COUNT; n++) {
            opc_metric_options o = {.norm = n, .raw_coordinates = n == OPC_NORM_HEAD};
            char *text;
            for (int json = 0; json < 2; json++)
                if (opc_metric_report(&d, m, &o, json, &text, &err) == OPC_OK)
                    free(text);
        }
    opc_keypoint_instances_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char gt[4096], res[4096];
    fuzz_temp_path(gt, sizeof gt, "gt.json");
    fuzz_temp_path(res, sizeof res, "results.json");
    const uint8_t *nul = memchr(data, 0, size);
    size_t gt_len = nul ? (size_t)(nul - data) : size;
    fuzz_write(gt, data, gt_len);
    if (nul)
        fuzz_write(res, nul + 1, size - gt_len - 1);
    else
        fuzz_write(res, "[]", 2);
    double stats[OPC_COCO_NUM_STATS];
    opc_coco_pck pck;
    opc_error err;
    if (opc_coco_eval_pck(gt, res, stats, &(opc_coco_pck_options){0}, &pck, &err) == OPC_OK)
        free(opc_coco_pck_report(&pck, 1));
    opc_coco_image_ids *ids = opc_coco_image_ids_read(gt, &err);
    if (ids) {
        opc_coco_image_ids_find(ids, "folder/000000000785.jpg");
        opc_coco_image_ids_free(ids);
    }
    if (!nul)
        instance_metrics(gt);
    unlink(gt);
    unlink(res);
    return 0;
}
