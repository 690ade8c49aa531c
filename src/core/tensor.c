#include "openpose-c/tensor.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/error.h"

size_t opc_tensor_count(const opc_tensor *t)
{
    return (size_t)t->n * (size_t)t->c * (size_t)t->h * (size_t)t->w;
}

int opc_tensor_alloc(opc_tensor *t, int n, int c, int h, int w, opc_error *err)
{
    memset(t, 0, sizeof *t);
    if (n < 0 || c < 0 || h < 0 || w < 0)
        return opc_fail(err, OPC_ERR_ARG, "tensor: negative dimension %dx%dx%dx%d", n, c, h, w);
    /* Cap at 2^31 elements (8 GiB): anything larger is a corrupt size, not a real tensor.
     * Checked factor by factor: four sides near 2^31 would wrap a 64-bit product. */
    const uint64_t max = (uint64_t)1 << 31;
    const int dims[4] = {n, c, h, w};
    uint64_t count = 1;
    for (int i = 0; i < 4; i++) {
        if (dims[i] && count > max / (uint64_t)dims[i])
            return opc_fail(err, OPC_ERR_NOMEM, "tensor: %dx%dx%dx%d is too large", n, c, h, w);
        count *= (uint64_t)dims[i];
    }
    float *data = malloc(count ? count * sizeof(float) : 1);
    if (!data)
        return opc_fail(err, OPC_ERR_NOMEM, "tensor: out of memory for %dx%dx%dx%d", n, c, h, w);
    t->n = n;
    t->c = c;
    t->h = h;
    t->w = w;
    t->data = data;
    return OPC_OK;
}

void opc_tensor_free(opc_tensor *t)
{
    if (!t)
        return;
    free(t->data);
    memset(t, 0, sizeof *t);
}
