#!/usr/bin/env bash
# `openpose-c convert`: help, usage errors (exit 2, one line), conversion failures (exit 1,
# one line naming the file, no output left), options reaching the model file, and the
# random-caffemodel tool (deterministic; legacy dims give the same model).
set -u
BIN=${OPC_BIN:?}
TOOL=${OPC_BUILD_DIR:?}/tools/make_random_caffemodel
mkdir -p "$OPC_BUILD_DIR/test-tmp"
T=$(mktemp -d "$OPC_BUILD_DIR/test-tmp/convert_cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
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

cat >"$T/net.prototxt" <<'EOF'
name: "tiny"
input: "image"
input_dim: 1 input_dim: 3 input_dim: 16 input_dim: 16
layer { name: "conv1" type: "Convolution" bottom: "image" top: "conv1"
  convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"
  pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "out" type: "Convolution" bottom: "pool1" top: "net_output"
  convolution_param { num_output: 44 kernel_size: 1 } }
EOF
sed 's/"Pooling"/"LRN"/' "$T/net.prototxt" >"$T/lrn.prototxt"
P=$T/net.prototxt

# the tool: deterministic per seed, legacy dims convert to the same model
expect 0 "$TOOL" "$P" "$T/a.caffemodel" --seed 5
expect 0 "$TOOL" "$P" "$T/b.caffemodel" --seed 5
expect 0 "$TOOL" "$P" "$T/c.caffemodel" --seed 6
expect 0 "$TOOL" "$P" "$T/legacy.caffemodel" --seed 5 --legacy
cmp -s "$T/a.caffemodel" "$T/b.caffemodel" || bad "same seed, different caffemodels"
cmp -s "$T/a.caffemodel" "$T/c.caffemodel" && bad "different seeds, same caffemodel"
cmp -s "$T/a.caffemodel" "$T/legacy.caffemodel" && bad "--legacy changed nothing"
expect 1 "$TOOL" "$T/lrn.prototxt" "$T/x.caffemodel"
grep -q "lrn.prototxt:7: layer 'pool1': unsupported layer type 'LRN'" "$T/stderr" \
  || bad "tool error: $(cat "$T/stderr")"
expect 2 "$TOOL" "$P"
M=$T/a.caffemodel

# help and usage errors
expect 0 "$BIN" convert --help
grep -q caffe "$T/stdout" || bad "convert --help does not list caffe"
expect 0 "$BIN" convert caffe --help
for w in "PROTOTXT CAFFEMODEL -o MODEL" --topology --net-resolution --name example; do
  grep -q -- "$w" "$T/stdout" || bad "convert caffe --help lacks '$w'"
done
expect 2 "$BIN" convert
expect 2 "$BIN" convert onnx "$P" -o "$T/x.opc"
expect 2 "$BIN" convert caffe "$P" "$M"
grep -q -- "-o MODEL" "$T/stderr" || bad "missing -o: $(cat "$T/stderr")"
expect 2 "$BIN" convert caffe "$P" -o "$T/x.opc"
expect 2 "$BIN" convert caffe "$P" "$M" "$M" -o "$T/x.opc"
expect 2 "$BIN" convert caffe "$P" "$M" -o "$T/x.opc" --bogus
expect 2 "$BIN" convert caffe "$P" "$M" -o "$T/x.opc" --net-resolution 368
expect 2 "$BIN" convert caffe "$P" "$M" -o "$T/x.opc" --net-resolution 0x368
expect 2 "$BIN" convert caffe "$P" "$M" -o "$T/x.opc" --topology nope
expect 2 "$BIN" convert caffe "$P" "$M" -o
[ -e "$T/x.opc" ] && bad "a usage error wrote a file"

# conversion failures: exit 1, the file named, nothing written
expect 1 "$BIN" convert caffe "$T/lrn.prototxt" "$M" -o "$T/x.opc"
grep -q "lrn.prototxt:7: layer 'pool1': unsupported layer type 'LRN'" "$T/stderr" \
  || bad "unknown layer: $(cat "$T/stderr")"
expect 1 "$BIN" convert caffe "$P" "$T/missing.caffemodel" -o "$T/x.opc"
grep -q "missing.caffemodel" "$T/stderr" || bad "missing file: $(cat "$T/stderr")"
expect 1 "$BIN" convert caffe "$P" "$M" -o "$T/x.opc" --topology coco
grep -q "needs 57" "$T/stderr" || bad "topology mismatch: $(cat "$T/stderr")"
expect 1 "$BIN" convert caffe "$P" "$M" -o "$T/no/such/dir/x.opc"
[ -e "$T/x.opc" ] && bad "a failed conversion wrote a file"

# success: options reach the file; legacy dims give the identical model
expect 0 "$BIN" convert caffe "$P" "$M" -o "$T/tiny.opc" --topology mpi4 --name tiny-net \
  --net-resolution 656x368
grep -q "topology mpi4" "$T/stdout" || bad "summary: $(cat "$T/stdout")"
head -c 8192 "$T/tiny.opc" | grep -aq '"net_resolution":\[656,368\]' || bad "net resolution not stored"
head -c 8192 "$T/tiny.opc" | grep -aq '"name":"tiny-net"' || bad "name not stored"
expect 0 "$BIN" convert caffe "$P" "$M" -o "$T/a.opc"
grep -q "topology mpi, 3 layers" "$T/stdout" || bad "inferred: $(cat "$T/stdout")"
expect 0 "$BIN" convert caffe "$P" "$T/legacy.caffemodel" -o "$T/a2.opc" --name a
expect 0 "$BIN" convert caffe "$P" "$M" -o "$T/a3.opc" --name a
cmp -s "$T/a2.opc" "$T/a3.opc" || bad "legacy dims give a different model"

exit $fail
