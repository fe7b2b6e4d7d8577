/**
 * The gesture rules on blendshapes the shipped face landmarker read from real photos
 * (tests/fixtures/blendshapes.json: its command, the photos' sources). Photos are stills: a reading held
 * over time stands for a face that keeps doing it. Where no real photo of a gesture exists here, the test
 * says so and changes one real reading's scores to pin the thresholds.
 */
import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/blendshapes.json';
import { GESTURE_RULES, GestureReader, stirring, type Blendshapes, type Gesture } from '../../src/pipeline/gestures/gestureReader';

/** The landmarker's reading of a photo (by its folder/file name). */
function photo(name: string): Blendshapes {
  const found = fixture.readings.find((r) => r.photo === name);
  if (!found) throw new Error(`${name} is not in tests/fixtures/blendshapes.json`);
  return found.blendshapes;
}

const NEUTRAL = photo('sample_data/grace_hopper.jpg');
const SMILE = photo('data/astronaut.png');
const EYES_CLOSED = [photo('sad/Bridesmaids_014427000_00000005.png'), photo('happy/SomethingBorrowed_000513320_00000001.png')];
const MOUTH_OPEN = [photo('fear/DeepBlueSea_010340320_00000006.png'), photo('angry/OceansEleven_001416400_00000048.png')];
/** A pout, and a rounded "ooh": both read as lips pushed forward with the jaw nearly shut. */
const PUCKER = [photo('neutral/AlexEmma_011145880_00000014.png'), photo('surprise/HarryPotter_PhilosopherStone_003424334_00000010.png')];

/** Readings every `everyMs` from `startMs`, each `scores` (a list: one per reading, cycled); what the reader shows after each. */
function play(reader: GestureReader, scores: readonly Blendshapes[], durationMs: number, { startMs = 0, everyMs = 100 } = {}): (Gesture | null)[] {
  const shown: (Gesture | null)[] = [];
  for (let t = 0, i = 0; t <= durationMs; t += everyMs, i++) shown.push(reader.read(scores[i % scores.length]!, startMs + t));
  return shown;
}

describe('gestures on real faces', () => {
  it('a face at rest does not stir; one that comes near a gesture does (the landmarker is then read more often)', () => {
    expect(stirring(NEUTRAL)).toBe(false);
    expect(stirring(SMILE)).toBe(false);
    for (const face of [...EYES_CLOSED, ...MOUTH_OPEN, ...PUCKER]) expect(stirring(face)).toBe(true);
    // Near, not at, a threshold: the jaw half way between its two, and one eye shut as far as a gesture's end.
    expect(stirring({ ...NEUTRAL, jawOpen: (GESTURE_RULES.jaw.on + GESTURE_RULES.jaw.off) / 2 })).toBe(true);
    expect(stirring({ ...NEUTRAL, eyeBlinkLeft: GESTURE_RULES.eyes.closed.off })).toBe(true);
    expect(stirring({ ...NEUTRAL, jawOpen: GESTURE_RULES.jaw.off - 0.01 })).toBe(false);
  });

  it('shows none on a neutral or a smiling face, however long', () => {
    for (const face of [NEUTRAL, SMILE]) expect(play(new GestureReader(), [face], 5000)).toEqual(Array(51).fill(null));
  });

  it('eyes closed: not a blink, 😌 once held, 😴 after 2 s, gone a moment after they open', () => {
    for (const closed of EYES_CLOSED) {
      // A blink: closed for 300 ms, then open.
      const blink = new GestureReader();
      expect(play(blink, [closed], 300)).toEqual([null, null, null, null]);
      expect(play(blink, [NEUTRAL], 1000, { startMs: 400 }).every((g) => g === null)).toBe(true);
      const reader = new GestureReader();
      const shown = play(reader, [closed], 2500);
      expect(shown.slice(0, GESTURE_RULES.eyesClosedMs / 100)).toEqual(Array(GESTURE_RULES.eyesClosedMs / 100).fill(null));
      expect(shown[GESTURE_RULES.eyesClosedMs / 100]).toBe('eyesClosed');
      expect(shown[GESTURE_RULES.asleepMs / 100]).toBe('asleep');
      const after = play(reader, [NEUTRAL], 1000, { startMs: 2600 });
      expect(after[0]).toBe('asleep');
      expect(after.slice(GESTURE_RULES.holdAfterMs / 100 + 1).every((g) => g === null)).toBe(true);
    }
  });

  it('mouth wide open: 😮 once held, never while talking (the jaw opening and closing)', () => {
    for (const open of MOUTH_OPEN) {
      const shown = play(new GestureReader(), [open], 1000);
      expect(shown.slice(0, GESTURE_RULES.mouthOpenMs / 100).every((g) => g === null)).toBe(true);
      expect(shown[GESTURE_RULES.mouthOpenMs / 100]).toBe('mouthOpen');
      // Syllables: open 200 ms, shut 100 ms, for 5 s.
      expect(play(new GestureReader(), [open, open, NEUTRAL], 5000).every((g) => g === null)).toBe(true);
    }
  });

  it('lips pushed forward: 😗 once held, 😘 held longer', () => {
    for (const pucker of PUCKER) {
      const shown = play(new GestureReader(), [pucker], 2000);
      expect(shown[0]).toBeNull();
      expect(shown[GESTURE_RULES.kissMs / 100]).toBe('kiss');
      expect(shown[GESTURE_RULES.blowKissMs / 100]).toBe('blowKiss');
    }
  });
});

