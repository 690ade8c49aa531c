#!/usr/bin/env bash
# openpose-c parse: rendered maps (tools/gt_maps) parsed back from the command line, the
# options, and bad input: one-line errors naming the file, exit 2 for usage, 1 for failure,
# never a partial output file.
. "$(dirname "$0")/support/lib.sh"
make_tmp
GT=${OPC_BUILD_DIR:?}/tools/gt_maps

[ -x "$GT" ] || { echo "FAIL: $GT not built" >&2; exit 1; }
"$GT" "$TMP/one.npy" --people 1 --seed 3 >"$TMP/one.txt" || fail "gt_maps one"
"$GT" "$TMP/three.npy" --people 3 --seed 5 >"$TMP/three.txt" || fail "gt_maps three"
"$GT" "$TMP/none.npy" --people 0 >/dev/null || fail "gt_maps none"
"$GT" "$TMP/b25.npy" --people 1 --topology body25 >/dev/null || fail "gt_maps body25"
P="--topology coco --net-size 656x368"

# Help and usage errors: no input, output or topology; two topologies (--model and
# --topology); bad topology, sizes, numbers, options and assembly; two inputs; a net size
# whose maps would not be these maps' size (82x46 for 656x368).
expect 0 "$BIN" parse --help
grep -q "usage: openpose-c parse" "$TMP/stdout" || fail "help text"
expect 2 "$BIN" parse
expect 2 "$BIN" parse "$TMP/one.npy" $P
expect 2 "$BIN" parse "$TMP/one.npy" --net-size 656x368 -o -
expect 2 "$BIN" parse "$TMP/one.npy" $P --model x.opc -o -
expect 2 "$BIN" parse "$TMP/one.npy" --topology cocoa --net-size 656x368 -o -
expect 2 "$BIN" parse "$TMP/one.npy" --topology coco --net-size 656by368 -o -
expect 2 "$BIN" parse "$TMP/one.npy" --topology coco --net-size 0x368 -o -
expect 2 "$BIN" parse "$TMP/one.npy" $P --nms-threshold abc -o -
expect 2 "$BIN" parse "$TMP/one.npy" $P --min-score nan -o -
expect 2 "$BIN" parse "$TMP/one.npy" $P --paf-min-above 1.5 -o -
expect 2 "$BIN" parse "$TMP/one.npy" $P --frobnicate 1 -o -
expect 2 "$BIN" parse "$TMP/one.npy" $P -o
expect 2 "$BIN" parse "$TMP/one.npy" $P --assembly greedy -o -
expect 2 "$BIN" parse "$TMP/one.npy" "$TMP/one.npy" $P -o -
expect 2 "$BIN" parse "$TMP/one.npy" --topology coco --net-size 400x368 -o -
grep -q "one.npy: maps of 82x46 come from a 656x368 net input" "$TMP/stderr" ||
    fail "net size mismatch: $(cat "$TMP/stderr")"
expect 2 "$BIN" parse "$TMP/one.npy" --topology coco --net-size 656x360 -o -
expect 2 "$BIN" parse "$TMP/one.npy" $P --min-parts 99 -o -
grep -q "expected 0 to 80" "$TMP/stderr" || fail "range not stated: $(cat "$TMP/stderr")"

# Failures: the file named, exit 1, no output file left behind.
expect 1 "$BIN" parse "$TMP/nope.npy" $P -o "$TMP/x.json"
grep -q "nope.npy" "$TMP/stderr" || fail "missing maps: file not named"
printf 'garbage, not a numpy file at all' >"$TMP/bad.npy"
expect 1 "$BIN" parse "$TMP/bad.npy" $P -o "$TMP/x.json"
grep -q "bad.npy" "$TMP/stderr" || fail "corrupt maps: file not named"
expect 1 "$BIN" parse "$TMP/b25.npy" $P -o "$TMP/x.json"
grep -q "b25.npy.*coco" "$TMP/stderr" || fail "wrong topology: $(cat "$TMP/stderr")"
expect 1 "$BIN" parse "$TMP/one.npy" --model "$TMP/nope.opc" --net-size 656x368 -o -
expect 1 "$BIN" parse "$TMP/one.npy" $P -o "$TMP/no/such/dir/x.json"
[ ! -e "$TMP/x.json" ] || fail "an output file was left behind by a failure"
ls "$TMP" | grep -q "x.json" && fail "a temporary output file was left behind"

# One person: parsed back within 1.5 px of where it was drawn, to a file.
expect 0 "$BIN" parse "$TMP/one.npy" $P -o "$TMP/one.json"
[ -s "$TMP/one.json" ] || fail "no output file"
grep -q '^{"version":1.3,"people":\[{"person_id":\[-1\],"pose_keypoints_2d":\[' "$TMP/one.json" ||
    fail "not OpenPose JSON: $(head -c 200 "$TMP/one.json")"
