/* What a model may hold. Every limit is far beyond any real pose network (the largest,
 * CMU's COCO network, is a 200 MB file of 150 layers); anything beyond is a corrupt or
 * hostile file, refused with a one-line error before a huge allocation or a long stall.
 * README.md ("Limits") lists them. */
#ifndef OPC_MODEL_LIMITS_H
#define OPC_MODEL_LIMITS_H

#include <stdint.h>

#define OPC_MODEL_MAX_FILE_BYTES ((uint64_t)4 << 30)  /* mapped, not read, but bounded */
#define OPC_MODEL_MAX_JSON_BYTES ((uint64_t)64 << 20) /* the header (100 KB in practice) */
#define OPC_GRAPH_MAX_LAYERS 4096                      /* blob names are looked up linearly */
#define OPC_WEIGHT_MAX_DIM (1 << 24)                   /* one dimension of a weight */
#define OPC_WEIGHT_MAX_ELEMS ((uint64_t)1 << 28)       /* one weight: 1 GiB of float32 */
#define OPC_GRAPH_MAX_CHANNELS 65536
#define OPC_GRAPH_MAX_KERNEL 64                        /* kernel, stride, dilation, pad, factor */
#define OPC_GRAPH_MAX_SPATIAL 65536                    /* height or width of any blob */
#define OPC_GRAPH_MAX_BLOB_ELEMS ((int64_t)1 << 31)    /* one activation: 8 GiB of float32 */

#endif
