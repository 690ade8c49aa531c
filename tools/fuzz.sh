#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang into build-fuzz/ and runs them.
#
#   tools/fuzz.sh [TARGET|all] [SECONDS] [JOBS]
#
# Each target runs for SECONDS (default 60), JOBS targets at a time (default 1), from
# its working corpus build-fuzz/corpus/TARGET (the checked-in seeds, the shared files
# listed in tests/fuzz/shared_seeds.txt, and whatever earlier runs added). A crash, leak,
# timeout or out-of-memory input is saved in build-fuzz/crashes/TARGET/ and the target
# is restarted for the time left. One summary line per target at the end; the exit status
# is 1 when any target failed on some input. Needs clang with libFuzzer (Debian: clang,
# libclang-rt-dev). OPENPOSE_C_SHARED overrides ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(image model_file prototxt caffemodel graphdef tfjs openvino eval_json cli_args)
# Longest input per target: photos and JSON files are large, argument lists are not.
declare -A MAX_LEN=([image]=65536 [model_file]=16384 [prototxt]=65536 [caffemodel]=8192
                    [graphdef]=16384 [tfjs]=65536 [openvino]=16384 [eval_json]=131072
                    [cli_args]=1024)

what=${1:-all}
seconds=${2:-60}
jobs=${3:-1}
if [ "$what" = all ]; then
    run=("${TARGETS[@]}")
elif [ -n "${MAX_LEN[$what]:-}" ]; then
    run=("$what")
else
    echo "usage: tools/fuzz.sh [TARGET|all] [SECONDS] [JOBS]; targets: ${TARGETS[*]}" >&2
    exit 2
fi
case "$seconds$jobs" in *[!0-9]*) echo "fuzz.sh: SECONDS and JOBS are whole numbers" >&2; exit 2 ;; esac

B=build-fuzz
SRC=tests/fuzz
SHARED=${OPENPOSE_C_SHARED:-../shared}
if [ ! -d "$SHARED" ]; then
    [ "${OPENPOSE_C_REQUIRE_SHARED:-}" = 1 ] && { echo "fuzz.sh: $SHARED is missing" >&2; exit 1; }
    echo "fuzz.sh: $SHARED is missing; fuzzing without the shared seeds" >&2
fi
mkdir -p "$B"

# Several invocations may share build-fuzz/ (one per target): build one at a time. The
# compiler's output is shown only when the build fails.
if ! (
    flock 9
    CC=${CC:-clang} cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DOPC_FUZZ=ON &&
        cmake --build "$B" -j"$jobs" --target "${run[@]/#/fuzz_}"
) 9>"$B/.build.lock" >"$B/build.log" 2>&1; then
    tail -40 "$B/build.log" >&2
    echo "fuzz.sh: the build failed (all of it in $B/build.log)" >&2
    exit 1
fi

# Copies the seeds into the working corpus (libFuzzer names its own files by content hash,
# so nothing here clobbers what earlier runs found).
make_corpus() {
    local t=$1 dir=$B/corpus/$1 line rel out
    mkdir -p "$dir"
    [ -d "$SRC/seeds/$t" ] && cp "$SRC/seeds/$t"/* "$dir"/
    [ -d "$SRC/regressions/$t" ] && cp "$SRC/regressions/$t"/* "$dir"/ 2>/dev/null || true
    [ -d "$SHARED" ] || return 0
    while read -r line; do
        set -- $line
        [ "${1:-}" = "$t" ] || continue
        out="$dir/shared-$(echo "$2" | tr '/+' '__')"
        : >"$out"
        local first=1
        for rel in ${2//+/ }; do
            [ $first = 1 ] || printf '\0' >>"$out"
            cat "$SHARED/$rel" >>"$out"
            first=0
        done
    done < <(grep -v '^#' "$SRC/shared_seeds.txt")
}

# Runs target $1 for $seconds, restarting after each failing input; writes the summary
# line to $B/logs/$1.summary.
fuzz_one() {
    local t=$1 crashes=$B/crashes/$1 logs=$B/logs/$1 bin=$B/tests/fuzz/fuzz_$1
    mkdir -p "$crashes" "$logs"
    rm -f "$logs"/run-*.log
    make_corpus "$t"
    local dict=() start=$SECONDS left runs=0
    [ -f "$SRC/dict/$t.dict" ] && dict=(-dict="$SRC/dict/$t.dict")
    touch "$logs/start"
    # -close_fd_mask=3: the target's own stdout and stderr (help texts and usage errors, once
    # per input for cli_args: gigabytes in 20 minutes) are closed; libFuzzer and the
    # sanitizers report through a copy of stderr.
    while left=$((seconds - (SECONDS - start))); [ "$left" -gt 0 ] && [ $runs -lt 50 ]; do
        runs=$((runs + 1))
        OPENBLAS_NUM_THREADS=1 "$bin" "$B/corpus/$t" "${dict[@]}" -max_total_time="$left" \
            -max_len="${MAX_LEN[$t]}" -rss_limit_mb=2048 -timeout=10 -close_fd_mask=3 \
            -print_final_stats=1 -artifact_prefix="$crashes/" >"$logs/run-$runs.log" 2>&1 || true
        # A seed that fails would fail every restart.
        grep -q INITED "$logs/run-$runs.log" || break
    done
    local elapsed=$((SECONDS - start)) execs cov ft corpus found
    execs=$(cat "$logs"/run-*.log | sed -n 's/^stat::number_of_executed_units: *//p' |
            awk '{s += $1} END {print s + 0}')
    read -r cov ft < <(cat "$logs"/run-*.log | sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/\1 \2/p' |
                       sort -n | tail -1) || true
    corpus=$(find "$B/corpus/$t" -type f | wc -l)
    found=$(find "$crashes" -type f -newer "$logs/start" | wc -l)
    printf '%-11s %6ss %10s execs %7s exec/s  cov %5s  ft %6s  corpus %5s  crashes %s\n' \
        "$t" "$elapsed" "$execs" "$((execs / (elapsed > 0 ? elapsed : 1)))" "${cov:-?}" \
        "${ft:-?}" "$corpus" "$found" >"$B/logs/$t.summary"
    find "$crashes" -type f -newer "$logs/start" | sed 's/^/    /' >>"$B/logs/$t.summary"
}

mkdir -p "$B/logs"
for t in "${run[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
        wait -n || true
    done
    fuzz_one "$t" &
done
wait
status=0
for t in "${run[@]}"; do
    cat "$B/logs/$t.summary"
    grep -q '^    ' "$B/logs/$t.summary" && status=1
done
exit $status
