// Checks an exported expression model (a TF.js graph model: model.json + shard) against PyTorch's
// probabilities on real crops, on TF.js's wasm backend in Node as the extension runs it, in batches of
// 1, 7 and 64. Run by emoface_training/export.py, which writes nothing unless this passes.
//   node scripts/tfjs-parity.mjs <model dir> <crops.bin: float32 NHWC, normalised> <expected.bin: float32 N×labels> <tolerance>
// Prints {"maxAbsDiff": …, "crops": …, "backend": …, "tfjs": …}; exits 1 when the difference is over the tolerance.
import { readFileSync } from 'node:fs';
import { loadGraphModelFrom } from './tfjsModel.mjs';

const [modelDir, cropsPath, expectedPath, tolerance] = process.argv.slice(2);
const floats = (path) => { const b = readFileSync(path); return new Float32Array(b.buffer, b.byteOffset, b.length / 4); };
const { tf, model } = await loadGraphModelFrom(modelDir, 'model.json');
const crops = floats(cropsPath);
const expected = floats(expectedPath);
const [, h, w, c] = model.inputs[0].shape;
const perCrop = h * w * c;
const count = crops.length / perCrop;
const labels = expected.length / count;
let worst = 0;
for (const batch of [1, 7, 64]) {
  for (let start = 0; start + batch <= count; start += batch) {
    const got = tf.tidy(() => model.predict(tf.tensor4d(crops.subarray(start * perCrop, (start + batch) * perCrop), [batch, h, w, c])).dataSync());
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[start * labels + i]));
  }
}
console.log(JSON.stringify({ maxAbsDiff: worst, crops: count, backend: tf.getBackend(), tfjs: tf.version.tfjs }));
process.exit(worst <= Number(tolerance) ? 0 : 1);
