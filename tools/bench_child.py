#!/usr/bin/python3
"""One contender of tools/bench.py, run in its own process so that its time and peak RSS are
its own: loads a network, runs it `repeat` times on one input, prints each forward's time on
stderr ("forward: run N: T ms", the format `openpose-c forward --repeat` prints) and which BLAS
kernel the process has loaded ("blas: ..."), and saves the last output as .npy.

    bench_child.py opencv-caffe PROTOTXT CAFFEMODEL INPUT.npy OUT.npy THREADS REPEAT
    bench_child.py torch-caffe  PROTOTXT CAFFEMODEL INPUT.npy OUT.npy THREADS REPEAT
    bench_child.py opencv-tf    GRAPH.pb OUTPUT_NODE INPUT.npy OUT.npy THREADS REPEAT
    bench_child.py torch-opc    MODEL.opc - INPUT.npy OUT.npy THREADS REPEAT

torch-caffe builds the Caffe network in PyTorch from the prototxt (a small text-format reader
here) with the weights as OpenCV reads them from the caffemodel (cv2.dnn getParam), so it
shares no code with openpose-c's converter. torch-opc runs the network of an openpose-c
model file (tools/opc_torch.py; input NCHW), for the networks not from Caffe.
"""
import ctypes
import re
import sys
import time

import numpy as np


def blas_loaded():
    """The OpenBLAS core this process would run, or what else provides BLAS here."""
    maps = open("/proc/self/maps").read()
    libs = sorted(set(re.findall(r"(/\S*(?:openblas|libdnnl|libmkl)\S*\.so[\d.]*)", maps)))
    desc = []
    for path in libs:
        if "openblas" in path:
            try:
                lib = ctypes.CDLL(path)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                desc.append("OpenBLAS %s" % lib.openblas_get_corename().decode())
            except (OSError, AttributeError):
                pass
        elif "dnnl" in path:
            desc.append("oneDNN (%s)" % path.rsplit("/", 1)[1])
    return ", ".join(dict.fromkeys(desc)) or "none loaded"


def timed_runs(fn, repeat):
    y = None
    for r in range(repeat):
        t0 = time.perf_counter()
        y = fn()
        print("forward: run %d: %.1f ms" % (r + 1, (time.perf_counter() - t0) * 1e3),
              file=sys.stderr)
    return y


# --- a small reader for Caffe's prototxt (protobuf text format) -------------------------

TOKEN = re.compile(r'#[^\n]*|"(?:[^"\\]|\\.)*"|[{}:]|[^\s{}:#"]+')


def parse_prototxt(text):
    """Message -> {field: [values]}, values being strings or nested dicts."""
    stack, cur, key = [], {}, None
    for tok in TOKEN.findall(text):
        if tok.startswith("#") or tok == ":":
            continue
        if tok == "{":
            child = {}
            cur.setdefault(key, []).append(child)
            stack.append(cur)
            cur, key = child, None
        elif tok == "}":
            cur, key = stack.pop(), None
        elif key is None:
            key = tok
        else:
            cur.setdefault(key, []).append(tok.strip('"'))
            key = None
    return cur


def one(msg, field, default=None, conv=int):
    v = msg.get(field)
    return conv(v[0]) if v else default


