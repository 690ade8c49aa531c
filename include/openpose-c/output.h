/* Writing results. Every writer returns a malloc'd, NUL-terminated string (the caller
 * frees it) or NULL with err filled; callers write it to disk atomically (temporary file +
 * rename) so that no partial file is ever left behind. Numbers are written in the
 * shortest form that reads back as the same float. */
#ifndef OPENPOSE_C_OUTPUT_H
#define OPENPOSE_C_OUTPUT_H

#include "error.h"
#include "pose.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One image's people in OpenPose's --write_json schema (version 1.3):
 * {"version":1.3,"people":[{"person_id":[-1],"pose_keypoints_2d":[x,y,c,...],
 *  "face_keypoints_2d":[],"hand_left_keypoints_2d":[],"hand_right_keypoints_2d":[],
 *  "pose_keypoints_3d":[],"face_keypoints_3d":[],"hand_left_keypoints_3d":[],
 *  "hand_right_keypoints_3d":[]},...]}
 * followed by "part_candidates":[{"0":[x,y,c,...],"1":[...],...}] when p holds candidates.
 * Missing parts are 0,0,0. Ends with a newline. */
char *opc_people_to_openpose_json(const opc_people *p, opc_error *err);

#ifdef __cplusplus
}
#endif
#endif
