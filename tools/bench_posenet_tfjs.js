// The TensorFlow.js side of tools/bench_posenet.py: PoseNet's forward with the WASM backend
// (XNNPACK, SIMD; single-threaded under Node) on the same model file and input sizes.
//
//   node tools/bench_posenet_tfjs.js MODULES_DIR MODEL.json HxW[,HxW...] REPEAT
//
// MODULES_DIR holds node_modules with @tensorflow/tfjs-core, -converter, -backend-wasm
// (bench_posenet.py installs them). The model's Placeholder and signature fix the input at
// the size it was exported for; tfjs then refuses any other, so both are set to -1 x -1 in
// memory (the file is not changed), as the shared reference data was made. Prints one JSON
// line per size: {"size": "HxW", "backend": ..., "times_ms": [...], "median_ms": ...}.
'use strict';
const fs = require('fs');
const path = require('path');

const [modulesDir, modelPath, sizesArg, repeatArg] = process.argv.slice(2);
if (!modulesDir || !modelPath || !sizesArg) {
  console.error('usage: node bench_posenet_tfjs.js MODULES_DIR MODEL.json HxW[,HxW...] REPEAT');
  process.exit(2);
}
const need = (m) => require(path.join(path.resolve(modulesDir), 'node_modules', m));
const tf = need('@tensorflow/tfjs-core');
const converter = need('@tensorflow/tfjs-converter');
const wasm = need('@tensorflow/tfjs-backend-wasm');

function freeInputSize(topology) {
  for (const node of topology.node) {
    if (node.op !== 'Placeholder' || !node.attr || !node.attr.shape) continue;
    const dim = node.attr.shape.shape.dim;
    if (dim && dim.length === 4) dim[1].size = dim[2].size = '-1';
  }
}

async function main() {
  const json = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
  freeInputSize(json.modelTopology);
  if (json.signature && json.signature.inputs) {
    for (const k of Object.keys(json.signature.inputs)) {
      const dim = json.signature.inputs[k].tensorShape.dim;
      dim[1].size = dim[2].size = '-1';
    }
  }
  const dir = path.dirname(modelPath);
  const specs = [];
  const buffers = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  wasm.setWasmPaths(path.join(path.resolve(modulesDir), 'node_modules',
                              '@tensorflow/tfjs-backend-wasm/dist') + path.sep);
  await tf.setBackend('wasm');
  await tf.ready();
  const model = await converter.loadGraphModel(
      tf.io.fromMemory({modelTopology: json.modelTopology, weightSpecs: specs, weightData,
                        format: json.format, signature: json.signature}));
  const outputs = model.outputs.map((o) => o.name);
  const repeat = Math.max(1, parseInt(repeatArg || '20', 10));
  for (const size of sizesArg.split(',')) {
    const [h, w] = size.split('x').map(Number);
    // A fixed pseudo-random image in [-1, 1]: timing does not depend on the values.
    const values = new Float32Array(h * w * 3);
    let s = 12345;
    for (let i = 0; i < values.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      values[i] = (s / 4294967296) * 2 - 1;
    }
    const input = tf.tensor4d(values, [1, h, w, 3]);
    const times = [];
    for (let r = 0; r <= repeat; r++) {  // run 0 is the warm-up
      const t0 = process.hrtime.bigint();
      const out = model.execute(input, outputs);
      await Promise.all(out.map((t) => t.data()));
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      tf.dispose(out);
      if (r > 0) times.push(ms);
    }
    input.dispose();
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]
                                     : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    console.log(JSON.stringify({size: size, backend: tf.getBackend(), times_ms: times,
                                median_ms: median}));
  }
}

main().catch((e) => {
  console.error('bench_posenet_tfjs: ' + (e && e.message ? e.message : e));
  process.exit(1);
});
