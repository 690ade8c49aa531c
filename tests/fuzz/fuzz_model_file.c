/* Fuzz target: the .opc model loader (header JSON, graph validation, weight bounds), then
 * what a valid model goes through next: shape inference and statistics, the execution
 * plan, and, for small graphs, one forward pass on a zero input. */
#include <string.h>

#include "fuzz_target.h"
#include "openpose-c/model.h"
#include "openpose-c/net.h"

#define SIDE 32             /* net input side: model files accept sides >= 16 */
#define FORWARD_MAX_MACS 2e7 /* keeps a forward pass to milliseconds */

static void exercise(const opc_model *m, int engine)
{
    opc_error err;
    opc_model_stats st;
    if (opc_model_stats_at(m, SIDE, SIDE, &st, &err) != OPC_OK)
        return;
    opc_net_options o = {1, engine};
    opc_net *net = opc_net_create(m, &o, &err);
    if (!net)
        return;
    opc_net_memory mem;
    if (opc_net_memory_at(net, SIDE, SIDE, &mem, &err) == OPC_OK && st.macs < FORWARD_MAX_MACS) {
        opc_tensor in;
        if (opc_tensor_alloc(&in, 1, opc_net_input_channels(net), SIDE, SIDE, &err) == OPC_OK) {
            memset(in.data, 0, sizeof(float) * (size_t)in.c * SIDE * SIDE);
            const opc_tensor *out;
            opc_net_forward(net, &in, &out, &err);
            opc_tensor_free(&in);
        }
    }
    opc_net_free(net);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4096];
    fuzz_temp_path(path, sizeof path, "model.opc");
    fuzz_write(path, data, size);
    opc_error err;
    opc_model *m = opc_model_open(path, &err);
    unlink(path); /* the mapping stays valid */
    if (!m)
        return 0;
    /* Both engines plan differently (the fast one picks kernels per layer); the input's
     * size picks one, so that either sees every kind of graph. */
    exercise(m, size & 1 ? OPC_ENGINE_REFERENCE : OPC_ENGINE_FAST);
    opc_model_close(m);
    return 0;
}
