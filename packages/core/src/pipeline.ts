import { alignFace } from './align/alignFace.js';
import { ExpressionClassifier, type ExpressionClassifierOptions } from './classify/expressionClassifier.js';
import { parseExpressionMetadata, type ExpressionMetadata } from './classify/metadata.js';
import { DEFAULTS } from './defaults.js';
import { FaceDetector, type FaceDetectorOptions } from './detector/faceDetector.js';
import { assertEmojiSet, chooseEmoji, FACES, FIVE_LABELS, scoresForMode, type EmojiSet, type LabelMode } from './emoji/emojiSets.js';
import { assertFrame } from './frame.js';
import type { ModelBytes, OrtModule } from './ort.js';
import { argmax } from './math.js';
import { FaceTracker, type TrackedFace, type TrackerOptions } from './track/tracker.js';
import type { Box, Detection, Frame, Keypoints } from './types.js';

/** The models emoface runs. */
export interface EmofaceModels {
  /** Bytes of a BlazeFace ONNX model (front or back; say which in options.detector.model). */
  readonly detector: ModelBytes;
  /** Bytes of models/expression.onnx. */
  readonly expression: ModelBytes;
  /** models/expression.json, as text or parsed. */
  readonly metadata: string | object;
}

/** Options of {@link Emoface.create}; defaults in DEFAULTS. */
export interface EmofaceOptions {
  readonly detector?: FaceDetectorOptions;
  readonly classifier?: ExpressionClassifierOptions;
  /** Tracking for {@link Emoface.processFrame} (video). */
  readonly tracker?: TrackerOptions;
  /** Emoji set. Default FACES. */
  readonly emojiSet?: EmojiSet;
  /** 'seven' labels or the paper's 'five'. Default 'seven'. */
  readonly mode?: LabelMode;
  /** Probability from which stronger emoji are used, 0..1. Default 0.6. */
  readonly intensityFrom?: number;
}

/** One face of a result. */
export interface FaceResult {
  /** Track id (video only; analyze() numbers faces 1, 2, … by score). */
  readonly id: number;
  /** Box in frame pixels. */
  readonly box: Box;
  /** Detector confidence 0..1. */
  readonly score: number;
  readonly keypoints: Keypoints;
  /** The label shown. */
  readonly expression: string;
  /** Probability per label (the mode's labels; smoothed over time in video). */
  readonly scores: Readonly<Record<string, number>>;
  readonly emoji: string;
  /** Intensity level of the emoji, 0 = calmest. */
  readonly level: number;
  /** True when a video face is held at its last place without a detection in this frame. */
  readonly lost: boolean;
}

/** Milliseconds spent in each stage of one frame. */
export interface StageTimes {
  detect: number;
  align: number;
  classify: number;
  track: number;
}

/** What one frame gives. */
export interface FrameResult {
  readonly width: number;
  readonly height: number;
  readonly faces: readonly FaceResult[];
  readonly stageMs: StageTimes;
}

const now = () => globalThis.performance.now();

/**
 * The whole pipeline: detect → align → classify (one batched run) → track (video) → choose emoji.
 * Create with {@link Emoface.create}; free with {@link Emoface.dispose}.
 */
export class Emoface {
  readonly metadata: ExpressionMetadata;
  readonly detector: FaceDetector;
  readonly classifier: ExpressionClassifier;
  #tracker: FaceTracker;
  #emojiSet: EmojiSet;
  #mode: LabelMode;
  readonly #intensityFrom: number;
  readonly #trackerOptions: TrackerOptions;