[ "$(grep -o '"person_id"' "$TMP/one.json" | wc -l)" -eq 1 ] || fail "one person: count"
# compare JSON DRAWN SCALE: every drawn keypoint (net pixels) against the JSON's first
# person, mapped to the image as OpenPose does: (x - 0.5) * scale + 0.5 (see to_image).
compare() {
    sed 's/.*"pose_keypoints_2d":\[\([^]]*\)\].*/\1/' "$1" | tr ',' ' ' >"$TMP/found"
    awk -v s="$3" 'NR == 1 { n = split($0, d, " ") }
        NR == 2 { split($0, f, " ")
            for (i = 1; i <= n; i += 3) {
                ex = (d[i] - 0.5) * s + 0.5; ey = (d[i + 1] - 0.5) * s + 0.5
                e = sqrt((f[i] - ex) ^ 2 + (f[i + 1] - ey) ^ 2)
                if (e > 1.5 * s) { print "keypoint " (i + 2) / 3 " off by " e; bad = 1 }
            }
            exit bad }' "$2" "$TMP/found" ||
        fail "keypoints of $1 differ from the drawing"
}
compare "$TMP/one.json" <(head -1 "$TMP/one.txt"; true) 1
# The net size defaults to the maps' size times 8: the same document.
expect 0 "$BIN" parse "$TMP/one.npy" --topology coco -o -
cmp -s "$TMP/stdout" "$TMP/one.json" || fail "default net size: another document"

# to_image W H NW NH: OpenPose's net-to-image scale (shared/reference/openpose-facts.md,
# "Network input") for a W x H image in a NW x NH net input: s_in = min((NW-1)/(W-1),
# (NH-1)/(H-1)), the image takes w x h = round(s_in W) x round(s_in H) of the input, and
# s = min((W-1)/(w-1), (H-1)/(h-1)).
to_image() {
    awk -v W="$1" -v H="$2" -v NW="$3" -v NH="$4" 'function min(a, b) { return a < b ? a : b }
        BEGIN { s = min((NW - 1) / (W - 1), (NH - 1) / (H - 1))
                w = int(s * W + 0.5); h = int(s * H + 0.5)
                print min((W - 1) / (w - 1), (H - 1) / (h - 1)) }'
}

# Standard output, the image size and its scale.
expect 0 "$BIN" parse "$TMP/one.npy" $P --image-size 1280x720 -o -
cp "$TMP/stdout" "$TMP/scaled.json"
compare "$TMP/scaled.json" <(head -1 "$TMP/one.txt"; true) "$(to_image 1280 720 656 368)"
expect 0 "$BIN" parse "$TMP/one.npy" $P --image-size 640x1000 -o -
cp "$TMP/stdout" "$TMP/tall.json"
compare "$TMP/tall.json" <(head -1 "$TMP/one.txt"; true) "$(to_image 640 1000 656 368)"

# Options: candidates, people max, assembly, min parts, maximize positives.
expect 0 "$BIN" parse "$TMP/three.npy" $P -o -
[ "$(grep -o '"person_id"' "$TMP/stdout" | wc -l)" -eq 3 ] || fail "three people: count"
grep -q part_candidates "$TMP/stdout" && fail "part_candidates without --part-candidates"
expect 0 "$BIN" parse "$TMP/three.npy" $P --part-candidates -o -
grep -q '"part_candidates":\[{"0":\[' "$TMP/stdout" || fail "no part_candidates"
expect 0 "$BIN" parse "$TMP/three.npy" $P --number-people-max 1 -o -
[ "$(grep -o '"person_id"' "$TMP/stdout" | wc -l)" -eq 1 ] || fail "people max: count"
expect 0 "$BIN" parse "$TMP/three.npy" $P --assembly sequential -o -
[ "$(grep -o '"person_id"' "$TMP/stdout" | wc -l)" -eq 3 ] || fail "sequential: count"
expect 0 "$BIN" parse "$TMP/three.npy" $P --min-parts 19 -o -
grep -q '"people":\[\]' "$TMP/stdout" || fail "min parts 19 kept someone"
expect 0 "$BIN" parse "$TMP/three.npy" $P --nms-threshold 2 -o -
grep -q '"people":\[\]' "$TMP/stdout" || fail "NMS threshold 2 found someone"
expect 0 "$BIN" parse "$TMP/three.npy" $P --maximize-positives -o -
[ "$(grep -o '"person_id"' "$TMP/stdout" | wc -l)" -eq 3 ] || fail "maximize positives: count"
expect 0 "$BIN" parse "$TMP/none.npy" $P -o -
[ "$(cat "$TMP/stdout")" = '{"version":1.3,"people":[]}' ] || fail "nobody: $(cat "$TMP/stdout")"

finish
