import { describe, expect, it } from 'vitest';
import { GestureWatch } from '../../src/offscreen/gestureWatch';
import { DEFAULTS } from '../../src/pipeline/defaults';

describe('which faces the face landmarker reads', () => {
  const every = DEFAULTS.gestures.readIntervalMs;

  it('reads one face per interval for the whole stream, the one read longest ago first', () => {
    const watch = new GestureWatch();
    expect(watch.lastReadMs).toBe(-Infinity);
    expect(watch.due([], 0, every)).toBeNull();
    expect(watch.due([1, 2, 3], 0, every)).toBe(1);
    watch.record(1, {}, 0);
    expect(watch.due([1, 2, 3], every - 1, every)).toBeNull();
    expect(watch.due([1, 2, 3], every, every)).toBe(2);
    watch.record(2, {}, every);
    expect(watch.lastReadMs).toBe(every);
    expect(watch.due([1, 2, 3], 2 * every, every)).toBe(3);
    watch.record(3, {}, 2 * every);
    expect(watch.due([1, 2, 3], 3 * every, every)).toBe(1);
    expect(watch.due([2, 3], 3 * every, every)).toBe(2);
    // A longer interval (the page under pressure) waits for it.
    watch.record(2, {}, 3 * every);
    expect(watch.due([1, 2, 3], 4 * every, 2 * every)).toBeNull();
    expect(watch.due([1, 2, 3], 5 * every, 2 * every)).toBe(1);
  });

  it('keeps each face\'s gesture between readings, and forgets faces no longer tracked', () => {
    const watch = new GestureWatch();
    const mouthOpen = { jawOpen: 0.8 };
    for (let t = 0; t <= 600; t += 200) watch.record(7, mouthOpen, t);
    expect(watch.gestureOf(7)).toBe('mouthOpen');
    expect(watch.gestureOf(8)).toBeNull();
    watch.keepOnly([8]);
    expect(watch.gestureOf(7)).toBeNull();
    expect(watch.due([7], 1000, every)).toBe(7);
  });
});
