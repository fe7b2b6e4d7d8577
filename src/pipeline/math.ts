import type { Box, Point } from './types';

/** Index of the largest value (the first on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** The middle value of `values` (the upper of the two middle ones for an even count; 0 for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  return [...values].sort((a, b) => a - b)[values.length >> 1]!;
}

/** The centre of a box. */
export function centreOf(box: Box): Point {
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Intersection over union of two boxes (0 when they do not overlap). */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/**
 * `items` without those that show the same face as an earlier kept one (earlier items win: order them by
 * preference). Two boxes show the same face when they overlap by more than `maxIou`, or when they are of
 * a like size (within SAME_FACE_SIZE_RATIO) and either's centre lies inside the other: two detectors, or
 * one at two scales, box the same face differently. A box much larger than another around its centre is
 * another face, or a wrong detection that must not hide a small real one.
 */
export function suppressDuplicates<T>(items: readonly T[], boxOf: (item: T) => Box, maxIou: number): T[] {
  const inside = (p: Point, b: Box) => p.x >= b.x && p.x <= b.x + b.width && p.y >= b.y && p.y <= b.y + b.height;
  const alike = (a: Box, b: Box) => Math.max(a.height, b.height) <= SAME_FACE_SIZE_RATIO * Math.min(a.height, b.height);
  const same = (a: Box, b: Box) => iou(a, b) > maxIou || (alike(a, b) && (inside(centreOf(a), b) || inside(centreOf(b), a)));
  const kept: T[] = [];
  for (const item of items) if (!kept.some((k) => same(boxOf(k), boxOf(item)))) kept.push(item);
  return kept;
}

/** Boxes of like size differ in height by at most this factor (two detectors' boxes of one face differ far less). */
const SAME_FACE_SIZE_RATIO = 2;
