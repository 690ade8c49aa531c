#!/usr/bin/python3
"""An openpose-c model file (.opc) as a PyTorch module, built from the file's own layer list
and weights, and its export to ONNX: tools/bench.py's ONNX Runtime contender runs exactly
the network and the weights openpose-c runs.

    opc_torch.py MODEL.opc OUT.onnx WxH      export for a 1 x C x H x W float32 input

The file: a 64-byte header ("OPCMODEL", u32 version, u64 JSON offset and size, u64 data
offset), a JSON description (layers in order, each weight as a shape and a byte offset into
the data) and the weights (src/model/model_file.c). Every op of the format is mapped:
conv (any padding, TF's SAME as an explicit pad), maxpool (Caffe's ceil rounding), concat,
add, act, instance_norm (ONNX InstanceNormalization), affine, resize (bilinear as
TensorFlow's legacy ResizeBilinear, nearest), and every activation. Input NCHW: models
whose preprocessing says nhwc take the transposed image, as `openpose-c forward` does.
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

FORMAT_VERSION = 2


def read_opc(path):
    """(description, weights as one float32 array) of a model file."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:8] != b"OPCMODEL":
            raise ValueError("%s: not an openpose-c model file" % path)
        version = struct.unpack("<I", head[8:12])[0]
        if version != FORMAT_VERSION:
            raise ValueError("%s: model format version %d, this reads %d" %
                             (path, version, FORMAT_VERSION))
        json_off, json_size, data_off = struct.unpack("<QQQ", head[16:40])
        f.seek(json_off)
        meta = json.loads(f.read(json_size).decode())
    data = np.memmap(path, dtype="<f4", mode="r", offset=data_off)
    return meta, data


def tensor(data, w):
    """A weight entry ({"shape", "offset"}) as a torch tensor, or None."""
    if w is None:
        return None
    n = int(np.prod(w["shape"]))
    start = w["offset"] // 4
    return torch.from_numpy(np.array(data[start:start + n]).reshape(w["shape"]))


def same_pads(size, kernel, stride, dilation):
    """TensorFlow's SAME padding along one axis: (before, after), as opc_layer_pads."""
    k = dilation * (kernel - 1) + 1
    out = (size + stride - 1) // stride
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def layer_pads(layer, h, w):
    """(top, left, bottom, right)."""
    if layer.get("pad_same"):
        t, b = same_pads(h, layer["kernel"][0], layer["stride"][0], layer["dilation"][0])
        le, r = same_pads(w, layer["kernel"][1], layer["stride"][1], layer["dilation"][1])
        return t, le, b, r
    return tuple(layer.get("pad", [0, 0, 0, 0]))


def tf_legacy_axis(src, dst):
    """TensorFlow's legacy ResizeBilinear along one axis (align_corners false, no half-pixel
    centres), as opc_resize_coord: source = dst * (src / dst) in float32, lower = floor,
    upper = ceil, both clamped to the last index."""
    scale = np.float32(src) / np.float32(dst)
    pos = np.arange(dst, dtype=np.float32) * scale
    fl = np.floor(pos)
    lo = np.minimum(fl.astype(np.int64), src - 1)
    hi = np.minimum(np.ceil(pos).astype(np.int64), src - 1)
    return torch.from_numpy(lo), torch.from_numpy(hi), torch.from_numpy(pos - fl)


