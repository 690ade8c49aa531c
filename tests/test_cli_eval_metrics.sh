#!/usr/bin/env bash
# openpose-c eval --metric: MMPose's metrics on keypoint-eval instance files (the text
# table and --json against the shared testdata/metrics numbers), PCK/EPE beside the AP on
# COCO ground truth, usage errors (exit 2) and bad files (exit 1, one line naming the file).
. "$(dirname "$0")/support/lib.sh"
need_shared testdata/metrics/eval_mpii_val_tompson.json testdata/eval/test_coco.json
make_tmp
M=$SHARED/testdata/metrics
EVAL=$SHARED/testdata/eval

# near GOT WANT TOL: |GOT - WANT| <= TOL
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; exit !(d <= t && -d <= t) }'; }
# json_num KEY: the first number after "KEY": in stdout
json_num() { grep -o "\"$1\": *[-0-9.e+]*" "$TMP/stdout" | head -1 | sed 's/.*: *//'; }

# The MPII validation split with Tompson et al.'s predictions: PCKh@0.5 81.4584 (simple
# mean, eval_PCKh's) and 82.3367 (weighted, MMPose's), the table per joint.
run 0 eval "$M/eval_mpii_val_tompson.json" --metric pckh
grep -q "^right_ankle  *2115  *1379  *65.2009$" "$TMP/stdout" || fail "right_ankle row: $(cat "$TMP/stdout")"
grep -q "^head_top  *2932  *2803  *95.6003$" "$TMP/stdout" || fail "head_top row"
grep -qE "^ +95.6003 +92.7140 +83.3646 +76.7357 +81.9283 +73.3628 +65.4462 +81.4584 +82.3367$" \
    "$TMP/stdout" || fail "groups and means line: $(tail -3 "$TMP/stdout")"
[ ! -s "$TMP/stderr" ] || fail "stderr not empty: $(cat "$TMP/stderr")"
run 0 eval --json --metric pckh --thr 0.1 "$M/eval_mpii_val_tompson.json"
near "$(json_num mean)" 28.397587133634573 1e-9 || fail "PCKh@0.1 mean $(json_num mean)"
near "$(json_num mean_weighted)" 28.974759302628154 1e-9 || fail "PCKh@0.1 weighted"

# MMPose's classes on test_mpii (coordinates as stored, as they compare them) and test_coco,
# several metrics in one run and one JSON object.
run 0 eval "$M/eval_test_mpii.json" --metric pck,auc --metric epe,nme --thr 0.05 --raw-coordinates --json
got=$(tr -d ' \n' <"$TMP/stdout")
[ "${got:0:8}" = '{"pck":{' ] && [ "${got: -1}" = "}" ] || fail "--json is not one object: $got"
near "$(json_num PCK)" 0.4166666666666667 1e-9 || fail "test_mpii PCK@0.05 $(json_num PCK)"
near "$(json_num AUC)" 0.23375 1e-9 || fail "test_mpii AUC $(json_num AUC)"
near "$(json_num EPE)" 47.87206388774671 1e-4 || fail "test_mpii EPE $(json_num EPE)"
near "$(json_num NME)" 0.07058297960381758 2e-7 || fail "test_mpii NME $(json_num NME)"
# Without --raw-coordinates the 0-based predictions move to the GT's 1-based frame.
run 0 eval "$M/eval_test_mpii.json" --metric epe --json
near "$(json_num EPE)" 47.87206388774671 1e-4 && fail "EPE ignores the coordinate bases"
run 0 eval "$M/eval_test_coco.json" --metric pck
grep -q "^PCK@0.2: 0.963369 " "$TMP/stdout" || fail "test_coco PCK@0.2: $(tail -1 "$TMP/stdout")"
grep -q "^right_elbow  *11  *10  *0.909091$" "$TMP/stdout" || fail "test_coco right_elbow row"

# COCO ground truth: PCK and EPE per matched person after pycocotools' 10 lines.
run 0 eval "$EVAL/test_coco.json" "$EVAL/preds_perfect.json" --metric pck
[ "$(grep -c "Average" "$TMP/stdout")" = 10 ] || fail "AP lines missing"
grep -q "(12 of 12 persons matched)" "$TMP/stdout" || fail "perfect: $(cat "$TMP/stdout")"
grep -q "^PCK@0.2: 1.000000 (mean over the 17 keypoints counted)" "$TMP/stdout" || fail "perfect PCK"
grep -q "^EPE: 0.0000 pixels" "$TMP/stdout" || fail "perfect EPE"
run 0 eval "$EVAL/test_coco.json" "$EVAL/preds_perfect.json" --metric pck --keypoints left_shoulder-right_ankle --json
grep -q '"keypoints_counted":12' "$TMP/stdout" || fail "--keypoints 5-16: $(cat "$TMP/stdout")"
near "$(json_num AP)" 1 0 || fail "AP beside PCK: $(json_num AP)"

# Usage errors: exit 2, one line.
expect 2 "$BIN" eval "$M/eval_test_mpii.json"
grep -q "say which --metric" "$TMP/stderr" || fail "instance file without --metric: $(cat "$TMP/stderr")"
expect 2 "$BIN" eval "$M/eval_test_mpii.json" --metric pcx
grep -q "unknown metric 'pcx'" "$TMP/stderr" || fail "unknown metric: $(cat "$TMP/stderr")"
expect 2 "$BIN" eval "$M/eval_test_mpii.json" --metric pck --norm knee
expect 2 "$BIN" eval "$M/eval_test_mpii.json" --metric pck --thr -1
expect 2 "$BIN" eval "$M/eval_test_mpii.json" --metric pck --thr
expect 2 "$BIN" eval "$M/eval_test_mpii.json" --metric pck --keypoints 5-16
expect 2 "$BIN" eval "$EVAL/test_coco.json" "$EVAL/preds_perfect.json" --metric pckh
expect 2 "$BIN" eval "$EVAL/test_coco.json" "$EVAL/preds_perfect.json" --metric pck --norm head
expect 2 "$BIN" eval "$EVAL/test_coco.json" "$EVAL/preds_perfect.json" --metric pck --keypoints 17
run 0 eval --help
grep -q "openpose-c eval INSTANCES.json --metric" "$TMP/stdout" || fail "--help lacks the instance form"

# Bad files: exit 1, one line naming the file; nothing on stdout.
printf '{"format": "openpose-c keypoint-eval v1", "keypoint_names": ["a"], "instances": [{"gt": [[1, 2]], "visible": [1], "pred": [[1]]}]}' >"$TMP/bad.json"
expect 1 "$BIN" eval "$TMP/bad.json" --metric epe
grep -qF "$TMP/bad.json: instances[0]: \"pred\" must be 1 [x, y] pairs" "$TMP/stderr" || fail "bad pred: $(cat "$TMP/stderr")"
[ ! -s "$TMP/stdout" ] || fail "stdout not empty on error"
printf '{"format": "openpose-c keypoint-eval v1", "keypoint_names": ["a"], "instances": [{"gt": [[1, 2]], "visible": [1], "pred": [[1, 2]], "bbox_size": 4}]}' >"$TMP/nohead.json"
expect 1 "$BIN" eval "$TMP/nohead.json" --metric epe,pck --norm head
grep -qF "$TMP/nohead.json: instances[0] has no head_size" "$TMP/stderr" || fail "missing head_size: $(cat "$TMP/stderr")"
[ ! -s "$TMP/stdout" ] || fail "a report printed although another failed"
expect 1 "$BIN" eval "$TMP/missing.json" --metric epe
grep -qF "$TMP/missing.json" "$TMP/stderr" || fail "missing file not named"

finish
