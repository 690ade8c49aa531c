/* openpose-c: multi-person 2D pose estimation (OpenPose's Part Affinity Fields) in C.
 * Include this header for the whole public API. */
#ifndef OPENPOSE_C_OPENPOSE_H
#define OPENPOSE_C_OPENPOSE_H

#include "error.h"
#include "tensor.h"
#include "keypoints.h"
#include "people.h"
#include "model.h"
#include "net.h"
#include "paf.h"
#include "output.h"
#include "convert.h"
#include "image.h"
#include "estimate.h"
#include "coco.h"
#include "eval.h"
#include "files.h"
#include "clock.h"

#endif
