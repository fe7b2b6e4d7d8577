import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BLAZEFACE_BACK, BLAZEFACE_FRONT, createAnchors, decodeDetections, FaceDetector, letterboxFor, letterboxTensor,
  projectDetection, weightedNonMaxSuppression, type RawDetection,
} from '../src/index.js';
import { loadFrame, MODELS, PHOTOS, readModel } from './fixtures.js';

describe('anchors', () => {
  it('lays out 896 anchor centres as MediaPipe does (16×16×2 then 8×8×6, cell-major)', () => {
    const anchors = createAnchors(BLAZEFACE_FRONT);
    expect(anchors.length).toBe(896 * 2);
    expect([anchors[0], anchors[1], anchors[2], anchors[3]]).toEqual([1 / 32, 1 / 32, 1 / 32, 1 / 32]);
    expect([anchors[4], anchors[5]]).toEqual([3 / 32, 1 / 32]); // next cell in the row
    expect([anchors[2 * 32], anchors[2 * 32 + 1]]).toEqual([1 / 32, 3 / 32]); // next row
    expect([anchors[2 * 512], anchors[2 * 512 + 1]]).toEqual([1 / 16, 1 / 16]); // first 8×8 anchor
    expect([anchors[2 * 517], anchors[2 * 517 + 1]]).toEqual([1 / 16, 1 / 16]); // its 6th copy
    expect([anchors[2 * 518], anchors[2 * 518 + 1]]).toEqual([3 / 16, 1 / 16]);
    expect([anchors[2 * 895], anchors[2 * 895 + 1]]).toEqual([15 / 16, 15 / 16]);
    expect(createAnchors(BLAZEFACE_BACK)).toEqual(anchors);
  });
});

