/* Per-layer timing of a forward, for the profiling tool (tools/profile_layers.c); not part
 * of the public API. */
#ifndef OPC_ENGINE_NET_PROFILE_H
#define OPC_ENGINE_NET_PROFILE_H

#include "openpose-c/net.h"

typedef struct opc_layer_time {
    const char *layer, *kernel; /* owned by the model and the kernel tables */
    double ms;                  /* wall time of the layer */
    double macs;                /* its multiply-accumulates */
} opc_layer_time;

/* Number of layers, the length of the times array below. */
int opc_net_layers(const opc_net *net);
/* opc_net_forward that also fills times[layer]. */
int opc_net_forward_profile(opc_net *net, const opc_tensor *input, opc_layer_time *times,
                            opc_error *err);

#endif
