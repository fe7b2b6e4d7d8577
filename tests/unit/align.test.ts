import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alignFace, cropTransform } from '../../src/pipeline/align/alignFace';
import { applySimilarity, fitSimilarity, invertSimilarity } from '../../src/pipeline/align/similarity';
import { equalizeHistogram } from '../../src/pipeline/expressionInput';
import { parseExpressionMetadata } from '../../src/pipeline/expressionMetadata';
import type { Keypoints } from '../../src/pipeline/types';
import { loadFrame, PHOTOS, PYTHON, REPO } from './fixtures';

const METADATA = join(REPO, 'models', 'expression.json');
const metadata = parseExpressionMetadata(readFileSync(METADATA, 'utf8'));

/** The astronaut's eyes, nose, mouth and ears, read off the photo (512 × 512; her right eye is on the image's left). */
const ASTRONAUT: Keypoints = {
  rightEye: { x: 219, y: 108 }, leftEye: { x: 259, y: 101 }, noseTip: { x: 240, y: 126 }, mouth: { x: 242, y: 148 },
  rightEar: { x: 196, y: 118 }, leftEar: { x: 283, y: 106 },
};

describe('similarity transform', () => {
  it('recovers a known rotation, scale and shift from three points, and inverts', () => {
    const truth = { a: 2 * Math.cos(0.3), b: 2 * Math.sin(0.3), tx: 5, ty: -7 };
    const from = [{ x: 10, y: 20 }, { x: 40, y: 22 }, { x: 25, y: 60 }];
    const fitted = fitSimilarity(from, from.map((p) => applySimilarity(truth, p)));
    for (const key of ['a', 'b', 'tx', 'ty'] as const) expect(fitted[key]).toBeCloseTo(truth[key], 9);
    const back = applySimilarity(invertSimilarity(fitted), applySimilarity(fitted, from[2]!));
    expect(back.x).toBeCloseTo(25, 9);
    expect(back.y).toBeCloseTo(60, 9);
  });
  it('needs distinct points', () => {
    expect(() => fitSimilarity([{ x: 1, y: 1 }, { x: 1, y: 1 }], [{ x: 0, y: 0 }, { x: 1, y: 1 }])).toThrow(/coincide/);
  });
});

/** A checkerboard of 1-pixel squares: any aliasing shows up as stripes far from mid-gray. */
function checkerboard(size: number) {
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const v = (x + y) % 2 ? 255 : 0;
    data.set([v, v, v, 255], (y * size + x) * 4);
  }
  return { data, width: size, height: size };
}

describe('downscaling without aliasing', () => {
  const crop = { width: 48, height: 48, grayWeights: [0.299, 0.587, 0.114] as const };
  it('alignFace turns a 300-pixel face of fine detail into smooth gray', () => {
    const frame = checkerboard(400);
    // keypoints of a 300-pixel face: eyes ~120 px apart
    const keypoints = {
      rightEye: { x: 140, y: 170 }, leftEye: { x: 260, y: 170 }, mouth: { x: 200, y: 300 },
      noseTip: { x: 200, y: 230 }, rightEar: { x: 80, y: 190 }, leftEar: { x: 320, y: 190 },
    } satisfies Keypoints;
    const pixels = alignFace(frame, keypoints, metadata.template, crop);
    const values = [...pixels];
    expect(Math.min(...values)).toBeGreaterThan(100);
    expect(Math.max(...values)).toBeLessThan(155);
  });
});

describe('alignment on a real face', () => {
  it('puts the eyes and mouth on the template and turns the tilted head upright', async () => {
    const frame = await loadFrame(PHOTOS.astronaut.path);
    const transform = cropTransform(ASTRONAUT, metadata.template, metadata.crop);
    const eye = applySimilarity(transform, ASTRONAUT.rightEye);
    // three points, four degrees of freedom: each lands within a couple of crop pixels
    expect(Math.abs(eye.x - metadata.template.rightEye.x * 48)).toBeLessThan(2.5);
    expect(Math.abs(eye.y - metadata.template.rightEye.y * 48)).toBeLessThan(2.5);
    const left = applySimilarity(transform, ASTRONAUT.leftEye);
    expect(Math.abs(left.y - eye.y)).toBeLessThan(1.5); // the 10° roll of the photo is taken out
    const pixels = alignFace(frame, ASTRONAUT, metadata.template, metadata.crop);
    expect(pixels).toHaveLength(48 * 48);
    const mean = pixels.reduce((s, v) => s + v, 0) / pixels.length;
    expect(mean).toBeGreaterThan(60);
    expect(mean).toBeLessThan(200);
  });
});

describe.skipIf(!existsSync(PYTHON))('TypeScript and Python alignment agree', () => {
  it('cuts the same crop from the same photo and keypoints (within rounding)', async () => {
    const frame = await loadFrame(PHOTOS.astronaut.path); // PNG: both sides decode identical pixels
    const k = ASTRONAUT;
    const ours = alignFace(frame, k, metadata.template, metadata.crop);
    const theirs = pythonCrop(k);
    expect(theirs).toHaveLength(ours.length);
    const worst = Math.max(...theirs.map((v, i) => Math.abs(v - ours[i]!)));
    expect(worst).toBeLessThanOrEqual(1);
  });
  it('equalize the histogram of that crop identically, as the model takes it', () => {
    const crop = Uint8Array.from(pythonCrop(ASTRONAUT));
    const theirs = pythonCrop(ASTRONAUT, ['--equalized']);
    expect([...equalizeHistogram(crop)]).toEqual(theirs);
    expect(Math.max(...theirs) - Math.min(...theirs)).toBe(255); // the photo's crop does span less
    expect(Math.max(...crop) - Math.min(...crop)).toBeLessThan(255);
  });
});

/** The crop emoface_training.align cuts from the astronaut photo at keypoints `k`. */
function pythonCrop(k: Keypoints, flags: string[] = []): number[] {
  const keypoints = JSON.stringify({ rightEye: [k.rightEye.x, k.rightEye.y], leftEye: [k.leftEye.x, k.leftEye.y], mouth: [k.mouth.x, k.mouth.y] });
  return JSON.parse(execFileSync(PYTHON, ['-m', 'emoface_training.align', '--image', PHOTOS.astronaut.path,
    '--keypoints', keypoints, '--metadata', METADATA, ...flags], { cwd: join(REPO, 'training'), encoding: 'utf8' })) as number[];
}
