// Speed and accuracy of emoface side by side with face-api.js (@vladmandic/face-api), in Node, same
// inputs, same run. face-api runs its tiny face detector + expression net on TensorFlow.js's WASM
// backend (tfjs-node does not install here); emoface runs on onnxruntime-node (CPU).
//
//   npm run bench [-- --iterations 50] [-- --skip-accuracy]
//
// Writes bench/results/node-<date>.json and bench/results/node-fps.svg.
import { execSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { loadArtwork, loadEmojiSet } from '../packages/cli/dist/artwork.js';
import { evaluate } from '../packages/cli/dist/commands/eval.js';
import { createPipeline, shippedMetadata } from '../packages/cli/dist/pipeline.js';
import { renderOverlay } from '../packages/cli/dist/render.js';
import { buildScenes } from './scenes.mjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const { values } = parseArgs({ options: { iterations: { type: 'string', default: '50' }, 'skip-accuracy': { type: 'boolean' } } });
const iterations = Number(values.iterations);
const WARM_UP = 5;

const summary = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: +at(0.5).toFixed(3), p95: +at(0.95).toFixed(3) };
};

async function decode(jpeg) {
  const { data, info } = await sharp(jpeg).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** emoface: decode → detect → align → classify → track → render, per stage, with one BlazeFace model. */
async function benchEmoface(scenes, detector) {
  const pipeline = await createPipeline(detector);
  const artwork = await loadArtwork(loadEmojiSet('faces', shippedMetadata().labels));
  const out = [];
  for (const scene of scenes) {
    const stages = { decode: [], detect: [], align: [], classify: [], track: [], render: [], total: [] };
    let faces = 0;
    pipeline.setTrackerOptions({});
    for (let i = -WARM_UP; i < iterations; i++) {
      const t0 = performance.now();
      const frame = await decode(scene.jpeg);
      const t1 = performance.now();
      const result = await pipeline.processFrame(frame, (i + WARM_UP) * 33.3);
      const t2 = performance.now();
      renderOverlay(frame, result.faces, artwork);
      const t3 = performance.now();
      if (i < 0) continue;
      faces = result.faces.length;
      stages.decode.push(t1 - t0);
      for (const k of ['detect', 'align', 'classify', 'track']) stages[k].push(result.stageMs[k]);
      stages.render.push(t3 - t2);
      stages.total.push(t3 - t0);
    }
    out.push(result(scene, faces, stages));
  }
  await pipeline.dispose();
  return out;
}

function result(scene, faces, stages) {
  const stagesMs = Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, summary(v)]));
  return { scene: scene.name, width: scene.width, height: scene.height, facesInScene: scene.faces, facesFound: faces, stagesMs,
    fps: +(1000 / stagesMs.total.median).toFixed(1) };
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
  const options = new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 });
  const out = [];
  for (const scene of scenes) {
    const stages = { decode: [], detect: [], classify: [], total: [] };
    let faces = 0;
    for (let i = -WARM_UP; i < iterations; i++) {
      const t0 = performance.now();
      const { data, info } = await sharp(scene.jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const input = tf.tensor3d(new Int32Array(data), [info.height, info.width, 3], 'int32');
      const t1 = performance.now();
      const detections = await faceapi.detectAllFaces(input, options);
      const t2 = performance.now();
      const withExpressions = await faceapi.detectAllFaces(input, options).withFaceExpressions();
      const t3 = performance.now();
      input.dispose();
      if (i < 0) continue;
      faces = withExpressions.length;
      stages.decode.push(t1 - t0);
      stages.detect.push(t2 - t1);
      stages.classify.push(Math.max(0, t3 - t2 - (t2 - t1))); // detect+expressions minus detect alone
      stages.total.push(t1 - t0 + (t3 - t2));
      void detections;
    }
    out.push(result(scene, faces, stages));
  }
  return out;
}