describe('decoding', () => {
  const anchors = createAnchors(BLAZEFACE_FRONT);
  it('turns regressors into boxes and keypoints relative to the anchor (golden numbers)', () => {
    const scores = new Float32Array(896).fill(-10);
    const regressors = new Float32Array(896 * 16);
    scores[520] = 2; // 9th anchor of the 8×8 grid: cell 1 of row 0, centre (3/16, 1/16)
    regressors.set([12.8, -6.4, 32, 25.6, -8, -4, 8, -4, 0, 4, 0, 12, -16, 0, 16, 0], 520 * 16);
    const [d, ...rest] = decodeDetections(scores, regressors, anchors, 128, 0.5);
    expect(rest).toHaveLength(0);
    expect(d!.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    const cx = 3 / 16 + 0.1;
    const cy = 1 / 16 - 0.05;
    expect(d!.box[0]).toBeCloseTo(cx - 0.125, 6);
    expect(d!.box[1]).toBeCloseTo(cy - 0.1, 6);
    expect(d!.box[2]).toBeCloseTo(cx + 0.125, 6);
    expect(d!.box[3]).toBeCloseTo(cy + 0.1, 6);
    expect(d!.keypoints[0]).toBeCloseTo(3 / 16 - 8 / 128, 6);
    expect(d!.keypoints[7]).toBeCloseTo(1 / 16 + 12 / 128, 6);
  });

  it('keeps only scores above the threshold and clips huge logits', () => {
    const scores = new Float32Array(896).fill(-1e6);
    scores[3] = 1e6;
    const found = decodeDetections(scores, new Float32Array(896 * 16), anchors, 128, 0.5);
    expect(found).toHaveLength(1);
    expect(found[0]!.score).toBe(1);
  });
});

describe('weighted non-maximum suppression', () => {
  const raw = (score: number, x: number, kp = x): RawDetection => ({ score, box: [x, 0, x + 0.2, 0.2], keypoints: Array(12).fill(kp) });
  it('blends overlapping detections by score and keeps the best score', () => {
    const input = [raw(0.6, 0.02, 0.3), raw(0.9, 0, 0), raw(0.8, 0.6)];
    const copy = structuredClone(input);
    const out = weightedNonMaxSuppression(input, 0.3, 10);
    expect(input).toEqual(copy); // input untouched
    expect(out).toHaveLength(2);
    expect(out[0]!.score).toBe(0.9);
    expect(out[0]!.box[0]).toBeCloseTo((0.9 * 0 + 0.6 * 0.02) / 1.5, 9);
    expect(out[0]!.keypoints[0]).toBeCloseTo((0.6 * 0.3) / 1.5, 9);
    expect(out[1]!.box[0]).toBe(0.6);
  });
  it('returns at most maxDetections, best first', () => {
    const out = weightedNonMaxSuppression([raw(0.5, 0), raw(0.7, 0.3), raw(0.9, 0.6)], 0.3, 2);
    expect(out.map((d) => d.score)).toEqual([0.9, 0.7]);
  });
});

describe('letterbox', () => {
  it('centres a landscape frame and maps boxes back to frame pixels', () => {
    const lb = letterboxFor(640, 480, 128);
    expect(lb).toMatchObject({ innerWidth: 128, innerHeight: 96, padX: 0, padY: 16 });
    const projected = projectDetection({ score: 1, box: [0.25, 0.25, 0.75, 0.75], keypoints: Array(12).fill(0.5) }, lb);
    expect(projected.box.x).toBeCloseTo(160, 6);
    expect(projected.box.y).toBeCloseTo((32 - 16) / 0.2, 6);
    expect(projected.box.width).toBeCloseTo(320, 6);
    expect(projected.keypoints.mouth).toEqual({ x: 320, y: 240 });
  });
  it('fills the border with mid-gray in the model range and scales pixels into it', () => {
    const frame = { data: new Uint8Array(4 * 4 * 2).fill(255), width: 4, height: 2 };
    const { data } = letterboxTensor(frame, 8, [-1, 1]);
    expect(data[0]).toBe(0); // top border row
    expect(data[(2 * 8) * 3]).toBeCloseTo(1, 6); // first image row
  });
});

describe('FaceDetector on real photos', () => {
  let front: FaceDetector;
  let back: FaceDetector;
  beforeAll(async () => {
    front = await FaceDetector.create(ort, readModel(MODELS.front), { model: 'front' });
    back = await FaceDetector.create(ort, readModel(MODELS.back), { model: 'back' });
  });
  afterAll(async () => {
    await front.dispose();
    await back.dispose();
  });

  it('finds Grace Hopper\'s face with keypoints in place', async () => {
    for (const detector of [front, back]) {
      const [face, ...others] = await detector.detect(await loadFrame(PHOTOS.graceHopper.path));
      expect(others).toHaveLength(0);
      expect(face!.score).toBeGreaterThan(0.8);
      // A person marks her face at about x 175–365, y 140–340 in the 512×600 photo.
      expect(face!.box.x).toBeGreaterThan(140);
      expect(face!.box.x + face!.box.width).toBeLessThan(400);
      expect(face!.box.y).toBeGreaterThan(100);
      expect(face!.box.y + face!.box.height).toBeLessThan(370);
      const k = face!.keypoints;
      expect(k.rightEye.x).toBeLessThan(k.leftEye.x); // her right eye is on the image's left
      expect(k.mouth.y).toBeGreaterThan(k.noseTip.y);
      expect(k.noseTip.y).toBeGreaterThan(k.rightEye.y);
    }
  });

  it('finds every face in group photos with the back model', async () => {
    for (const photo of [PHOTOS.group3, PHOTOS.group4]) {
      const faces = await back.detect(await loadFrame(photo.path));
      expect(faces).toHaveLength(photo.faces);
      for (const f of faces) expect(f.score).toBeGreaterThan(0.5);
    }
  });

  it('rejects bad options and frames with errors that name them', async () => {
    await expect(FaceDetector.create(ort, readModel(MODELS.front), { minScore: 2 })).rejects.toThrow(/minScore/);
    await expect(FaceDetector.create(ort, readModel(MODELS.front), { maxFaces: 0 })).rejects.toThrow(/maxFaces/);
    await expect(FaceDetector.create(ort, new Uint8Array(0))).rejects.toThrow(/model/);
    await expect(front.detect({ data: new Uint8Array(10), width: 4, height: 4 })).rejects.toThrow(/frame.data/);
  });
});
