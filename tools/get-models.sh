#!/usr/bin/env bash
# Gets pose networks and converts them into openpose-c models (models/NAME.opc).
#
# usage: tools/get-models.sh [--force] [MODEL...]
#   MODEL: lwopenpose (the default model: Lightweight OpenPose, Intel Open Model Zoo's
#                     human-pose-estimation-0001; 16 MB FP32 download, COCO-18 keypoints)
#          mobilenet_v2_small tf-pose's MobileNetV2-small (2 MB, fastest, least accurate)
#          coco     CMU OpenPose COCO-18      (200 MB download, accurate, slow)
#          body25   CMU OpenPose BODY_25      (100 MB, adds feet)
#          mpi      CMU OpenPose MPI-15       (200 MB)
#          mpi4     CMU OpenPose MPI-15, 4-stage network (same weights as mpi)
#          posenet  PoseNet MobileNetV1 0.75, stride 16 (TensorFlow.js, 5 MB, COCO-17)
#          hourglass, cpm  edvardHua's top-down single-person networks (2-3 MB, 14 AI
#                   Challenger keypoints; they need person boxes: see --boxes)
#          all      all of the above
#   Without MODEL: lwopenpose.
#
# Sources: when OPENPOSE_C_MIRROR is set, files are taken only from that folder (laid out
# as openpose/{coco,body_25,mpi}/..., tf-pose/mobilenet_v2_small/graph_opt.pb,
# posenet/mobilenet_v1_075/model.json and the shards its manifest names,
# lwopenpose/human-pose-estimation-0001/{FP32,FP16,FP16-INT8}/*.{xml,bin},
# edvardhua/{hourglass,cpm}/model.pb); otherwise they are downloaded (the CMU server first,
# then public mirrors; PoseNet from where the posenet package loads it; Open Model Zoo's
# storage) into models/cache/. lwopenpose takes the first of FP32, FP16 and FP16-INT8 found
# (OPENPOSE_C_LWOPENPOSE_PRECISION=FP16-INT8 asks for one); downloads are FP32.
# Files with a known checksum are verified; the converter checks every weight against the
# network definition, so a damaged download is refused either way.
# The converter is $OPENPOSE_C_BIN, else build/openpose-c (build it first). Models go to
# $OPENPOSE_C_MODELS_DIR, else models/ (where openpose-c looks for its default model).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODELS=${OPENPOSE_C_MODELS_DIR:-$ROOT/models}
CACHE=$MODELS/cache
BIN=${OPENPOSE_C_BIN:-$ROOT/build/openpose-c}
MIRROR=${OPENPOSE_C_MIRROR:-}
FORCE=0

OMZ_MODELS=https://storage.openvinotoolkit.org/repositories/open_model_zoo/2021.4/models_bin/3
OPENPOSE_RAW=https://raw.githubusercontent.com/CMU-Perceptual-Computing-Lab/openpose/5c5d96523ef917bd30301245fdc8343937cae48d
CMU_MODELS=http://posefs1.perception.cs.cmu.edu/OpenPose/models
TFPOSE_RAW=https://raw.githubusercontent.com/gsethi2409/tf-pose-estimation/992350a1bccec2718bd96c9ed717df5ad94ad72f
EDVARDHUA_RAW=https://raw.githubusercontent.com/edvardHua/PoseEstimationForMobile/e31fb850c92ba7e220f861e9484b9cd1bdd5696f

say() { printf '%s\n' "$*" >&2; }

md5_ok() {  # FILE SUM: an MD5 (32 hex digits) or SHA-256 (64); "-" = no known checksum
    case ${#2} in
    1) [ "$2" = - ] ;;
    64) [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ] ;;
    *) [ "$(md5sum "$1" | cut -d' ' -f1)" = "$2" ] ;;
    esac
}

# fetch REL MD5 URL...: makes $CACHE/REL (from the mirror or the first URL that works).
fetch() {
    local rel=$1 md5=$2 dest=$CACHE/$1
    shift 2
    if [ -s "$dest" ] && md5_ok "$dest" "$md5"; then
        return 0
    fi
    mkdir -p "$(dirname "$dest")"
    if [ -n "$MIRROR" ]; then
        if [ ! -f "$MIRROR/$rel" ]; then
            say "  $rel: not in the mirror $MIRROR"
            return 1
        fi
        install -m 644 "$MIRROR/$rel" "$dest.part"
        if ! md5_ok "$dest.part" "$md5"; then
            rm -f "$dest.part"
            say "  $rel: checksum mismatch in the mirror"
            return 1
        fi
        mv "$dest.part" "$dest"
        return 0
    fi
    local url
    for url in "$@"; do
        say "  downloading $url"
        if curl -fL --retry 2 --connect-timeout 20 -o "$dest.part" "$url" &&
            [ -s "$dest.part" ] && md5_ok "$dest.part" "$md5"; then
            mv "$dest.part" "$dest"
            return 0
        fi
        rm -f "$dest.part"
    done
    say "  $rel: no source worked"
    return 1
}

