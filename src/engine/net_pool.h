/* The net's thread pool, for work done around a forward that should run on the same
 * threads (merging the maps of several scales); not part of the public API. */
#ifndef OPC_ENGINE_NET_POOL_H
#define OPC_ENGINE_NET_POOL_H

#include "core/threadpool.h"
#include "openpose-c/net.h"

opc_pool *opc_net_pool(opc_net *net);

#endif
