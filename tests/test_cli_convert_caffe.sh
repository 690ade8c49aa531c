#!/usr/bin/env bash
# `openpose-c convert`: help, usage errors (exit 2, one line), conversion failures (exit 1,
# one line naming the file, no output left), options reaching the model file, and the
# random-caffemodel tool (deterministic; legacy dims give the same model).
. "$(dirname "$0")/support/lib.sh"
make_tmp
TOOL=${OPC_BUILD_DIR:?}/tools/make_random_caffemodel

cat >"$TMP/net.prototxt" <<'EOF'
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
sed 's/"Pooling"/"LRN"/' "$TMP/net.prototxt" >"$TMP/lrn.prototxt"
P=$TMP/net.prototxt

# the tool: deterministic per seed, legacy dims convert to the same model
expect 0 "$TOOL" "$P" "$TMP/a.caffemodel" --seed 5
expect 0 "$TOOL" "$P" "$TMP/b.caffemodel" --seed 5
expect 0 "$TOOL" "$P" "$TMP/c.caffemodel" --seed 6
expect 0 "$TOOL" "$P" "$TMP/legacy.caffemodel" --seed 5 --legacy
cmp -s "$TMP/a.caffemodel" "$TMP/b.caffemodel" || fail "same seed, different caffemodels"
cmp -s "$TMP/a.caffemodel" "$TMP/c.caffemodel" && fail "different seeds, same caffemodel"
cmp -s "$TMP/a.caffemodel" "$TMP/legacy.caffemodel" && fail "--legacy changed nothing"
expect 1 "$TOOL" "$TMP/lrn.prototxt" "$TMP/x.caffemodel"
grep -q "lrn.prototxt:7: layer 'pool1': unsupported layer type 'LRN'" "$TMP/stderr" \
  || fail "tool error: $(cat "$TMP/stderr")"
expect 2 "$TOOL" "$P"
M=$TMP/a.caffemodel

# help and usage errors
expect 0 "$BIN" convert --help
grep -q caffe "$TMP/stdout" || fail "convert --help does not list caffe"
expect 0 "$BIN" convert caffe --help
for w in "PROTOTXT CAFFEMODEL -o MODEL" --topology --net-resolution --name example; do
  grep -q -- "$w" "$TMP/stdout" || fail "convert caffe --help lacks '$w'"
done
expect 2 "$BIN" convert
expect 2 "$BIN" convert onnx "$P" -o "$TMP/x.opc"
expect 2 "$BIN" convert caffe "$P" "$M"
grep -q -- "-o MODEL" "$TMP/stderr" || fail "missing -o: $(cat "$TMP/stderr")"
expect 2 "$BIN" convert caffe "$P" -o "$TMP/x.opc"
expect 2 "$BIN" convert caffe "$P" "$M" "$M" -o "$TMP/x.opc"
expect 2 "$BIN" convert caffe "$P" "$M" -o "$TMP/x.opc" --bogus
expect 2 "$BIN" convert caffe "$P" "$M" -o "$TMP/x.opc" --net-resolution 368
expect 2 "$BIN" convert caffe "$P" "$M" -o "$TMP/x.opc" --net-resolution 0x368
expect 2 "$BIN" convert caffe "$P" "$M" -o "$TMP/x.opc" --topology nope
expect 2 "$BIN" convert caffe "$P" "$M" -o
[ -e "$TMP/x.opc" ] && fail "a usage error wrote a file"

# conversion failures: exit 1, the file named, nothing written
expect 1 "$BIN" convert caffe "$TMP/lrn.prototxt" "$M" -o "$TMP/x.opc"
grep -q "lrn.prototxt:7: layer 'pool1': unsupported layer type 'LRN'" "$TMP/stderr" \
  || fail "unknown layer: $(cat "$TMP/stderr")"
expect 1 "$BIN" convert caffe "$P" "$TMP/missing.caffemodel" -o "$TMP/x.opc"
grep -q "missing.caffemodel" "$TMP/stderr" || fail "missing file: $(cat "$TMP/stderr")"
expect 1 "$BIN" convert caffe "$P" "$M" -o "$TMP/x.opc" --topology coco
grep -q "needs 57" "$TMP/stderr" || fail "topology mismatch: $(cat "$TMP/stderr")"
expect 1 "$BIN" convert caffe "$P" "$M" -o "$TMP/no/such/dir/x.opc"
[ -e "$TMP/x.opc" ] && fail "a failed conversion wrote a file"

# success: options reach the file; legacy dims give the identical model
expect 0 "$BIN" convert caffe "$P" "$M" -o "$TMP/tiny.opc" --topology mpi4 --name tiny-net \
  --net-resolution 656x368
grep -q "paf head (topology mpi4), keypoints mpi15" "$TMP/stdout" || fail "summary: $(cat "$TMP/stdout")"
head -c 8192 "$TMP/tiny.opc" | grep -aq '"net_resolution":\[656,368\]' || fail "net resolution not stored"
head -c 8192 "$TMP/tiny.opc" | grep -aq '"name":"tiny-net"' || fail "name not stored"
expect 0 "$BIN" convert caffe "$P" "$M" -o "$TMP/a.opc"
grep -q "topology mpi), keypoints mpi15, 3 layers" "$TMP/stdout" || fail "inferred: $(cat "$TMP/stdout")"
expect 0 "$BIN" convert caffe "$P" "$TMP/legacy.caffemodel" -o "$TMP/a2.opc" --name a
expect 0 "$BIN" convert caffe "$P" "$M" -o "$TMP/a3.opc" --name a
cmp -s "$TMP/a2.opc" "$TMP/a3.opc" || fail "legacy dims give a different model"

finish
