// Speed and accuracy of emoface side by side with face-api.js (@vladmandic/face-api), in Node, same
// inputs, same run. face-api runs its tiny face detector + expression net on TensorFlow.js's WASM
// backend (tfjs-node does not install here); emoface runs on onnxruntime-node (CPU).
//
//   npm run bench [-- --iterations 50] [-- --skip-accuracy]
//
// Writes bench/results/node-<date>.json, node-fps.svg (speed) and recall.svg (per-label recall).
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureFrames } from '@emoface/core';
import sharp from 'sharp';
import { loadArtwork, loadEmojiSet } from '../packages/cli/dist/artwork.js';
import { benchScene } from '../packages/cli/dist/commands/bench.js';
import { evaluate } from '../packages/cli/dist/commands/eval.js';
import { createPipeline, shippedMetadata } from '../packages/cli/dist/pipeline.js';
import { fpsChart, machine, printScenes, ratios, recallChart, REPO, sceneResult, WARM_UP, writeResults } from './report.mjs';
import { detectorOptions, timeFaceApiFrame } from './faceApiFrame.mjs';
import { buildScenes } from './scenes.mjs';

const require = createRequire(import.meta.url);
const FER2013_TEST = join(REPO, '..', 'shared', 'datasets', 'fer2013', 'test');
const { values } = parseArgs({ options: { iterations: { type: 'string', default: '50' }, 'skip-accuracy': { type: 'boolean' } } });
const iterations = Number(values.iterations);

/** emoface: decode → detect → align → classify → track → render, per stage, with one BlazeFace model. */
async function benchEmoface(scenes, detector) {
  const pipeline = await createPipeline(detector);
  const artwork = await loadArtwork(loadEmojiSet('faces', shippedMetadata().labels));
  const out = [];
  for (const scene of scenes) out.push(sceneResult(scene, await benchScene(pipeline, artwork, scene.jpeg, iterations, WARM_UP)));
  await pipeline.dispose();
  return out;
}

async function loadFaceApi() {
  const tf = require('@tensorflow/tfjs');
  require('@tensorflow/tfjs-backend-wasm');
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  await tf.setBackend('wasm');
  await tf.ready();
  const models = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.tinyFaceDetector.loadFromDisk(models);
  await faceapi.nets.faceExpressionNet.loadFromDisk(models);
  return { tf, faceapi };
}

/** face-api.js: decode → tiny face detector → expression net (its own crop and resize). */
async function benchFaceApi(scenes, { tf, faceapi }) {
  const options = detectorOptions(faceapi);
  const out = [];
  for (const scene of scenes) {
    let facesFound = 0;
    const stagesMs = await measureFrames(iterations, WARM_UP, async () => {
      const { faces, ms } = await timeFaceApiFrame(faceapi, options, async () => {
        const { data, info } = await sharp(scene.jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        return tf.tensor3d(new Int32Array(data), [info.height, info.width, 3], 'int32');
      });
      facesFound = faces;
      return ms;
    });
    out.push(sceneResult(scene, { facesFound, stagesMs }));
  }
  return out;
}

/** face-api.js's expression net on FER2013 PublicTest crops (each 48×48 crop as its 112×112 RGB input). */
async function faceApiAccuracy({ tf, faceapi }, labels) {
  const map = { angry: 'angry', disgusted: 'disgust', fearful: 'fear', happy: 'happy', neutral: 'neutral', sad: 'sad', surprised: 'surprise' };
  const k = labels.length;
  const confusion = labels.map(() => new Array(k).fill(0));
  for (const [t, label] of labels.entries()) {
    for (const name of readdirSync(join(FER2013_TEST, label))) {
      const { data } = await sharp(join(FER2013_TEST, label, name)).resize(112, 112, { kernel: 'cubic' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      const input = tf.tensor3d(new Int32Array(data), [112, 112, 3], 'int32');
      const scores = await faceapi.nets.faceExpressionNet.predictExpressions(input);
      input.dispose();
      const best = Object.entries(scores).sort((a, b) => b[1] - a[1])[0][0];
      confusion[t][labels.indexOf(map[best])]++;
    }
  }
  const n = confusion.flat().reduce((a, b) => a + b, 0);
  const correct = labels.reduce((s, _, i) => s + confusion[i][i], 0);
  const recall = Object.fromEntries(labels.map((l, i) => [l, +(confusion[i][i] / confusion[i].reduce((a, b) => a + b, 0)).toFixed(4)]));
  return { accuracy: +(correct / n).toFixed(4), n, recall, confusion };
}

const scenes = await buildScenes();
const emoface = await benchEmoface(scenes, 'front');
const emofaceBack = await benchEmoface(scenes, 'back');
const faceApiRuntime = await loadFaceApi();
const faceApi = await benchFaceApi(scenes, faceApiRuntime);
const labels = shippedMetadata().labels;
let accuracy;
if (!values['skip-accuracy']) {
  const ours = await evaluate(FER2013_TEST, false, { emojiSet: loadEmojiSet('faces', labels), mode: 'seven' });
  accuracy = {
    data: 'FER2013 PublicTest (3,589 crops)',
    emoface: { accuracy: ours.accuracy, n: ours.n, recall: Object.fromEntries(Object.entries(ours.perLabel).map(([l, v]) => [l, v.recall])) },
    faceApi: await faceApiAccuracy(faceApiRuntime, labels),
  };
}
const report = {
  date: new Date().toISOString(),
  command: `npm run bench -- --iterations ${iterations}${values['skip-accuracy'] ? ' --skip-accuracy' : ''}`,
  machine: machine(),
  versions: {
    'onnxruntime-node': require('onnxruntime-node/package.json').version,
    '@vladmandic/face-api': require('@vladmandic/face-api/package.json').version,
    '@tensorflow/tfjs-backend-wasm': require('@tensorflow/tfjs-backend-wasm/package.json').version,
  },
  setup: {
    emoface: 'onnxruntime-node CPU, default threads; BlazeFace front 128×128 (camera model; emofaceBackDetector: back 256×256) + emoface expression model; tracking and emoji rendering included',
    faceApi: `TensorFlow.js WASM backend (SIMD ${faceApiRuntime.tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${faceApiRuntime.tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')}); TinyFaceDetector inputSize 416 + FaceExpressionNet; no rendering`,
    iterations, warmUp: WARM_UP,
  },
  ratios: ratios(emoface, faceApi), emoface, emofaceBackDetector: emofaceBack, faceApi, accuracy,
};
const charts = { 'node-fps.svg': fpsChart('Frames per second in Node (median, end to end incl. decode)', emoface, faceApi) };
if (accuracy) charts['recall.svg'] = recallChart(accuracy);
const file = writeResults('node', report, charts);
printScenes(emoface, emofaceBack, faceApi);
if (accuracy) {
  console.log(`PublicTest accuracy: emoface ${(100 * accuracy.emoface.accuracy).toFixed(2)}%, face-api.js ${(100 * accuracy.faceApi.accuracy).toFixed(2)}%`);
  console.log(`recall      ${labels.map((l) => l.padStart(8)).join('')}`);
  for (const [name, r] of [['emoface', accuracy.emoface.recall], ['face-api', accuracy.faceApi.recall]]) {
    console.log(`${name.padEnd(12)}${labels.map((l) => r[l].toFixed(3).padStart(8)).join('')}`);
  }
}
console.log(`wrote ${file}`);
