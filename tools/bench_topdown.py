#!/usr/bin/python3
"""Top-down benchmark: edvardHua's single-person networks against OpenCV dnn, and the
top-down command's throughput in persons per second.

1. Forward: for the hourglass and the CPM (../shared/models/edvardhua, converted with
   `openpose-c convert tf`), `openpose-c forward` and OpenCV's readNetFromTensorflow
   (DNN_BACKEND_OPENCV, CPU, the same thread count) on the same 192x192 input (a real crop,
   ../shared/testdata/topdown/input_p1.npy), interleaved over several rounds, each in its own
   process: the median forward time (the first forward of each process is a warm-up), ours
   over OpenCV's, and the output difference.
2. Throughput: `openpose-c --model hourglass --boxes FILE` on a folder of copies of one photo
   with 1, 5 and 20 person boxes each (boxes spread over the photo), the whole command timed
   (process start and model open included, as a user sees it), persons per second = boxes
   decoded / seconds; and the same with --flip-test (two forwards per person).

Run with Debian's python3 (numpy, python3-opencv):
    /usr/bin/python3 tools/bench_topdown.py [--threads 2] [--rounds 5] [--images 20]
The shared data folder is $OPENPOSE_C_SHARED, else ../shared beside the repository.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NETS = {"hourglass": "models/edvardhua/hourglass/model.pb",
        "cpm": "models/edvardhua/cpm/model.pb"}
INPUT = "testdata/topdown/input_p1.npy"   # 1x192x192x3, B,G,R, a real person crop
PHOTO = "images/tf-pose/apink2.jpg"       # 1200x627, several people

# The OpenCV side: load once, run `repeat` forwards, print each time, save the output.
OPENCV_CHILD = r"""
import sys, time
import cv2, numpy as np
pb, inp, out, threads, repeat = sys.argv[1:6]
cv2.setNumThreads(int(threads))
net = cv2.dnn.readNetFromTensorflow(pb)
net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
x = np.ascontiguousarray(np.load(inp).transpose(0, 3, 1, 2))
for r in range(int(repeat)):
    t0 = time.perf_counter()
    net.setInput(x)
    y = net.forward()
    print("forward: run %d: %.3f ms" % (r + 1, (time.perf_counter() - t0) * 1e3), file=sys.stderr)
np.save(out, y)
"""


def shared_dir():
    d = os.environ.get("OPENPOSE_C_SHARED") or os.path.join(ROOT, "..", "shared")
    if not os.path.isdir(d):
        sys.exit("bench: shared data folder %s not found (set OPENPOSE_C_SHARED)" % d)
    return d


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("bench: %s failed (%d):\n%s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    return r


def forward_times(cmd):
    r = run(cmd)
    return [float(m) for m in re.findall(r"forward: run \d+(?:/\d+)?: ([\d.]+) ms", r.stderr)]


def load_avg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def bench_forward(a, opc, shared, work):
    inp = os.path.join(shared, INPUT)
    print("1. forward at 192x192, %d threads, %d rounds of %d forwards (load %s)"
          % (a.threads, a.rounds, a.repeat, load_avg()))
    print("%-10s %-11s %10s %8s %10s %10s" % ("net", "engine", "median ms", "ratio", "rel L2",
                                              "max abs"))
    for name, rel in NETS.items():
        pb = os.path.join(shared, rel)
        model = os.path.join(work, name + ".opc")
        run([opc, "convert", "tf", pb, "-o", model])
        ours_out, cv_out = os.path.join(work, name + "_ours.npy"), os.path.join(work, name + "_cv.npy")
        times = {"openpose-c": [], "opencv": []}
        for _ in range(a.rounds):
            t = forward_times([opc, "forward", model, inp, "-o", ours_out, "--threads",
                               str(a.threads), "--repeat", str(a.repeat)])
            times["openpose-c"].extend(t[1:])
            t = forward_times(["/usr/bin/python3", "-c", OPENCV_CHILD, pb, inp, cv_out,
                               str(a.threads), str(a.repeat)])
            times["opencv"].extend(t[1:])
        ours, ref = np.load(ours_out).astype(np.float64), np.load(cv_out).astype(np.float64)
        ours = ours.reshape(ref.shape)
        rel_l2 = np.linalg.norm(ours - ref) / np.linalg.norm(ref)
        med = {k: statistics.median(v) for k, v in times.items()}
        for who in times:
            print("%-10s %-11s %10.2f %8.2f %10s %10s" % (
                name, who, med[who], med[who] / med["opencv"],
                "%.1e" % rel_l2 if who == "openpose-c" else "",
                "%.1e" % np.abs(ours - ref).max() if who == "openpose-c" else ""))


def spread_boxes(w, h, n):
    """n boxes of a third of the photo's height on a grid over it."""
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    bw, bh = w / (cols + 1), h / (rows + 1)
    return [[(i % cols) * w / cols + 1, (i // cols) * h / rows + 1, bw, bh] for i in range(n)]


def bench_throughput(a, opc, shared, work):
    model = os.path.join(work, "hourglass.opc")
    photo = os.path.join(shared, PHOTO)
    print("\n2. top-down throughput: %d copies of %s, hourglass, %d threads, whole command, "
          "median of %d runs (load %s)" % (a.images, os.path.basename(photo), a.threads,
                                            a.rounds, load_avg()))
    print("%-14s %-7s %10s %12s" % ("boxes/image", "flip", "seconds", "persons/s"))
    w, h = 1200, 627
    for per in (1, 5, 20):
        folder = os.path.join(work, "td_%d" % per)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        dets = []
        for i in range(a.images):
            shutil.copy(photo, os.path.join(folder, "%06d.jpg" % (i + 1)))
            for b in spread_boxes(w, h, per):
                dets.append({"image_id": i + 1, "category_id": 1, "bbox": b, "score": 1.0})
        boxes = os.path.join(work, "boxes_%d.json" % per)
        with open(boxes, "w") as f:
            json.dump(dets, f)
        for flip in (False, True):
            secs = []
            for _ in range(a.rounds):
                cmd = [opc, "--model", model, "--boxes", boxes, folder, "-o",
                       os.path.join(work, "td_out"), "--threads", str(a.threads)]
                if flip:
                    cmd.append("--flip-test")
                t0 = time.perf_counter()
                run(cmd)
                secs.append(time.perf_counter() - t0)
            s = statistics.median(secs)
            print("%-14d %-7s %10.2f %12.1f" % (per, "yes" if flip else "no", s,
                                                per * a.images / s))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="CMake build folder")
    ap.add_argument("--no-build", action="store_true", help="use the build folder as it is")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5, help="interleaved process pairs per net")
    ap.add_argument("--repeat", type=int, default=20, help="forwards per process")
    ap.add_argument("--images", type=int, default=20, help="photos in the throughput folder")
    a = ap.parse_args()
    shared = shared_dir()
    work = os.path.join(a.build, "bench_topdown")
    os.makedirs(work, exist_ok=True)
    if not a.no_build:
        run(["cmake", "-S", ROOT, "-B", a.build, "-DCMAKE_BUILD_TYPE=Release"])
        run(["cmake", "--build", a.build, "-j2"])
    opc = os.path.join(a.build, "openpose-c")
    import cv2  # noqa: E402 (only to report its version)
    print("openpose-c vs OpenCV %s dnn, %s" % (cv2.__version__, time.strftime("%Y-%m-%d %H:%M")))
    bench_forward(a, opc, shared, work)
    bench_throughput(a, opc, shared, work)


if __name__ == "__main__":
    main()
