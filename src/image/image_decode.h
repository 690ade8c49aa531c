/* What the decoders share inside the library: the size limits, and decoding under a
 * smaller pixel limit (the fuzz target's, which keeps every input fast). */
#ifndef OPC_IO_IMAGE_DECODE_H
#define OPC_IO_IMAGE_DECODE_H

#include <stddef.h>

#include "openpose-c/image.h"

/* opc_image_decode with at most max_pixels (<= OPC_IMAGE_MAX_PIXELS) pixels. */
int opc_image_decode_within(const void *data, size_t size, const char *name, long max_pixels,
                            opc_image *img, opc_error *err);

/* Whether a w x h image is over OPC_IMAGE_MAX_SIDE a side or max_pixels in all. */
static inline int opc_image_too_large(long long w, long long h, long max_pixels)
{
    return w > OPC_IMAGE_MAX_SIDE || h > OPC_IMAGE_MAX_SIDE || w * h > max_pixels;
}

/* The error for an image over the limits (OPC_ERR_NOMEM). */
int opc_image_fail_too_large(opc_error *err, const char *name, long long w, long long h,
                             long max_pixels);

#endif
