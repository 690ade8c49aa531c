#!/usr/bin/env bash
# The image command in pipelines and batches: --list -, JSON lines on stdout, one image
# on stdin, --shard slices (disjoint, together everything), --skip-existing, mirrored
# subfolders, --write-maps, --keypoint-scale.
. "$(dirname "$0")/support/lib.sh"
make_tmp
MODEL=$(tfpose_model) || exit $?
need_shared images/tf-pose/p1.jpg images/tf-pose/p2.jpg
export OPENPOSE_C_MODEL=$MODEL
IN=$TMP/in
mkdir -p "$IN/sub/deeper"
for i in 1 2 3 4 5 6 7; do cp "$SHARED/images/tf-pose/p1.jpg" "$IN/img$i.jpg"; done
cp "$SHARED/images/tf-pose/p2.jpg" "$IN/sub/two.jpg"
cp "$SHARED/images/tf-pose/p1.jpg" "$IN/sub/deeper/img1.jpg"
printf 'not an image\n' >"$IN/broken.jpg"

# --list -: paths on stdin, one JSON line per image on stdout in input order, failures
# as {"image", "error"} lines; nothing else on stdout.
ls "$IN"/*.jpg >"$TMP/list"
"$BIN" --list - --format jsonl <"$TMP/list" >"$TMP/lines" 2>"$TMP/stderr"
[ $? = 1 ] || fail "--list - with a broken image: expected exit 1"
[ "$(wc -l <"$TMP/lines")" = 8 ] || fail "expected 8 JSON lines: $(cat "$TMP/lines")"
sed 's/^{"image":"\([^"]*\)".*/\1/' "$TMP/lines" | diff - "$TMP/list" >/dev/null ||
    fail "JSON lines are not in input order"
grep -c '"people":\[{' "$TMP/lines" | grep -qx 7 || fail "7 lines should have people"
grep -qF "{\"image\":\"$IN/broken.jpg\",\"error\":\"$IN/broken.jpg: not a JPEG" "$TMP/lines" ||
    fail "no error line for broken.jpg: $(grep broken "$TMP/lines")"
grep -q '"width":217,"height":232' "$TMP/lines" || fail "no image size in the lines"
[ "$(grep -c . "$TMP/stderr")" = 2 ] || fail "stderr: expected the error and the summary: $(cat "$TMP/stderr")"

# '-': one encoded image on stdin, as a JSON line or as the OpenPose document on stdout.
run 0 - --format jsonl <"$IN/img1.jpg"
[ "$(wc -l <"$TMP/stdout")" = 1 ] && [ "$(people "$TMP/stdout")" -ge 1 ] ||
    fail "stdin to jsonl: $(head -c 300 "$TMP/stdout")"
run 0 - -o - <"$IN/sub/two.jpg"
grep -q '^{"version":1.3,"people":\[' "$TMP/stdout" || fail "stdin to -o -: $(head -c 200 "$TMP/stdout")"
[ "$(people "$TMP/stdout")" = 2 ] || fail "p2.jpg from stdin: $(people "$TMP/stdout") people, expected 2"
[ ! -s "$TMP/stderr" ] || fail "stderr not quiet: $(cat "$TMP/stderr")"
run 0 - -o - <"$IN/sub/two.jpg"
cmp -s "$TMP/stdout" <("$BIN" "$IN/sub/two.jpg" -o -) || fail "stdin and file give different results"
run 2 - --list - -o "$TMP/x" </dev/null

# --shard K/N: 3 slices of the folder are disjoint and together hold every image; the
# same run without --shard gives the same lines.
"$BIN" -r "$IN" --format jsonl 2>/dev/null | sort >"$TMP/all"
for k in 1 2 3; do "$BIN" -r "$IN" --format jsonl --shard "$k/3" 2>/dev/null >"$TMP/shard$k"; done
for k in 1 2 3; do [ -s "$TMP/shard$k" ] || fail "shard $k/3 is empty"; done
sort "$TMP"/shard? | diff - "$TMP/all" >/dev/null || fail "the shards' union differs from the whole run"
[ "$(sort "$TMP"/shard? | cut -d, -f1 | uniq -d)" = "" ] || fail "an image is in two shards"
[ "$(wc -l <"$TMP/all")" = 10 ] || fail "-r found $(wc -l <"$TMP/all") images, expected 10"

# -r with -o mirrors subfolders; --skip-existing redoes only what is missing.
run 1 -r "$IN" -o "$TMP/tree" --render "$TMP/pics"
for f in img1 img7 sub/two sub/deeper/img1; do
    [ -s "$TMP/tree/${f}_keypoints.json" ] || fail "missing $f in the mirrored tree"
    [ -s "$TMP/pics/${f}_rendered.png" ] || fail "missing picture $f"
done
[ "$(people "$TMP/tree/sub/two_keypoints.json")" = 2 ] || fail "sub/two: expected 2 people"
rm "$TMP/tree/img3_keypoints.json" "$TMP/pics/sub/two_rendered.png"
touch -d '2001-01-01' "$TMP/tree/img1_keypoints.json"
run 1 -r "$IN" -o "$TMP/tree" --render "$TMP/pics" --skip-existing
[ -s "$TMP/tree/img3_keypoints.json" ] && [ -s "$TMP/pics/sub/two_rendered.png" ] ||
    fail "--skip-existing did not redo the missing outputs"
[ "$(date -r "$TMP/tree/img1_keypoints.json" +%Y)" = 2001 ] || fail "--skip-existing redid a done image"
[ "$(grep -c 'failed' "$TMP/stderr")" = 1 ] || fail "broken.jpg should still be reported: $(cat "$TMP/stderr")"
run 2 "$IN/img1.jpg" --format jsonl --skip-existing
no_temp_files "$TMP"

# --write-maps: the raw network output as .npy, 1 x 57 x H/8 x W/8. For 217x232 at -1x368
# the net input is 16*round(368*217/232/16) = 352 x 368 (maps 44 x 46); the second scale
# (0.75) is 264 -> 256 x 276 -> 272 (maps 32 x 34).
run 0 "$IN/img1.jpg" -o "$TMP/m.json" --write-maps "$TMP/maps" --scale-number 2
head -c 128 "$TMP/maps/img1_maps.npy" | grep -q "'shape': (1, 57, 46, 44)" ||
    fail "maps shape: $(head -c 128 "$TMP/maps/img1_maps.npy" | tr -d '\0')"
head -c 128 "$TMP/maps/img1_maps_1.npy" | grep -q "'shape': (1, 57, 34, 32)" ||
    fail "second-scale maps shape: $(head -c 128 "$TMP/maps/img1_maps_1.npy" | tr -d '\0')"

# --keypoint-scale: found parts land in [0, 1] / [-1, 1], missing ones stay 0,0,0.
for mode in 0..1 -1..1; do
    run 0 "$IN/sub/two.jpg" -o - --keypoint-scale "$mode"
    lo=0; [ "$mode" = -1..1 ] && lo=-1
    grep -o '"pose_keypoints_2d":\[[^]]*\]' "$TMP/stdout" | sed 's/.*\[//; s/\]//' | tr ',' '\n' |
        awk -v lo="$lo" 'NR % 3 != 0 && ($1 < lo || $1 > 1) { bad++ } END { exit bad > 0 }' ||
        fail "--keypoint-scale $mode: coordinates out of range"
done
finish
