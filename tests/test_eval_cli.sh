#!/usr/bin/env bash
# openpose-c eval: summary text and --json against pycocotools' numbers in the shared
# eval data, standard input, usage errors (exit 2) and bad files (exit 1, one line naming
# the file).
set -u
BIN=${OPC_BIN:?OPC_BIN must name the openpose-c binary}
SHARED=${OPENPOSE_C_SHARED:-${OPC_SOURCE_DIR:-.}/../shared}
EVAL=$SHARED/testdata/eval
if [ ! -f "$EVAL/expected_stats.json" ]; then
    if [ "${OPENPOSE_C_REQUIRE_SHARED:-0}" = 1 ]; then
        echo "FAIL: $EVAL is missing and OPENPOSE_C_REQUIRE_SHARED=1"; exit 1
    fi
    echo "SKIP: $EVAL is missing (set OPENPOSE_C_SHARED)"; exit 77
fi
TMP=$(mktemp -d "${OPC_BUILD_DIR:-/tmp}/test_eval_cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
GT=$EVAL/test_coco.json
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# run EXPECTED_STATUS ARGS...: runs the command, keeps stdout/stderr in $TMP/out, $TMP/err.
run() {
    local want=$1; shift
    "$BIN" eval "$@" >"$TMP/out" 2>"$TMP/err"
    local got=$?
    [ "$got" = "$want" ] || fail "eval $*: exit $got, expected $want ($(head -c 300 "$TMP/err"))"
}

# An error is one line on stderr that names the file and says why.
one_line_error() {
    local file=$1 reason=$2
    [ "$(wc -l <"$TMP/err")" = 1 ] || fail "error for $file is not one line: $(cat "$TMP/err")"
    grep -qF -- "$file" "$TMP/err" || fail "error does not name $file: $(cat "$TMP/err")"
    grep -qF -- "$reason" "$TMP/err" || fail "error lacks '$reason': $(cat "$TMP/err")"
    [ ! -s "$TMP/out" ] || fail "stdout not empty on error"
}

# The summary pycocotools printed, case by case: expected_stats.json holds the three
# cases' lines in order (example, perturbed, perfect), 10 each.
grep -o '" Average [^"]*"' "$EVAL/expected_stats.json" | tr -d '"' >"$TMP/summaries"
[ "$(wc -l <"$TMP/summaries")" = 30 ] || fail "expected 30 summary lines in the reference"
i=0
for preds in example_coco_preds.json preds_perturbed.json preds_perfect.json; do
    run 0 "$GT" "$EVAL/$preds"
    sed -n "$((i * 10 + 1)),$((i * 10 + 10))p" "$TMP/summaries" >"$TMP/want"
    diff "$TMP/want" "$TMP/out" >"$TMP/diff" || fail "summary of $preds differs: $(cat "$TMP/diff")"
    [ ! -s "$TMP/err" ] || fail "stderr not empty for $preds: $(cat "$TMP/err")"
    i=$((i + 1))
done

# --json: all 10 stats, equal to pycocotools' full-precision values to 1e-9.
run 0 --json "$GT" "$EVAL/preds_perturbed.json"
want=$(tr -d ' \n' <"$EVAL/expected_stats.json" | grep -o '"perturbed":{[^}]*"named":{[^}]*}' |
       sed 's/.*"named":{//; s/}$//')
got=$(tr -d ' \n' <"$TMP/out")
[ "${got:0:1}${got: -1}" = "{}" ] || fail "--json output is not one object: $got"
for kv in $(echo "$want" | tr ',' ' '); do
    key=${kv%%:*}; val=${kv#*:}
    mine=$(echo "$got" | grep -o "$key:[^,}]*" | head -1 | cut -d: -f2)
    [ -n "$mine" ] || { fail "--json lacks $key"; continue; }
    awk -v a="$mine" -v b="$val" 'BEGIN { d = a - b; exit !(d < 1e-9 && d > -1e-9) }' ||
        fail "--json $key = $mine, pycocotools $val"
done

# Results from standard input, options after the files.
run 0 "$GT" - --json <"$EVAL/preds_perfect.json"
grep -q '"AP": 1,' "$TMP/out" || fail "results from stdin: $(cat "$TMP/out")"

# Help teaches; usage errors exit 2.
run 0 --help
grep -q "usage: openpose-c eval GT.json RESULTS.json" "$TMP/out" || fail "--help lacks usage"
grep -q "Example" "$TMP/out" || fail "--help lacks an example"
run 2
grep -q "needs GT.json and RESULTS.json" "$TMP/err" || fail "no-argument message: $(cat "$TMP/err")"
run 2 "$GT"
run 2 "$GT" "$GT" "$GT"
run 2 --bogus "$GT" "$EVAL/preds_perfect.json"
grep -q "unknown option '--bogus'" "$TMP/err" || fail "unknown option message: $(cat "$TMP/err")"
run 2 - - </dev/null

# Bad files: exit 1, one line naming the file and the reason.
run 1 "$TMP/missing.json" "$EVAL/preds_perfect.json"
one_line_error "$TMP/missing.json" "No such file"
run 1 "$GT" "$TMP"
one_line_error "$TMP" "is a directory"
printf '[{"image_id": 785,' >"$TMP/truncated.json"
run 1 "$GT" "$TMP/truncated.json"
one_line_error "$TMP/truncated.json" "invalid JSON"
: >"$TMP/empty.json"
run 1 "$GT" "$TMP/empty.json"
one_line_error "$TMP/empty.json" "empty file"
run 1 "$EVAL/preds_perfect.json" "$EVAL/preds_perfect.json"
one_line_error "$EVAL/preds_perfect.json" "not a COCO ground-truth file"
run 1 "$GT" "$GT"
one_line_error "$GT" "expected an array of detections"
kp=$(seq -s, 1 48)
echo "[{\"image_id\": 785, \"category_id\": 1, \"keypoints\": [$kp], \"score\": 1}]" >"$TMP/short.json"
run 1 "$GT" "$TMP/short.json"
one_line_error "$TMP/short.json" '"keypoints" has 48 values, expected 51'
kp=$(seq -s, 1 51)
echo "[{\"image_id\": 12345, \"category_id\": 1, \"keypoints\": [$kp], \"score\": 1}]" >"$TMP/unknown.json"
run 1 "$GT" "$TMP/unknown.json"
one_line_error "$TMP/unknown.json" "image_id 12345 is not an image of $GT"
if [ "$(id -u)" != 0 ]; then # root reads anything
    cp "$EVAL/preds_perfect.json" "$TMP/unreadable.json" && chmod 000 "$TMP/unreadable.json"
    run 1 "$GT" "$TMP/unreadable.json"
    one_line_error "$TMP/unreadable.json" "Permission denied"
fi

if [ "$fails" -gt 0 ]; then
    echo "$fails check(s) failed"; exit 1
fi
echo "eval CLI: all checks passed"
