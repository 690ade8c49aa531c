/* Converters from training frameworks' files to .opc model files. */
#ifndef OPENPOSE_C_CONVERT_H
#define OPENPOSE_C_CONVERT_H

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct opc_convert_options {
    const char *topology;     /* "coco", "body25", "mpi", "mpi4"; NULL = infer from the
                                 output channel count */
    const char *name;         /* model name stored in the file; NULL = from the file name */
    int net_width;            /* default net resolution stored in the model; 0 = the */
    int net_height;           /* framework's usual default (-1x368 for OpenPose) */
} opc_convert_options;

/* Caffe: prototxt (text format) + caffemodel (binary) -> .opc */
int opc_convert_caffe(const char *prototxt, const char *caffemodel, const char *out_path,
                      const opc_convert_options *opt, opc_error *err);

/* TensorFlow frozen GraphDef (.pb) -> .opc */
int opc_convert_tf(const char *graph_pb, const char *out_path, const opc_convert_options *opt,
                   opc_error *err);

#ifdef __cplusplus
}
#endif
#endif
