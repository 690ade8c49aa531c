#!/usr/bin/env bash
# Accuracy and speed of the image command over its main settings: COCO keypoint AP on the
# shared eval photos (4 COCO val2017 images, 12 people with keypoints) and images/s on
# the 20 OpenPose example photos, per net resolution, assembly and scale set.
#
# usage: tools/bench_cli.sh [MODEL.opc]   (default: models/lwopenpose.opc)
# Needs a build (build/openpose-c) and the shared data ($OPENPOSE_C_SHARED or ../shared).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${OPENPOSE_C_BIN:-$ROOT/build/openpose-c}
SHARED=${OPENPOSE_C_SHARED:-$ROOT/../shared}
MODEL=${1:-$ROOT/models/lwopenpose.opc}
EVAL=$SHARED/testdata/eval
MEDIA=$SHARED/images/openpose-media
for f in "$BIN" "$MODEL" "$EVAL/test_coco.json"; do
    [ -e "$f" ] || { echo "bench_cli.sh: $f: not found (build, run tools/get-models.sh, set OPENPOSE_C_SHARED)" >&2; exit 1; }
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ap() {  # ARGS...: AP of the eval photos with these options
    "$BIN" --model "$MODEL" "$EVAL/images" --format coco -o "$TMP/r.json" "$@" 2>/dev/null || true
    "$BIN" eval "$EVAL/test_coco.json" "$TMP/r.json" --json | grep -o '"AP": *[0-9.]*' | sed 's/.*: *//'
}

rate() {  # ARGS...: images/s over the example photos (best of 2 runs)
    local best=0 t0 t1 r i
    for i in 1 2; do
        t0=$(date +%s.%N)
        "$BIN" --model "$MODEL" "$MEDIA" -o "$TMP/media" "$@" 2>/dev/null || true
        t1=$(date +%s.%N)
        r=$(echo "20 / ($t1 - $t0)" | bc -l)
        best=$(echo "if ($r > $best) $r else $best" | bc -l)
    done
    printf '%.1f' "$best"
}

printf '%-48s %7s %9s\n' "options" "AP" "images/s"
while read -r opts; do
    # shellcheck disable=SC2086
    printf '%-48s %7.4f %9s\n' "${opts:-(defaults)}" "$(ap $opts)" "$(rate $opts)"
done <<'EOF'

--assembly sequential
--net-resolution 432x368
--net-resolution 432x368 --assembly sequential
--net-resolution 656x368
--net-resolution -1x256
--net-resolution -1x480
--scale-number 2 --scale-gap 0.25
--scale-number 3 --scale-gap 0.25
--maximize-positives
--threads 1
EOF