# Up to date: the model exists and is newer than its inputs and the converter (a newer
# openpose-c may convert differently).
fresh() {
    local out=$1 f
    shift
    [ "$FORCE" = 0 ] && [ -f "$out" ] || return 1
    for f in "$@"; do [ "$out" -nt "$f" ] || return 1; done
}

get_mobilenet_v2_small() {
    local pb=tf-pose/mobilenet_v2_small/graph_opt.pb out=$MODELS/mobilenet_v2_small.opc
    fetch $pb 79658be52b8f6c12d60b43de008c97a7 \
        "$TFPOSE_RAW/models/graph/mobilenet_v2_small/graph_opt.pb" || return 1
    fresh "$out" "$CACHE/$pb" "$BIN" && return 0
    # TensorFlow semantics (the network was trained with them); -1x368 keeps each image's
    # aspect ratio, which measured better than tf-pose's fixed 432x368 (see README).
    "$BIN" convert tf "$CACHE/$pb" -o "$out" --topology coco --name mobilenet_v2_small \
        --net-resolution -1x368
}

# Open Model Zoo's human-pose-estimation-0001 (Lightweight OpenPose), its SHA-256 sums
# from Open Model Zoo's model.yml.
declare -A LW_SHA256=(
    [FP32/human-pose-estimation-0001.xml]=a4312443bb77b8528080c75fff2e5b99ad46d660d5c4cc753ee218dd3deb01f5
    [FP32/human-pose-estimation-0001.bin]=746bddef69d602945f7db09401d0567176f805fa0ea2086d2b857b459e316254
    [FP16/human-pose-estimation-0001.xml]=560880b45f2e58f1f4d5388000e0364c30199ef656a1b2fd07cd4cdb7b53561c
    [FP16/human-pose-estimation-0001.bin]=40dfef77d8216f23b83d86d8915659e3ade89abadbb9173bc9b946cffb6c1c9e
    [FP16-INT8/human-pose-estimation-0001.xml]=581b082e749848fdfc6d4b4b70e8189c3c2bae1c2d59c6b2c1a026a5471754e3
    [FP16-INT8/human-pose-estimation-0001.bin]=df2a9f41f15c3a0c8a0c5a704650338a3cc5c7bb588f2bfc14ea7093fa37b446
)

get_lwopenpose() {
    local dir=lwopenpose/human-pose-estimation-0001 out=$MODELS/lwopenpose.opc p f
    local precisions=(FP32 FP16 FP16-INT8)
    [ -n "${OPENPOSE_C_LWOPENPOSE_PRECISION:-}" ] && precisions=("$OPENPOSE_C_LWOPENPOSE_PRECISION")
    [ -n "${LW_SHA256[${precisions[0]}/human-pose-estimation-0001.xml]:-}" ] || {
        say "  OPENPOSE_C_LWOPENPOSE_PRECISION: FP32, FP16 or FP16-INT8"
        return 1
    }
    # The first precision already in the cache, else in the mirror, else downloaded.
    local prec=
    for p in "${precisions[@]}"; do
        [ -s "$CACHE/$dir/$p/human-pose-estimation-0001.bin" ] && { prec=$p; break; }
    done
    for p in "${precisions[@]}"; do
        [ -z "$prec" ] && [ -n "$MIRROR" ] && [ -f "$MIRROR/$dir/$p/human-pose-estimation-0001.xml" ] && prec=$p
    done
    [ -n "$prec" ] || prec=${precisions[0]}
    for f in xml bin; do
        fetch "$dir/$prec/human-pose-estimation-0001.$f" \
            "${LW_SHA256[$prec/human-pose-estimation-0001.$f]}" \
            "$OMZ_MODELS/human-pose-estimation-0001/$prec/human-pose-estimation-0001.$f" || return 1
    done
    local xml=$CACHE/$dir/$prec/human-pose-estimation-0001.xml
    fresh "$out" "$xml" "${xml%.xml}.bin" "$BIN" && return 0
    say "  converting the $prec IR"
    # Activation FakeQuantize layers (FP16-INT8) are dropped: float32 throughout. -1x368
    # (see the README's accuracy table).
    "$BIN" convert openvino "$xml" -o "$out" --topology coco --name lwopenpose \
        --net-resolution -1x368
}

# get_edvardhua NAME MD5: a top-down network; its output (14 maps) makes it an aic14
# heatmap model with crops of the graph's 192x192.
get_edvardhua() {
    local pb=edvardhua/$1/model.pb out=$MODELS/$1.opc
    fetch "$pb" "$2" "$EDVARDHUA_RAW/release/$1_model/model.pb" || return 1
    fresh "$out" "$CACHE/$pb" "$BIN" && return 0
    "$BIN" convert tf "$CACHE/$pb" -o "$out" --keypoints aic14 --name "$1"
}

get_hourglass() { get_edvardhua hourglass a6c5af6fa54e3f8e9f368cd8723c494e; }
get_cpm() { get_edvardhua cpm 09994cb9763fb59ea1dabb19e481591c; }

