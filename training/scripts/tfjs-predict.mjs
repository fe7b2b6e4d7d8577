// Runs the exported expression model (models/expression.json and what it names) on TF.js's wasm backend
// in Node, as the extension does, over uint8 gray crops (already equalized when expression.json says
// input.normalization.equalizeHistogram: evaluate.py does that); writes the probabilities.
//   node scripts/tfjs-predict.mjs <models dir> <crops.bin: uint8 N×H×W> <out.bin: float32 N×labels>
import { readFileSync, writeFileSync } from 'node:fs';
import { loadExpressionModel } from './tfjsModel.mjs';

const [modelsDir, cropsPath, outPath] = process.argv.slice(2);
const { tf, meta, model } = await loadExpressionModel(modelsDir);
const { width, height, normalization: { mean, std } } = meta.input;
const crops = new Uint8Array(readFileSync(cropsPath));
const count = crops.length / (width * height);
const out = new Float32Array(count * meta.labels.length);
const BATCH = 64;
for (let start = 0; start < count; start += BATCH) {
  const n = Math.min(BATCH, count - start);
  const input = Float32Array.from(crops.subarray(start * width * height, (start + n) * width * height), (p) => (p / 255 - mean) / std);
  const probabilities = tf.tidy(() => model.predict(tf.tensor4d(input, [n, height, width, 1])).dataSync());
  out.set(probabilities, start * meta.labels.length);
}
writeFileSync(outPath, Buffer.from(out.buffer));
console.log(JSON.stringify({ crops: count, backend: tf.getBackend(), tfjs: tf.version.tfjs }));
