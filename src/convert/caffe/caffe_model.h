/* Reading a .caffemodel (binary NetParameter): the name and weight blobs of every layer,
 * nothing else. The file is mapped; blobs are decoded on demand. Accepts the current
 * `layer` (100) and the V1 `layers` (2) lists, blob dims as `shape` or as the legacy
 * num/channels/height/width, and float data packed or not. */
#ifndef OPC_CONVERT_CAFFE_MODEL_H
#define OPC_CONVERT_CAFFE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "convert/common/strmap.h"
#include "openpose-c/error.h"

#define CAFFE_BLOB_MAX_DIMS 8

typedef struct caffe_blob_data {
    int ndim;
    int64_t shape[CAFFE_BLOB_MAX_DIMS];
    size_t count;       /* floats stored (= product of shape) */
    const uint8_t *msg; /* the BlobProto bytes, walked again to copy the data */
    size_t msg_len;
} caffe_blob_data;

typedef struct caffe_model_layer {
    char *name;
    int n_blobs;
    caffe_blob_data *blobs;
} caffe_model_layer;

typedef struct caffe_model {
    const char *path;
    void *map;
    size_t size;
    int n_layers;
    caffe_model_layer *layers;
    strmap by_name; /* layer name -> last layer of that name */
} caffe_model;

int caffe_model_open(caffe_model *m, const char *path, opc_error *err);
void caffe_model_close(caffe_model *m);
/* The layer called name (the last one, as Caffe's weight copying does), or NULL. */
const caffe_model_layer *caffe_model_find(const caffe_model *m, const char *name);
/* Copies blob's floats into out (blob->count of them). */
void caffe_blob_read(const caffe_blob_data *blob, float *out);
/* "8x3x3x3" */
void caffe_blob_shape_str(const caffe_blob_data *blob, char *buf, size_t size);

#endif
