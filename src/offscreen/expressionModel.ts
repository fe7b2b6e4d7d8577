import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { modelInput } from '../pipeline/expressionInput';
import type { ExpressionMetadata } from '../pipeline/expressionMetadata';

/** Where the bundled TF.js wasm files are, relative to the extension's root (see vite.config.ts). */
const WASM_FOLDER = 'wasm/tfjs/';
/** Runs per backend when WebGL and WASM are timed against each other. */
const TIMING_RUNS = 8;

/** TF.js backends the analyser can run on. */
export type Backend = 'wasm' | 'webgl';

/**
 * The expression model in TF.js: gray crops in, probabilities per label out (label order from the
 * metadata). Runs on WebGL where the GPU is real and WebGL is faster for this model, else on WASM.
 */
export class ExpressionModel {
  readonly backend: Backend;
  readonly #model: tf.GraphModel | tf.LayersModel;
  readonly #metadata: ExpressionMetadata;

  private constructor(model: tf.GraphModel | tf.LayersModel, metadata: ExpressionMetadata, backend: Backend) {
    this.#model = model;
    this.#metadata = metadata;
    this.backend = backend;
  }

  /** Loads the model named by `metadata` from the extension's files and picks the backend. */
  static async create(metadata: ExpressionMetadata, resolveUrl: (path: string) => string): Promise<ExpressionModel> {
    setWasmPaths(resolveUrl(WASM_FOLDER));
    // Threads need cross-origin isolation and a worker from a blob: URL, which the extension's CSP refuses.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    const url = resolveUrl(`models/${metadata.modelFile}`);
    const load = () => (metadata.modelFormat === 'tfjs-graph-model' ? tf.loadGraphModel(url) : tf.loadLayersModel(url));
    if (hardwareWebGl() && await tf.setBackend('webgl')) {
      const onWebGl = new ExpressionModel(await load(), metadata, 'webgl');
      const webglMs = await onWebGl.#time();
      if (!await tf.setBackend('wasm')) return onWebGl;
      const onWasm = new ExpressionModel(await load(), metadata, 'wasm');
      if (await onWasm.#time() <= webglMs) return onWasm;
      await tf.setBackend('webgl');
      return onWebGl;
    }
    if (!await tf.setBackend('wasm')) throw new Error('TF.js could not start its wasm backend');
    return new ExpressionModel(await load(), metadata, 'wasm');
  }

  /** Probabilities for each crop (uint8 gray, crop.width × crop.height), all in one batch. */
  async classify(crops: readonly Uint8Array[]): Promise<Float32Array[]> {
    if (crops.length === 0) return [];
    const { crop, labels } = this.#metadata;
    const input = modelInput(crops, this.#metadata);
    const output = tf.tidy(() => this.#model.predict(tf.tensor4d(input, [crops.length, crop.height, crop.width, 1])) as tf.Tensor);
    const values = await output.data<'float32'>();
    output.dispose();
    return crops.map((_, n) => values.slice(n * labels.length, (n + 1) * labels.length));
  }

  /** Median ms of a batch of three blank crops, after one warm-up run. */
  async #time(): Promise<number> {
    const { width, height } = this.#metadata.crop;
    const blank = Array.from({ length: 3 }, () => new Uint8Array(width * height).fill(128));
    await this.classify(blank);
    const times: number[] = [];
    for (let i = 0; i < TIMING_RUNS; i++) {
      const started = performance.now();
      await this.classify(blank);
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  }

  /** Frees the model's tensors. */
  dispose(): void {
    this.#model.dispose();
  }
}

/** True when WebGL runs on a real GPU (not a software rasteriser such as SwiftShader or llvmpipe). */
function hardwareWebGl(): boolean {
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!gl) return false;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  return !/swiftshader|llvmpipe|software|basic render/i.test(renderer);
}
