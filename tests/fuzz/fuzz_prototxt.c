/* Fuzz target: the protobuf text-format reader and the Caffe net builder on top of it
 * (layer parameters, blob bindings, in-place layers, the weights each layer expects). */
#include "convert/caffe/caffe_net.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4096];
    fuzz_temp_path(path, sizeof path, "net.prototxt");
    fuzz_write(path, data, size);
    caffe_net net;
    opc_error err;
    if (caffe_net_load(&net, path, &err) == OPC_OK)
        caffe_net_free(&net);
    unlink(path);
    return 0;
}
