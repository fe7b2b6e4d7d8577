import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/pipeline/defaults';
import { FaceTracker, smoothingWeight, type Observation } from '../../src/pipeline/track/tracker';
import type { Detection } from '../../src/pipeline/types';

const face = (x: number, y = 100, size = 100): Detection => ({
  box: { x, y, width: size, height: size }, score: 0.9,
  keypoints: {
    rightEye: { x: x + 30, y: y + 40 }, leftEye: { x: x + 70, y: y + 40 }, noseTip: { x: x + 50, y: y + 60 },
    mouth: { x: x + 50, y: y + 80 }, rightEar: { x, y: y + 50 }, leftEar: { x: x + size, y: y + 50 },
  },
});
const obs = (detection: Detection, ...scores: number[]): Observation => ({ detection, scores: Float32Array.from(scores) });

describe('FaceTracker', () => {
  it('keeps ids stable while faces move and gives new faces new ids', () => {
    const tracker = new FaceTracker();
    const first = tracker.update([obs(face(100), 1, 0), obs(face(400), 0, 1)], 0);
    expect(first.map((f) => f.id)).toEqual([1, 2]);
    const moved = tracker.update([obs(face(410), 0, 1), obs(face(110), 1, 0)], 33);
    expect(moved.map((f) => [f.id, Math.round(f.box.x / 100)])).toEqual([[1, 1], [2, 4]]);
    const added = tracker.update([obs(face(120), 1, 0), obs(face(420), 0, 1), obs(face(800), 1, 0)], 66);
    expect(added.map((f) => f.id)).toEqual([1, 2, 3]);
  });

  it('keeps a face that jumps up to maxJump face sizes (a cut in the picture) as the same face, with no second one held where it was', () => {
    const tracker = new FaceTracker();
    tracker.update([obs(face(100), 1, 0), obs(face(400), 0, 1)], 0);
    // Both jump 0.45 face widths right and 0.45 down, as the demo clip's faces do at its loop: IoU 0.19.
    const jumped = tracker.update([obs(face(445, 145), 0, 1), obs(face(145, 145), 1, 0)], 33);
    expect(jumped.map((f) => [f.id, f.lost, f.labelIndex])).toEqual([[1, false, 0], [2, false, 1]]);
    // Further than maxJump (a face width away), or of another size (three times as large, same centre): a new face, the old one held.
    for (const other of [face(200), face(0, 0, 300)]) {
      const fresh = new FaceTracker();
      fresh.update([obs(face(100), 1, 0)], 0);
      expect(fresh.update([obs(other, 1, 0)], 33).map((f) => [f.id, f.lost])).toEqual([[1, true], [2, false]]);
    }
  });

  it('smooths probabilities with a time constant in milliseconds, not frames', () => {
    const tau = 200;
    const at30fps = new FaceTracker({ scoreTimeConstantMs: tau, hysteresis: 0 });
    const at60fps = new FaceTracker({ scoreTimeConstantMs: tau, hysteresis: 0 });
    at30fps.update([obs(face(100), 1, 0)], 0);
    at60fps.update([obs(face(100), 1, 0)], 0);
    let a = at30fps.update([obs(face(100), 0, 1)], 0);
    let b = a;
    for (let t = 1000 / 30; t <= 200 + 1e-9; t += 1000 / 30) a = at30fps.update([obs(face(100), 0, 1)], t);
    for (let t = 1000 / 60; t <= 200 + 1e-9; t += 1000 / 60) b = at60fps.update([obs(face(100), 0, 1)], t);
    const expected = 1 - Math.exp(-1); // after one time constant
    expect(a[0]!.scores[1]).toBeCloseTo(expected, 2);
    expect(b[0]!.scores[1]).toBeCloseTo(expected, 2);
    expect(smoothingWeight(tau, tau)).toBeCloseTo(expected, 12);
    expect(smoothingWeight(10, 0)).toBe(1);
  });

  it('does not flicker between two close labels (hysteresis)', () => {
    const tracker = new FaceTracker({ scoreTimeConstantMs: 0, hysteresis: 0.1 });
    expect(tracker.update([obs(face(100), 0.55, 0.45)], 0)[0]!.labelIndex).toBe(0);
    const shown: number[] = [];
    for (let i = 1; i <= 10; i++) shown.push(tracker.update([obs(face(100), i % 2 ? 0.47 : 0.53, i % 2 ? 0.53 : 0.47)], i * 33)[0]!.labelIndex);
    expect(shown).toEqual(Array(10).fill(0));
    expect(tracker.update([obs(face(100), 0.3, 0.7)], 400)[0]!.labelIndex).toBe(1);
  });

  it('holds a briefly lost face at its last place, then drops it', () => {
    const tracker = new FaceTracker({ holdMs: 300 });
    tracker.update([obs(face(100), 1, 0)], 0);
    const held = tracker.update([], 200);
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ id: 1, lost: true, lastSeenMs: 0 });
    expect(held[0]!.box.x).toBe(100);
    const back = tracker.update([obs(face(105), 1, 0)], 250);
    expect(back[0]).toMatchObject({ id: 1, lost: false });
    expect(tracker.update([], 550)).toHaveLength(1); // exactly holdMs after it was last seen
    expect(tracker.update([], 551)).toHaveLength(0);
  });

  it('holds a face through one missed analysis when analyses are further apart than the hold', () => {
    const tracker = new FaceTracker({ holdMs: 300 });
    tracker.update([obs(face(100), 1, 0)], 0);
    expect(tracker.update([], 500)).toMatchObject([{ id: 1, lost: true }]);
    expect(tracker.update([obs(face(102), 1, 0)], 1000)).toMatchObject([{ id: 1, lost: false }]);
    expect(tracker.update([], 1500)).toHaveLength(1);
    expect(tracker.update([], 2000)).toHaveLength(0);
  });

  it('does not modify the caller\'s arrays and rejects time going backwards and unknown options', () => {
    const tracker = new FaceTracker();
    const scores = Float32Array.from([0.2, 0.8]);
    const input = [{ detection: face(100), scores }];
    tracker.update(input, 10);
    tracker.update([obs(face(100), 1, 0)], 20);
    expect(scores).toEqual(Float32Array.from([0.2, 0.8]));
    expect(() => tracker.update([], 5)).toThrow(/timestampMs/);
    expect(() => new FaceTracker({ holdMs: -1 })).toThrow(/holdMs/);
    expect(() => new FaceTracker({ smoothing: 1 } as never)).toThrow(/unknown tracker option smoothing/);
  });

  it('measures each face\'s velocity over a window of its detections and keeps its id across sparse analyses of a moving face', () => {
    const tracker = new FaceTracker();
    // 600 px a second to the right (0.6 px/ms), a 100 px face, ±3 px of jitter: analysed every 33 ms, then every 250 ms.
    let faces = tracker.update([obs(face(100), 1, 0)], 0);
    for (let t = 33; t <= 330; t += 33) {
      faces = tracker.update([obs(face(100 + 0.6 * t + (t % 66 ? 3 : -3)), 1, 0)], t);
      if (t < 200) expect(faces[0]!.velocity).toEqual({ x: 0, y: 0 }); // not yet a window's worth
    }
    expect(faces[0]!.velocity.x).toBeCloseTo(0.6, 1);
    expect(faces[0]!.velocity.y).toBeCloseTo(0, 6);
    // 250 ms later the face is 150 px on: no overlap with where it was, but it is where its velocity says.
    const sparse = tracker.update([obs(face(100 + 0.6 * 580), 1, 0)], 580);
    expect(sparse.map((f) => f.id)).toEqual([1]);
    expect(sparse[0]!.box.x).toBeCloseTo(100 + 0.6 * 580, 0);
  });

  it('gives a new face no velocity, and moves a held face on by its velocity for at most maxPredictionMs', () => {
    const tracker = new FaceTracker({ holdMs: 500 });
    tracker.update([obs(face(100), 1, 0)], 0);
    expect(tracker.update([obs(face(100), 1, 0), obs(face(600), 0, 1)], 100)[1]!.velocity).toEqual({ x: 0, y: 0 });
    const moving = tracker.update([obs(face(140), 1, 0), obs(face(600), 0, 1)], 200); // 40 px in 200 ms
    expect(moving[0]!.velocity.x).toBeCloseTo(0.2, 9);
    const held = tracker.update([], 300);
    expect(held[0]).toMatchObject({ id: 1, lost: true, lastSeenMs: 200 });
    expect(held[0]!.box.x).toBeCloseTo(moving[0]!.box.x + 0.2 * 100, 6);
    const far = tracker.update([], 650);
    expect(far[0]!.box.x).toBeCloseTo(moving[0]!.box.x + 0.2 * DEFAULTS.analysis.maxPredictionMs, 6);
    const back = tracker.update([obs(face(200), 1, 0)], 690);
    expect(back[0]).toMatchObject({ id: 1, lost: false });
  });

  it('moves tracked faces on frames not classified and keeps their expression; a face seen unclassified starts unclassified', () => {
    const tracker = new FaceTracker({ scoreTimeConstantMs: 250, hysteresis: 0 });
    tracker.update([obs(face(100), 1, 0)], 0);
    expect(tracker.unsettled([face(120).box, face(600).box], 33, 0)).toEqual([false, true]);
    const moved = tracker.update([{ detection: face(120), scores: null }, { detection: face(600), scores: null }], 33);
    expect(moved).toHaveLength(2);
    expect(moved[0]).toMatchObject({ id: 1, lastSeenMs: 33, lastScoredMs: 0, scored: true });
    expect(moved[1]).toMatchObject({ id: 2, scored: false });
    // The new face needs probabilities until it has some; its first are taken as they are, not smoothed.
    expect(tracker.unsettled([face(120).box, face(600).box], 66, 0)).toEqual([false, true]);
    const classified = tracker.update([{ detection: face(120), scores: null }, obs(face(600), 0, 1)], 66);
    expect(classified[1]).toMatchObject({ id: 2, scored: true, labelIndex: 1 });
    expect([...classified[1]!.scores]).toEqual([0, 1]);
    expect(tracker.unsettled([face(600).box], 99, 0)).toEqual([false]);
    expect(moved[0]!.box.x).toBeGreaterThan(110);
    expect([...moved[0]!.scores]).toEqual([1, 0]);
    // The next classified frame smooths over the time since the last classified one (250 ms), not since the last frame.
    const scored = tracker.update([obs(face(120), 0, 1)], 250);
    expect(scored[0]!.scores[1]).toBeCloseTo(smoothingWeight(250, 250), 6);
  });

  it('wants probabilities for a face whose shown label just switched, until it settles', () => {
    const tracker = new FaceTracker({ scoreTimeConstantMs: 250, hysteresis: 0 });
    tracker.update([obs(face(600), 0, 1)], 0);
    expect(tracker.unsettled([face(600).box], 33, 1000)).toEqual([false]);
    expect(tracker.update([obs(face(600), 1, 0)], 2000)[0]).toMatchObject({ labelIndex: 0, switchedMs: 2000 });
    expect(tracker.unsettled([face(600).box], 2033, 1000)).toEqual([true]);
    expect(tracker.unsettled([face(600).box], 3000, 1000)).toEqual([false]);
  });

  it('leaves a face it was not looked for where it was, not lost, and gives where it is expected', () => {
    const tracker = new FaceTracker({ velocityWindowMs: 0 });
    tracker.update([obs(face(100), 1, 0), obs(face(600), 1, 0)], 0);
    tracker.update([obs(face(110), 1, 0), obs(face(600), 1, 0)], 100);
    // Only around the first face was looked at: the second is kept as it was.
    const lookedAtFirst = (box: { x: number }) => box.x < 300;
    const [first, second] = tracker.update([obs(face(120), 1, 0)], 200, lookedAtFirst);
    expect(first).toMatchObject({ id: 1, lost: false, lastSeenMs: 200 });
    expect(second).toMatchObject({ id: 2, lost: false, lastSeenMs: 100 });
    // Long after, still not looked for: kept all the same; looked for and not found: held through that
    // miss, then dropped at the next.
    expect(tracker.update([obs(face(130), 1, 0)], 900, lookedAtFirst)).toHaveLength(2);
    expect(tracker.update([obs(face(140), 1, 0)], 1000)[1]).toMatchObject({ id: 2, lost: true });
    expect(tracker.update([obs(face(150), 1, 0)], 1100)).toHaveLength(1);
  });
});
