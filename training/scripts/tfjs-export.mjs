// Builds the expression model as a TF.js layers model from the layer list and weights the Python export
// wrote (emoface_training/export.py), checks it against PyTorch's probabilities on real crops with
// TF.js's wasm backend, and only then writes model.json and its weight shard.
//   node scripts/tfjs-export.mjs <spec.json> <weights.bin> <crops.bin> <expected.bin> [<out dir>]
// Prints {"maxAbsDiff": …, "written": [files]} and exits 1 when the difference is over the tolerance.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [specPath, weightsPath, cropsPath, expectedPath, outDir] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const floats = (path) => { const b = readFileSync(path); return new Float32Array(b.buffer, b.byteOffset, b.length / 4); };
const weights = floats(weightsPath);

tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
await tf.setBackend('wasm');

/** The tf.layers model the layer list describes; layer weights are set from the flat weight file. */
function build() {
  const tensors = new Map();
  const input = tf.input({ shape: spec.input.shape, name: spec.input.name });
  tensors.set(spec.input.name, input);
  const assignments = [];
  for (const layer of spec.layers) {
    const inputs = layer.inputs.map((name) => tensors.get(name));
    let made;
    switch (layer.op) {
      case 'pad': made = tf.layers.zeroPadding2d({ padding: layer.padding, name: layer.name }); break;
      case 'conv': made = tf.layers.conv2d({ filters: layer.filters, kernelSize: layer.kernel, strides: layer.stride, padding: layer.padding, activation: layer.activation, name: layer.name }); break;
      case 'depthwise': made = tf.layers.depthwiseConv2d({ kernelSize: layer.kernel, strides: layer.stride, padding: layer.padding, activation: layer.activation, name: layer.name }); break;
      case 'add': made = tf.layers.add({ name: layer.name }); break;
      case 'relu': made = tf.layers.activation({ activation: 'relu', name: layer.name }); break;
      case 'avgpool': made = tf.layers.averagePooling2d({ poolSize: layer.pool, strides: layer.pool, padding: 'valid', name: layer.name }); break;
      case 'gap': made = tf.layers.globalAveragePooling2d({ name: layer.name }); break;
      case 'dense': made = tf.layers.dense({ units: layer.units, activation: layer.activation, name: layer.name }); break;
      default: throw new Error(`unknown op ${layer.op}`);
    }
    tensors.set(layer.name, made.apply(inputs.length === 1 ? inputs[0] : inputs));
    if (layer.weights) assignments.push([made, layer.weights]);
  }
  const model = tf.model({ inputs: input, outputs: tensors.get(spec.output), name: 'expression' });
  for (const [made, list] of assignments) {
    made.setWeights(list.map(({ offset, shape }) => tf.tensor(weights.subarray(offset, offset + shape.reduce((a, b) => a * b, 1)), shape)));
  }
  return model;
}

const model = build();
const crops = floats(cropsPath);
const expected = floats(expectedPath);
const [h, w, c] = spec.input.shape;
const perCrop = h * w * c;
const count = crops.length / perCrop;
const labels = expected.length / count;
let worst = 0;
for (const batch of [1, 7, 64]) {
  for (let start = 0; start + batch <= count; start += batch) {
    const x = tf.tensor4d(crops.subarray(start * perCrop, (start + batch) * perCrop), [batch, h, w, c]);
    const y = model.predict(x);
    const got = y.dataSync();
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[start * labels + i]));
    tf.dispose([x, y]);
  }
}
const written = [];
if (worst <= spec.tolerance && outDir) {
  mkdirSync(outDir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const shard = 'weights.bin';
    const json = {
      format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version.layers}`, convertedBy: 'emoface_training.export',
      modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: [shard], weights: artifacts.weightSpecs }],
    };
    for (const [name, bytes] of [[shard, Buffer.from(artifacts.weightData)], ['model.json', JSON.stringify(json)]]) {
      writeFileSync(join(outDir, `${name}.tmp`), bytes);
      renameSync(join(outDir, `${name}.tmp`), join(outDir, name));
      written.push(name);
    }
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}
console.log(JSON.stringify({ maxAbsDiff: worst, crops: count, backend: tf.getBackend(), tfjs: tf.version.tfjs, written }));
process.exit(worst <= spec.tolerance ? 0 : 1);
