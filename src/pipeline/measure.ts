/** Median and 95th percentile of repeated timings, in milliseconds. */
export interface Timing {
  readonly median: number;
  readonly p95: number;
}

/** Median and 95th percentile (nearest rank) of `values`, rounded to microseconds. */
export function summarise(values: readonly number[]): Timing {
  if (values.length === 0) throw new RangeError('summarise: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 1000) / 1000;
  return { median: at(0.5), p95: at(0.95) };
}

/**
 * Benchmarks one frame's work: runs `frame(i)` for i = -warmUp … iterations-1, keeps the durations it
 * returns (ms by name) from i = 0 on, and summarises each name. Frames run one after another.
 */
export async function measureFrames<Stage extends string>(
  iterations: number, warmUp: number, frame: (index: number) => Promise<Record<Stage, number>>,
): Promise<Record<Stage, Timing>> {
  if (!(iterations >= 1)) throw new RangeError(`measureFrames: iterations must be at least 1, got ${iterations}`);
  const samples = new Map<Stage, number[]>();
  for (let i = -warmUp; i < iterations; i++) {
    const durations = await frame(i);
    if (i < 0) continue;
    for (const [stage, ms] of Object.entries(durations) as [Stage, number][]) {
      if (!samples.has(stage)) samples.set(stage, []);
      samples.get(stage)!.push(ms);
    }
  }
  return Object.fromEntries([...samples].map(([stage, values]) => [stage, summarise(values)])) as Record<Stage, Timing>;
}
