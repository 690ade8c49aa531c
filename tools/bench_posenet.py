#!/usr/bin/python3
"""Speed benchmark: PoseNet's forward in openpose-c against TensorFlow.js's WASM backend
(XNNPACK, SIMD), on the same model file and input sizes, side by side in one run.

The model is the shared PoseNet MobileNetV1 0.75 (a TensorFlow.js graph model), converted
with `openpose-c convert tfjs`. Each round runs, for every input size, `openpose-c forward
--threads 1` and `--threads 2` and the tfjs WASM backend under Node (tools/bench_posenet_tfjs.js;
single-threaded there), each in its own process, one after the other, so that load from
other work on the machine falls on all of them alike. Each process times --repeat forwards
after one warm-up; the table gives per contender the median over rounds of its per-round
median, and our 1-thread time over tfjs's. Then the decoding time (sigmoid + multi-person
decoder, tools/bench_posenet_decode) on the tfjs outputs of a 5-person photo.

    /usr/bin/python3 tools/bench_posenet.py [--rounds 5] [--repeat 20] [--sizes 257,513]

Needs Node.js 20 and npm; the first run installs @tensorflow/tfjs-core, -converter and
-backend-wasm 4.22.0 into models/cache/tfjs-bench (npm registry). Builds Release first
(--no-build to skip). Shared data: $OPENPOSE_C_SHARED, else ../shared beside the repository.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TFJS_VERSION = "4.22.0"
TFJS_PACKAGES = ["@tensorflow/tfjs-core", "@tensorflow/tfjs-converter",
                 "@tensorflow/tfjs-backend-wasm"]
MODEL = "models/posenet/mobilenet_v1_075/model.json"
DECODE_CASE = "testdata/posenet/real/apink2_513x513"


def shared_dir():
    return os.environ.get("OPENPOSE_C_SHARED") or os.path.join(ROOT, "..", "shared")


def ensure_tfjs(modules):
    """Installs the tfjs packages into modules (a private npm project) when missing."""
    if all(os.path.isdir(os.path.join(modules, "node_modules", p)) for p in TFJS_PACKAGES):
        return
    os.makedirs(modules, exist_ok=True)
    pkg = os.path.join(modules, "package.json")
    if not os.path.exists(pkg):
        with open(pkg, "w") as f:
            f.write('{"name": "tfjs-bench", "private": true}\n')
    print("bench_posenet: installing " + ", ".join(TFJS_PACKAGES) + " " + TFJS_VERSION,
          flush=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund"] +
                   [p + "@" + TFJS_VERSION for p in TFJS_PACKAGES], cwd=modules, check=True)


def write_input(path, h, w):
    """A 1 x h x w x 3 float32 .npy (NHWC, as the converted model's forward takes) of fixed
    pseudo-random values in [-1, 1]: timing does not depend on them."""
    import random
    import struct
    rng = random.Random(12345)
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, %d, %d, 3), }" % (h, w)
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%df" % (h * w * 3), *(rng.uniform(-1, 1) for _ in range(h * w * 3))))


def ours(binary, model, npy, threads, repeat):
    r = subprocess.run([binary, "forward", model, npy, "-o", npy + ".out.npy", "--threads",
                        str(threads), "--repeat", str(repeat + 1)], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("bench_posenet: openpose-c forward failed: " + r.stderr.strip())
    times = [float(t) for t in re.findall(r"run \d+/\d+: ([0-9.]+) ms", r.stderr)]
    return statistics.median(times[1:])  # run 1 is the warm-up


def tfjs(modules, model, sizes, repeat):
    r = subprocess.run(["node", os.path.join(HERE, "bench_posenet_tfjs.js"), modules, model,
                        ",".join("%dx%d" % (s, s) for s in sizes), str(repeat)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("bench_posenet: tfjs failed: " + r.stderr.strip())
    out = {}
    for line in r.stdout.splitlines():
        rec = json.loads(line)
        if rec["backend"] != "wasm":
            sys.exit("bench_posenet: tfjs ran on %s, not wasm" % rec["backend"])
        out[int(rec["size"].split("x")[0])] = rec["median_ms"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--sizes", default="257,513")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    build = os.path.join(ROOT, "build")
    if not args.no_build:
        subprocess.run(["cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", build, "-j2"], check=True, stdout=subprocess.DEVNULL)
    binary = os.path.join(build, "openpose-c")
    shared = shared_dir()
    model_json = os.path.join(shared, MODEL)
    work = os.path.join(ROOT, "models", "cache", "bench-posenet")
    modules = os.path.join(ROOT, "models", "cache", "tfjs-bench")
    os.makedirs(work, exist_ok=True)
    ensure_tfjs(modules)
    opc = os.path.join(work, "posenet.opc")
    subprocess.run([binary, "convert", "tfjs", model_json, "-o", opc], check=True,
                   stdout=subprocess.DEVNULL)
    inputs = {}
    for s in sizes:
        inputs[s] = os.path.join(work, "input_%d.npy" % s)
        write_input(inputs[s], s, s)

    load = [os.getloadavg()]
    results = {(s, who): [] for s in sizes for who in ("t1", "t2", "tfjs")}
    for rnd in range(args.rounds):
        for s in sizes:
            results[(s, "t1")].append(ours(binary, opc, inputs[s], 1, args.repeat))
            results[(s, "t2")].append(ours(binary, opc, inputs[s], 2, args.repeat))
        for s, ms in tfjs(modules, model_json, sizes, args.repeat).items():
            results[(s, "tfjs")].append(ms)
        load.append(os.getloadavg())
        print("round %d/%d done" % (rnd + 1, args.rounds), flush=True)

    print("\nPoseNet MobileNetV1 0.75 forward, median of %d rounds x %d runs (ms)" %
          (args.rounds, args.repeat))
    print("| input | tfjs WASM (1 thread) | openpose-c 1 thread | ratio | openpose-c 2 threads |")
    print("| --- | --- | --- | --- | --- |")
    for s in sizes:
        t = statistics.median(results[(s, "tfjs")])
        o1 = statistics.median(results[(s, "t1")])
        o2 = statistics.median(results[(s, "t2")])
        print("| %dx%d | %.1f | %.1f | %.2f | %.1f |" % (s, s, t, o1, o1 / t, o2))
    print("load average (1 min) during the run: %s" %
          ", ".join("%.1f" % l[0] for l in load))
    dec = subprocess.run([os.path.join(build, "tools", "bench_posenet_decode"),
                          os.path.join(shared, DECODE_CASE), "--repeat", "2000"],
                         capture_output=True, text=True, check=True)
    print("decoding: " + dec.stdout.strip())


if __name__ == "__main__":
    main()
