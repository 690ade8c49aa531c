/* Person boxes for top-down models: each box is cropped, run through the network and
 * decoded as one person. Boxes come from a detector's COCO results file (as MMPose's
 * top-down evaluation reads them), from the whole image, or from the people a bottom-up
 * model found. */
#ifndef OPENPOSE_C_BOXES_H
#define OPENPOSE_C_BOXES_H

#include <stdint.h>

#include "error.h"
#include "image.h"
#include "people.h"

#ifdef __cplusplus
extern "C" {
#endif

/* (opc_box, a box in image pixels, is in image.h.) A detector's results: a JSON array of {"image_id": N, "category_id": C, "bbox":
 * [x, y, w, h], "score": S} (COCO's detection results format; other members are
 * ignored). Boxes of category 1 (person) with score >= threshold are kept, grouped by
 * image, each image's sorted by score (best first, ties in file order). A box that is
 * not finite, or has w or h <= 0, is an error naming the file and the entry. At most
 * 512 MiB; "-" reads standard input. */
typedef struct opc_box_file opc_box_file;
int opc_box_file_load(const char *path, double threshold, opc_box_file **out, opc_error *err);
/* The boxes of image_id (NULL and 0 when it has none); valid while f lives. */
const opc_box *opc_box_file_boxes(const opc_box_file *f, int64_t image_id, int *count);
/* Boxes kept, over all images. */
int opc_box_file_count(const opc_box_file *f);
void opc_box_file_free(opc_box_file *f);

/* The box of each person of p (its found parts' extent, score the person's) into out,
 * which holds p->count boxes; people whose found parts all lie on one point (or who
 * have none) get none; one side may be 0 (parts on a line). Returns how many were
 * written. */
int opc_boxes_from_people(const opc_people *p, opc_box *out);

#ifdef __cplusplus
}
#endif
#endif