describe('gestures no photo here shows (real readings, one score changed)', () => {
  // No photo of a wink, puffed cheeks or a clearly raised single brow is among those we have: of SFEW's
  // 783 faces the landmarker read, the most uneven eyes differ by 0.44 (not winks), cheekPuff never
  // passes 0.01, and the most uneven brows go with turned or tilted heads.
  const wink = { ...NEUTRAL, eyeBlinkLeft: 0.8 };
  const bothShut = { ...NEUTRAL, eyeBlinkLeft: 0.8, eyeBlinkRight: 0.8 };

  it('a wink shows 😉 once held; a blink (both eyes) does not; with a kiss, 😘', () => {
    const shown = play(new GestureReader(), [wink], 500);
    expect(shown.slice(0, 2)).toEqual([null, null]);
    expect(shown[2]).toBe('wink');
    expect(play(new GestureReader(), [bothShut, bothShut, NEUTRAL, NEUTRAL, NEUTRAL], 2000).every((g) => g === null)).toBe(true);
    // A blink read every 60 ms, its eyes closing and opening one a little before the other.
    const blink = [{ ...wink, eyeBlinkRight: 0.2 }, bothShut, bothShut, { ...NEUTRAL, eyeBlinkRight: 0.6 }, NEUTRAL, NEUTRAL, NEUTRAL, NEUTRAL];
    expect(play(new GestureReader(), blink, 3000, { everyMs: 60 }).every((g) => g === null)).toBe(true);
    expect(play(new GestureReader(), [{ ...PUCKER[0]!, eyeBlinkRight: 0.8, eyeBlinkLeft: 0.05 }], 500)[3]).toBe('blowKiss');
  });

  it('puffed cheeks and one raised brow', () => {
    expect(play(new GestureReader(), [{ ...NEUTRAL, cheekPuff: 0.6 }], 500)[3]).toBe('cheeksPuffed');
    expect(play(new GestureReader(), [{ ...NEUTRAL, browOuterUpLeft: 0.8, browOuterUpRight: 0.1 }], 500)[3]).toBe('browRaised');
    expect(play(new GestureReader(), [{ ...NEUTRAL, browOuterUpLeft: 0.8, browOuterUpRight: 0.6 }], 500).every((g) => g === null)).toBe(true);
  });

  it('holds a gesture across a score that wavers between its two thresholds, ends it below the lower one', () => {
    const jaw = (jawOpen: number) => ({ ...MOUTH_OPEN[0]!, jawOpen });
    const reader = new GestureReader();
    expect(play(reader, [jaw(0.6)], 600).at(-1)).toBe('mouthOpen');
    // Between off (0.35) and on (0.5): still open.
    expect(play(reader, [jaw(0.42), jaw(0.38)], 1000, { startMs: 700 }).every((g) => g === 'mouthOpen')).toBe(true);
    // Below off: ends once the hold after it has passed.
    const closing = play(reader, [jaw(0.2)], 1000, { startMs: 1800 });
    expect(closing.at(-1)).toBeNull();
    // Not started by the same wavering score.
    expect(play(new GestureReader(), [jaw(0.42), jaw(0.38)], 2000).every((g) => g === null)).toBe(true);
  });
});
