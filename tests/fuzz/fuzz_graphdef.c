/* Fuzz target: the TensorFlow GraphDef reader (nodes, attributes, constant tensors) and
 * its conversion to a model graph (op mapping, batch-norm folding, resize sizes). */
#include "fuzz_target.h"
#include "openpose-c/convert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char pb[4096], out[4096];
    fuzz_temp_path(pb, sizeof pb, "graph.pb");
    fuzz_temp_path(out, sizeof out, "graph.opc");
    fuzz_write(pb, data, size);
    opc_error err;
    opc_convert_tf(pb, out, NULL, &err);
    unlink(pb);
    unlink(out);
    return 0;
}
