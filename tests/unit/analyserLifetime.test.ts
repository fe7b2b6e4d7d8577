import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnalyserLifetime } from '../../src/offscreen/analyserLifetime';

const IDLE_MS = 15_000;

/** A stand-in analyser that records what was asked of it. */
function fakeAnalyser(id: number) {
  return { id, closed: false, ended: [] as string[], endStream(key: string) { this.ended.push(key); }, close() { this.closed = true; } };
}

describe('AnalyserLifetime', () => {
  let loads: ReturnType<typeof fakeAnalyser>[];
  let lifetime: AnalyserLifetime<ReturnType<typeof fakeAnalyser>>;
  beforeEach(() => {
    vi.useFakeTimers();
    loads = [];
    lifetime = new AnalyserLifetime(async () => {
      const analyser = fakeAnalyser(loads.length + 1);
      loads.push(analyser);
      return analyser;
    }, IDLE_MS);
  });
  afterEach(() => vi.useRealTimers());

  it('loads once, stays open while a stream lives, closes idle after the last stream ends, loads again on demand', async () => {
    const first = await lifetime.get();
    expect(await lifetime.get()).toBe(first);
    lifetime.streamStarted('tab1:a');
    lifetime.streamStarted('tab2:b');
    await vi.advanceTimersByTimeAsync(IDLE_MS * 3);
    expect(first.closed).toBe(false);
    lifetime.streamEnded('tab1:a');
    await vi.advanceTimersByTimeAsync(IDLE_MS * 3);
    expect(first.closed).toBe(false);
    lifetime.streamEnded('tab2:b');
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1);
    expect(first.ended).toEqual(['tab1:a', 'tab2:b']);
    expect(first.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(first.closed).toBe(true);
    const second = await lifetime.get();
    expect(second.id).toBe(2);
    expect(loads).toHaveLength(2);
  });

  it('keeps the analyser when a stream starts within the idle time, and closes one never used', async () => {
    const first = await lifetime.get();
    lifetime.streamStarted('tab1:a');
    lifetime.streamEnded('tab1:a');
    await vi.advanceTimersByTimeAsync(IDLE_MS / 2);
    lifetime.streamStarted('tab1:b');
    await vi.advanceTimersByTimeAsync(IDLE_MS * 2);
    expect(first.closed).toBe(false);

    const unused = await new AnalyserLifetime(async () => fakeAnalyser(9), IDLE_MS).get();
    await vi.advanceTimersByTimeAsync(IDLE_MS);
    expect(unused.closed).toBe(true);
  });

  it('counts the idle time from the end of a slow load, so a stream waiting on it gets an open analyser', async () => {
    const slow = new AnalyserLifetime(() => new Promise<ReturnType<typeof fakeAnalyser>>((done) => setTimeout(() => done(fakeAnalyser(7)), IDLE_MS * 2)), IDLE_MS);
    const waiting = slow.get().then((analyser) => {
      slow.streamStarted('tab1:a');
      return analyser;
    });
    await vi.advanceTimersByTimeAsync(IDLE_MS * 2);
    const analyser = await waiting;
    await vi.advanceTimersByTimeAsync(IDLE_MS * 3);
    expect(analyser.closed).toBe(false);
    slow.streamEnded('tab1:a');
    await vi.advanceTimersByTimeAsync(IDLE_MS);
    expect(analyser.closed).toBe(true);
  });

  it('does not reopen a closed analyser to end a stream, and keeps a load failure for every caller', async () => {
    await lifetime.get();
    await vi.advanceTimersByTimeAsync(IDLE_MS);
    lifetime.streamEnded('tab1:gone');
    expect(loads).toHaveLength(1);

    const failing = new AnalyserLifetime(() => Promise.reject(new Error('model missing')), IDLE_MS);
    await expect(failing.get()).rejects.toThrow('model missing');
    await expect(failing.get()).rejects.toThrow('model missing');
  });
});
