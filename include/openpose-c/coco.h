/* COCO keypoint results, as OpenPose's --write_coco_json writes them and
 * `openpose-c eval` (like pycocotools) reads them: one JSON array for a whole run of
 * {"image_id": N, "category_id": 1, "keypoints": [x, y, v] * 17 (COCO-17 order, image
 * pixels), "score": S}. */
#ifndef OPENPOSE_C_COCO_H
#define OPENPOSE_C_COCO_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "keypoints.h"
#include "people.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The COCO image_id of an image file: the last run of decimal digits in its base name
 * without the extension: "val2017/000000000785.jpg" -> 785, "cam2_frame0042.png" -> 42,
 * "img.v3.jpg" -> 3. Returns -1 when that name has no digit (e.g. "cat.jpg", or
 * "run7/a.jpg": folder names do not count) or when the number is above 2^53, which
 * JSON readers that hold numbers as doubles cannot represent; such an image has no
 * COCO id, and the caller should report it (OpenPose stops with an error there). */
int64_t opc_coco_image_id(const char *path);

/* A results array being written. Not thread-safe: add images from one thread. */
typedef struct opc_coco_writer opc_coco_writer;

/* Starts a results array for path ("-" = standard output). A file appears only at
 * commit, complete: entries go to a temporary file beside it, renamed into place. */
opc_coco_writer *opc_coco_writer_open(const char *path, opc_error *err);

/* Appends one entry per person of one image, in the people's order: keypoints in COCO-17
 * order through k->coco17, a found part (score > 0) as x, y, 1, a missing one (or one the
 * keypoint set lacks) as -1, -1, 0; score = the person's score. A person with none of the
 * 17 keypoints found is skipped, as OpenPose does. people->num_parts must be
 * k->num_parts; image_id must be >= 0. */
int opc_coco_writer_add(opc_coco_writer *w, int64_t image_id, const opc_keypoint_set *k,
                        const opc_people *people, opc_error *err);

/* Entries written so far. */
size_t opc_coco_writer_count(const opc_coco_writer *w);

/* Closes the array and moves the file into place. Frees w, also on failure (then no
 * file is left behind). */
int opc_coco_writer_commit(opc_coco_writer *w, opc_error *err);

/* Discards the array (no file is created); frees w. NULL is a no-op. */
void opc_coco_writer_abort(opc_coco_writer *w);

#ifdef __cplusplus
}
#endif
#endif
