import { describe, expect, it } from 'vitest';
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
});
