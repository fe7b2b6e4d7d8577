import { FaceDetector, FilesetResolver } from '@mediapipe/tasks-vision';
import detectorFacts from 'emoface-models/face-detector/model.json';
import { DEFAULTS } from '../pipeline/defaults';
import { KEYPOINT_NAMES, type Detection, type Keypoints } from '../pipeline/types';

/** Where the bundled files are, relative to the extension's root (vite.config.ts puts them there). */
const WASM_FOLDER = 'wasm/mediapipe';
const MODEL_FILE = `models/face-detector/${detectorFacts.file}`;

/** Options of {@link FaceFinder}; defaults in DEFAULTS.detector. */
export interface FaceFinderOptions {
  /** Minimum detector score, 0..1. Default 0.5. */
  readonly minScore?: number;
  /** IoU above which overlapping detections are suppressed, 0..1. Default 0.3. */
  readonly suppressionIou?: number;
}

/**
 * MediaPipe's face detector (BlazeFace short range, bundled wasm and model) behind the pipeline's types:
 * faces in frame pixels with their six keypoints, the subject's right eye first.
 */
export class FaceFinder {
  readonly #detector: FaceDetector;
  #lastTimestampMs = 0;

  private constructor(detector: FaceDetector) {
    this.#detector = detector;
  }

  /** Loads the wasm and the model from the extension's own files (`resolveUrl` maps a path to its URL). */
  static async create(resolveUrl: (path: string) => string, options: FaceFinderOptions = {}): Promise<FaceFinder> {
    const { minScore, suppressionIou } = { ...DEFAULTS.detector, ...options };
    const fileset = await FilesetResolver.forVisionTasks(resolveUrl(WASM_FOLDER));
    const response = await fetch(resolveUrl(MODEL_FILE));
    if (!response.ok) throw new Error(`face detector model ${MODEL_FILE}: ${response.status} ${response.statusText}`);
    const model = new Uint8Array(await response.arrayBuffer());
    const detector = await FaceDetector.createFromOptions(fileset, {
      baseOptions: { modelAssetBuffer: model, delegate: 'CPU' },
      runningMode: 'VIDEO',
      minDetectionConfidence: minScore,
      minSuppressionThreshold: suppressionIou,
    });
    return new FaceFinder(detector);
  }

  /**
   * Faces in `image`. MediaPipe's VIDEO mode needs strictly increasing timestamps across every caller of
   * this detector (frames of several streams share it), so it gets its own clock, not the frames'.
   */
  detect(image: ImageData): Detection[] {
    this.#lastTimestampMs = Math.max(this.#lastTimestampMs + 1, Math.floor(performance.now()));
    const result = this.#detector.detectForVideo(image, this.#lastTimestampMs);
    return result.detections.flatMap((found) => {
      const box = found.boundingBox;
      if (!box || found.keypoints.length < KEYPOINT_NAMES.length) return [];
      const points = Object.fromEntries(KEYPOINT_NAMES.map((name, i) => {
        const k = found.keypoints[i]!;
        return [name, { x: k.x * image.width, y: k.y * image.height }];
      })) as Record<(typeof KEYPOINT_NAMES)[number], { x: number; y: number }>;
      const keypoints: Keypoints = points;
      return [{ box: { x: box.originX, y: box.originY, width: box.width, height: box.height }, score: found.categories[0]?.score ?? 0, keypoints }];
    });
  }

  /** Frees the detector's wasm memory. */
  close(): void {
    this.#detector.close();
  }
}
