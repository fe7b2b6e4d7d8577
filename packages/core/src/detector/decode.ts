import { KEYPOINT_NAMES, type Detection, type Keypoints, type Point } from '../types.js';
import { REGRESSORS_PER_ANCHOR } from './constants.js';
import type { Letterbox } from './letterbox.js';

/** A detection in the detector input's normalised coordinates (0..1), before NMS and projection. */
export interface RawDetection {
  readonly score: number;
  /** xMin, yMin, xMax, yMax. */
  readonly box: readonly [number, number, number, number];
  /** 6 keypoints as x, y pairs. */
  readonly keypoints: readonly number[];
}

function sigmoid(x: number): number {
  const clipped = Math.max(-100, Math.min(100, x));
  return 1 / (1 + Math.exp(-clipped));
}

/**
 * Turns raw outputs into scored boxes; port of MediaPipe's TensorsToDetectionsCalculator
 * (reverse_output_order false, fixed-size anchors, x/y/w/h scale = input size, sigmoid scores).
 * `scores` [anchors], `regressors` [anchors × 16], `anchors` [anchors × 2], all in the same anchor order.
 */
export function decodeDetections(
  scores: Float32Array,
  regressors: Float32Array,
  anchors: Float32Array,
  inputSize: number,
  minScore: number,
): RawDetection[] {
  const out: RawDetection[] = [];
  const count = anchors.length / 2;
  for (let i = 0; i < count; i++) {
    const score = sigmoid(scores[i]!);
    if (score < minScore) continue;
    const r = i * REGRESSORS_PER_ANCHOR;
    const ax = anchors[i * 2]!;
    const ay = anchors[i * 2 + 1]!;
    const cx = ax + regressors[r]! / inputSize;
    const cy = ay + regressors[r + 1]! / inputSize;
    const w = regressors[r + 2]! / inputSize;
    const h = regressors[r + 3]! / inputSize;
    const keypoints: number[] = [];
    for (let k = 0; k < KEYPOINT_NAMES.length; k++) {
      keypoints.push(ax + regressors[r + 4 + k * 2]! / inputSize, ay + regressors[r + 5 + k * 2]! / inputSize);
    }
    out.push({ score, box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], keypoints });
  }
  return out;
}

function iou(a: RawDetection['box'], b: RawDetection['box']): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

/**
 * MediaPipe's weighted non-maximum suppression (NonMaxSuppressionCalculator, overlap_type WEIGHTED):
 * take the best remaining detection, gather every remaining one overlapping it by IoU > `iouThreshold`,
 * replace them by their score-weighted mean box and keypoints (keeping the best score). Returns at most
 * `maxDetections`, best first. Does not modify its input.
 */
export function weightedNonMaxSuppression(
  detections: readonly RawDetection[],
  iouThreshold: number,
  maxDetections: number,
): RawDetection[] {
  let remaining = [...detections].sort((a, b) => b.score - a.score);
  const out: RawDetection[] = [];
  while (remaining.length > 0 && out.length < maxDetections) {
    const best = remaining[0]!;
    const cluster: RawDetection[] = [];
    const rest: RawDetection[] = [];
    for (const candidate of remaining) (iou(best.box, candidate.box) > iouThreshold ? cluster : rest).push(candidate);
    let total = 0;
    const box = [0, 0, 0, 0];
    const keypoints = new Array<number>(best.keypoints.length).fill(0);
    for (const member of cluster) {
      total += member.score;
      member.box.forEach((v, k) => (box[k]! += v * member.score));
      member.keypoints.forEach((v, k) => (keypoints[k]! += v * member.score));
    }
    out.push({
      score: best.score,
      box: [box[0]! / total, box[1]! / total, box[2]! / total, box[3]! / total],
      keypoints: keypoints.map((v) => v / total),
    });
    remaining = rest;
  }
  return out;
}

/** Maps a detection from the detector input's 0..1 coordinates back to frame pixels. */
export function projectDetection(raw: RawDetection, letterbox: Letterbox): Detection {
  const toX = (u: number) => (u * letterbox.size - letterbox.padX) / letterbox.scaleX;
  const toY = (v: number) => (v * letterbox.size - letterbox.padY) / letterbox.scaleY;
  const x = toX(raw.box[0]);
  const y = toY(raw.box[1]);
  const point = (k: number): Point => ({ x: toX(raw.keypoints[k * 2]!), y: toY(raw.keypoints[k * 2 + 1]!) });
  const keypoints: Keypoints = {
    rightEye: point(0), leftEye: point(1), noseTip: point(2), mouth: point(3), rightEar: point(4), leftEar: point(5),
  };
  return { score: raw.score, box: { x, y, width: toX(raw.box[2]) - x, height: toY(raw.box[3]) - y }, keypoints };
}
