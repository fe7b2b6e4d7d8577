import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFaces } from '../../src/pipeline/analysis';
import {
  chooseEmoji, EMOJI_SETS, emojiOfSet, intensityLevel, parseEmojiSet, scoresForMode, twemojiName,
} from '../../src/pipeline/emoji/emojiSets';
import { hasArtwork, PALETTE } from '../../src/pipeline/emoji/palette';
import { GESTURES } from '../../src/pipeline/gestures/gestureReader';
import { boxToPixels, drawOverlay, headRoll, placeEmoji, type DrawingContext } from '../../src/pipeline/render/overlay';
import type { TrackedFace } from '../../src/pipeline/track/tracker';
import { REPO } from './fixtures';

const LABELS = JSON.parse(readFileSync(join(REPO, 'models', 'expression.json'), 'utf8')).labels as string[];
const TWEMOJI = join(dirname(createRequire(import.meta.url).resolve('@twemoji/svg/package.json')));

describe('emoji sets', () => {
  it('has the faces and cats sets, each with emoji for every label of the model', () => {
    expect(Object.keys(EMOJI_SETS)).toEqual(['faces', 'cats']);
    for (const set of Object.values(EMOJI_SETS)) expect(() => parseEmojiSet(set, LABELS)).not.toThrow();
  });
  it('draws every emoji of every set from the palette, whose every emoji has Twemoji artwork', () => {
    for (const set of Object.values(EMOJI_SETS)) {
      for (const emoji of emojiOfSet(set)) expect(hasArtwork(emoji), `${set.name} ${emoji}`).toBe(true);
    }
    expect(PALETTE.length).toBeGreaterThan(140);
    for (const emoji of PALETTE) expect(existsSync(join(TWEMOJI, `${twemojiName(emoji)}.svg`)), emoji).toBe(true);
    expect(hasArtwork('☺\u{fe0f}')).toBe(true);
    expect(hasArtwork('🚗')).toBe(false);
    expect(twemojiName('😶\u{fe0f}')).toBe('1f636');
  });
  it('steps up intensity as the model gets more confident (🙂 → 😀 → 😄)', () => {
    expect([0.4, 0.65, 0.79, 0.81, 0.99].map((p) => chooseEmoji(EMOJI_SETS.faces!, 'happy', p).emoji)).toEqual(['🙂', '😀', '😀', '😄', '😄']);
    expect(intensityLevel(0.95, 1)).toBe(0);
    expect(chooseEmoji(EMOJI_SETS.cats!, 'happy', 0.9).emoji).toBe('😹');
  });
  it('five-label mode keeps the paper\'s five labels and renormalises', () => {
    const five = scoresForMode([0.1, 0.2, 0.2, 0.25, 0.05, 0.1, 0.1], LABELS, 'five');
    expect(five[LABELS.indexOf('disgust')]).toBe(0);
    expect(five[LABELS.indexOf('fear')]).toBe(0);
    expect(five.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(five[LABELS.indexOf('happy')]).toBeCloseTo(0.25 / 0.6, 6);
  });
  it('has an emoji for every gesture in every built-in set, and shows them among the set\'s emoji', () => {
    for (const set of Object.values(EMOJI_SETS)) {
      expect(Object.keys(set.gestures ?? {}).sort(), set.name).toEqual([...GESTURES].sort());
      for (const emoji of Object.values(set.gestures!)) expect(emojiOfSet(set), set.name).toContain(emoji);
    }
    expect(EMOJI_SETS.faces!.gestures).toMatchObject({ wink: '😉', eyesClosed: '😌', asleep: '😴', kiss: '😗', blowKiss: '😘', mouthOpen: '😮', browRaised: '🤨' });
  });
  it('rejects a set whose gestures are not gestures, naming the set and the gesture', () => {
    const faces = EMOJI_SETS.faces!;
    expect(() => parseEmojiSet({ ...faces, name: 'mine', gestures: { tongueOut: '😛' } }, LABELS)).toThrow(/mine: "tongueOut" is not a gesture/);
    expect(() => parseEmojiSet({ ...faces, name: 'mine', gestures: { wink: '' } }, LABELS)).toThrow(/mine: gesture wink needs one emoji/);
    expect(() => parseEmojiSet({ ...faces, name: 'mine', gestures: ['😉'] }, LABELS)).toThrow(/mine: gestures must be/);
    const { gestures: _, ...withoutGestures } = faces;
    expect(parseEmojiSet(withoutGestures, LABELS).gestures).toBeUndefined();
  });
  it('rejects a broken set, naming the set and the label', () => {
    const faces = EMOJI_SETS.faces!;
    expect(() => parseEmojiSet({ ...faces, name: 'mine', levels: { ...faces.levels, sad: [] } }, LABELS)).toThrow(/mine: label sad/);
    expect(() => parseEmojiSet({ ...faces, name: 'Bad Name' }, LABELS)).toThrow(/name must be/);
    expect(() => parseEmojiSet('faces', LABELS)).toThrow(/must be \{name, title, levels/);
  });
});

describe('overlay geometry', () => {
  const eyes = (dy: number) => ({
    rightEye: { x: 30, y: 40 }, leftEye: { x: 70, y: 40 + dy }, noseTip: { x: 50, y: 60 }, mouth: { x: 50, y: 80 },
    rightEar: { x: 0, y: 50 }, leftEar: { x: 100, y: 50 },
  });
  it('centres the emoji on the face, sizes it to cover the face and turns it with the head roll', () => {
    expect(headRoll(eyes(40))).toBeCloseTo(Math.PI / 4, 9);
    expect(headRoll(eyes(0))).toBe(0);
    expect(placeEmoji({ x: 0, y: 0, width: 100, height: 120 }, 0.3, 1.25)).toEqual({ x: 50, y: 60, size: 150, angle: 0.3 });
  });
  it('scales boxes given in fractions of the analysed frame to the full camera frame', () => {
    expect(boxToPixels({ x: 0.25, y: 0.5, width: 0.1, height: 0.2 }, 1280, 720)).toEqual({ x: 320, y: 360, width: 128, height: 144 });
  });
  it('draws each face\'s emoji turned about its centre, and skips emoji without artwork', () => {
    const calls: string[] = [];
    const ctx: DrawingContext<string> = {
      save: () => calls.push('save'), restore: () => calls.push('restore'),
      translate: (x, y) => calls.push(`translate ${x} ${y}`), rotate: (a) => calls.push(`rotate ${a.toFixed(3)}`),
      drawImage: (img, x, y, w, h) => calls.push(`draw ${img} ${x} ${y} ${w} ${h}`),
    };
    const face = { box: { x: 0, y: 0, width: 100, height: 100 }, roll: 0.5, emoji: '😀' };
    drawOverlay(ctx, [face, { ...face, emoji: '🦄' }], (e) => (e === '😀' ? 'smile.png' : undefined), 1);
    expect(calls).toEqual(['save', 'translate 50 50', 'rotate 0.500', 'draw smile.png -50 -50 100 100', 'restore']);
  });
});

describe('faces as the page receives them', () => {
  it('gives boxes in fractions of the frame, the roll, the shown label\'s emoji at its intensity, and rounded scores', () => {
    const scores = Float32Array.from(LABELS.map((l) => (l === 'happy' ? 0.9 : 0.1 / 6)));
    const tracked: TrackedFace = {
      id: 3, box: { x: 80, y: 60, width: 64, height: 72 }, detectionScore: 0.9, scores, scored: true, labelIndex: LABELS.indexOf('happy'), switchedMs: -Infinity, lost: false, lastSeenMs: 100, lastScoredMs: 100,
      velocity: { x: 0.032, y: -0.024 }, windowStart: { centre: { x: 112, y: 96 }, atMs: 0 },
      keypoints: {
        rightEye: { x: 100, y: 90 }, leftEye: { x: 130, y: 90 }, noseTip: { x: 115, y: 105 }, mouth: { x: 115, y: 120 },
        rightEar: { x: 85, y: 95 }, leftEar: { x: 140, y: 95 },
      },
    };
    const [face] = describeFaces([tracked], 320, 240, LABELS, EMOJI_SETS.faces!);
    expect(face).toMatchObject({ id: 3, box: { x: 0.25, y: 0.25, width: 0.2, height: 0.3 }, roll: 0, emoji: '😄', label: 'happy', level: 2, lost: false });
    // 0.032 px/ms across 320 px is 0.1 frame widths per second; −0.024 px/ms over 240 px, −0.1 heights.
    expect(face!.velocity.x).toBeCloseTo(0.1, 9);
    expect(face!.velocity.y).toBeCloseTo(-0.1, 9);
    expect(face!.scores.happy).toBe(0.9);
    expect(Object.keys(face!.scores)).toEqual(LABELS);
    expect(face!.gesture).toBeNull();
    // A gesture shows the set's emoji for it; where the set has none, the expression's.
    expect(describeFaces([tracked], 320, 240, LABELS, EMOJI_SETS.faces!, (id) => (id === 3 ? 'wink' : null))[0]).toMatchObject({ emoji: '😉', gesture: 'wink', label: 'happy' });
    const { gestures: _, ...plain } = EMOJI_SETS.faces!;
    expect(describeFaces([tracked], 320, 240, LABELS, plain, () => 'wink')[0]).toMatchObject({ emoji: '😄', gesture: 'wink' });
  });
});