/** face-api.js's expression net on FER2013 PublicTest crops (each 48×48 crop as its 112×112 RGB input). */
async function faceApiAccuracy({ tf, faceapi }, labels) {
  const map = { angry: 'angry', disgusted: 'disgust', fearful: 'fear', happy: 'happy', neutral: 'neutral', sad: 'sad', surprised: 'surprise' };
  const dir = join(repo, '..', 'shared', 'datasets', 'fer2013', 'test');
  const k = labels.length;
  const confusion = labels.map(() => new Array(k).fill(0));
  for (const [t, label] of labels.entries()) {
    for (const name of readdirSync(join(dir, label))) {
      const { data } = await sharp(join(dir, label, name)).resize(112, 112, { kernel: 'cubic' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
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

function svgChart(rows) {
  const width = 760, barHeight = 16, gap = 10, left = 230;
  const max = Math.max(...rows.flatMap((r) => [r.emoface, r.faceApi]));
  const scale = (v) => ((width - left - 70) * v) / max;
  const items = rows.map((r, i) => {
    const y = 40 + i * (2 * barHeight + gap);
    return `<text x="${left - 8}" y="${y + barHeight + 4}" text-anchor="end">${r.label}</text>`
      + `<rect x="${left}" y="${y}" width="${scale(r.emoface)}" height="${barHeight}" fill="#f59e0b"/><text x="${left + scale(r.emoface) + 4}" y="${y + 12}">${r.emoface} fps</text>`
      + `<rect x="${left}" y="${y + barHeight}" width="${scale(r.faceApi)}" height="${barHeight}" fill="#64748b"/><text x="${left + scale(r.faceApi) + 4}" y="${y + barHeight + 12}">${r.faceApi} fps</text>`;
  }).join('');
  const height = 50 + rows.length * (2 * barHeight + gap);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`
    + `<rect width="100%" height="100%" fill="#fff"/><text x="10" y="20" font-size="14" font-weight="bold">Frames per second in Node (median, end to end incl. decode) — `
    + `<tspan fill="#f59e0b">emoface</tspan> vs <tspan fill="#64748b">face-api.js (WASM)</tspan></text>${items}</svg>\n`;
}

const scenes = await buildScenes();
const emoface = await benchEmoface(scenes, 'front');
const emofaceBack = await benchEmoface(scenes, 'back');
const faceApiRuntime = await loadFaceApi();
const faceApi = await benchFaceApi(scenes, faceApiRuntime);
const labels = shippedMetadata().labels;
let accuracy;
if (!values['skip-accuracy']) {
  const ours = await evaluate(join(repo, '..', 'shared', 'datasets', 'fer2013', 'test'), false, { emojiSet: loadEmojiSet('faces', labels), mode: 'seven' });
  accuracy = {
    data: 'FER2013 PublicTest (3,589 crops)',
    emoface: { accuracy: ours.accuracy, n: ours.n, recall: Object.fromEntries(Object.entries(ours.perLabel).map(([l, v]) => [l, v.recall])) },
    faceApi: await faceApiAccuracy(faceApiRuntime, labels),
  };
}
const ratios = emoface.map((e, i) => ({ scene: `${e.scene} ${e.width}×${e.height}`, fpsRatio: +(e.fps / faceApi[i].fps).toFixed(2) }));
const report = {
  date: new Date().toISOString(),
  command: `npm run bench -- --iterations ${iterations}${values['skip-accuracy'] ? ' --skip-accuracy' : ''}`,
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  versions: {
    emoface: `commit ${execSync('git rev-parse --short HEAD', { cwd: repo }).toString().trim()}`,
    'onnxruntime-node': require('onnxruntime-node/package.json').version,
    '@vladmandic/face-api': require('@vladmandic/face-api/package.json').version,
    '@tensorflow/tfjs-backend-wasm': require('@tensorflow/tfjs-backend-wasm/package.json').version,
  },
  setup: {
    emoface: 'onnxruntime-node CPU, default threads; BlazeFace front 128×128 (camera model; emofaceBackDetector: back 256×256) + emoface expression model; tracking and emoji rendering included',
    faceApi: `TensorFlow.js WASM backend (SIMD ${faceApiRuntime.tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${faceApiRuntime.tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')}); TinyFaceDetector inputSize 416 + FaceExpressionNet; no rendering`,
    iterations, warmUp: WARM_UP,
  },
  ratios, emoface, emofaceBackDetector: emofaceBack, faceApi, accuracy,
};
mkdirSync(join(here, 'results'), { recursive: true });
const file = join(here, 'results', `node-${report.date.slice(0, 10)}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(here, 'results', 'node-fps.svg'), svgChart(emoface.map((e, i) => ({ label: `${e.scene} ${e.width}×${e.height} (${e.facesInScene} faces)`, emoface: e.fps, faceApi: faceApi[i].fps }))));
for (const [i, e] of emoface.entries()) {
  const [f, b] = [faceApi[i], emofaceBack[i]];
  console.log(`${`${e.scene} ${e.width}×${e.height}`.padEnd(20)} emoface front ${String(e.fps).padStart(6)} fps (${e.facesFound}/${e.facesInScene} faces)  `
    + `back ${String(b.fps).padStart(6)} fps (${b.facesFound})   face-api ${String(f.fps).padStart(6)} fps (${f.facesFound})   ×${ratios[i].fpsRatio}`);
}
if (accuracy) console.log(`PublicTest accuracy: emoface ${(100 * accuracy.emoface.accuracy).toFixed(2)}%, face-api.js ${(100 * accuracy.faceApi.accuracy).toFixed(2)}%`);
console.log(`wrote ${file}`);
