/* JPEG decoding with libjpeg-turbo, the decoder OpenCV's imread uses: the same pixels as the
 * reference implementations, about twice as fast as stb_image here, and a library fuzzed
 * for years. */
#ifndef OPC_IO_JPEG_H
#define OPC_IO_JPEG_H

#include <stddef.h>

#include "openpose-c/image.h"
#include "openpose-c/error.h"

/* Whether data starts like a JPEG (SOI then a marker). */
int opc_is_jpeg(const unsigned char *data, size_t size);

/* Decodes a JPEG into img as 8-bit RGB (grey repeated; CMYK converted as imread does).
 * An image over OPC_IMAGE_MAX_SIDE a side or max_pixels in all is refused before any pixel
 * memory is allocated, and a file whose data is cut or corrupt is an error, not a picture
 * padded with grey. */
int opc_jpeg_decode(const unsigned char *data, size_t size, const char *name, long max_pixels,
                    opc_image *img, opc_error *err);

#endif