def torch_caffe_net(proto_path, weights_path):
    """(forward function on a numpy input, output blob name) for the Caffe net."""
    import cv2
    import torch
    import torch.nn.functional as F

    net_msg = parse_prototxt(open(proto_path).read())
    cvnet = cv2.dnn.readNetFromCaffe(proto_path, weights_path)
    steps = []  # (kind, bottoms, top, params)
    for L in net_msg.get("layer", []):
        kind, name = L["type"][0], L["name"][0]
        bottoms, tops = L.get("bottom", []), L.get("top", [])
        if kind == "Input":
            continue
        if kind == "Convolution":
            p = L["convolution_param"][0]
            k = one(p, "kernel_size", 1)
            w = torch.from_numpy(np.ascontiguousarray(cvnet.getParam(name, 0)))
            has_bias = one(p, "bias_term", "true", str) != "false"
            b = torch.from_numpy(cvnet.getParam(name, 1).reshape(-1)) if has_bias else None
            steps.append(("conv", bottoms, tops[0], dict(
                weight=w, bias=b, stride=one(p, "stride", 1), padding=one(p, "pad", 0),
                dilation=one(p, "dilation", 1), groups=one(p, "group", 1), k=k)))
        elif kind == "ReLU":
            steps.append(("relu", bottoms, tops[0], {}))
        elif kind == "PReLU":
            slope = torch.from_numpy(cvnet.getParam(name, 0).reshape(-1))
            steps.append(("prelu", bottoms, tops[0], dict(weight=slope)))
        elif kind == "Pooling":
            p = L["pooling_param"][0]
            if one(p, "pool", "MAX", str) != "MAX":
                raise ValueError("layer %s: only MAX pooling" % name)
            steps.append(("maxpool", bottoms, tops[0], dict(
                kernel_size=one(p, "kernel_size"), stride=one(p, "stride", 1),
                padding=one(p, "pad", 0))))
        elif kind == "Concat":
            axis = one(L.get("concat_param", [{}])[0], "axis", 1)
            steps.append(("concat", bottoms, tops[0], dict(dim=axis)))
        elif kind in ("Split", "Dropout"):
            for t in tops:
                steps.append(("alias", bottoms, t, {}))
        else:
            raise ValueError("layer %s: type %s not handled" % (name, kind))
    input_name = net_msg["input"][0] if "input" in net_msg else net_msg["layer"][0]["top"][0]
    out_name = steps[-1][2]

    def forward(x):
        blobs = {input_name: torch.from_numpy(x)}
        for kind, bottoms, top, p in steps:
            a = blobs[bottoms[0]]
            if kind == "conv":
                y = F.conv2d(a, p["weight"], p["bias"], p["stride"], p["padding"],
                             p["dilation"], p["groups"])
            elif kind == "relu":
                y = F.relu(a)
            elif kind == "prelu":
                y = F.prelu(a, p["weight"])
            elif kind == "maxpool":
                y = F.max_pool2d(a, p["kernel_size"], p["stride"], p["padding"],
                                 ceil_mode=True)
            elif kind == "concat":
                y = torch.cat([blobs[b] for b in bottoms], p["dim"])
            else:
                y = a
            blobs[top] = y
        return blobs[out_name].numpy()

    return forward


def main():
    mode, a, b, inp, out, threads, repeat = sys.argv[1:8]
    threads, repeat = int(threads), int(repeat)
    x = np.load(inp)
    if mode == "torch-caffe":
        import torch
        torch.set_num_threads(threads)
        fwd = torch_caffe_net(a, b)
        with torch.inference_mode():
            y = timed_runs(lambda: fwd(x), repeat)
    elif mode in ("opencv-caffe", "opencv-tf"):
        import cv2
        cv2.setNumThreads(threads)
        net = cv2.dnn.readNetFromCaffe(a, b) if mode == "opencv-caffe" else \
            cv2.dnn.readNetFromTensorflow(a)
        net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
        out_node = None if mode == "opencv-caffe" else b

        def fwd():
            net.setInput(x)
            return net.forward(out_node) if out_node else net.forward()
        y = timed_runs(fwd, repeat)
    elif mode == "torch-opc":
        import torch
        from opc_torch import OpcNet
        torch.set_num_threads(threads)
        net, xt = OpcNet(a).eval(), torch.from_numpy(x)
        with torch.inference_mode():
            y = timed_runs(lambda: net(xt).numpy(), repeat)
    else:
        sys.exit("bench_child: unknown mode %s" % mode)
    print("blas: %s" % blas_loaded(), file=sys.stderr)
    np.save(out, np.ascontiguousarray(y, dtype=np.float32))


if __name__ == "__main__":
    main()
