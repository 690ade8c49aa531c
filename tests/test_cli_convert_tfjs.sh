#!/usr/bin/env bash
# `openpose-c convert tfjs` and PoseNet models in the image command: help, usage errors
# (exit 2, one line), the shared PoseNet file (summary line, info, --net-resolution snapped
# as the package does), forward (four outputs: the first written), failures (exit 1, one
# line naming the file, nothing written), and
# the people of a photo in every output format with the decoder options (the package's
# counts: testdata/posenet/real/apink2_257x257.json), another family's options refused.
. "$(dirname "$0")/support/lib.sh"
need_shared models/posenet/mobilenet_v1_075/model.json images/tf-pose/apink2.jpg
make_tmp
JSON=$SHARED/models/posenet/mobilenet_v1_075/model.json
IMG=$SHARED/images/tf-pose/apink2.jpg

failed_cleanly() {
  grep -qF -- "$1" "$TMP/stderr" || fail "message lacks '$1': $(cat "$TMP/stderr")"
  [ ! -e "$2" ] || fail "a failed conversion wrote $2"
}

# help and usage errors
expect 0 "$BIN" convert --help
grep -qx "  tfjs" "$TMP/stdout" || fail "convert --help does not list tfjs"
expect 0 "$BIN" convert tfjs --help
for w in "MODEL.json -o MODEL" --net-resolution "x / 127.5 - 1" letterbox "256 -> 257"; do
  grep -qF -- "$w" "$TMP/stdout" || fail "convert tfjs --help lacks '$w'"
done
expect 2 "$BIN" convert tfjs "$JSON"
expect 2 "$BIN" convert tfjs "$JSON" -o "$TMP/m.opc" --topology coco
grep -q -- "--topology is for OpenPose networks" "$TMP/stderr" || fail "--topology: $(cat "$TMP/stderr")"
expect 2 "$BIN" convert tfjs "$JSON" -o "$TMP/m.opc" --output-node x

# the real model
expect 0 "$BIN" convert tfjs "$JSON" -o "$TMP/posenet.opc"
grep -q "^$TMP/posenet.opc: posenet, posenet head, keypoints coco17, 31 layers, 1258195 parameters, 0.50 GMAC at 257x257$" \
  "$TMP/stdout" || fail "summary: $(cat "$TMP/stdout")"
expect 0 "$BIN" info "$TMP/posenet.opc"
for w in "outputs:      heatmaps offsets displacement_fwd displacement_bwd" "head:         posenet" \
  "placement letterbox, sides 1 + multiples of 16, stride 16, default net resolution 257x257" \
  "source:       tensorflow.js: model.json"; do
  grep -qF -- "$w" "$TMP/stdout" || fail "info lacks '$w': $(cat "$TMP/stdout")"
done
expect 0 "$BIN" convert tfjs "$JSON" -o "$TMP/p513.opc" --net-resolution 512x500 --name pn
grep -q "^$TMP/p513.opc: pn, .* at 513x497$" "$TMP/stdout" || fail "snapped size: $(cat "$TMP/stdout")"

# forward on a four-output model: the first output (heatmaps), repeated
IN=$SHARED/testdata/posenet/real/apink2_257x257_input.npy
if [ -f "$IN" ]; then
  expect 0 "$BIN" forward "$TMP/posenet.opc" "$IN" -o "$TMP/heat.npy" --repeat 3
  [ "$(head -c 128 "$TMP/heat.npy" | grep -ao "'shape': ([0-9, ]*)")" = "'shape': (1, 17, 17, 17)" ] ||
    fail "forward output: $(head -c 128 "$TMP/heat.npy")"
fi

# failures
expect 1 "$BIN" convert tfjs "$TMP/missing.json" -o "$TMP/x.opc"
failed_cleanly "$TMP/missing.json" "$TMP/x.opc"
mkdir -p "$TMP/short"
cp "$JSON" "$TMP/short/model.json"
head -c 5000000 "$SHARED/models/posenet/mobilenet_v1_075/posenet.bin" >"$TMP/short/posenet.bin"
expect 1 "$BIN" convert tfjs "$TMP/short/model.json" -o "$TMP/x.opc"
failed_cleanly "$TMP/short/model.json: weightsManifest group 0: its 1 shard file holds 5000000 bytes, its weights take 5032780" "$TMP/x.opc"
rm "$TMP/short/posenet.bin"
expect 1 "$BIN" convert tfjs "$TMP/short/model.json" -o "$TMP/x.opc"
failed_cleanly "$TMP/short/posenet.bin: No such file" "$TMP/x.opc"
echo '{"format": "layers-model"}' >"$TMP/short/model.json"
expect 1 "$BIN" convert tfjs "$TMP/short/model.json" -o "$TMP/x.opc"
failed_cleanly "only TensorFlow.js graph models" "$TMP/x.opc"

# people: the package finds 5 (defaults), 1 (single) and 10 (loose) at 257x257
count() { grep -o '"person_id"' "$TMP/stdout" | wc -l; }
M=$TMP/posenet.opc
run 0 "$IMG" --model "$M" -o -
[ "$(count)" = 5 ] || fail "default: $(count) people, expected 5"
grep -q '"pose_keypoints_2d":\[\([^,]*,\)\{50\}[^,]*\]' "$TMP/stdout" || fail "openpose JSON: not 17 x 3 numbers"
run 0 "$IMG" --model "$M" -o - --pose-decoder single
[ "$(count)" = 1 ] || fail "single: $(count) people"
run 0 "$IMG" --model "$M" -o - --number-people-max 10 --score-threshold 0.15 --nms-radius 30
[ "$(count)" = 10 ] || fail "loose: $(count) people, expected 10"
run 0 "$IMG" --model "$M" --format coco -o "$TMP/coco.json"
[ "$(grep -o '"keypoints":\[' "$TMP/coco.json" | wc -l)" = 5 ] || fail "coco: $(cat "$TMP/coco.json")"
run 0 "$IMG" --model "$M" --format jsonl --render "$TMP/r.png"
[ "$(count)" = 5 ] && [ -s "$TMP/r.png" ] || fail "jsonl / render"

expect 2 "$BIN" "$IMG" --model "$M" -o - --pose-decoder both
expect 2 "$BIN" "$IMG" --model "$M" -o - --nms-radius 0
expect 2 "$BIN" "$IMG" --model "$M" -o - --score-threshold 1.5
expect 2 "$BIN" "$IMG" --model "$M" -o - --nms-threshold 0.1
grep -q -- "--nms-threshold does not apply to a model with a posenet head" "$TMP/stderr" ||
  fail "PAF option on PoseNet: $(cat "$TMP/stderr")"
expect 2 "$BIN" "$IMG" --model "$(tfpose_model)" -o - --nms-radius 10
grep -q -- "--nms-radius does not apply to a model with a paf head" "$TMP/stderr" ||
  fail "PoseNet option on a PAF model: $(cat "$TMP/stderr")"
finish
