// face-api.js's expression net (@vladmandic/face-api, its bundled face_expression_model) on the same
// FER2013 crops emoface is scored on: a point of comparison for models/REPORT.md, on TF.js wasm in Node.
//   node scripts/faceApiEval.mjs <dir with <label>/* crops>     → JSON: accuracy, n, recall per label, confusion
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

const require = createRequire(import.meta.url);
const [folder] = process.argv.slice(2);
if (!folder) throw new Error('usage: node scripts/faceApiEval.mjs <dir with <label>/* crops>');
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
await tf.setBackend('wasm');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
await faceapi.nets.faceExpressionNet.loadFromDisk(join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model'));

/** emoface's labels, in the order of models/expression.json, and face-api's name for each. */
const LABELS = JSON.parse(readFileSync(new URL('../models/expression.json', import.meta.url), 'utf8')).labels;
const FACE_API = { angry: 'angry', disgust: 'disgusted', fear: 'fearful', happy: 'happy', neutral: 'neutral', sad: 'sad', surprise: 'surprised' };

const confusion = LABELS.map(() => LABELS.map(() => 0));
for (const [truth, label] of LABELS.entries()) {
  let names;
  try {
    names = readdirSync(join(folder, label));
  } catch {
    continue;
  }
  for (const name of names) {
    const { data, info } = await sharp(join(folder, label, name)).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const image = tf.tensor3d(new Uint8Array(data), [info.height, info.width, 3], 'int32');
    const expressions = await faceapi.nets.faceExpressionNet.predictExpressions(image);
    image.dispose();
    const scores = LABELS.map((l) => expressions[FACE_API[l]]);
    confusion[truth][scores.indexOf(Math.max(...scores))]++;
  }
}
const n = confusion.flat().reduce((a, b) => a + b, 0);
const correct = LABELS.reduce((sum, _, i) => sum + confusion[i][i], 0);
const recall = Object.fromEntries(LABELS.map((l, i) => [l, Math.round((confusion[i][i] / Math.max(1, confusion[i].reduce((a, b) => a + b, 0))) * 1e4) / 1e4]));
console.log(JSON.stringify({ model: 'face-api.js faceExpressionNet (@vladmandic/face-api 1.7.15)', backend: tf.getBackend(), accuracy: Math.round((correct / n) * 1e4) / 1e4, n, recall, labels: LABELS, confusion }));