# get_caffe NAME TOPOLOGY DIR PROTOTXT PROTO_MD5 CAFFEMODEL URL...
get_caffe() {
    local name=$1 topology=$2 dir=$3 proto=$4 proto_md5=$5 weights=$6
    shift 6
    local out=$MODELS/$name.opc
    fetch "openpose/$dir/$proto" "$proto_md5" "$OPENPOSE_RAW/models/pose/$dir/$proto" || return 1
    fetch "openpose/$dir/$weights" - "$CMU_MODELS/pose/$dir/$weights" "$@" || return 1
    fresh "$out" "$CACHE/openpose/$dir/$proto" "$CACHE/openpose/$dir/$weights" "$BIN" && return 0
    "$BIN" convert caffe "$CACHE/openpose/$dir/$proto" "$CACHE/openpose/$dir/$weights" \
        -o "$out" --topology "$topology" --name "$name"
}

get_coco() {
    get_caffe coco coco coco pose_deploy_linevec.prototxt c9e6e28e5b84b7b49c436f929b58db91 \
        pose_iter_440000.caffemodel \
        https://github.com/foss-for-synopsys-dwc-arc-processors/synopsys-caffe-models/raw/master/caffe_models/openpose/caffe_model/pose_iter_440000.caffemodel \
        "https://www.dropbox.com/s/2h2bv29a130sgrk/pose_iter_440000.caffemodel?dl=1"
}

get_body25() {
    get_caffe body25 body25 body_25 pose_deploy.prototxt 451938635cf007327c3cf235ed483844 \
        pose_iter_584000.caffemodel \
        "https://www.dropbox.com/s/3x0xambj2rkyrap/pose_iter_584000.caffemodel?dl=1"
}

# The URL @tensorflow-models/posenet loads MobileNetV1 0.75, stride 16, float weights from.
POSENET_URL=https://storage.googleapis.com/tfjs-models/savedmodel/posenet/mobilenet/float/075

# The shard files model.json's weightsManifest lists, one per line.
manifest_paths() {
    tr -d '\n' <"$1" | grep -o '"paths" *: *\[[^]]*\]' | grep -o '"[^"]*"' | sed 1d | tr -d '"'
}

get_posenet() {
    local dir=posenet/mobilenet_v1_075 out=$MODELS/posenet.opc shard inputs=()
    # Google's file is model-stride16.json; the mirror keeps the name model.json.
    fetch $dir/model.json - "$POSENET_URL/model-stride16.json" || return 1
    inputs=("$CACHE/$dir/model.json")
    for shard in $(manifest_paths "$CACHE/$dir/model.json"); do
        case $shard in */* | .*) say "  $dir: shard path '$shard' refused"; return 1 ;; esac
        fetch "$dir/$shard" - "$POSENET_URL/$shard" || return 1
        inputs+=("$CACHE/$dir/$shard")
    done
    fresh "$out" "${inputs[@]}" "$BIN" && return 0
    "$BIN" convert tfjs "$CACHE/$dir/model.json" -o "$out" --name posenet
}

MPI_MIRRORS=(
    https://huggingface.co/camenduru/openpose/resolve/f4a22b0e6fa2a4a2b1e2d50bd589e8bb11ebea7c/pose_iter_160000.caffemodel
    "https://www.dropbox.com/s/drumc6dzllfed16/pose_iter_160000.caffemodel?dl=1"
)

get_mpi() {
    get_caffe mpi mpi mpi pose_deploy_linevec.prototxt 8a8f979261f89212676450b18f78ecc1 \
        pose_iter_160000.caffemodel "${MPI_MIRRORS[@]}"
}

get_mpi4() {
    get_caffe mpi4 mpi4 mpi pose_deploy_linevec_faster_4_stages.prototxt \
        67ad3541c09b6f015151a230f52aa0b1 pose_iter_160000.caffemodel "${MPI_MIRRORS[@]}"
}

main() {
    local wanted=() m failed=0
    for m in "$@"; do
        case $m in
        --force) FORCE=1 ;;
        -h | --help) sed -n '2,/^set /p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; return 0 ;;
        all) wanted+=(lwopenpose mobilenet_v2_small coco body25 mpi mpi4 posenet hourglass cpm) ;;
        lwopenpose | mobilenet_v2_small | coco | body25 | mpi | mpi4 | posenet | hourglass | cpm)
            wanted+=("$m") ;;
        *) say "get-models.sh: unknown model '$m' (see --help)"; return 2 ;;
        esac
    done
    [ ${#wanted[@]} -gt 0 ] || wanted=(lwopenpose)
    if [ ! -x "$BIN" ]; then
        say "get-models.sh: $BIN not found: build first (cmake -S . -B build && cmake --build build)"
        return 1
    fi
    mkdir -p "$CACHE"
    for m in "${wanted[@]}"; do
        say "$m:"
        if "get_$m"; then
            say "  -> $MODELS/$m.opc"
        else
            say "  $m: not available"
            failed=1
        fi
    done
    if [ "$failed" = 1 ] && [ -z "$MIRROR" ]; then
        say "get-models.sh: without the network, OPENPOSE_C_MIRROR=DIR takes the files from a" \
            "local folder laid out as the paths above (see the top of $0)"
    fi
    return $failed
}

main "$@"
