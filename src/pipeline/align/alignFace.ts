import type { Frame, Keypoints, Point } from '../types';
import { fitSimilarity, invertSimilarity, similarityScale, type Similarity } from './similarity';

/** Where the eyes and mouth sit in a model crop, as fractions of its width and height (from expression.json). */
export interface AlignmentTemplate {
  readonly rightEye: Point;
  readonly leftEye: Point;
  readonly mouth: Point;
}

/** The crop the expression model takes. */
export interface CropSpec {
  readonly width: number;
  readonly height: number;
  /** Weights of R, G, B in the gray value (they sum to 1). */
  readonly grayWeights: readonly [number, number, number];
}

/** Most samples per crop pixel along one axis; at 8 a face up to 8× the crop size is filtered exactly. */
const MAX_SAMPLES_PER_AXIS = 8;

/** The transform from frame pixels to crop pixels that puts the keypoints on the template. */
export function cropTransform(keypoints: Keypoints, template: AlignmentTemplate, crop: Pick<CropSpec, 'width' | 'height'>): Similarity {
  const toCrop = (p: Point): Point => ({ x: p.x * crop.width, y: p.y * crop.height });
  return fitSimilarity(
    [keypoints.rightEye, keypoints.leftEye, keypoints.mouth],
    [toCrop(template.rightEye), toCrop(template.leftEye), toCrop(template.mouth)],
  );
}

/**
 * Cuts the face out of `frame` as the model's gray crop: a similarity transform sends the eye and mouth
 * keypoints to the template, and each crop pixel is the mean of k×k bilinear samples spread over its
 * footprint in the frame (k = frame pixels per crop pixel, up to 8), so a large face shrinks without
 * aliasing. Pixels outside the frame repeat its edge. Returns uint8 gray, row-major [height × width].
 */
export function alignFace(frame: Frame, keypoints: Keypoints, template: AlignmentTemplate, crop: CropSpec): Uint8Array {
  const toFrame = invertSimilarity(cropTransform(keypoints, template, crop));
  const k = Math.max(1, Math.min(MAX_SAMPLES_PER_AXIS, Math.ceil(similarityScale(toFrame) - 1e-9)));
  const [wr, wg, wb] = crop.grayWeights;
  const { data, width, height } = frame;
  const out = new Uint8Array(crop.width * crop.height);
  // Bilinear gray sample at continuous frame position (x, y), pixel centres at +0.5.
  const sample = (x: number, y: number): number => {
    const fx = Math.min(Math.max(x - 0.5, 0), width - 1);
    const fy = Math.min(Math.max(y - 0.5, 0), height - 1);
    const x0 = Math.floor(fx);
    const y0 = Math.floor(fy);
    const x1 = Math.min(x0 + 1, width - 1);
    const y1 = Math.min(y0 + 1, height - 1);
    const dx = fx - x0;
    const dy = fy - y0;
    const gray = (px: number, py: number) => {
      const i = (py * width + px) * 4;
      return wr * data[i]! + wg * data[i + 1]! + wb * data[i + 2]!;
    };
    return (gray(x0, y0) * (1 - dx) + gray(x1, y0) * dx) * (1 - dy) + (gray(x0, y1) * (1 - dx) + gray(x1, y1) * dx) * dy;
  };
  const { a, b, tx, ty } = toFrame;
  for (let v = 0; v < crop.height; v++) {
    for (let u = 0; u < crop.width; u++) {
      let sum = 0;
      for (let j = 0; j < k; j++) {
        const cy = v + (j + 0.5) / k;
        for (let i = 0; i < k; i++) {
          const cx = u + (i + 0.5) / k;
          sum += sample(a * cx - b * cy + tx, b * cx + a * cy + ty);
        }
      }
      out[v * crop.width + u] = Math.min(255, Math.floor(sum / (k * k) + 0.5));
    }
  }
  return out;
}
