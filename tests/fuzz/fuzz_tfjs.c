/* Fuzz target: the TensorFlow.js graph-model reader (model.json: the GraphDef in protobuf's
 * JSON form and the weightsManifest; the weights in their shard) and its conversion to a
 * PoseNet graph. Input: model.json's text, a NUL byte, then the bytes of the shard file
 * posenet.bin (the name the seeds' manifests give). */
#include <string.h>
#include <sys/stat.h>

#include "convert/tfjs/tfjs_model.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char dir[4096], json[4200], shard[4200];
    fuzz_temp_path(dir, sizeof dir, "tfjs");
    mkdir(dir, 0700);
    snprintf(json, sizeof json, "%s/model.json", dir);
    snprintf(shard, sizeof shard, "%s/posenet.bin", dir);
    const uint8_t *nul = memchr(data, 0, size);
    size_t text = nul ? (size_t)(nul - data) : size;
    fuzz_write(json, data, text);
    fuzz_write(shard, nul ? nul + 1 : data, nul ? size - text - 1 : 0);
    opc_graph *g;
    int blobs[TFJS_POSENET_OUTPUTS], stride;
    opc_error err;
    if (tfjs_posenet_graph(json, &g, blobs, &stride, &err) == OPC_OK)
        opc_graph_free(g);
    unlink(json);
    unlink(shard);
    rmdir(dir);
    return 0;
}
