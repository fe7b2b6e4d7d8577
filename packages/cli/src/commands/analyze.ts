import type { FaceResult, Keypoints, Point } from '@emoface/core';
import { readImage } from '../image.js';
import { createPipeline } from '../pipeline.js';
import type { CommonOptions } from './common.js';

/** What `analyze` reports for one image. */
export interface ImageAnalysis {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly faces: readonly Omit<FaceResult, 'id' | 'lost' | 'level'>[];
}

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
const roundPoint = (p: Point): Point => ({ x: round(p.x, 1), y: round(p.y, 1) });
const roundKeypoints = (k: Keypoints): Keypoints => ({
  rightEye: roundPoint(k.rightEye), leftEye: roundPoint(k.leftEye), noseTip: roundPoint(k.noseTip),
  mouth: roundPoint(k.mouth), rightEar: roundPoint(k.rightEar), leftEar: roundPoint(k.leftEar),
});

/** `emoface analyze <image…>`: faces, expressions and emoji per image. */
export async function analyze(files: readonly string[], options: CommonOptions): Promise<ImageAnalysis[]> {
  const pipeline = await createPipeline(options.detector ?? 'back', { emojiSet: options.emojiSet.set, mode: options.mode });
  try {
    const results: ImageAnalysis[] = [];
    for (const file of files) {
      const frame = await readImage(file);
      const { faces } = await pipeline.analyze(frame);
      results.push({
        file, width: frame.width, height: frame.height,
        faces: faces.map((f) => ({
          box: { x: round(f.box.x, 1), y: round(f.box.y, 1), width: round(f.box.width, 1), height: round(f.box.height, 1) },
          score: round(f.score, 4),
          keypoints: roundKeypoints(f.keypoints),
          expression: f.expression,
          scores: Object.fromEntries(Object.entries(f.scores).map(([k, v]) => [k, round(v, 4)])),
          emoji: f.emoji,
        })),
      });
    }
    return results;
  } finally {
    await pipeline.dispose();
  }
}

/** Human-readable lines for `analyze` without --json. */
export function formatAnalysis(results: readonly ImageAnalysis[]): string {
  return results.map((r) => [
    `${r.file}: ${r.width}×${r.height}, ${r.faces.length} face${r.faces.length === 1 ? '' : 's'}`,
    ...r.faces.map((f, i) => `  ${i + 1}. ${f.emoji} ${f.expression} ${(100 * (f.scores[f.expression] ?? 0)).toFixed(0)}% `
      + `at (${f.box.x.toFixed(0)}, ${f.box.y.toFixed(0)}) ${f.box.width.toFixed(0)}×${f.box.height.toFixed(0)}, face score ${f.score.toFixed(2)}`),
  ].join('\n')).join('\n');
}
