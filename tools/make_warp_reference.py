#!/usr/bin/python3
"""Writes tests/data/warp_cv2.u8: OpenCV's warpAffine of synthetic images, the reference
for openpose-c's exact reimplementation (tests/test_image_preprocess.c).

Each case is a W x H RGB image of hashed pixel values (the C test makes the same image),
scaled by s into a dw x dh canvas as OpenPose's resizeFixedAspectRatio does:
warpAffine(img, [[s,0,0],[0,s,0]], (dw, dh), INTER_CUBIC if s > 1 else INTER_AREA,
BORDER_CONSTANT, 0). The outputs (dh x dw x 3 bytes each) are concatenated in case order.
Needs Debian's python3 with numpy and cv2 (OpenCV 4.x); run from the repository root:
    /usr/bin/python3 tools/make_warp_reference.py
"""
import numpy as np
import cv2

# (W, H, s, dw, dh, seed); keep in sync with CASES in tests/test_image_preprocess.c.
CASES = [
    (61, 47, 0.2, 16, 16, 1),          # shrink: bilinear
    (61, 47, 0.7662, 48, 40, 2),       # mild shrink, border below and right
    (40, 30, 31 / 39, 32, 32, 3),      # OpenPose's (net-1)/(img-1) scale
    (23, 17, 1.0, 32, 24, 4),          # identity scale, larger canvas
    (23, 17, 1.7, 40, 32, 5),          # enlarge: bicubic, negative weights, saturation
    (9, 13, 3.3, 32, 48, 6),           # strong enlarge of a tiny image
    (5, 1, 2.5, 16, 8, 7),             # one-pixel-high image
    (64, 64, 0.5, 33, 31, 8),          # odd canvas
]


def image(w, h, seed):
    """Pixel (x, y, c) = bits 8..15 of a 32-bit hash, as in the C test."""
    y, x, c = np.meshgrid(np.arange(h, dtype=np.uint32), np.arange(w, dtype=np.uint32),
                          np.arange(3, dtype=np.uint32), indexing="ij")
    v = (x * np.uint32(73856093)) ^ (y * np.uint32(19349663)) ^ (c * np.uint32(83492791)) \
        ^ np.uint32(seed * 2654435761 % 2**32)
    v = v * np.uint32(2246822519)
    return ((v >> np.uint32(8)) & np.uint32(255)).astype(np.uint8)


def main():
    out = []
    for w, h, s, dw, dh, seed in CASES:
        flags = cv2.INTER_CUBIC if s > 1 else cv2.INTER_AREA
        m = np.array([[s, 0, 0], [0, s, 0]], dtype=np.float64)
        out.append(cv2.warpAffine(image(w, h, seed), m, (dw, dh), flags=flags,
                                  borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0)))
    with open("tests/data/warp_cv2.u8", "wb") as f:
        for o in out:
            f.write(np.ascontiguousarray(o).tobytes())
    print("OpenCV", cv2.__version__, "wrote", sum(o.size for o in out), "bytes")


if __name__ == "__main__":
    main()
