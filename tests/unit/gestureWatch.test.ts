import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/blendshapes.json';
import { GestureWatch } from '../../src/offscreen/gestureWatch';
import { DEFAULTS } from '../../src/pipeline/defaults';

/** Real readings (tests/fixtures/blendshapes.json): a face at rest, and one with its jaw wide open. */
const reading = (name: string) => fixture.readings.find((r) => r.photo === name)!.blendshapes;
const AT_REST = reading('sample_data/grace_hopper.jpg');
const OPEN_MOUTH = reading('fear/DeepBlueSea_010340320_00000006.png');

describe('which faces the face landmarker reads', () => {
  const every = DEFAULTS.gestures.readIntervalMs;
  const calm = DEFAULTS.gestures.calmReadIntervalMs;

  it('reads one face per interval for the whole stream, the one read longest ago first', () => {
    const watch = new GestureWatch();
    expect(watch.lastReadMs).toBe(-Infinity);
    expect(watch.due([], 0, every)).toBeNull();
    expect(watch.due([1, 2, 3], 0, every)).toBe(1);
    watch.record(1, OPEN_MOUTH, 0);
    expect(watch.due([1, 2, 3], every - 1, every)).toBeNull();
    expect(watch.due([1, 2, 3], every, every)).toBe(2);
    watch.record(2, OPEN_MOUTH, every);
    expect(watch.lastReadMs).toBe(every);
    expect(watch.due([1, 2, 3], 2 * every, every)).toBe(3);
    watch.record(3, OPEN_MOUTH, 2 * every);
    expect(watch.due([1, 2, 3], 3 * every, every)).toBe(1);
    expect(watch.due([2, 3], 3 * every, every)).toBe(2);
    // A longer interval (the page under pressure) waits for it.
    watch.record(2, OPEN_MOUTH, 3 * every);
    expect(watch.due([1, 2, 3], 4 * every, 2 * every)).toBeNull();
    expect(watch.due([1, 2, 3], 5 * every, 2 * every)).toBe(1);
  });

  it('reads faces at rest once per calm interval, at once a face never read, and at the interval asked while a face stirs', () => {
    const watch = new GestureWatch();
    watch.record(1, AT_REST, 0);
    expect(watch.due([1], every, every)).toBeNull();
    expect(watch.due([1], calm - 1, every)).toBeNull();
    // A newcomer is read as soon as the interval asked allows.
    expect(watch.due([1, 2], every, every)).toBe(2);
    watch.record(2, AT_REST, every);
    expect(watch.due([1, 2], every + calm - 1, every)).toBeNull();
    expect(watch.due([1, 2], every + calm, every)).toBe(1);
    // Face 1 opens its mouth: readings come at the interval asked, for attentiveMs after the last stir.
    let t = every + calm;
    watch.record(1, OPEN_MOUTH, t);
    const stirredAt = t;
    expect(watch.due([1, 2], t + every, every)).toBe(2);
    for (t += every; t < stirredAt + DEFAULTS.gestures.attentiveMs; t += every) {
      expect(watch.due([1, 2], t, every)).not.toBeNull();
      watch.record(watch.due([1, 2], t, every)!, AT_REST, t);
    }
    expect(watch.due([1, 2], t, every)).toBeNull();
    // Under pressure the interval asked is the longer, stirring or not.
    watch.record(1, OPEN_MOUTH, t);
    expect(watch.due([1, 2], t + calm, 2 * calm)).toBeNull();
    expect(watch.due([1, 2], t + 2 * calm, 2 * calm)).toBe(2);
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
