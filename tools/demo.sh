#!/usr/bin/env bash
# From a fresh checkout to people found on a real photo: installs the Debian packages
# openpose-c builds with (if missing), builds it, gets the default model and runs it on an
# example photo, writing demo/photo_keypoints.json and demo/photo_rendered.png.
#
# usage: tools/demo.sh [PHOTO]     (default: one of OpenPose's example photos)
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES="build-essential cmake pkg-config curl libopenblas-dev libstb-dev libcjson-dev libjpeg-dev libexpat1-dev"
PHOTO_URL=https://raw.githubusercontent.com/CMU-Perceptual-Computing-Lab/openpose/5c5d96523ef917bd30301245fdc8343937cae48d/examples/media/COCO_val2014_000000000192.jpg
PHOTO_MD5=749b210502f01dddf576a69b80d56cd6

missing=$(for p in $PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
    echo "== installing: $missing"
    SUDO=
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update
    # shellcheck disable=SC2086
    $SUDO apt-get install -y --no-install-recommends $missing
fi

echo "== building"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

echo "== getting the default model"
tools/get-models.sh

mkdir -p demo
photo=demo/photo.jpg
if [ $# -gt 0 ]; then
    install -m 644 "$1" "$photo"
elif [ ! -s "$photo" ] || [ "$(md5sum <"$photo" | cut -d' ' -f1)" != "$PHOTO_MD5" ]; then
    shared=${OPENPOSE_C_SHARED:-../shared}/images/openpose-media/COCO_val2014_000000000192.jpg
    if [ -f "$shared" ]; then
        install -m 644 "$shared" "$photo"
    else
        echo "== downloading an example photo"
        curl -fsSL --retry 2 -o "$photo.part" "$PHOTO_URL"
        if [ "$(md5sum <"$photo.part" | cut -d' ' -f1)" != "$PHOTO_MD5" ]; then
            rm -f "$photo.part"
            echo "demo.sh: the downloaded photo is not the expected file; pass one: tools/demo.sh PHOTO" >&2
            exit 1
        fi
        mv "$photo.part" "$photo"
    fi
fi

echo "== finding people"
build/openpose-c "$photo" -o demo/photo_keypoints.json --render demo/photo_rendered.png
people=$(grep -o '"pose_keypoints_2d"' demo/photo_keypoints.json | wc -l)
echo "found $people people: demo/photo_keypoints.json, demo/photo_rendered.png"
