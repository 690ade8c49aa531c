#!/usr/bin/env bash
# openpose-c parse: rendered maps (tools/gt_maps) parsed back from the command line, the
# options, and bad input: one-line errors naming the file, exit 2 for usage, 1 for failure,
# never a partial output file.
set -u
BIN=${OPC_BIN:?}
GT=${OPC_BUILD_DIR:?}/tools/gt_maps
DIR=$(mktemp -d "${TMPDIR:-/tmp}/test_parse_cli.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect CODE DESCRIPTION -- COMMAND...: exit status CODE; on failure (CODE != 0) exactly one
# line on stderr.
expect() {
    local code=$1 what=$2
    shift 3
    "$@" >"$DIR/out" 2>"$DIR/err"
    local rc=$?
    [ "$rc" -eq "$code" ] || fail "$what: exit $rc, want $code ($(head -c 300 "$DIR/err"))"
    if [ "$code" -ne 0 ] && [ "$(wc -l <"$DIR/err")" -ne 1 ]; then
        fail "$what: stderr is not one line: $(cat "$DIR/err")"
    fi
}

[ -x "$GT" ] || { echo "FAIL: $GT not built" >&2; exit 1; }
"$GT" "$DIR/one.npy" --people 1 --seed 3 >"$DIR/one.txt" || fail "gt_maps one"
"$GT" "$DIR/three.npy" --people 3 --seed 5 >"$DIR/three.txt" || fail "gt_maps three"
"$GT" "$DIR/none.npy" --people 0 >/dev/null || fail "gt_maps none"
"$GT" "$DIR/b25.npy" --people 1 --topology body25 >/dev/null || fail "gt_maps body25"
P="--topology coco --net-size 656x368"

# Help and usage errors.
expect 0 "help" -- "$BIN" parse --help
grep -q "usage: openpose-c parse" "$DIR/out" || fail "help text"
expect 2 "no arguments" -- "$BIN" parse
expect 2 "no net size" -- "$BIN" parse "$DIR/one.npy" --topology coco -o -
expect 2 "no output" -- "$BIN" parse "$DIR/one.npy" $P
expect 2 "no topology" -- "$BIN" parse "$DIR/one.npy" --net-size 656x368 -o -
expect 2 "two topologies" -- "$BIN" parse "$DIR/one.npy" $P --model x.opc -o -
expect 2 "unknown topology" -- "$BIN" parse "$DIR/one.npy" --topology cocoa --net-size 656x368 -o -
expect 2 "bad size" -- "$BIN" parse "$DIR/one.npy" --topology coco --net-size 656by368 -o -
expect 2 "zero size" -- "$BIN" parse "$DIR/one.npy" --topology coco --net-size 0x368 -o -
expect 2 "bad number" -- "$BIN" parse "$DIR/one.npy" $P --nms-threshold abc -o -
expect 2 "NaN number" -- "$BIN" parse "$DIR/one.npy" $P --min-score nan -o -
expect 2 "share above 1" -- "$BIN" parse "$DIR/one.npy" $P --paf-min-above 1.5 -o -
expect 2 "unknown option" -- "$BIN" parse "$DIR/one.npy" $P --frobnicate 1 -o -
expect 2 "missing value" -- "$BIN" parse "$DIR/one.npy" $P -o
expect 2 "bad assembly" -- "$BIN" parse "$DIR/one.npy" $P --assembly greedy -o -
expect 2 "two inputs" -- "$BIN" parse "$DIR/one.npy" "$DIR/one.npy" $P -o -

# Failures: the file named, exit 1, no output file left behind.
expect 1 "missing maps" -- "$BIN" parse "$DIR/nope.npy" $P -o "$DIR/x.json"
grep -q "nope.npy" "$DIR/err" || fail "missing maps: file not named"
printf 'garbage, not a numpy file at all' >"$DIR/bad.npy"
expect 1 "corrupt maps" -- "$BIN" parse "$DIR/bad.npy" $P -o "$DIR/x.json"
grep -q "bad.npy" "$DIR/err" || fail "corrupt maps: file not named"
expect 1 "wrong topology" -- "$BIN" parse "$DIR/b25.npy" $P -o "$DIR/x.json"
grep -q "b25.npy.*coco" "$DIR/err" || fail "wrong topology: $(cat "$DIR/err")"
expect 1 "missing model" -- "$BIN" parse "$DIR/one.npy" --model "$DIR/nope.opc" --net-size 656x368 -o -
expect 1 "unwritable output" -- "$BIN" parse "$DIR/one.npy" $P -o "$DIR/no/such/dir/x.json"
[ ! -e "$DIR/x.json" ] || fail "an output file was left behind by a failure"
ls "$DIR" | grep -q "x.json" && fail "a temporary output file was left behind"

# One person: parsed back within 1.5 px of where it was drawn, to a file.
expect 0 "one person" -- "$BIN" parse "$DIR/one.npy" $P -o "$DIR/one.json"
[ -s "$DIR/one.json" ] || fail "no output file"
grep -q '^{"version":1.3,"people":\[{"person_id":\[-1\],"pose_keypoints_2d":\[' "$DIR/one.json" ||
    fail "not OpenPose JSON: $(head -c 200 "$DIR/one.json")"
[ "$(grep -o '"person_id"' "$DIR/one.json" | wc -l)" -eq 1 ] || fail "one person: count"
# compare JSON DRAWN SCALE: every drawn keypoint (net pixels) against the JSON's first
# person, mapped to the image as OpenPose does: (x - 0.5) * scale + 0.5.
compare() {
    sed 's/.*"pose_keypoints_2d":\[\([^]]*\)\].*/\1/' "$1" | tr ',' ' ' >"$DIR/found"
    awk -v s="$3" 'NR == 1 { n = split($0, d, " ") }
        NR == 2 { split($0, f, " ")
            for (i = 1; i <= n; i += 3) {
                ex = (d[i] - 0.5) * s + 0.5; ey = (d[i + 1] - 0.5) * s + 0.5
                e = sqrt((f[i] - ex) ^ 2 + (f[i + 1] - ey) ^ 2)
                if (e > 1.5 * s) { print "keypoint " (i + 2) / 3 " off by " e; bad = 1 }
            }
            exit bad }' "$2" "$DIR/found" ||
        fail "keypoints of $1 differ from the drawing"
}
compare "$DIR/one.json" <(head -1 "$DIR/one.txt"; true) 1

# Standard output, the image size and its scale.
expect 0 "image size" -- "$BIN" parse "$DIR/one.npy" $P --image-size 1280x720 -o -
cp "$DIR/out" "$DIR/scaled.json"
compare "$DIR/scaled.json" <(head -1 "$DIR/one.txt"; true) "$(awk 'BEGIN { print 1279 / 655 }')"

# Options: candidates, people max, assembly, min parts, maximize positives.
expect 0 "three people" -- "$BIN" parse "$DIR/three.npy" $P -o -
[ "$(grep -o '"person_id"' "$DIR/out" | wc -l)" -eq 3 ] || fail "three people: count"
grep -q part_candidates "$DIR/out" && fail "part_candidates without --part-candidates"
expect 0 "candidates" -- "$BIN" parse "$DIR/three.npy" $P --part-candidates -o -
grep -q '"part_candidates":\[{"0":\[' "$DIR/out" || fail "no part_candidates"
expect 0 "people max" -- "$BIN" parse "$DIR/three.npy" $P --number-people-max 1 -o -
[ "$(grep -o '"person_id"' "$DIR/out" | wc -l)" -eq 1 ] || fail "people max: count"
expect 0 "sequential" -- "$BIN" parse "$DIR/three.npy" $P --assembly sequential -o -
[ "$(grep -o '"person_id"' "$DIR/out" | wc -l)" -eq 3 ] || fail "sequential: count"
expect 0 "min parts 19" -- "$BIN" parse "$DIR/three.npy" $P --min-parts 19 -o -
grep -q '"people":\[\]' "$DIR/out" || fail "min parts 19 kept someone"
expect 0 "nms threshold 2" -- "$BIN" parse "$DIR/three.npy" $P --nms-threshold 2 -o -
grep -q '"people":\[\]' "$DIR/out" || fail "NMS threshold 2 found someone"
expect 0 "maximize positives" -- "$BIN" parse "$DIR/three.npy" $P --maximize-positives -o -
[ "$(grep -o '"person_id"' "$DIR/out" | wc -l)" -eq 3 ] || fail "maximize positives: count"
expect 0 "nobody" -- "$BIN" parse "$DIR/none.npy" $P -o -
[ "$(cat "$DIR/out")" = '{"version":1.3,"people":[]}' ] || fail "nobody: $(cat "$DIR/out")"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "parse CLI: all checks passed"
