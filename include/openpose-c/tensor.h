/* Dense float32 tensors (batch 1 is the common case) and .npy files. */
#ifndef OPENPOSE_C_TENSOR_H
#define OPENPOSE_C_TENSOR_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A 4-D float32 tensor in C order, dims n x c x h x w (NCHW). Tensors made by
 * opc_tensor_alloc own their data; free them with opc_tensor_free. */
typedef struct opc_tensor {
    int n, c, h, w;
    float *data;
} opc_tensor;

size_t opc_tensor_count(const opc_tensor *t);
int opc_tensor_alloc(opc_tensor *t, int n, int c, int h, int w, opc_error *err);
void opc_tensor_free(opc_tensor *t);

/* Reads a little-endian float32 C-order .npy (format 1.0-3.0) of 1 to 4 dims; fewer dims
 * are padded on the left with 1s (a 57x46x54 array reads as 1x57x46x54). */
int opc_npy_read(const char *path, opc_tensor *out, opc_error *err);
/* Writes t as a 4-D .npy atomically (temp file + rename). */
int opc_npy_write(const char *path, const opc_tensor *t, opc_error *err);

#ifdef __cplusplus
}
#endif
#endif
