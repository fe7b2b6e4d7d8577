import { assertOrt, createSession, modelBytes, type InferenceSession, type ModelBytes, type OrtModule, type SessionOptions } from '../ort.js';
import type { ExpressionMetadata } from './metadata.js';

/** Label probabilities of one face, in the model's label order. */
export type Scores = Float32Array;

/** Options of {@link ExpressionClassifier.create}. */
export interface ExpressionClassifierOptions {
  /** Passed to ONNX Runtime (execution providers, threads). */
  readonly sessionOptions?: SessionOptions;
}

/** emoface's expression model: gray face crops in, label probabilities out, all faces of a frame in one run. */
export class ExpressionClassifier {
  readonly metadata: ExpressionMetadata;
  readonly #ort: OrtModule;
  readonly #session: InferenceSession;

  private constructor(ort: OrtModule, session: InferenceSession, metadata: ExpressionMetadata) {
    this.#ort = ort;
    this.#session = session;
    this.metadata = metadata;
  }

  /** Loads the model (`model`: bytes of expression.onnx) described by `metadata` (parsed expression.json). */
  static async create(ort: OrtModule, model: ModelBytes, metadata: ExpressionMetadata,
    options: ExpressionClassifierOptions = {}): Promise<ExpressionClassifier> {
    assertOrt(ort);
    const bytes = modelBytes(model, 'model');
    const session = await createSession(ort, bytes, options.sessionOptions);
    if (!session.inputNames.includes(metadata.inputName) || !session.outputNames.includes(metadata.outputName)) {
      await session.release();
      throw new TypeError(`model has inputs [${session.inputNames}] and outputs [${session.outputNames}], but the metadata names ${metadata.inputName} → ${metadata.outputName}`);
    }
    return new ExpressionClassifier(ort, session, metadata);
  }

  /** The label list, in output order. */
  get labels(): readonly string[] {
    return this.metadata.labels;
  }

  /** Probabilities for each crop (uint8 gray, width × height of the metadata), in one batched run. */
  async classify(crops: readonly Uint8Array[]): Promise<Scores[]> {
    const { width, height } = this.metadata.crop;
    const pixels = width * height;
    if (crops.length === 0) return [];
    const input = new Float32Array(crops.length * pixels);
    const gain = 1 / (255 * this.metadata.std);
    const offset = this.metadata.mean / this.metadata.std;
    crops.forEach((crop, n) => {
      if (crop.length !== pixels) throw new RangeError(`crops[${n}] has ${crop.length} pixels, expected ${width}×${height}`);
      for (let i = 0; i < pixels; i++) input[n * pixels + i] = crop[i]! * gain - offset;
    });
    const tensor = new this.#ort.Tensor('float32', input, [crops.length, 1, height, width]);
    const outputs = await this.#session.run({ [this.metadata.inputName]: tensor });
    try {
      const probabilities = outputs[this.metadata.outputName]!.data as Float32Array;
      const k = this.labels.length;
      if (probabilities.length !== crops.length * k) {
        throw new TypeError(`model returned ${probabilities.length} values for ${crops.length} faces × ${k} labels`);
      }
      return crops.map((_, n) => probabilities.slice(n * k, (n + 1) * k));
    } finally {
      tensor.dispose();
      for (const t of Object.values(outputs)) t.dispose();
    }
  }

  /** Frees the ONNX Runtime session. */
  async dispose(): Promise<void> {
    await this.#session.release();
  }
}
