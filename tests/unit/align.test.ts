import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  alignFace, applySimilarity, cropTransform, FaceDetector, fitSimilarity, invertSimilarity, parseExpressionMetadata, resizeToRgb,
  type Keypoints,
} from '../src/index.js';
import { loadFrame, MODELS, PHOTOS, PYTHON, readModel, REPO } from './fixtures.js';

const metadata = parseExpressionMetadata(readFileSync(MODELS.metadata, 'utf8'));

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
  it('resizeToRgb averages fine detail away too', () => {
    const rgb = resizeToRgb(checkerboard(320), 32, 32);
    for (const v of rgb) expect(Math.abs(v - 127.5)).toBeLessThan(20);
  });
});

describe('alignment on a real face', () => {
  it('puts the detected eyes and mouth on the template', async () => {
    const frame = await loadFrame(PHOTOS.graceHopper.path);
    const detector = await FaceDetector.create(ort, readModel(MODELS.front));
    const [face] = await detector.detect(frame);
    await detector.dispose();
    const transform = cropTransform(face!.keypoints, metadata.template, metadata.crop);
    const eye = applySimilarity(transform, face!.keypoints.rightEye);
    // three points, four degrees of freedom: each lands within a couple of crop pixels
    expect(Math.abs(eye.x - metadata.template.rightEye.x * 48)).toBeLessThan(2.5);
    expect(Math.abs(eye.y - metadata.template.rightEye.y * 48)).toBeLessThan(2.5);
    const pixels = alignFace(frame, face!.keypoints, metadata.template, metadata.crop);
    expect(pixels).toHaveLength(48 * 48);
    const mean = pixels.reduce((s, v) => s + v, 0) / pixels.length;
    expect(mean).toBeGreaterThan(40);
    expect(mean).toBeLessThan(220);
  });
});

describe.skipIf(!existsSync(PYTHON))('TypeScript and Python preprocessing agree', () => {
  it('cuts the same crop from the same photo and keypoints (within rounding)', async () => {
    const frame = await loadFrame(PHOTOS.astronaut.path); // PNG: both sides decode identical pixels
    const detector = await FaceDetector.create(ort, readModel(MODELS.back), { model: 'back' });
    const [face] = await detector.detect(frame);
    await detector.dispose();
    const k = face!.keypoints;
    const ours = alignFace(frame, k, metadata.template, metadata.crop);
    const keypoints = JSON.stringify({ rightEye: [k.rightEye.x, k.rightEye.y], leftEye: [k.leftEye.x, k.leftEye.y], mouth: [k.mouth.x, k.mouth.y] });
    const theirs = JSON.parse(execFileSync(PYTHON, ['-m', 'emoface_training.align', '--image', PHOTOS.astronaut.path,
      '--keypoints', keypoints, '--metadata', MODELS.metadata], { cwd: `${REPO}/training`, encoding: 'utf8' })) as number[];
    expect(theirs).toHaveLength(ours.length);
    const worst = Math.max(...theirs.map((v, i) => Math.abs(v - ours[i]!)));
    expect(worst).toBeLessThanOrEqual(1);
  });
});
