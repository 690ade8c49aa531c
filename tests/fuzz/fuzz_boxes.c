/* Fuzz target: a detector's person boxes (`openpose-c --boxes FILE`): the COCO detection
 * results array, then every image's boxes looked up. */
#include "fuzz_target.h"
#include "openpose-c/boxes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4096];
    fuzz_temp_path(path, sizeof path, "boxes.json");
    fuzz_write(path, data, size);
    opc_box_file *f;
    opc_error err;
    if (opc_box_file_load(path, 0.5, &f, &err) == OPC_OK) {
        int total = 0, n;
        for (int64_t id = 0; id < 64; id++)
            if (opc_box_file_boxes(f, id, &n))
                total += n;
        if (total > opc_box_file_count(f))
            abort();
        opc_box_file_free(f);
    }
    unlink(path);
    return 0;
}
