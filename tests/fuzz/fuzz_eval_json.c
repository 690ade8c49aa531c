/* Fuzz target: what `openpose-c eval` reads, the COCO keypoint ground truth and the
 * results array (OpenPose's --write_coco_json format), then the evaluation itself; and the
 * ground truth as --image-ids reads it (file name -> image_id), with a lookup.
 * The input is GT, a NUL byte, then the results; without a NUL it is the GT alone,
 * evaluated against an empty results array. */
#include <string.h>

#include "fuzz_target.h"
#include "openpose-c/coco.h"
#include "openpose-c/eval.h"

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
    opc_error err;
    opc_coco_eval(gt, res, stats, &err);
    opc_coco_image_ids *ids = opc_coco_image_ids_read(gt, &err);
    if (ids) {
        opc_coco_image_ids_find(ids, "folder/000000000785.jpg");
        opc_coco_image_ids_free(ids);
    }
    unlink(gt);
    unlink(res);
    return 0;
}
