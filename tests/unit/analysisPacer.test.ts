import { describe, expect, it } from 'vitest';
import { predictedBox } from '../../src/pipeline/analysis';
import { DEFAULTS } from '../../src/pipeline/defaults';
import { AnalysisPacer, PressureGauge, type PacedFace } from '../../src/pipeline/schedule/analysisPacer';

const FRAME_MS = 1000 / 30;
/** A face 0.2 frame widths wide whose box starts at `x` (fractions of the frame). */
const face = (id: number, { label = 'happy', lost = false, x = 0.4 } = {}): PacedFace => ({
  id, label, lost, box: { x, y: 0.3, width: 0.2, height: 0.3 },
});
/** A face travelling twice DEFAULTS.pacing.movingFacesPerSecond (0.2 frame widths a face), at `t` ms. */
const travelling = (t: number) => face(1, { x: 0.2 + (2 * DEFAULTS.pacing.movingFacesPerSecond * 0.2 * t) / 1000 });

/**
 * Drives a pacer over `seconds` of 30 fps frames: each frame the pacer plans views for is sent and
 * answered at once with `faces(t)`. The times sent, those of them classified, and those that searched.
 */
function run(pacer: AnalysisPacer, fromMs: number, seconds: number, faces: (t: number) => PacedFace[], pressure: (t: number) => boolean = () => false) {
  const sent: number[] & { classified?: number[]; searched?: number[]; followed?: number[] } = [];
  sent.classified = [];
  sent.searched = [];
  sent.followed = [];
  let known: number[] = [];
  for (let frame = 0; frame < seconds * 30; frame++) {
    const t = fromMs + frame * FRAME_MS;
    if (pressure(t)) pacer.pressure(t);
    const plan = pacer.plan(t, known);
    if (!plan) continue;
    const classify = pacer.classifyDue(t);
    pacer.sent(t, plan, classify);
    sent.push(t);
    if (classify) sent.classified.push(t);
    if (plan.search) sent.searched.push(t);
    if (plan.follow.length > 0) sent.followed.push(t);
    const found = faces(t);
    known = found.map((face) => face.id);
    pacer.observe(found, t);
  }
  return sent;
}

