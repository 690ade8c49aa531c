/* Writing results. Every writer returns a malloc'd, NUL-terminated string (the caller
 * frees it) or NULL with err filled; callers write it to disk atomically (temporary file +
 * rename) so that no partial file is ever left behind. Numbers are written in the
 * shortest form that reads back as the same float
 * (opc_format_float). */
#ifndef OPENPOSE_C_OUTPUT_H
#define OPENPOSE_C_OUTPUT_H

#include "error.h"
#include "people.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Numbers as every writer prints them: the shortest decimal form that reads back as the
 * same value, integers below 1e7 as such ("200000", not "2e+05"). JSON has no NaN or
 * infinity: a non-finite value is written as 0 (a writer that can leave the whole entry
 * out instead, as the COCO writer does, checks first). Returns buf. */
#define OPC_NUMBER_LEN 32
const char *opc_format_float(char buf[OPC_NUMBER_LEN], float v);
const char *opc_format_double(char buf[OPC_NUMBER_LEN], double v);

/* One image's people in OpenPose's --write_json schema (version 1.3):
 * {"version":1.3,"people":[{"person_id":[-1],"pose_keypoints_2d":[x,y,c,...],
 *  "face_keypoints_2d":[],"hand_left_keypoints_2d":[],"hand_right_keypoints_2d":[],
 *  "pose_keypoints_3d":[],"face_keypoints_3d":[],"hand_left_keypoints_3d":[],
 *  "hand_right_keypoints_3d":[]},...]}
 * followed by "part_candidates":[{"0":[x,y,c,...],"1":[...],...}] when p holds candidates.
 * Missing parts are 0,0,0. Ends with a newline. */
char *opc_people_to_openpose_json(const opc_people *p, opc_error *err);

/* One JSON line for one image (--format jsonl): {"image":IMAGE,"width":W,"height":H,
 * followed by the members of the OpenPose document above}, ending with a newline. */
char *opc_people_to_jsonl(const char *image, int width, int height, const opc_people *p,
                          opc_error *err);
/* The line for an image that failed: {"image":IMAGE,"error":MESSAGE} and a newline. */
char *opc_jsonl_error_line(const char *image, const char *message, opc_error *err);

#ifdef __cplusplus
}
#endif
#endif
