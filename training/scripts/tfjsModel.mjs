// Loads the exported expression model in Node on TF.js's wasm backend (one thread), as the extension
// runs it: for the export's parity check, the evaluation (tfjs-predict.mjs) and the benchmark
// (bench/expressionModel.mjs).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** {tf, model}: the graph model `file` in `dir` (its shards beside it). */
export async function loadGraphModelFrom(dir, file) {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  const json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const shards = json.weightsManifest.flatMap((group) => group.paths.map((path) => readFileSync(join(dir, dirname(file), path))));
  const weightData = new Uint8Array(Buffer.concat(shards)).buffer;
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((group) => group.weights), weightData,
    format: json.format, signature: json.signature,
  }));
  return { tf, model };
}

/** {tf, meta (expression.json), model} for the models folder `modelsDir`. */
export async function loadExpressionModel(modelsDir) {
  const meta = JSON.parse(readFileSync(join(modelsDir, 'expression.json'), 'utf8'));
  return { ...await loadGraphModelFrom(modelsDir, meta.model.file), meta };
}
