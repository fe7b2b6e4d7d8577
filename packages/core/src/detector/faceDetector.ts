import { DEFAULTS } from '../defaults.js';
import { assertFrame } from '../frame.js';
import { assertOrt, createSession, modelBytes, type InferenceSession, type ModelBytes, type OrtModule, type SessionOptions } from '../ort.js';
import type { Detection, Frame } from '../types.js';
import { createAnchors } from './anchors.js';
import { BLAZEFACE, type BlazeFaceModel, type BlazeFaceSpec } from './constants.js';
import { decodeDetections, projectDetection, weightedNonMaxSuppression } from './decode.js';
import { letterboxTensor } from './letterbox.js';

/** Options of {@link FaceDetector.create}; defaults in DEFAULTS.detector. */
export interface FaceDetectorOptions {
  /** Which BlazeFace model `model` holds: 'front' (128×128) or 'back' (256×256). Default 'front'. */
  readonly model?: BlazeFaceModel;
  /** Minimum score 0..1. Default 0.5. */
  readonly minScore?: number;
  /** IoU above which overlapping detections are merged, 0..1. Default 0.3. */
  readonly iouThreshold?: number;
  /** Maximum faces returned, ≥ 1. Default 10. */
  readonly maxFaces?: number;
  /** Passed to ONNX Runtime (execution providers, threads). */
  readonly sessionOptions?: SessionOptions;
}

function checkUnit(value: number, name: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new RangeError(`${name} must be in 0..1, got ${value}`);
  return value;
}

/** Finds faces and their six keypoints in RGBA frames with MediaPipe BlazeFace. */
export class FaceDetector {
  /** The model's facts (input size, anchors layout, value range). */
  readonly spec: BlazeFaceSpec;
  readonly minScore: number;
  readonly iouThreshold: number;
  readonly maxFaces: number;
  readonly #ort: OrtModule;
  readonly #session: InferenceSession;
  readonly #anchors: Float32Array;

  private constructor(ort: OrtModule, session: InferenceSession, spec: BlazeFaceSpec, options: FaceDetectorOptions) {
    this.#ort = ort;
    this.#session = session;
    this.spec = spec;
    this.#anchors = createAnchors(spec);
    this.minScore = options.minScore ?? DEFAULTS.detector.minScore;
    this.iouThreshold = options.iouThreshold ?? DEFAULTS.detector.iouThreshold;
    this.maxFaces = options.maxFaces ?? DEFAULTS.detector.maxFaces;
  }

  /** Loads a BlazeFace ONNX model (`model`: its bytes) into an ONNX Runtime session. */
  static async create(ort: OrtModule, model: ModelBytes, options: FaceDetectorOptions = {}): Promise<FaceDetector> {
    assertOrt(ort);
    const bytes = modelBytes(model, 'model');
    const name = options.model ?? DEFAULTS.detector.model;
    const spec = BLAZEFACE[name];
    if (!spec) throw new RangeError(`options.model must be 'front' or 'back', got ${String(name)}`);
    checkUnit(options.minScore ?? DEFAULTS.detector.minScore, 'options.minScore');
    checkUnit(options.iouThreshold ?? DEFAULTS.detector.iouThreshold, 'options.iouThreshold');
    const maxFaces = options.maxFaces ?? DEFAULTS.detector.maxFaces;
    if (!Number.isInteger(maxFaces) || maxFaces < 1) throw new RangeError(`options.maxFaces must be an integer ≥ 1, got ${maxFaces}`);
    const session = await createSession(ort, bytes, options.sessionOptions);
    const [inputName] = session.inputNames;
    if (session.inputNames.length !== 1 || session.outputNames.length !== 4 || !inputName) {
      await session.release();
      throw new TypeError(`model is not a BlazeFace model: expected 1 input and 4 outputs, got ${session.inputNames.length} and ${session.outputNames.length}`);
    }
    return new FaceDetector(ort, session, spec, options);
  }

  /** Faces in `frame`, best first, boxes and keypoints in the frame's pixels. */
  async detect(frame: Frame): Promise<Detection[]> {
    assertFrame(frame);
    const size = this.spec.inputSize;
    const { data, letterbox } = letterboxTensor(frame, size, this.spec.valueRange);
    const input = new this.#ort.Tensor('float32', data, [1, size, size, 3]);
    const outputs = await this.#session.run({ [this.#session.inputNames[0]!]: input });
    try {
      // Outputs in file order: scores [1,512,1], [1,384,1]; regressors [1,512,16], [1,384,16].
      const [scoresA, scoresB, boxesA, boxesB] = this.#session.outputNames.map((name) => outputs[name]!.data as Float32Array);
      const scores = concat(scoresA!, scoresB!);
      const regressors = concat(boxesA!, boxesB!);
      if (scores.length * 2 !== this.#anchors.length || regressors.length !== scores.length * 16) {
        throw new TypeError(`BlazeFace outputs have ${scores.length} scores and ${regressors.length} regressors, expected ${this.#anchors.length / 2} and ×16`);
      }
      const raw = decodeDetections(scores, regressors, this.#anchors, size, this.minScore);
      return weightedNonMaxSuppression(raw, this.iouThreshold, this.maxFaces).map((d) => projectDetection(d, letterbox));
    } finally {
      input.dispose();
      for (const tensor of Object.values(outputs)) tensor.dispose();
    }
  }

  /** Frees the ONNX Runtime session. */
  async dispose(): Promise<void> {
    await this.#session.release();
  }
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
