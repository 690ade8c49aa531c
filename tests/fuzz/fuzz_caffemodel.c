/* Fuzz target: the caffemodel wire reader and the matching of its weight blobs to a
 * fixed small net (every supported layer kind), through the whole Caffe conversion. */
#include <string.h>

#include "caffe_small_net.h"
#include "fuzz_target.h"
#include "openpose-c/convert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char proto[4096], model[4096], out[4096];
    fuzz_temp_path(proto, sizeof proto, "net.prototxt");
    fuzz_temp_path(model, sizeof model, "net.caffemodel");
    fuzz_temp_path(out, sizeof out, "net.opc");
    fuzz_write(proto, CAFFE_SMALL_NET, strlen(CAFFE_SMALL_NET));
    fuzz_write(model, data, size);
    opc_error err;
    opc_convert_caffe(proto, model, out, NULL, &err);
    unlink(proto);
    unlink(model);
    unlink(out);
    return 0;
}