  private constructor(detector: FaceDetector, classifier: ExpressionClassifier, options: EmofaceOptions) {
    this.detector = detector;
    this.classifier = classifier;
    this.metadata = classifier.metadata;
    this.#trackerOptions = options.tracker ?? {};
    this.#tracker = new FaceTracker(this.#trackerOptions);
    this.#emojiSet = FACES;
    this.#mode = 'seven';
    this.emojiSet = options.emojiSet ?? FACES;
    this.mode = options.mode ?? 'seven';
    this.#intensityFrom = options.intensityFrom ?? DEFAULTS.emoji.intensityFrom;
    if (!(this.#intensityFrom >= 0 && this.#intensityFrom < 1)) throw new RangeError(`options.intensityFrom must be in 0..1, got ${this.#intensityFrom}`);
  }

  /** Loads both models. `ort` is onnxruntime-node or onnxruntime-web. */
  static async create(ort: OrtModule, models: EmofaceModels, options: EmofaceOptions = {}): Promise<Emoface> {
    const metadata = parseExpressionMetadata(models.metadata);
    const detector = await FaceDetector.create(ort, models.detector, options.detector);
    try {
      const classifier = await ExpressionClassifier.create(ort, models.expression, metadata, options.classifier);
      return new Emoface(detector, classifier, options);
    } catch (error) {
      await detector.dispose();
      throw error;
    }
  }

  /** The active emoji set. */
  get emojiSet(): EmojiSet {
    return this.#emojiSet;
  }

  set emojiSet(set: EmojiSet) {
    assertEmojiSet(set, this.metadata.labels);
    this.#emojiSet = set;
  }

  /** The label mode ('seven' or 'five'); changing it restarts tracking. */
  get mode(): LabelMode {
    return this.#mode;
  }

  set mode(mode: LabelMode) {
    if (mode !== 'seven' && mode !== 'five') throw new RangeError(`mode must be 'seven' or 'five', got ${String(mode)}`);
    if (mode !== this.#mode) this.#tracker.reset();
    this.#mode = mode;
  }

  /** Replaces the tracker (e.g. with another smoothing time constant); ids start again. */
  setTrackerOptions(options: TrackerOptions): void {
    this.#tracker = new FaceTracker({ ...this.#trackerOptions, ...options });
  }

  /** A single image: every face, no tracking or smoothing. */
  async analyze(frame: Frame): Promise<FrameResult> {
    const { detections, scores, stageMs } = await this.#detectAndClassify(frame);
    const faces = detections.map((detection, i) => this.#result(i + 1, detection.box, detection.keypoints,
      detection.score, scores[i]!, argmax(scores[i]!), false));
    return { width: frame.width, height: frame.height, faces, stageMs };
  }

  /** One video frame at `timestampMs` (non-decreasing): faces tracked, smoothed, held when briefly lost. */
  async processFrame(frame: Frame, timestampMs: number): Promise<FrameResult> {
    const { detections, scores, stageMs } = await this.#detectAndClassify(frame);
    const start = now();
    const tracked = this.#tracker.update(detections.map((detection, i) => ({ detection, scores: scores[i]! })), timestampMs);
    const faces = tracked.map((t: TrackedFace) => this.#result(t.id, t.box, t.keypoints, t.detectionScore, t.scores, t.labelIndex, t.lost));
    stageMs.track = now() - start;
    return { width: frame.width, height: frame.height, faces, stageMs };
  }

  /** Frees both ONNX Runtime sessions. */
  async dispose(): Promise<void> {
    await Promise.all([this.detector.dispose(), this.classifier.dispose()]);
  }

  async #detectAndClassify(frame: Frame): Promise<{ detections: Detection[]; scores: Float32Array[]; stageMs: StageTimes }> {
    assertFrame(frame);
    const t0 = now();
    const detections = await this.detector.detect(frame);
    const t1 = now();
    const crops = detections.map((d) => alignFace(frame, d.keypoints, this.metadata.template, this.metadata.crop));
    const t2 = now();
    const probabilities = await this.classifier.classify(crops);
    const scores = probabilities.map((p) => scoresForMode(p, this.metadata.labels, this.#mode));
    const t3 = now();
    return { detections, scores, stageMs: { detect: t1 - t0, align: t2 - t1, classify: t3 - t2, track: 0 } };
  }

  #result(id: number, box: Box, keypoints: Keypoints, score: number, scores: Float32Array, labelIndex: number, lost: boolean): FaceResult {
    const labels = this.metadata.labels;
    const expression = labels[labelIndex]!;
    const { emoji, level } = chooseEmoji(this.#emojiSet, expression, scores[labelIndex]!, this.#intensityFrom);
    const named: Record<string, number> = {};
    labels.forEach((label, i) => {
      if (this.#mode === 'seven' || (FIVE_LABELS as readonly string[]).includes(label)) named[label] = scores[i]!;
    });
    return { id, box, score, keypoints, expression, scores: named, emoji, level, lost };
  }
}
