// The ONNX Runtime contender of tools/bench.py, run with the machine's Node.js and the npm
// package onnxruntime-node (its CPU library bundled) that bench.py installs:
//
//   node bench_ort.js MODULES_DIR MODEL.onnx INPUT.npy OUT.npy THREADS REPEAT
//
// Loads the model (all graph optimisations, THREADS intra-op threads, sequential
// execution), runs it REPEAT times on the input (a float32 .npy), prints each forward's
// time on stderr in the format `openpose-c forward --repeat` prints ("forward: run N: T ms")
// and "blas: ...", and saves the last output as .npy.
"use strict";
const fs = require("fs");
const path = require("path");

function readNpy(file) {
  const b = fs.readFileSync(file);
  if (b.toString("latin1", 1, 6) !== "NUMPY") throw new Error(file + ": not a .npy file");
  const major = b[6];
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + hlen;
  const header = b.toString("latin1", major === 1 ? 10 : 12, start);
  if (!/'descr':\s*'<f4'/.test(header) || /'fortran_order':\s*True/.test(header))
    throw new Error(file + ": expected little-endian float32 in C order");
  const shape = header.match(/'shape':\s*\(([^)]*)\)/)[1].split(",").map((s) => s.trim())
    .filter((s) => s.length).map(Number);
  const data = new Float32Array(b.buffer.slice(b.byteOffset + start, b.byteOffset + b.length));
  return { shape, data };
}

function writeNpy(file, shape, data) {
  let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
    shape.join(", ") + (shape.length === 1 ? "," : "") + "), }";
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += " ".repeat(pad % 64) + "\n";
  const h = Buffer.alloc(10);
  h.write("\x93NUMPY", 0, "latin1");
  h[6] = 1;
  h[7] = 0;
  h.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([h, Buffer.from(header, "latin1"),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

async function main() {
  const [modules, model, input, out, threads, repeat] = process.argv.slice(2);
  const ort = require(path.join(modules, "onnxruntime-node"));
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ["cpu"],
    graphOptimizationLevel: "all",
    executionMode: "sequential",
    intraOpNumThreads: Number(threads),
    interOpNumThreads: 1,
  });
  const x = readNpy(input);
  const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", x.data, x.shape) };
  let y = null;
  for (let r = 1; r <= Number(repeat); r++) {
    const t0 = process.hrtime.bigint();
    const res = await session.run(feeds);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    y = res[session.outputNames[0]];
    process.stderr.write("forward: run " + r + ": " + ms.toFixed(1) + " ms\n");
  }
  const version = require(path.join(modules, "onnxruntime-node", "package.json")).version;
  process.stderr.write("blas: ONNX Runtime " + version + " (MLAS, its own kernels)\n");
  writeNpy(out, y.dims, y.data);
}

main().catch((e) => {
  process.stderr.write("bench_ort: " + (e && e.message ? e.message : e) + "\n");
  process.exit(1);
});
