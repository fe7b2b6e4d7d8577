import { describe, expect, it } from 'vitest';
import {
  assertEmojiSet, CATS, chooseEmoji, drawOverlay, EMOJI_SETS, FACES, intensityLevel, mirrorFace, placeEmoji, scoresForMode, type DrawingContext,
} from '../src/index.js';

const LABELS = ['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise'];

describe('emoji choice', () => {
  it('has an emoji for every label in every built-in set', () => {
    for (const set of Object.values(EMOJI_SETS)) expect(() => assertEmojiSet(set, LABELS)).not.toThrow();
    expect(Object.keys(EMOJI_SETS)).toEqual(['faces', 'cats']);
  });
  it('steps up intensity as the model gets more confident (🙂 → 😀 → 😄)', () => {
    expect([0.4, 0.65, 0.79, 0.81, 0.99].map((p) => chooseEmoji(FACES, 'happy', p).emoji)).toEqual(['🙂', '😀', '😀', '😄', '😄']);
    expect(intensityLevel(0.95, 1)).toBe(0);
    expect(chooseEmoji(CATS, 'happy', 0.9).emoji).toBe('😹');
  });
  it('five-label mode keeps the paper\'s five labels and renormalises', () => {
    const five = scoresForMode(Float32Array.from([0.1, 0.2, 0.2, 0.25, 0.05, 0.1, 0.1]), LABELS, 'five');
    expect(five[1]).toBe(0);
    expect(five[2]).toBe(0);
    expect(five.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(five[3]).toBeCloseTo(0.25 / 0.6, 6);
  });
  it('rejects a user set with a missing label, naming it', () => {
    expect(() => assertEmojiSet({ name: 'mine', levels: { ...FACES.levels, sad: [] } }, LABELS)).toThrow(/mine: label sad/);
  });
});

describe('overlay', () => {
  const keypoints = (dy: number) => ({
    rightEye: { x: 30, y: 40 }, leftEye: { x: 70, y: 40 + dy }, noseTip: { x: 50, y: 60 }, mouth: { x: 50, y: 80 },
    rightEar: { x: 0, y: 50 }, leftEar: { x: 100, y: 50 },
  });
  it('centres the emoji on the face, sizes it to cover the face and turns it with head roll', () => {
    const p = placeEmoji({ x: 0, y: 0, width: 100, height: 120 }, keypoints(40), 1.25);
    expect(p).toMatchObject({ x: 50, y: 60, size: 150 });
    expect(p.angle).toBeCloseTo(Math.PI / 4, 9);
    expect(placeEmoji({ x: 0, y: 0, width: 100, height: 100 }, keypoints(0)).angle).toBe(0);
  });
  it('draws each face\'s emoji through the canvas calls a browser and @napi-rs/canvas share', () => {
    const calls: string[] = [];
    const ctx: DrawingContext<string> = {
      save: () => calls.push('save'), restore: () => calls.push('restore'),
      translate: (x, y) => calls.push(`translate ${x} ${y}`), rotate: (a) => calls.push(`rotate ${a.toFixed(3)}`),
      drawImage: (img, x, y, w, h) => calls.push(`draw ${img} ${x} ${y} ${w} ${h}`),
      strokeRect: () => calls.push('box'), fillRect: () => calls.push('bar'), fillText: () => undefined,
      font: '', fillStyle: '', strokeStyle: '', lineWidth: 1,
    };
    const face = { box: { x: 0, y: 0, width: 100, height: 100 }, keypoints: keypoints(0), emoji: '😀', expression: 'happy', scores: { happy: 1 } };
    drawOverlay(ctx, [face, { ...face, emoji: '🦄' }], (e) => (e === '😀' ? 'smile.png' : undefined), { scale: 1 });
    expect(calls).toEqual(['save', 'translate 50 50', 'rotate 0.000', 'draw smile.png -50 -50 100 100', 'restore']);
    calls.length = 0;
    drawOverlay(ctx, [face], () => 'x', { boxes: true, bars: true });
    expect(calls.filter((c) => c === 'box')).toHaveLength(1);
    expect(calls.filter((c) => c === 'bar')).toHaveLength(2);
  });
  it('mirrors a face for a selfie preview without turning the emoji upside down', () => {
    const face = { box: { x: 10, y: 0, width: 100, height: 100 }, keypoints: keypoints(20), emoji: '😀' };
    const mirrored = mirrorFace(face, 640);
    expect(mirrored.box).toEqual({ x: 530, y: 0, width: 100, height: 100 });
    expect(mirrored.keypoints.rightEye).toEqual({ x: 570, y: 60 });
    expect(mirrored.emoji).toBe('😀');
    expect(placeEmoji(mirrored.box, mirrored.keypoints).angle).toBeCloseTo(-placeEmoji(face.box, face.keypoints).angle, 9);
  });
});
