/* EXIF orientation of JPEG photos (cameras store the pixels as the sensor saw them and a
 * tag saying how to turn them), applied on decoding as OpenCV's imread does, so that
 * keypoints and pictures are in the upright frame people see. */
#ifndef OPC_IO_EXIF_H
#define OPC_IO_EXIF_H

#include <stddef.h>

/* The EXIF Orientation tag (1..8) of a JPEG, 1 when there is none or it is malformed. */
int opc_exif_orientation(const unsigned char *data, size_t size);

/* Applies orientation o to a w x h RGB image: returns a new malloc'd image of *ow x *oh
 * (sides swapped for 5..8), or NULL when out of memory. */
unsigned char *opc_exif_apply(const unsigned char *px, int w, int h, int o, int *ow, int *oh);

#endif
