import expressionJson from 'emoface-models/expression.json';
import { alignFace } from '../pipeline/align/alignFace';
import { describeFaces } from '../pipeline/analysis';
import { DEFAULTS } from '../pipeline/defaults';
import { parseEmojiSet, scoresForMode, type EmojiSet, type LabelMode } from '../pipeline/emoji/emojiSets';
import { parseExpressionMetadata, type ExpressionMetadata } from '../pipeline/expressionMetadata';
import type { AnalysedFace, StageMs } from '../pipeline/messages';
import { FaceTracker } from '../pipeline/track/tracker';
import type { Detection } from '../pipeline/types';
import { ExpressionModel, type Backend } from './expressionModel';
import { FaceFinder } from './faceDetector';

/** One face of a still image: where, and the model's probabilities in label order. */
export interface FaceExpression {
  readonly detection: Detection;
  readonly probabilities: Float32Array;
}

/**
 * The analyser: detect → align → classify (every face in one batch) → track → choose the emoji.
 * One detector and one model serve every stream; each stream (tab × camera track) has its own tracker.
 */
export class Analyser {
  readonly metadata: ExpressionMetadata;
  readonly #finder: FaceFinder;
  readonly #model: ExpressionModel;
  readonly #trackers = new Map<string, FaceTracker>();

  private constructor(metadata: ExpressionMetadata, finder: FaceFinder, model: ExpressionModel) {
    this.metadata = metadata;
    this.#finder = finder;
    this.#model = model;
  }

  /** Loads the detector and the model from the extension's files (`resolveUrl` maps a path to its URL). */
  static async create(resolveUrl: (path: string) => string): Promise<Analyser> {
    const metadata = parseExpressionMetadata(expressionJson);
    const [finder, model] = await Promise.all([FaceFinder.create(resolveUrl), ExpressionModel.create(metadata, resolveUrl)]);
    return new Analyser(metadata, finder, model);
  }

  /** Where the expression model runs. */
  get backend(): Backend {
    return this.#model.backend;
  }

  /**
   * The faces of one frame of stream `streamKey`, tracked, with their emoji; and the time each stage took.
   * With `classify` false the frame only moves the faces already tracked (their expressions stay as they
   * were; a face not tracked yet waits for the next frame classified): a face's place changes faster than
   * its expression, and classifying is most of an analysis's time once there are faces.
   */
  async analyse(image: ImageData, streamKey: string, timestampMs: number, labelMode: LabelMode, emojiSet: EmojiSet,
    classify: boolean): Promise<{ faces: AnalysedFace[]; stageMs: Omit<StageMs, 'decode' | 'total'> }> {
    const set = parseEmojiSet(emojiSet, this.metadata.labels);
    let t = performance.now();
    const lap = () => {
      const now = performance.now();
      const ms = now - t;
      t = now;
      return Math.round(ms * 100) / 100;
    };
    const detections = this.#finder.detect(image).sort((a, b) => b.score - a.score).slice(0, DEFAULTS.analysis.maxFaces);
    const detect = lap();
    const crops = classify ? detections.map((d) => alignFace(image, d.keypoints, this.metadata.template, this.metadata.crop)) : [];
    const align = lap();
    const probabilities = await this.#model.classify(crops);
    const classified = lap();
    const tracker = this.#trackerFor(streamKey, timestampMs);
    const labels = this.metadata.labels;
    const scores = (i: number) => (classify ? scoresForMode(probabilities[i]!, labels, labelMode) : null);
    const tracked = tracker.update(detections.map((detection, i) => ({ detection, scores: scores(i) })), timestampMs);
    const faces = describeFaces(tracked, image.width, image.height, labels, set);
    return { faces, stageMs: { detect, align, classify: classified, track: lap() } };
  }

  /** Every face of a still image with its probabilities (no tracking): for evaluation on photos. */
  async facesOf(image: ImageData): Promise<FaceExpression[]> {
    const detections = this.#finder.detect(image).sort((a, b) => b.score - a.score).slice(0, DEFAULTS.analysis.maxFaces);
    const probabilities = await this.#model.classify(detections.map((d) => alignFace(image, d.keypoints, this.metadata.template, this.metadata.crop)));
    return detections.map((detection, i) => ({ detection, probabilities: probabilities[i]! }));
  }

  /** Probabilities for ready-made model crops (uint8 gray at the model's input size): for evaluation on crops. */
  classifyCrops(crops: readonly Uint8Array[]): Promise<Float32Array[]> {
    return this.#model.classify(crops);
  }

  /** Trackers held: one per stream with analyses and not yet ended. */
  get trackerCount(): number {
    return this.#trackers.size;
  }

  /** Forgets a stream's tracker. */
  endStream(streamKey: string): void {
    this.#trackers.delete(streamKey);
  }

  /** The stream's tracker; a new one when the stream's clock went back (a camera restarted). */
  #trackerFor(streamKey: string, timestampMs: number): FaceTracker {
    let tracker = this.#trackers.get(streamKey);
    if (!tracker || timestampMs < tracker.lastTimestampMs) {
      tracker = new FaceTracker();
      this.#trackers.set(streamKey, tracker);
    }
    return tracker;
  }

  /** Frees the detector and the model. */
  close(): void {
    this.#finder.close();
    this.#model.dispose();
  }
}
