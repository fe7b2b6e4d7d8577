// What the hook's per-second StreamStats (src/pipeline/messages.ts, read through the popup's status) say
// about one call with emoface on, summed up over the call's seconds.
import { median } from './median.mjs';

/** `v` rounded to `digits` decimals; null stays null. */
export const round = (v, digits = 1) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

/** The `p`-th percentile (0..100, nearest rank) of the finite numbers in `values`, or null when there are none. */
export function percentile(values, p) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] : null;
}

/** 100 × part / whole, or null when whole is 0. */
const percent = (part, whole) => (whole > 0 ? (100 * part) / whole : null);

/**
 * The call's numbers from `seconds`, one StreamStats per second of camera time (oldest first).
 * @param {Array<Record<string, number | boolean | string>>} seconds
 */
export function summariseStreams(seconds) {
  // placementError* are 0 in a second in which no emoji was compared with its face: seconds with no emoji drawn are left out.
  const drawnSeconds = seconds.filter((s) => s.emojiFps > 0);
  const sum = (key) => seconds.reduce((total, s) => total + s[key], 0);
  return {
    compositeMs: round(median(seconds.map((s) => s.compositeMs)), 2),
    frameMs: round(median(seconds.map((s) => s.frameMs)), 2),
    /** The page's copy of each frame's planes, and the analyser's small copy (on the frames sent), median ms. */
    copyMs: round(median(seconds.map((s) => s.copyMs)), 2),
    analysisCopyMs: round(median(seconds.map((s) => s.analysisCopyMs)), 2),
    analysesPerSecond: round(median(seconds.map((s) => s.analysesPerSecond))),
    analysisIntervalMs: round(median(seconds.map((s) => s.analysisIntervalMs)), 0),
    /** Share of seconds in which analysis yielded to the call's frames, %. */
    yieldingPct: round(percent(seconds.filter((s) => s.yielding).length, seconds.length), 0),
    /** Median time from sending an analysis to its answer, ms. */
    replyMs: round(median(seconds.map((s) => s.replyMs)), 0),
    resultAgeMs: round(median(seconds.map((s) => s.resultAgeMs)), 0),
    /** Median over the seconds in which a face moved of those frames' median result age, ms. */
    movingAgeMs: round(median(seconds.filter((s) => s.movingFrames > 0).map((s) => s.movingAgeMs)), 0),
    placementErrorPct: round(median(drawnSeconds.map((s) => s.placementErrorPct))),
    /** The 95th percentile of the per-second maxima, % of the face width: a bad frame in a second counts, one bad second in twenty does not. */
    placementErrorP95Pct: round(percentile(drawnSeconds.map((s) => s.placementErrorMaxPct), 95)),
    /** Each second's median and largest placement error, % (what the two above summarise). */
    placementErrorBySecond: drawnSeconds.map((s) => [s.placementErrorPct, s.placementErrorMaxPct]),
    /**
     * Share of frames with an emoji, %: of frames with a face, as every frame of the clips shows one (but
     * at 16:9 the 'drift' clip of one face shows only the lower half of the astronaut's, for half its length).
     */
    emojiShownPct: round(percent(sum('emojiFps'), sum('fpsOut')), 0),
    facesDrawn: median(seconds.map((s) => s.faces)),
  };
}
