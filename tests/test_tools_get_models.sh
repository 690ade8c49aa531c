#!/usr/bin/env bash
# tools/get-models.sh from a local mirror (as CI runs it): the default model (Lightweight
# OpenPose, the mirror's FP16-INT8 IR) is fetched, checksummed (SHA-256) and converted,
# found by openpose-c without --model; mobilenet_v2_small by name; not redone when fresh
# (redone when the converter is newer); PoseNet's model.json and its shard likewise; a
# model the mirror lacks, a precision it lacks, an unknown name and a damaged file are
# refused.
. "$(dirname "$0")/support/lib.sh"
make_tmp
LW=lwopenpose/human-pose-estimation-0001
need_shared models/tf-pose/mobilenet_v2_small/graph_opt.pb images/tf-pose/p2.jpg \
    models/posenet/mobilenet_v1_075/model.json models/$LW/FP16-INT8/human-pose-estimation-0001.xml
SCRIPT=${OPC_SOURCE_DIR:?}/tools/get-models.sh
export OPENPOSE_C_BIN=$BIN OPENPOSE_C_MIRROR=$SHARED/models OPENPOSE_C_MODELS_DIR=$TMP/models
unset OPENPOSE_C_MODEL

bash "$SCRIPT" >"$TMP/log" 2>&1 || fail "get-models.sh failed: $(cat "$TMP/log")"
grep -q "converting the FP16-INT8 IR" "$TMP/log" || fail "lwopenpose: $(cat "$TMP/log")"
[ -s "$TMP/models/lwopenpose.opc" ] || fail "no lwopenpose.opc"
[ ! -e "$TMP/models/mobilenet_v2_small.opc" ] || fail "mobilenet_v2_small made without being asked"
# Without --model: the same people as with lwopenpose.opc named (the two men on the bench;
# at -1x368, 440x368 for this photo, the network also finds a third, partial one: 3 parts).
run 0 "$SHARED/images/tf-pose/p2.jpg" -o -
cp "$TMP/stdout" "$TMP/default.json"
run 0 "$SHARED/images/tf-pose/p2.jpg" -o - --model "$TMP/models/lwopenpose.opc"
cmp -s "$TMP/stdout" "$TMP/default.json" || fail "the default model is not lwopenpose.opc"
[ "$(people "$TMP/stdout")" -ge 2 ] || fail "default model: $(people "$TMP/stdout") people on p2"
"$BIN" info "$TMP/models/lwopenpose.opc" >"$TMP/info" 2>&1
grep -q "^model: *lwopenpose$" "$TMP/info" && grep -q "default net resolution -1x368" "$TMP/info" \
    || fail "lwopenpose.opc: $(cat "$TMP/info")"
bash "$SCRIPT" mobilenet_v2_small >"$TMP/log" 2>&1 || fail "mobilenet_v2_small: $(cat "$TMP/log")"
model=$TMP/models/mobilenet_v2_small.opc
[ -s "$model" ] || fail "no $model"
run 0 "$SHARED/images/tf-pose/p2.jpg" -o - --model mobilenet_v2_small
[ "$(people "$TMP/stdout")" = 2 ] || fail "--model by name: $(people "$TMP/stdout") people on p2"
OPENPOSE_C_LWOPENPOSE_PRECISION=FP32 OPENPOSE_C_MODELS_DIR=$TMP/models3 bash "$SCRIPT" lwopenpose \
    >"$TMP/log" 2>&1
[ $? = 1 ] || fail "FP32 is not in the mirror: should fail"
grep -q "FP32/human-pose-estimation-0001.xml: not in the mirror" "$TMP/log" || fail "FP32: $(cat "$TMP/log")"

# Fresh: newer than the graph and the converter; older than the converter: redone.
touch -d '2001-01-01' "$TMP/models/cache/tf-pose/mobilenet_v2_small/graph_opt.pb"
touch -d '+1 hour' "$model"
stamp=$(stat -c %Y "$model")
bash "$SCRIPT" mobilenet_v2_small >"$TMP/log" 2>&1 || fail "second run failed: $(cat "$TMP/log")"
[ "$(stat -c %Y "$model")" = "$stamp" ] || fail "a fresh model was converted again"
touch -d '2001-01-01 00:00:01' "$model"
bash "$SCRIPT" mobilenet_v2_small >"$TMP/log" 2>&1 || fail "third run failed: $(cat "$TMP/log")"
[ "$(date -r "$model" +%Y)" != 2001 ] || fail "a model older than the converter was kept"

bash "$SCRIPT" coco >"$TMP/log" 2>&1
[ $? = 1 ] || fail "coco without its caffemodel in the mirror should fail"
grep -q "pose_iter_440000.caffemodel: not in the mirror" "$TMP/log" || fail "coco: $(cat "$TMP/log")"
[ ! -e "$TMP/models/coco.opc" ] || fail "coco.opc made without weights"
# PoseNet: model.json and the shard its manifest names, converted, found by name.
bash "$SCRIPT" posenet >"$TMP/log" 2>&1 || fail "posenet failed: $(cat "$TMP/log")"
[ -s "$TMP/models/cache/posenet/mobilenet_v1_075/posenet.bin" ] || fail "posenet: no shard in the cache"
run 0 "$SHARED/images/tf-pose/p2.jpg" -o - --model posenet
[ "$(people "$TMP/stdout")" -ge 1 ] || fail "posenet: nobody on p2"
grep -q '"pose_keypoints_2d":\[\([^,]*,\)\{50\}[^,]*\]' "$TMP/stdout" || fail "posenet: not 17 keypoints"

bash "$SCRIPT" nonsense >"$TMP/log" 2>&1
[ $? = 2 ] || fail "an unknown model name should be a usage error"

mkdir -p "$TMP/bad/tf-pose/mobilenet_v2_small"
head -c 1000 "$SHARED/models/tf-pose/mobilenet_v2_small/graph_opt.pb" \
    >"$TMP/bad/tf-pose/mobilenet_v2_small/graph_opt.pb"
OPENPOSE_C_MIRROR=$TMP/bad OPENPOSE_C_MODELS_DIR=$TMP/models2 bash "$SCRIPT" mobilenet_v2_small \
    >"$TMP/log" 2>&1
[ $? = 1 ] || fail "a damaged mirror file should fail"
grep -q "checksum mismatch" "$TMP/log" || fail "damaged file: $(cat "$TMP/log")"
[ ! -e "$TMP/models2/mobilenet_v2_small.opc" ] || fail "a model was made from a damaged file"
# a damaged IR: its SHA-256 differs
mkdir -p "$TMP/bad/$LW/FP16-INT8"
cp "$SHARED/models/$LW/FP16-INT8/human-pose-estimation-0001.xml" "$TMP/bad/$LW/FP16-INT8/"
head -c 1000000 "$SHARED/models/$LW/FP16-INT8/human-pose-estimation-0001.bin" \
    >"$TMP/bad/$LW/FP16-INT8/human-pose-estimation-0001.bin"
OPENPOSE_C_MIRROR=$TMP/bad OPENPOSE_C_MODELS_DIR=$TMP/models2 bash "$SCRIPT" >"$TMP/log" 2>&1
[ $? = 1 ] || fail "a damaged IR should fail"
grep -q "human-pose-estimation-0001.bin: checksum mismatch" "$TMP/log" || fail "damaged IR: $(cat "$TMP/log")"
[ ! -e "$TMP/models2/lwopenpose.opc" ] || fail "a model was made from a damaged IR"
finish
