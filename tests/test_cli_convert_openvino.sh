#!/usr/bin/env bash
# `openpose-c convert openvino`: help, usage errors (exit 2, one line), the real
# Lightweight OpenPose IR (summary line, the .bin found beside the .xml or given, options
# reaching the model, info's figures: 4099058 parameters as Open Model Zoo's model card
# says, 7.7 GMAC at 456x256 = its 15.4 GFLOPs; the outputs heatmaps and pafs; sides
# multiples of 8), and broken copies of it (exit 1, one line
# naming the file and the reason, nothing written, an existing output left as it was).
. "$(dirname "$0")/support/lib.sh"
LW=models/lwopenpose/human-pose-estimation-0001/FP16-INT8
need_shared $LW/human-pose-estimation-0001.xml
make_tmp
XML=$SHARED/$LW/human-pose-estimation-0001.xml
BINF=$SHARED/$LW/human-pose-estimation-0001.bin

# The last failure named this text and left no output file.
failed_cleanly() {
  grep -qF -- "$1" "$TMP/stderr" || fail "message lacks '$1': $(cat "$TMP/stderr")"
  [ ! -e "$2" ] || fail "a failed conversion wrote $2"
}

# help
expect 0 "$BIN" convert --help
grep -qx "  openvino" "$TMP/stdout" || fail "convert --help does not list openvino"
expect 0 "$BIN" convert openvino --help
for w in "MODEL.xml [MODEL.bin] -o MODEL" --keep-fake-quantize --output-node --topology \
  "(q - zero point) x scale" "preprocessing" GroupConvolution example; do
  grep -qF -- "$w" "$TMP/stdout" || fail "convert openvino --help lacks '$w'"
done

# usage errors
expect 2 "$BIN" convert openvino "$XML"
expect 2 "$BIN" convert openvino -o "$TMP/m.opc"
expect 2 "$BIN" convert openvino "$XML" "$BINF" "$BINF" -o "$TMP/m.opc"
expect 2 "$BIN" convert openvino "$XML" -o "$TMP/m.opc" --input-node data
expect 2 "$BIN" convert tf g.pb -o "$TMP/m.opc" --keep-fake-quantize
grep -q -- "--keep-fake-quantize" "$TMP/stderr" || fail "tf --keep-fake-quantize: $(cat "$TMP/stderr")"

# the real IR: the .bin beside the .xml, then given, then every option
expect 0 "$BIN" convert openvino "$XML" -o "$TMP/lw.opc"
grep -q "^$TMP/lw.opc: lw, paf head (topology coco), keypoints coco18, 65 layers, 4099058 parameters, .* at 368x368$" \
  "$TMP/stdout" || fail "summary: $(cat "$TMP/stdout")"
expect 0 "$BIN" convert openvino "$XML" "$BINF" -o "$TMP/m.opc" --topology coco --name lightweight \
  --net-resolution 656x368
grep -q "^$TMP/m.opc: lightweight, paf head (topology coco), .* at 656x368$" "$TMP/stdout" \
  || fail "options: $(cat "$TMP/stdout")"
mkdir "$TMP/again"
"$BIN" convert openvino "$XML" -o "$TMP/again/lw.opc" >/dev/null
cmp -s "$TMP/lw.opc" "$TMP/again/lw.opc" || fail "two conversions of one IR differ"
expect 0 "$BIN" info "$TMP/lw.opc" --net-resolution 456x256
grep -q "source: *openvino: human-pose-estimation-0001.xml" "$TMP/stdout" || fail "info: source"
grep -qF "input = pixel * (0.00392151, 0.00392151, 0.00392151) + (-0.501953, -0.501953, -0.501953)" \
  "$TMP/stdout" || fail "info: preprocessing: $(grep preprocess "$TMP/stdout")"
grep -q "sides multiples of 8, stride 8" "$TMP/stdout" || fail "info: size rule: $(grep sides "$TMP/stdout")"
grep -q "^outputs: *heatmaps pafs$" "$TMP/stdout" || fail "info: $(grep outputs "$TMP/stdout")"
grep -q "MACs 7.7 G, output 19x32x57" "$TMP/stdout" || fail "info: $(grep MACs "$TMP/stdout")"

# failures: exit 1, one line naming the file, nothing written
expect 1 "$BIN" convert openvino "$TMP/missing.xml" -o "$TMP/x.opc"
failed_cleanly "$TMP/missing.xml" "$TMP/x.opc"
head -c 200000 "$XML" >"$TMP/trunc.xml"
expect 1 "$BIN" convert openvino "$TMP/trunc.xml" "$BINF" -o "$TMP/x.opc"
failed_cleanly "$TMP/trunc.xml:" "$TMP/x.opc"
grep -q "malformed XML" "$TMP/stderr" || fail "truncated XML: $(cat "$TMP/stderr")"
cp "$XML" "$TMP/nobin.xml"
expect 1 "$BIN" convert openvino "$TMP/nobin.xml" -o "$TMP/x.opc"
failed_cleanly "$TMP/nobin.bin: No such file" "$TMP/x.opc"
head -c 4000000 "$BINF" >"$TMP/short.bin"
expect 1 "$BIN" convert openvino "$XML" "$TMP/short.bin" -o "$TMP/x.opc"
failed_cleanly "$TMP/short.bin: layer" "$TMP/x.opc"
grep -q "outside the file (4000000 bytes)" "$TMP/stderr" || fail "short .bin: $(cat "$TMP/stderr")"
sed 's/type="Elu"/type="Selu"/' "$XML" >"$TMP/op.xml"
expect 1 "$BIN" convert openvino "$TMP/op.xml" "$BINF" -o "$TMP/x.opc"
failed_cleanly "unsupported op Selu" "$TMP/x.opc"
sed 's/element_type="i8"/element_type="u4"/' "$XML" >"$TMP/et.xml"
expect 1 "$BIN" convert openvino "$TMP/et.xml" "$BINF" -o "$TMP/x.opc"
failed_cleanly "element type u4" "$TMP/x.opc"
expect 1 "$BIN" convert openvino "$XML" -o "$TMP/x.opc" --topology body25
failed_cleanly "needs 78" "$TMP/x.opc"
expect 1 "$BIN" convert openvino "$XML" -o "$TMP/x.opc" --output-node no/such/layer
failed_cleanly "no layer called no/such/layer" "$TMP/x.opc"
# an existing model is not replaced by a failed conversion
echo keep >"$TMP/keep.opc"
expect 1 "$BIN" convert openvino "$TMP/trunc.xml" "$BINF" -o "$TMP/keep.opc"
[ "$(cat "$TMP/keep.opc")" = keep ] || fail "a failed conversion replaced keep.opc"

finish
