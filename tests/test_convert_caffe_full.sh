#!/usr/bin/env bash
# The full CMU OpenPose networks (COCO, BODY_25, MPI, MPI 4-stage) with random-weight
# caffemodels from tools/make_random_caffemodel: they convert, the model opens, every
# ReLU/PReLU is fused (layers = convolutions + poolings + concats of the prototxt), the
# topology is inferred, and COCO costs the 136 GMAC at 368x368 measured independently.
. "$(dirname "$0")/support/lib.sh"
need_shared models/openpose
make_tmp
TOOL=${OPC_BUILD_DIR:?}/tools/make_random_caffemodel

# prototxt, topology expected, GMAC range at 368x368 ("" = not checked)
while read -r proto topo gmac_lo gmac_hi; do
  P=$SHARED/models/openpose/$proto
  "$TOOL" "$P" "$TMP/w.caffemodel" --seed 1 >/dev/null || { fail "tool failed on $proto"; continue; }
  run 0 convert caffe "$P" "$TMP/w.caffemodel" -o "$TMP/m.opc" || continue
  line=$(cat "$TMP/stdout")
  echo "$line"
  layers=$(( $(grep -c 'type: "Convolution"' "$P") + $(grep -c 'type: "Pooling"' "$P") \
             + $(grep -c 'type: "Concat"' "$P") ))
  case $line in
    *"(topology $topo), keypoints "*", $layers layers,"*) ;;
    *) fail "$proto: want topology $topo and $layers layers: $line" ;;
  esac
  gmac=$(echo "$line" | sed -n 's/.* \([0-9.]*\) GMAC at 368x368$/\1/p')
  if [ -n "$gmac_lo" ] && ! awk -v g="$gmac" -v lo="$gmac_lo" -v hi="$gmac_hi" \
      'BEGIN { exit !(g != "" && g >= lo && g <= hi) }'; then
    fail "$proto: $gmac GMAC, want $gmac_lo..$gmac_hi"
  fi
  rm -f "$TMP/w.caffemodel" "$TMP/m.opc"
done <<'EOF'
coco/pose_deploy_linevec.prototxt coco 135.5 136.5
body_25/pose_deploy.prototxt body25
mpi/pose_deploy_linevec.prototxt mpi
mpi/pose_deploy_linevec_faster_4_stages.prototxt mpi
EOF
finish
