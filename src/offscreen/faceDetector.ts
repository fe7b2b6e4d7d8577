import { FaceDetector } from '@mediapipe/tasks-vision';
import detectorFacts from 'emoface-models/face-detector/model.json';
import { DEFAULTS } from '../pipeline/defaults';
import { KEYPOINT_NAMES, type Box, type Detection, type Keypoints } from '../pipeline/types';
import { cropImage } from './cropImage';
import { mediaPipeFiles } from './mediaPipeFiles';

/**
 * MediaPipe's two BlazeFace models: 'near' (short range, 128 × 128 input, for faces within about 2 m,
 * which fill a good part of the image), 'far' (full range, 192 × 192, faces down to about a twelfth of the
 * image: a room, 5 m away).
 */
export type DetectorRange = 'near' | 'far';
const MODEL_FILES: Record<DetectorRange, string> = {
  near: `models/face-detector/${detectorFacts.file}`,
  far: `models/face-detector/${detectorFacts.fullRange.file}`,
};

/** Options of {@link FaceFinder}; defaults in DEFAULTS.detector. */
export interface FaceFinderOptions {
  /** Minimum detector score, 0..1. Default 0.5. */
  readonly minScore?: number;
  /** IoU above which overlapping detections are suppressed, 0..1. Default 0.3. */
  readonly suppressionIou?: number;
}

/**
 * MediaPipe's face detector (BlazeFace, bundled wasm and model) behind the pipeline's types: faces in
 * image pixels with their six keypoints, the subject's right eye first.
 */
export class FaceFinder {
  readonly #detector: FaceDetector;
  #lastTimestampMs = 0;

  private constructor(detector: FaceDetector) {
    this.#detector = detector;
  }

  /** Loads the wasm and the `range` model from the extension's own files (`resolveUrl` maps a path to its URL). */
  static async create(resolveUrl: (path: string) => string, range: DetectorRange, options: FaceFinderOptions = {}): Promise<FaceFinder> {
    const { minScore, suppressionIou } = { ...DEFAULTS.detector, ...options };
    const { wasm, model } = await mediaPipeFiles(resolveUrl, MODEL_FILES[range], 'face detector model');
    const detector = await FaceDetector.createFromOptions(wasm, {
      baseOptions: { modelAssetBuffer: model, delegate: 'CPU' },
      runningMode: 'VIDEO',
      minDetectionConfidence: minScore,
      minSuppressionThreshold: suppressionIou,
    });
    return new FaceFinder(detector);
  }

  /**
   * Faces in `image`, or in its part `region` (pixels, inside the image), in the image's pixels.
   * MediaPipe's VIDEO mode needs strictly increasing timestamps across every caller of this detector
   * (frames of several streams share it), so it gets its own clock, not the frames'.
   */
  detect(image: ImageData, region?: Box): Detection[] {
    const part = region ? cropImage(image, region) : image;
    const at = region ?? { x: 0, y: 0 };
    this.#lastTimestampMs = Math.max(this.#lastTimestampMs + 1, Math.floor(performance.now()));
    const result = this.#detector.detectForVideo(part, this.#lastTimestampMs);
    return result.detections.flatMap((found) => {
      const box = found.boundingBox;
      if (!box || found.keypoints.length < KEYPOINT_NAMES.length) return [];
      const points = Object.fromEntries(KEYPOINT_NAMES.map((name, i) => {
        const k = found.keypoints[i]!;
        return [name, { x: at.x + k.x * part.width, y: at.y + k.y * part.height }];
      })) as Record<(typeof KEYPOINT_NAMES)[number], { x: number; y: number }>;
      const keypoints: Keypoints = points;
      return [{ box: { x: at.x + box.originX, y: at.y + box.originY, width: box.width, height: box.height }, score: found.categories[0]?.score ?? 0, keypoints }];
    });
  }

  /** Frees the detector's wasm memory. */
  close(): void {
    this.#detector.close();
  }
}