/** The times between consecutive `times`, ms. */
const gaps = (times: readonly number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('AnalysisPacer', () => {
  it('analyses every frame while a face moves and a few times a second once the scene is still', () => {
    const pacer = new AnalysisPacer();
    // A face that comes, then moves at twice movingFacesPerSecond: the active pace once its speed is measured.
    const moving = run(pacer, 0, 2, (t) => [travelling(t)]);
    const activeGaps = gaps(moving.filter((t) => t >= 2 * DEFAULTS.pacing.stillIntervalMs));
    expect(Math.max(...activeGaps)).toBeLessThanOrEqual(DEFAULTS.pacing.activeIntervalMs + FRAME_MS);
    // Of those, one in classifyIntervalMs classifies the face; the others only move it.
    expect(Math.min(...gaps(moving.classified!))).toBeGreaterThanOrEqual(DEFAULTS.pacing.classifyIntervalMs - 1);
    expect(pacer.moving).toBe(true);
    // Still from 2 s: once the speed measured over the last speedWindowMs says so, the active pace holds
    // activeHoldMs, then analyses come every stillIntervalMs.
    const still = run(pacer, 2000, 3, () => [face(1, { x: 0.6 })]);
    expect(pacer.moving).toBe(false);
    const settled = 2000 + 2 * DEFAULTS.pacing.speedWindowMs + DEFAULTS.pacing.activeHoldMs + 100;
    const late = still.filter((t) => t >= settled);
    // Every analysis follows the face; a search, when due, comes with one.
    expect(still.followed!.filter((t) => t >= settled)).toEqual(late);
    expect(Math.max(...gaps(late))).toBeLessThanOrEqual(DEFAULTS.pacing.stillIntervalMs + FRAME_MS);
    // An analysis that does not search comes stillIntervalMs after the one before.
    late.slice(1).forEach((t, i) => {
      if (!still.searched!.includes(t)) expect(t - late[i]!).toBeGreaterThanOrEqual(DEFAULTS.pacing.stillIntervalMs - 1);
    });
  });

  it('goes back to every frame for activeHoldMs when a label switches, not when a face comes or goes', () => {
    const changes: [string, PacedFace[], number][] = [
      ['a label switched', [face(1, { label: 'sad' })], DEFAULTS.pacing.activeIntervalMs],
      ['a face came', [face(1), face(2, { x: 0 })], DEFAULTS.pacing.stillIntervalMs],
      ['a face went', [], DEFAULTS.pacing.stillIntervalMs],
      ['a face was lost', [face(1, { lost: true })], DEFAULTS.pacing.stillIntervalMs],
    ];
    for (const [what, after, interval] of changes) {
      const pacer = new AnalysisPacer();
      run(pacer, 0, 3, () => [face(1)]);
      expect(pacer.intervalMs(3000), what).toBe(DEFAULTS.pacing.stillIntervalMs);
      pacer.sent(3000, { search: false, follow: [1] }, true);
      pacer.observe(after, 3000);
      expect(pacer.intervalMs(3010), what).toBe(interval);
      // Classifying every face stays at its own interval: the analyser classifies a changing face at every analysis.
      expect(pacer.classifyDue(3033), what).toBe(false);
      expect(pacer.intervalMs(3000 + DEFAULTS.pacing.activeHoldMs), what).toBe(DEFAULTS.pacing.stillIntervalMs);
    }
  });

  it('slows down under pressure, one step per yieldStepMs, up to maxIntervalMs, and recovers step by step', () => {
    const pacer = new AnalysisPacer();
    run(pacer, 0, 3, (t) => [travelling(t)], () => true); // late frames all along
    expect(pacer.yielding(3000)).toBe(true);
    expect(pacer.intervalMs(3000)).toBe(DEFAULTS.pacing.maxIntervalMs);
    const intervals: number[] = [];
    for (let t = 3000; t <= 20_000; t += 1000) intervals.push(pacer.intervalMs(t));
    // One halving per recoverStepMs without pressure, back to the pace of a still scene (nothing observed since).
    expect(intervals[0]).toBe(DEFAULTS.pacing.maxIntervalMs);
    expect(intervals.at(-1)).toBe(DEFAULTS.pacing.stillIntervalMs);
    for (let i = 1; i < intervals.length; i++) expect(intervals[i]!).toBeLessThanOrEqual(intervals[i - 1]!);
    expect(pacer.yielding(20_000)).toBe(false);
  });

  it('counts one burst of late frames as one step', () => {
    const pacer = new AnalysisPacer();
    for (let t = 0; t < DEFAULTS.pacing.yieldStepMs; t += FRAME_MS) pacer.pressure(t);
    expect(pacer.intervalMs(DEFAULTS.pacing.yieldStepMs - 1)).toBe(2 * DEFAULTS.pacing.stillIntervalMs);
  });

  it('starts over when the camera clock goes back', () => {
    const pacer = new AnalysisPacer();
    pacer.sent(10_000, { search: true, follow: [1] }, true);
    expect(pacer.plan(10_010, [1])).toBeNull();
    expect(pacer.classifyDue(10_010)).toBe(false);
    expect(pacer.plan(5, [1])).toEqual({ search: true, follow: [1] });
    expect(pacer.classifyDue(5)).toBe(true);
  });

  it('searches the whole frame every search interval, with faces or without, and follows faces only when some are known', () => {
    const pacer = new AnalysisPacer();
    const empty = run(pacer, 0, 3, () => []);
    expect(empty.followed).toEqual([]);
    expect([...empty]).toEqual(empty.searched);
    for (const gap of gaps(empty)) {
      expect(gap).toBeGreaterThanOrEqual(DEFAULTS.search.intervalMs - 1);
      expect(gap).toBeLessThanOrEqual(DEFAULTS.search.intervalMs + FRAME_MS);
    }
    // A face appears: it is followed from then on, at the pace of a still scene, and searches go on.
    const withFace = run(pacer, 3000, 3, () => [face(1)]);
    expect(withFace.followed!.length).toBeGreaterThan((3 * 1000) / DEFAULTS.pacing.stillIntervalMs);
    expect(Math.max(...gaps(withFace.searched!))).toBeLessThanOrEqual(DEFAULTS.search.intervalMs + FRAME_MS);
  });

  it('follows each face at its own pace: a moving one often, a still one beside it rarely', () => {
    const pacer = new AnalysisPacer();
    const followedAt = new Map<number, number[]>([[1, []], [2, []]]);
    let known: number[] = [];
    for (let frame = 0; frame < 4 * 30; frame++) {
      const t = frame * FRAME_MS;
      const plan = pacer.plan(t, known);
      if (!plan) continue;
      pacer.sent(t, plan, pacer.classifyDue(t));
      for (const id of plan.follow) followedAt.get(id)!.push(t);
      const faces = [travelling(t), face(2, { x: 0.7 })];
      known = faces.map((f) => f.id);
      pacer.observe(faces, t);
    }
    const late = (id: number) => followedAt.get(id)!.filter((t) => t > 1000);
    // The moving face every other frame; the still one at the still pace, or with a search.
    expect(Math.max(...gaps(late(1)))).toBeLessThanOrEqual(DEFAULTS.pacing.activeIntervalMs + FRAME_MS);
    expect(late(2).length).toBeLessThan(late(1).length / 2);
    expect(Math.max(...gaps(late(2)))).toBeLessThanOrEqual(DEFAULTS.pacing.stillIntervalMs + FRAME_MS);
  });

  it('searches as often as the picture changes away from the people known: a part of it, all of it (the camera moves), none of it', () => {
    const expected = { local: DEFAULTS.search.intervalMs, moving: DEFAULTS.search.movingIntervalMs, still: DEFAULTS.search.quietIntervalMs } as const;
    for (const [scene, intervalMs] of Object.entries(expected) as [keyof typeof expected, number][]) {
      const pacer = new AnalysisPacer();
      const searched: number[] = [];
      for (let t = 0; t < 5000; t += FRAME_MS) {
        const plan = pacer.plan(t, [1], scene);
        if (!plan) continue;
        pacer.sent(t, plan, false);
        if (plan.search) searched.push(t);
        pacer.observe([face(1)], t);
      }
      for (const gap of gaps(searched)) expect(gap, scene).toBeGreaterThanOrEqual(intervalMs - 1);
      for (const gap of gaps(searched)) expect(gap, scene).toBeLessThanOrEqual(intervalMs + FRAME_MS);
    }
    expect(DEFAULTS.search.intervalMs).toBeLessThan(DEFAULTS.search.movingIntervalMs);
    expect(DEFAULTS.search.movingIntervalMs).toBeLessThan(DEFAULTS.search.quietIntervalMs);
    // Under pressure a quiet picture's searches do not slow further: they are already rarer than the cap.
    const busy = new AnalysisPacer();
    run(busy, 0, 6, () => [face(1)], () => true);
    expect(busy.searchIntervalMs(6000, 'still')).toBe(DEFAULTS.search.quietIntervalMs);
  });

  it('searches less often under pressure, up to the search\'s maxIntervalMs, and back once it is gone', () => {
    const pacer = new AnalysisPacer();
    const busy = run(pacer, 0, 6, () => [face(1)], () => true);
    expect(pacer.searchIntervalMs(6000)).toBe(DEFAULTS.search.maxIntervalMs);
    const late = busy.searched!.filter((t) => t > 4000);
    for (const gap of gaps(late)) expect(gap).toBeGreaterThanOrEqual(DEFAULTS.search.maxIntervalMs - 1);
    const intervals: number[] = [];
    for (let t = 6000; t <= 20_000; t += 1000) intervals.push(pacer.searchIntervalMs(t));
    expect(intervals.at(-1)).toBe(DEFAULTS.search.intervalMs);
  });

  it('reads gestures less often under pressure, first of all, up to maxReadIntervalMs, and back once it is gone', () => {
    const pacer = new AnalysisPacer();
    const { readIntervalMs, maxReadIntervalMs } = DEFAULTS.gestures;
    expect(pacer.gestureIntervalMs(0)).toBe(readIntervalMs);
    run(pacer, 0, 6, () => [face(1)], () => true);
    expect(pacer.gestureIntervalMs(6000)).toBe(maxReadIntervalMs);
    const intervals: number[] = [];
    for (let t = 6000; t <= 20_000; t += 1000) intervals.push(pacer.gestureIntervalMs(t));
    expect(intervals.at(-1)).toBe(readIntervalMs);
  });

  it('searches at once when the stream starts afresh (switched on again), even under pressure, which it keeps', () => {
    const pacer = new AnalysisPacer();
    const busy = run(pacer, 0, 6, () => [face(1)], () => true);
    const t = busy.at(-1)! + FRAME_MS;
    expect(t - busy.searched!.at(-1)!).toBeLessThan(DEFAULTS.search.maxIntervalMs);
    expect(pacer.plan(t, [1])?.search ?? false).toBe(false);
    pacer.forget();
    expect(pacer.plan(t, [])).toEqual({ search: true, follow: [] });
    expect(pacer.yielding(t)).toBe(true);
  });

  it('does not take a face\'s jitter between frames for motion', () => {
    const pacer = new AnalysisPacer();
    // ±3 pixels of a 1280-pixel frame each frame, about a third of a face width a frame: still.
    run(pacer, 0, 3, (t) => [face(1, { x: 0.4 + (Math.round(t / FRAME_MS) % 2 ? 3 : -3) / 1280 })]);
    expect(pacer.moving).toBe(false);
    expect(pacer.intervalMs(3000)).toBe(DEFAULTS.pacing.stillIntervalMs);
  });
});

describe('PressureGauge', () => {
  /** Feeds `count` frames `stepMs` apart that took the page `pageMs`, none lost; returns whether each showed pressure. */
  const feed = (gauge: PressureGauge, from: number, count: number, stepMs: number, pageMs = 3, lost: number | null = 0) =>
    Array.from({ length: count }, (_, i) => gauge.frame(from + i * stepMs, pageMs, lost));

  /** Frames past the warm-up. */
  const WARM = Math.ceil(DEFAULTS.pressure.warmUpMs / FRAME_MS) + 10;

  it('takes frames lost before the page read them as pressure, but not one or two', () => {
    const gauge = new PressureGauge();
    feed(gauge, 0, WARM, FRAME_MS);
    expect(gauge.frameIntervalMs).toBeCloseTo(FRAME_MS, 6);
    expect(gauge.frame((WARM + 1) * FRAME_MS, 3, 2)).toBe(false); // two lost
    expect(gauge.frame((WARM + 2) * FRAME_MS, 3, 3)).toBe(true); // a third within the second
    // A second later the losses are forgotten; a browser that does not count them shows none.
    expect(feed(gauge, (WARM + 3) * FRAME_MS, 40, FRAME_MS, 3, 3).slice(31).some(Boolean)).toBe(false);
    expect(feed(new PressureGauge(), 0, WARM + 40, FRAME_MS, 3, null).some(Boolean)).toBe(false);
  });

  it('takes a page that spends most of the camera\'s frame interval on each frame as pressure, not one slow frame', () => {
    const gauge = new PressureGauge();
    feed(gauge, 0, WARM, FRAME_MS);
    expect(gauge.frame(WARM * FRAME_MS, 30, 0)).toBe(false);
    expect(feed(gauge, (WARM + 1) * FRAME_MS, 9, FRAME_MS, 0.6 * FRAME_MS).at(-1)).toBe(true);
  });

  it('follows a camera that runs slower without calling it pressure', () => {
    const gauge = new PressureGauge();
    expect(feed(gauge, 0, 40, 66.7).some(Boolean)).toBe(false);
  });

  it('takes a late reply as pressure', () => {
    const gauge = new PressureGauge();
    feed(gauge, 0, WARM, FRAME_MS);
    expect(gauge.reply(40, WARM * FRAME_MS)).toBe(false);
    expect(gauge.reply(DEFAULTS.pressure.lateReplyMs, WARM * FRAME_MS)).toBe(true);
  });

  it('takes nothing in a stream\'s first warmUpMs as pressure', () => {
    const gauge = new PressureGauge();
    const early = Math.floor(DEFAULTS.pressure.warmUpMs / FRAME_MS) - 1;
    expect(feed(gauge, 0, early, FRAME_MS, FRAME_MS, 0).some(Boolean)).toBe(false);
    expect(gauge.reply(10_000, early * FRAME_MS)).toBe(false);
    expect(feed(gauge, (early + 1) * FRAME_MS, 10, FRAME_MS, FRAME_MS, 0).at(-1)).toBe(true);
  });
});

describe('prediction between analyses', () => {
  it('moves a box on by its velocity, for at most maxPredictionMs', () => {
    const moving = { box: { x: 0.4, y: 0.3, width: 0.2, height: 0.3 }, velocity: { x: 0.1, y: -0.3 } };
    const box = predictedBox(moving, 100);
    expect([box.x, box.y, box.width, box.height].map((v) => v.toFixed(9))).toEqual(['0.410000000', '0.270000000', '0.200000000', '0.300000000']);
    const far = predictedBox(moving, 10_000);
    expect(far.x).toBeCloseTo(0.4 + (0.1 * DEFAULTS.analysis.maxPredictionMs) / 1000, 9);
    expect(predictedBox(moving, -50)).toEqual(moving.box);
  });
});
