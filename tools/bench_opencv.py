#!/usr/bin/python3
"""Full-size benchmark: openpose-c's forward against OpenCV dnn on the CMU OpenPose networks.

For each network (COCO, BODY_25 by default) this writes a deterministic random-weight
caffemodel for the full prototxt (tools/make_random_caffemodel), converts it with
`openpose-c convert caffe`, then runs, interleaved, `openpose-c forward` and OpenCV's
readNetFromCaffe (DNN_BACKEND_OPENCV, CPU, the same thread count) on the same input, each
in its own process under /usr/bin/time -v. It prints the forward times (first run and the
median of the later ones), their ratio, the peak RSS of each process, and the difference
between the two outputs (relative L2, max abs).

Run with Debian's python3 (numpy, python3-opencv):
    /usr/bin/python3 tools/bench_opencv.py [--threads 2] [--size 368x368] [--rounds 2]
The shared data folder is $OPENPOSE_C_SHARED, else ../shared beside the repository.
"""
import argparse
import ctypes
import ctypes.util
import os
import re
import statistics
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NETS = {
    "coco": "models/openpose/coco/pose_deploy_linevec.prototxt",
    "body25": "models/openpose/body_25/pose_deploy.prototxt",
    "mpi": "models/openpose/mpi/pose_deploy_linevec.prototxt",
}

# The OpenCV side: load once, run `repeat` forwards, print each time, save the output.
OPENCV_CHILD = r"""
import sys, time
import cv2, numpy as np
proto, weights, inp, out, threads, repeat = sys.argv[1:7]
cv2.setNumThreads(int(threads))
net = cv2.dnn.readNetFromCaffe(proto, weights)
net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
x = np.load(inp)
for r in range(int(repeat)):
    t0 = time.perf_counter()
    net.setInput(x)
    y = net.forward()
    print("forward: run %d: %.1f ms" % (r + 1, (time.perf_counter() - t0) * 1e3), file=sys.stderr)
np.save(out, y)
"""
# Python + numpy + cv2 with no network: what the OpenCV process costs before any work.
OPENCV_BASELINE = "import cv2, numpy"


def shared_dir():
    d = os.environ.get("OPENPOSE_C_SHARED") or os.path.join(ROOT, "..", "shared")
    if not os.path.isdir(d):
        sys.exit("bench: shared data folder %s not found (set OPENPOSE_C_SHARED)" % d)
    return d


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit("bench: %s failed (%d):\n%s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    return r


def timed(cmd):
    """Runs cmd under /usr/bin/time -v: (forward times in ms, peak RSS in MiB)."""
    r = run(["/usr/bin/time", "-v"] + cmd)
    times = [float(m) for m in re.findall(r"forward: run \d+(?:/\d+)?: ([\d.]+) ms", r.stderr)]
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    return times, int(rss.group(1)) / 1024.0


def blas_core():
    path = ctypes.util.find_library("openblas") or "libopenblas.so.0"
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except OSError:
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="CMake build folder")
    ap.add_argument("--no-build", action="store_true", help="use the build folder as it is")
    ap.add_argument("--work", help="folder for models and outputs (default BUILD/bench)")
    ap.add_argument("--nets", default="coco,body25", help="comma list of " + ",".join(NETS))
    ap.add_argument("--size", default="368x368", help="network input WxH")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2, help="interleaved process pairs per net")
    ap.add_argument("--repeat", type=int, default=3, help="forwards per process")
    a = ap.parse_args()
    w, h = (int(v) for v in a.size.split("x"))
    shared = shared_dir()
    work = a.work or os.path.join(a.build, "bench")
    os.makedirs(work, exist_ok=True)
    if not a.no_build:
        run(["cmake", "-S", ROOT, "-B", a.build, "-DCMAKE_BUILD_TYPE=Release"])
        run(["cmake", "--build", a.build, "-j2"])
    opc = os.path.join(a.build, "openpose-c")
    maker = os.path.join(a.build, "tools", "make_random_caffemodel")

    inp = os.path.join(work, "input_%dx%d.npy" % (w, h))
    rng = np.random.default_rng(2024)
    np.save(inp, (rng.random((1, 3, h, w), dtype=np.float32) - 0.5))

    import cv2  # noqa: E402 (only to report its version)
    print("openpose-c vs OpenCV %s dnn, %dx%d, %d threads, OpenBLAS core %s%s" % (
        cv2.__version__, w, h, a.threads, blas_core(),
        " (OPENBLAS_CORETYPE=%s)" % os.environ["OPENBLAS_CORETYPE"]
        if "OPENBLAS_CORETYPE" in os.environ else ""))
    base_t, base_rss = timed(["/usr/bin/python3", "-c", OPENCV_BASELINE])
    print("python3 + numpy + cv2 alone: peak RSS %.0f MiB (included in OpenCV's figures)"
          % base_rss)
    print("%-7s %-9s %10s %12s %9s %9s %10s %10s" % (
        "net", "engine", "first ms", "median ms", "ratio", "RSS MiB", "rel L2", "max abs"))
    for name in a.nets.split(","):
        proto = os.path.join(shared, NETS[name])
        weights = os.path.join(work, name + ".caffemodel")
        model = os.path.join(work, name + ".opc")
        if not os.path.exists(weights):
            run([maker, proto, weights, "--seed", "1"])
        run([opc, "convert", "caffe", proto, weights, "-o", model])
        ours_out = os.path.join(work, name + "_ours.npy")
        cv_out = os.path.join(work, name + "_opencv.npy")
        res = {"openpose-c": ([], [], []), "opencv": ([], [], [])}
        for _ in range(a.rounds):
            for who in res:
                if who == "openpose-c":
                    cmd = [opc, "forward", model, inp, "-o", ours_out, "--threads",
                           str(a.threads), "--repeat", str(a.repeat)]
                else:
                    cmd = ["/usr/bin/python3", "-c", OPENCV_CHILD, proto, weights, inp, cv_out,
                           str(a.threads), str(a.repeat)]
                times, rss = timed(cmd)
                res[who][0].append(times[0])
                res[who][1].extend(times[1:] or times)
                res[who][2].append(rss)
        ours, ref = np.load(ours_out).astype(np.float64), np.load(cv_out).astype(np.float64)
        if ours.shape != ref.shape:
            sys.exit("bench: %s: output shapes differ: %s vs %s" % (name, ours.shape, ref.shape))
        rel = np.linalg.norm(ours - ref) / np.linalg.norm(ref)
        mx = np.abs(ours - ref).max()
        med = {who: statistics.median(r[1]) for who, r in res.items()}
        for who, r in res.items():
            print("%-7s %-9s %10.0f %12.0f %9s %9.0f %10s %10s" % (
                name, who, statistics.median(r[0]), med[who],
                "%.2f" % (med[who] / med["opencv"]), max(r[2]),
                "%.2e" % rel if who == "openpose-c" else "", "%.2e" % mx if who == "openpose-c" else ""))
    print("ratio = median forward time / OpenCV's; first = the first forward of each process "
          "(median over processes); median over the later forwards of %d processes each"
          % a.rounds)


if __name__ == "__main__":
    main()