class OpcNet(torch.nn.Module):
    def __init__(self, path):
        super().__init__()
        meta, data = read_opc(path)
        self.input = meta["input"]["blob"]
        self.output = meta["outputs"][0]["blob"]
        self.layers = []
        for i, L in enumerate(meta["layers"]):
            p = dict(L)
            for key in ("weight", "bias", "slope"):
                t = tensor(data, L.get(key))
                if t is not None:
                    name = "w%d_%s" % (i, key)
                    self.register_buffer(name, t)
                    p[key] = name
            self.layers.append(p)

    def _act(self, x, L, c_axis_len):
        act = L.get("act", "none")
        params = L.get("act_params", [])
        if act == "relu":
            return F.relu(x)
        if act == "relu6":
            return torch.clamp(x, 0.0, 6.0)
        if act == "prelu":
            return F.prelu(x, getattr(self, L["slope"]))
        if act == "elu":
            return F.elu(x, params[0])
        if act == "sigmoid":
            return torch.sigmoid(x)
        if act == "clamp":
            return torch.clamp(x, params[0], params[1])
        if act == "none":
            return x
        raise ValueError("layer %s: activation %s" % (L["name"], act))

    def _resize(self, x, L, blobs):
        h, w = x.shape[2], x.shape[3]
        if L.get("size_like"):
            oh, ow = blobs[L["size_like"]].shape[2], blobs[L["size_like"]].shape[3]
        else:
            oh, ow = h * L["factor"], w * L["factor"]
        if L.get("mode", "bilinear") == "nearest":
            return F.interpolate(x, size=(int(oh), int(ow)), mode="nearest")
        ylo, yhi, fy = tf_legacy_axis(int(h), int(oh))
        xlo, xhi, fx = tf_legacy_axis(int(w), int(ow))
        fx = fx.view(1, 1, 1, -1)
        left, right = x.index_select(3, xlo), x.index_select(3, xhi)
        rows = left + (right - left) * fx                       # along x first, as TF
        top, bottom = rows.index_select(2, ylo), rows.index_select(2, yhi)
        return top + (bottom - top) * fy.view(1, 1, -1, 1)

    def forward(self, x):
        blobs = {self.input: x}
        for L in self.layers:
            ins = [blobs[b] for b in L["inputs"]]
            a, op = ins[0], L["op"]
            if op in ("conv", "maxpool"):
                t, le, b, r = layer_pads(L, a.shape[2], a.shape[3])
                if op == "conv":
                    if (t, le) != (b, r):
                        a = F.pad(a, (le, r, t, b))
                        t = le = 0
                    bias = getattr(self, L["bias"]) if "bias" in L else None
                    y = F.conv2d(a, getattr(self, L["weight"]), bias, tuple(L["stride"]),
                                 (t, le), tuple(L["dilation"]), L.get("group", 1))
                else:
                    if (t, le) != (b, r):
                        a = F.pad(a, (le, r, t, b), value=float("-inf"))
                        t = le = 0
                    y = F.max_pool2d(a, tuple(L["kernel"]), tuple(L["stride"]), (t, le),
                                     tuple(L["dilation"]), ceil_mode=bool(L.get("ceil_mode")))
            elif op == "concat":
                y = torch.cat(ins, 1)
            elif op == "add":
                y = ins[0]
                for other in ins[1:]:
                    y = y + other
            elif op == "act":
                y = a
            elif op == "instance_norm":
                y = F.instance_norm(a, weight=getattr(self, L["weight"]),
                                    bias=getattr(self, L["bias"]) if "bias" in L else None,
                                    eps=L["eps"])
            elif op == "affine":
                y = a * getattr(self, L["weight"]).view(1, -1, 1, 1)
                if "bias" in L:
                    y = y + getattr(self, L["bias"]).view(1, -1, 1, 1)
            elif op == "resize":
                y = self._resize(a, L, blobs)
            else:
                raise ValueError("layer %s: op %s" % (L["name"], op))
            blobs[L["output"]] = self._act(y, L, y.shape[1])
        return blobs[self.output]


def export(model_path, onnx_path, w, h):
    net = OpcNet(model_path).eval()
    meta, _ = read_opc(model_path)
    x = torch.zeros(1, meta["input"]["channels"], h, w)
    with torch.inference_mode():
        torch.onnx.export(net, x, onnx_path, opset_version=13, input_names=["input"],
                          output_names=["output"], do_constant_folding=True)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: opc_torch.py MODEL.opc OUT.onnx WxH")
    W, H = (int(v) for v in sys.argv[3].split("x"))
    export(sys.argv[1], sys.argv[2], W, H)
