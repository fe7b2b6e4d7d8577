// Loads the exported expression model in Node on TF.js's wasm backend (one thread), as the extension
// runs it: for the evaluation (tfjs-predict.mjs) and the benchmark (bench/expressionModel.mjs).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** {tf, meta (expression.json), model} for the models folder `modelsDir`. */
export async function loadExpressionModel(modelsDir) {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  const meta = JSON.parse(readFileSync(join(modelsDir, 'expression.json'), 'utf8'));
  const modelJson = JSON.parse(readFileSync(join(modelsDir, meta.model.file), 'utf8'));
  const weightData = new Uint8Array(readFileSync(join(modelsDir, meta.model.weights[0].file))).buffer;
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights), weightData,
  }));
  return { tf, meta, model };
}
