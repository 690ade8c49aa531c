#!/usr/bin/env bash
# The full CMU OpenPose networks (COCO, BODY_25, MPI, MPI 4-stage) with random-weight
# caffemodels from tools/make_random_caffemodel: they convert, the model opens, every
# ReLU/PReLU is fused (layers = convolutions + poolings + concats of the prototxt), the
# topology is inferred, and COCO costs the 136 GMAC at 368x368 measured independently.
set -u
BIN=${OPC_BIN:?}
TOOL=${OPC_BUILD_DIR:?}/tools/make_random_caffemodel
SHARED=${OPENPOSE_C_SHARED:-${OPC_SOURCE_DIR:?}/../shared}
if [ ! -d "$SHARED/models/openpose" ]; then
  if [ "${OPENPOSE_C_REQUIRE_SHARED:-0}" = 1 ]; then echo "FAIL: $SHARED missing" >&2; exit 1; fi
  echo "SKIP: shared data folder $SHARED missing (set OPENPOSE_C_SHARED)" >&2
  exit 77
fi
mkdir -p "$OPC_BUILD_DIR/test-tmp"
T=$(mktemp -d "$OPC_BUILD_DIR/test-tmp/caffe_full.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# prototxt, topology expected, GMAC range at 368x368 ("" = not checked)
while read -r proto topo gmac_lo gmac_hi; do
  P=$SHARED/models/openpose/$proto
  "$TOOL" "$P" "$T/w.caffemodel" --seed 1 >/dev/null || { bad "tool failed on $proto"; continue; }
  if ! "$BIN" convert caffe "$P" "$T/w.caffemodel" -o "$T/m.opc" >"$T/out" 2>"$T/err"; then
    bad "$proto: $(cat "$T/err")"
    continue
  fi
  line=$(cat "$T/out")
  echo "$line"
  layers=$(( $(grep -c 'type: "Convolution"' "$P") + $(grep -c 'type: "Pooling"' "$P") \
             + $(grep -c 'type: "Concat"' "$P") ))
  case $line in
    *"topology $topo, $layers layers,"*) ;;
    *) bad "$proto: want topology $topo and $layers layers: $line" ;;
  esac
  gmac=$(echo "$line" | sed -n 's/.* \([0-9.]*\) GMAC at 368x368$/\1/p')
  if [ -n "$gmac_lo" ] && ! awk -v g="$gmac" -v lo="$gmac_lo" -v hi="$gmac_hi" \
      'BEGIN { exit !(g != "" && g >= lo && g <= hi) }'; then
    bad "$proto: $gmac GMAC, want $gmac_lo..$gmac_hi"
  fi
  rm -f "$T/w.caffemodel" "$T/m.opc"
done <<'EOF'
coco/pose_deploy_linevec.prototxt coco 135.5 136.5
body_25/pose_deploy.prototxt body25
mpi/pose_deploy_linevec.prototxt mpi
mpi/pose_deploy_linevec_faster_4_stages.prototxt mpi
EOF
exit $fail
