// The expression model's speed on TF.js's wasm backend in Node, as the extension runs it (a graph model
// of fused ops, one thread): median ms per face at batch 1 and 3 over many runs.
//   node bench/expressionModel.mjs [models dir] [--runs 200] [--no-save]
// Prints a table and writes bench/results/expression-model-<date>.json (--no-save: prints the JSON instead).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadExpressionModel } from '../training/scripts/tfjsModel.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const save = !args.includes('--no-save');
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 200;
const modelsDir = resolve(args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs') ?? join(ROOT, 'models'));

const { tf, meta, model } = await loadExpressionModel(modelsDir);

/** Median ms per face over `runs` predictions of `batch` random crops, after warm-up. */
function msPerFace(batch) {
  const x = tf.randomUniform([batch, meta.input.height, meta.input.width, 1], -2, 2);
  for (let i = 0; i < 10; i++) tf.tidy(() => model.predict(x).dataSync());
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    tf.tidy(() => model.predict(x).dataSync());
    times.push(performance.now() - started);
  }
  x.dispose();
  times.sort((a, b) => a - b);
  return Math.round((times[Math.floor(times.length / 2)] / batch) * 1000) / 1000;
}

const result = {
  date: new Date().toISOString(), command: `node bench/expressionModel.mjs ${args.join(' ')}`.trim(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, platform: `${os.platform()} ${os.arch()}` },
  versions: { node: process.version, tfjs: tf.version.tfjs }, backend: tf.getBackend(), threads: 1,
  model: { architecture: meta.model.architecture, sha256: meta.model.sha256, parameters: meta.model.parameters, macsPerFace: meta.model.macsPerFace, bytes: meta.model.bytes },
  msPerFace: { batch1: msPerFace(1), batch3: msPerFace(3) }, runs,
};
console.table({ [meta.model.architecture]: { parameters: result.model.parameters, 'MMACs/face': (result.model.macsPerFace / 1e6).toFixed(1),
  'MB': (result.model.bytes / 1e6).toFixed(2), 'ms/face b1': result.msPerFace.batch1, 'ms/face b3': result.msPerFace.batch3 } });
if (save) {
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const out = join(ROOT, 'bench', 'results', `expression-model-${result.date.slice(0, 10)}.json`);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${out}`);
} else {
  console.log(JSON.stringify(result));
}
