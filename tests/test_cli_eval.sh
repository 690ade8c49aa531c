#!/usr/bin/env bash
# openpose-c eval: summary text and --json against pycocotools' numbers in the shared
# eval data, standard input, usage errors (exit 2) and bad files (exit 1, one line naming
# the file).
. "$(dirname "$0")/support/lib.sh"
need_shared testdata/eval/expected_stats.json
make_tmp
EVAL=$SHARED/testdata/eval
GT=$EVAL/test_coco.json

# An error is one line on stderr that names the file and says why.
one_line_error() {
    local file=$1 reason=$2
    [ "$(wc -l <"$TMP/stderr")" = 1 ] || fail "error for $file is not one line: $(cat "$TMP/stderr")"
    grep -qF -- "$file" "$TMP/stderr" || fail "error does not name $file: $(cat "$TMP/stderr")"
    grep -qF -- "$reason" "$TMP/stderr" || fail "error lacks '$reason': $(cat "$TMP/stderr")"
    [ ! -s "$TMP/stdout" ] || fail "stdout not empty on error"
}

# The summary pycocotools printed, case by case: expected_stats.json holds the three
# cases' lines in order (example, perturbed, perfect), 10 each.
grep -o '" Average [^"]*"' "$EVAL/expected_stats.json" | tr -d '"' >"$TMP/summaries"
[ "$(wc -l <"$TMP/summaries")" = 30 ] || fail "expected 30 summary lines in the reference"
i=0
for preds in example_coco_preds.json preds_perturbed.json preds_perfect.json; do
    run 0 eval "$GT" "$EVAL/$preds"
    sed -n "$((i * 10 + 1)),$((i * 10 + 10))p" "$TMP/summaries" >"$TMP/want"
    diff "$TMP/want" "$TMP/stdout" >"$TMP/diff" || fail "summary of $preds differs: $(cat "$TMP/diff")"
    [ ! -s "$TMP/stderr" ] || fail "stderr not empty for $preds: $(cat "$TMP/stderr")"
    i=$((i + 1))
done

# --json: all 10 stats, equal to pycocotools' full-precision values to 1e-9.
run 0 eval --json "$GT" "$EVAL/preds_perturbed.json"
want=$(tr -d ' \n' <"$EVAL/expected_stats.json" | grep -o '"perturbed":{[^}]*"named":{[^}]*}' |
       sed 's/.*"named":{//; s/}$//')
got=$(tr -d ' \n' <"$TMP/stdout")
[ "${got:0:1}${got: -1}" = "{}" ] || fail "--json output is not one object: $got"
for kv in $(echo "$want" | tr ',' ' '); do
    key=${kv%%:*}; val=${kv#*:}
    mine=$(echo "$got" | grep -o "$key:[^,}]*" | head -1 | cut -d: -f2)
    [ -n "$mine" ] || { fail "--json lacks $key"; continue; }
    awk -v a="$mine" -v b="$val" 'BEGIN { d = a - b; exit !(d < 1e-9 && d > -1e-9) }' ||
        fail "--json $key = $mine, pycocotools $val"
done

# Results from standard input, options after the files.
run 0 eval "$GT" - --json <"$EVAL/preds_perfect.json"
grep -q '"AP": 1,' "$TMP/stdout" || fail "results from stdin: $(cat "$TMP/stdout")"

# Help teaches; usage errors exit 2.
run 0 eval --help
grep -q "usage: openpose-c eval GT.json RESULTS.json" "$TMP/stdout" || fail "--help lacks usage"
grep -q "Example" "$TMP/stdout" || fail "--help lacks an example"
run 2 eval
grep -q "needs GT.json and RESULTS.json" "$TMP/stderr" || fail "no-argument message: $(cat "$TMP/stderr")"
run 2 eval "$GT"
run 2 eval "$GT" "$GT" "$GT"
run 2 eval --bogus "$GT" "$EVAL/preds_perfect.json"
grep -q "unknown option '--bogus'" "$TMP/stderr" || fail "unknown option message: $(cat "$TMP/stderr")"
run 2 eval - - </dev/null

# Bad files: exit 1, one line naming the file and the reason.
run 1 eval "$TMP/missing.json" "$EVAL/preds_perfect.json"
one_line_error "$TMP/missing.json" "No such file"
run 1 eval "$GT" "$TMP"
one_line_error "$TMP" "is a directory"
printf '[{"image_id": 785,' >"$TMP/truncated.json"
run 1 eval "$GT" "$TMP/truncated.json"
one_line_error "$TMP/truncated.json" "invalid JSON"
: >"$TMP/empty.json"
run 1 eval "$GT" "$TMP/empty.json"
one_line_error "$TMP/empty.json" "empty file"
run 1 eval "$EVAL/preds_perfect.json" "$EVAL/preds_perfect.json"
one_line_error "$EVAL/preds_perfect.json" "not a COCO ground-truth file"
run 1 eval "$GT" "$GT"
one_line_error "$GT" "expected an array of detections"
kp=$(seq -s, 1 48)
echo "[{\"image_id\": 785, \"category_id\": 1, \"keypoints\": [$kp], \"score\": 1}]" >"$TMP/short.json"
run 1 eval "$GT" "$TMP/short.json"
one_line_error "$TMP/short.json" '"keypoints" has 48 values, expected 51'
kp=$(seq -s, 1 51)
echo "[{\"image_id\": 12345, \"category_id\": 1, \"keypoints\": [$kp], \"score\": 1}]" >"$TMP/unknown.json"
run 1 eval "$GT" "$TMP/unknown.json"
one_line_error "$TMP/unknown.json" "image_id 12345 is not an image of $GT"
if [ "$(id -u)" != 0 ]; then # root reads anything
    cp "$EVAL/preds_perfect.json" "$TMP/unreadable.json" && chmod 000 "$TMP/unreadable.json"
    run 1 eval "$GT" "$TMP/unreadable.json"
    one_line_error "$TMP/unreadable.json" "Permission denied"
fi

finish
