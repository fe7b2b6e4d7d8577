import { DEFAULTS } from '../defaults';
import { argmax, iou } from '../math';
import type { Box, Detection, Keypoints, Point } from '../types';

/** Options of {@link FaceTracker}; defaults in DEFAULTS.tracker. */
export interface TrackerOptions {
  /** Time constant of the probability smoothing, ms (0: none). Default 250. */
  readonly scoreTimeConstantMs?: number;
  /** Time constant of the box and keypoint smoothing, ms (0: none). Default 40. */
  readonly boxTimeConstantMs?: number;
  /** Margin a new label's smoothed probability must beat the shown one's by, 0..1. Default 0.1. */
  readonly hysteresis?: number;
  /** How long a face that is no longer detected stays, ms. Default 500. */
  readonly holdMs?: number;
  /** Minimum IoU for a detection to continue a track, 0..1. Default 0.2. */
  readonly minIou?: number;
}

/** One observation handed to the tracker: a detection and its label probabilities. */
export interface Observation {
  readonly detection: Detection;
  readonly scores: Float32Array;
}

/** A face followed over time. */
export interface TrackedFace {
  /** Stable id, unique for the tracker's lifetime. */
  readonly id: number;
  /** Smoothed box and keypoints, frame pixels. */
  readonly box: Box;
  readonly keypoints: Keypoints;
  /** Detector score of the latest detection. */
  readonly detectionScore: number;
  /** Smoothed probabilities, in label order. */
  readonly scores: Float32Array;
  /** Index of the label shown (changes only past the hysteresis margin). */
  readonly labelIndex: number;
  /** True while the face is held at its last place without a detection. */
  readonly lost: boolean;
  /** When the face was last detected, ms. */
  readonly lastSeenMs: number;
}

/** Weight of the new value in an exponential moving average after `dtMs` with time constant `tauMs`. */
export function smoothingWeight(dtMs: number, tauMs: number): number {
  return tauMs <= 0 ? 1 : 1 - Math.exp(-Math.max(0, dtMs) / tauMs);
}

const mix = (old: number, fresh: number, w: number) => old + (fresh - old) * w;
const mixPoint = (old: Point, fresh: Point, w: number): Point => ({ x: mix(old.x, fresh.x, w), y: mix(old.y, fresh.y, w) });

function checkNonNegative(value: number, name: string): number {
  if (typeof value !== 'number' || !(value >= 0)) throw new RangeError(`${name} must be a number ≥ 0, got ${value}`);
  return value;
}

/**
 * Follows faces across frames: stable ids (greedy IoU matching), probabilities smoothed with a time
 * constant in ms, hysteresis on the shown label, and a hold that keeps a briefly lost face covered.
 * Time comes in as `timestampMs`; the tracker never reads a clock.
 */
export class FaceTracker {
  readonly options: Required<TrackerOptions>;
  #tracks: TrackedFace[] = [];
  #nextId = 1;
  #lastMs = -Infinity;

  constructor(options: TrackerOptions = {}) {
    const o = { ...DEFAULTS.tracker, ...options };
    for (const key of Object.keys(options)) {
      if (!(key in DEFAULTS.tracker)) throw new TypeError(`unknown tracker option ${key}`);
    }
    checkNonNegative(o.scoreTimeConstantMs, 'scoreTimeConstantMs');
    checkNonNegative(o.boxTimeConstantMs, 'boxTimeConstantMs');
    checkNonNegative(o.holdMs, 'holdMs');
    if (!(o.hysteresis >= 0 && o.hysteresis < 1)) throw new RangeError(`hysteresis must be in 0..1, got ${o.hysteresis}`);
    if (!(o.minIou >= 0 && o.minIou <= 1)) throw new RangeError(`minIou must be in 0..1, got ${o.minIou}`);
    this.options = o;
  }

  /** Timestamp of the latest update, ms (−Infinity before the first). */
  get lastTimestampMs(): number {
    return this.#lastMs;
  }

  /** The faces after this frame's observations at `timestampMs` (non-decreasing), ordered by id. */
  update(observations: readonly Observation[], timestampMs: number): TrackedFace[] {
    if (!Number.isFinite(timestampMs) || timestampMs < this.#lastMs) {
      throw new RangeError(`timestampMs must be finite and not decrease: ${timestampMs} after ${this.#lastMs}`);
    }
    this.#lastMs = timestampMs;
    const pairs: [number, number, number][] = [];
    this.#tracks.forEach((track, t) => observations.forEach((obs, o) => {
      const overlap = iou(track.box, obs.detection.box);
      if (overlap >= this.options.minIou) pairs.push([overlap, t, o]);
    }));
    pairs.sort((a, b) => b[0] - a[0]);
    const trackTaken = new Set<number>();
    const observationTaken = new Set<number>();
    const next: TrackedFace[] = [];
    for (const [, t, o] of pairs) {
      if (trackTaken.has(t) || observationTaken.has(o)) continue;
      trackTaken.add(t);
      observationTaken.add(o);
      next.push(this.#continue(this.#tracks[t]!, observations[o]!, timestampMs));
    }
    this.#tracks.forEach((track, t) => {
      if (!trackTaken.has(t) && timestampMs - track.lastSeenMs <= this.options.holdMs) next.push({ ...track, lost: true });
    });
    observations.forEach((obs, o) => {
      if (!observationTaken.has(o)) next.push(this.#start(obs, timestampMs));
    });
    this.#tracks = next.sort((a, b) => a.id - b.id);
    return [...this.#tracks];
  }

  #start(obs: Observation, timestampMs: number): TrackedFace {
    const scores = Float32Array.from(obs.scores);
    return {
      id: this.#nextId++, box: obs.detection.box, keypoints: obs.detection.keypoints, detectionScore: obs.detection.score,
      scores, labelIndex: argmax(scores), lost: false, lastSeenMs: timestampMs,
    };
  }

  #continue(track: TrackedFace, obs: Observation, timestampMs: number): TrackedFace {
    const dt = timestampMs - track.lastSeenMs;
    const wScore = smoothingWeight(dt, this.options.scoreTimeConstantMs);
    const wBox = smoothingWeight(dt, this.options.boxTimeConstantMs);
    const scores = track.scores.map((old, i) => mix(old, obs.scores[i]!, wScore));
    const best = argmax(scores);
    const labelIndex = scores[best]! - scores[track.labelIndex]! > this.options.hysteresis ? best : track.labelIndex;
    const b = obs.detection.box;
    const box: Box = {
      x: mix(track.box.x, b.x, wBox), y: mix(track.box.y, b.y, wBox),
      width: mix(track.box.width, b.width, wBox), height: mix(track.box.height, b.height, wBox),
    };
    const k = (name: keyof Keypoints) => mixPoint(track.keypoints[name], obs.detection.keypoints[name], wBox);
    const keypoints: Keypoints = {
      rightEye: k('rightEye'), leftEye: k('leftEye'), noseTip: k('noseTip'), mouth: k('mouth'), rightEar: k('rightEar'), leftEar: k('leftEar'),
    };
    return { id: track.id, box, keypoints, detectionScore: obs.detection.score, scores, labelIndex, lost: false, lastSeenMs: timestampMs };
  }
}
