#!/usr/bin/env bash
# `openpose-c convert tf`: help, usage errors (exit 2, one line), the real tf-pose graph
# (summary line, options reaching the model), and failures (exit 1, one line naming the
# file, no output written, an existing output left as it was).
. "$(dirname "$0")/support/lib.sh"
need_shared models/tf-pose/mobilenet_v2_small/graph_opt.pb
make_tmp
PB=$SHARED/models/tf-pose/mobilenet_v2_small/graph_opt.pb

# The last failure named this text and left no output file.
failed_cleanly() {
  grep -qF -- "$1" "$TMP/stderr" || fail "message lacks '$1': $(cat "$TMP/stderr")"
  [ ! -e "$2" ] || fail "a failed conversion wrote $2"
}

# help
expect 0 "$BIN" convert --help
grep -qx "  tf" "$TMP/stdout" || fail "convert --help does not list tf"
expect 0 "$BIN" convert tf --help
for w in "GRAPH.pb -o MODEL" --input-node --output-node --topology --net-resolution \
  "FusedBatchNorm follows TensorFlow" "own mean" example; do
  grep -q -- "$w" "$TMP/stdout" || fail "convert tf --help lacks '$w'"
done

# usage errors
expect 2 "$BIN" convert tf "$PB"
expect 2 "$BIN" convert tf -o "$TMP/m.opc"
expect 2 "$BIN" convert tf "$PB" -o "$TMP/m.opc" --output-node
expect 2 "$BIN" convert tf "$PB" "$PB" -o "$TMP/m.opc"
expect 2 "$BIN" convert caffe a.prototxt b.caffemodel -o "$TMP/m.opc" --input-node image
grep -q -- "--input-node" "$TMP/stderr" || fail "caffe --input-node: $(cat "$TMP/stderr")"

# the real graph, defaults, then every option
expect 0 "$BIN" convert tf "$PB" -o "$TMP/tfpose.opc"
grep -q "^$TMP/tfpose.opc: tfpose, paf head (topology coco), keypoints coco18, 190 layers, 471552 parameters, .* at 368x368$" \
  "$TMP/stdout" || fail "summary: $(cat "$TMP/stdout")"
expect 0 "$BIN" convert tf "$PB" -o "$TMP/m.opc" --topology coco --name mnv2 \
  --net-resolution 432x368 --input-node image --output-node Openpose/concat_stage7
grep -q "^$TMP/m.opc: mnv2, paf head (topology coco), keypoints coco18, 190 layers, .* at 432x368$" "$TMP/stdout" \
  || fail "options: $(cat "$TMP/stdout")"

# failures: exit 1, one line naming the file, nothing written
expect 1 "$BIN" convert tf "$TMP/missing.pb" -o "$TMP/x.opc"
failed_cleanly "$TMP/missing.pb" "$TMP/x.opc"
head -c 100000 "$PB" >"$TMP/trunc.pb"
expect 1 "$BIN" convert tf "$TMP/trunc.pb" -o "$TMP/x.opc"
failed_cleanly "$TMP/trunc.pb: malformed protobuf" "$TMP/x.opc"
echo "not a graph" >"$TMP/text.pb"
expect 1 "$BIN" convert tf "$TMP/text.pb" -o "$TMP/x.opc"
failed_cleanly "$TMP/text.pb: not a GraphDef" "$TMP/x.opc"
: >"$TMP/empty.pb"
expect 1 "$BIN" convert tf "$TMP/empty.pb" -o "$TMP/x.opc"
failed_cleanly "$TMP/empty.pb: no nodes" "$TMP/x.opc"
expect 1 "$BIN" convert tf "$PB" -o "$TMP/x.opc" --output-node no/such/node
failed_cleanly "$PB: no node called no/such/node" "$TMP/x.opc"
expect 1 "$BIN" convert tf "$PB" -o "$TMP/x.opc" --output-node feat_concat
failed_cleanly "64 channels" "$TMP/x.opc"
expect 1 "$BIN" convert tf "$PB" -o "$TMP/x.opc" --topology body25
failed_cleanly "needs 78" "$TMP/x.opc"
# an existing model is not replaced by a failed conversion
echo keep >"$TMP/keep.opc"
expect 1 "$BIN" convert tf "$TMP/trunc.pb" -o "$TMP/keep.opc"
[ "$(cat "$TMP/keep.opc")" = keep ] || fail "a failed conversion replaced keep.opc"
# a missing or unwritable output directory (root may write anywhere)
expect 1 "$BIN" convert tf "$PB" -o "$TMP/nodir/m.opc"
failed_cleanly "$TMP/nodir/m.opc" "$TMP/nodir/m.opc"
mkdir "$TMP/ro" && chmod a-w "$TMP/ro"
if [ ! -w "$TMP/ro" ]; then
  expect 1 "$BIN" convert tf "$PB" -o "$TMP/ro/m.opc"
  failed_cleanly "$TMP/ro/m.opc" "$TMP/ro/m.opc"
fi

finish
