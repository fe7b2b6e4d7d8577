import { DEFAULTS } from '../defaults';
import { argmax, centreOf, iou } from '../math';
import type { Box, Detection, Keypoints, Point } from '../types';

/** Options of {@link FaceTracker}; defaults in DEFAULTS.tracker. */
export interface TrackerOptions {
  /** Time constant of the probability smoothing, ms (0: none). Default 250. */
  readonly scoreTimeConstantMs?: number;
  /** Time constant of the smoothing of the box's place and the keypoints, ms (0: none). Default 40. */
  readonly boxTimeConstantMs?: number;
  /** Time constant of the smoothing of the box's size, ms (0: none). Default 150. */
  readonly sizeTimeConstantMs?: number;
  /** Margin a new label's smoothed probability must beat the shown one's by, 0..1. Default 0.1. */
  readonly hysteresis?: number;
  /** How long a face that is no longer detected stays, ms (and through at least one missed analysis). Default 500. */
  readonly holdMs?: number;
  /** Minimum IoU for a detection to continue a track, 0..1. Default 0.2. */
  readonly minIou?: number;
  /** Farthest a detection overlapping no track may be from a track it continues, in face sizes. Default 0.8. */
  readonly maxJump?: number;
  /** A face's velocity is its detections' travel over at least this long, ms. Default 200. */
  readonly velocityWindowMs?: number;
}

/**
 * One observation handed to the tracker: a detection and its label probabilities, or null where the face
 * was not classified (it moves a tracked face and leaves its expression as it was, or starts a face whose
 * expression is not known yet).
 */
export interface Observation {
  readonly detection: Detection;
  readonly scores: Float32Array | null;
}

/** A face followed over time. */
export interface TrackedFace {
  /** Stable id, unique for the tracker's lifetime. */
  readonly id: number;
  /** Smoothed box and keypoints, frame pixels. */
  readonly box: Box;
  readonly keypoints: Keypoints;
  /**
   * The box centre's velocity, frame pixels per ms: how far the detections' own centres travelled over
   * the last window of at least velocityWindowMs (0 for a face found less than that ago).
   */
  readonly velocity: Point;
  /** Where the current velocity window started: the detection's centre (frame pixels) and when, ms. */
  readonly windowStart: { readonly centre: Point; readonly atMs: number };
  /** Detector score of the latest detection. */
  readonly detectionScore: number;
  /** Smoothed probabilities, in label order (empty until the face is first classified). */
  readonly scores: Float32Array;
  /** False until an observation of the face came with probabilities. */
  readonly scored: boolean;
  /** Index of the label shown (changes only past the hysteresis margin). */
  readonly labelIndex: number;
  /** When the label shown last switched, ms (−Infinity: not since the face was first classified). */
  readonly switchedMs: number;
  /** True while the face is held without a detection (moved on by its velocity, for at most DEFAULTS.analysis.maxPredictionMs). */
  readonly lost: boolean;
  /** When the face was last detected, ms. */
  readonly lastSeenMs: number;
  /** When its probabilities last had a classified frame, ms. */
  readonly lastScoredMs: number;
}

/** Weight of the new value in an exponential moving average after `dtMs` with time constant `tauMs`. */
export function smoothingWeight(dtMs: number, tauMs: number): number {
  return tauMs <= 0 ? 1 : 1 - Math.exp(-Math.max(0, dtMs) / tauMs);
}

const mix = (old: number, fresh: number, w: number) => old + (fresh - old) * w;
const mixPoint = (old: Point, fresh: Point, w: number): Point => ({ x: mix(old.x, fresh.x, w), y: mix(old.y, fresh.y, w) });
const shifted = (p: Point, by: Point): Point => ({ x: p.x + by.x, y: p.y + by.y });

/**
 * Where a track's box is expected `dtMs` after its last detection: moved on by its velocity for at most
 * DEFAULTS.analysis.maxPredictionMs (a guess further on would wander off).
 */
function expectedBox(track: TrackedFace, dtMs: number): Box {
  const ms = Math.min(Math.max(0, dtMs), DEFAULTS.analysis.maxPredictionMs);
  return { ...track.box, x: track.box.x + track.velocity.x * ms, y: track.box.y + track.velocity.y * ms };
}

/** A detection continues a track it does not overlap only if their widths differ by at most this factor (see maxJump). */
const MAX_SIZE_RATIO = 1.5;

function checkNonNegative(value: number, name: string): number {
  if (typeof value !== 'number' || !(value >= 0)) throw new RangeError(`${name} must be a number ≥ 0, got ${value}`);
  return value;
}

/**
 * Follows faces across frames: stable ids (greedy IoU matching against where each face is expected, by
 * its velocity, then by distance for a face that jumped), probabilities smoothed with a time constant in ms, hysteresis on the shown label, and a
 * hold that keeps a briefly lost face covered. Time comes in as `timestampMs`; the tracker never reads a
 * clock.
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
    checkNonNegative(o.sizeTimeConstantMs, 'sizeTimeConstantMs');
    checkNonNegative(o.holdMs, 'holdMs');
    checkNonNegative(o.velocityWindowMs, 'velocityWindowMs');
    checkNonNegative(o.maxJump, 'maxJump');
    if (!(o.hysteresis >= 0 && o.hysteresis < 1)) throw new RangeError(`hysteresis must be in 0..1, got ${o.hysteresis}`);
    if (!(o.minIou >= 0 && o.minIou <= 1)) throw new RangeError(`minIou must be in 0..1, got ${o.minIou}`);
    this.options = o;
  }

  /** The faces as the latest update left them (a held face at its last detected box). */
  get faces(): readonly TrackedFace[] {
    return this.#tracks;
  }

  /** Timestamp of the latest update, ms (−Infinity before the first). */
  get lastTimestampMs(): number {
    return this.#lastMs;
  }

  /**
   * The faces after this frame's observations at `timestampMs` (non-decreasing), ordered by id. A face
   * not observed is held (lost), unless `lookedFor` says the frame was not looked at where it is expected
   * (a box, frame pixels): then it is left as it was, and given where it is expected now.
   */
  update(observations: readonly Observation[], timestampMs: number, lookedFor: (expected: Box) => boolean = () => true): TrackedFace[] {
    if (!Number.isFinite(timestampMs) || timestampMs < this.#lastMs) {
      throw new RangeError(`timestampMs must be finite and not decrease: ${timestampMs} after ${this.#lastMs}`);
    }
    this.#lastMs = timestampMs;
    const matched = this.#match(observations.map((obs) => obs.detection.box), timestampMs);
    const next: TrackedFace[] = [];
    const continued = new Set<number>();
    observations.forEach((obs, o) => {
      const t = matched.get(o);
      if (t === undefined) {
        next.push(this.#start(obs.detection, obs.scores, timestampMs));
      } else {
        continued.add(t);
        next.push(this.#continue(this.#tracks[t]!, obs, timestampMs));
      }
    });
    this.#tracks.forEach((track, t) => {
      if (continued.has(t)) return;
      if (!lookedFor(expectedBox(track, timestampMs - track.lastSeenMs))) next.push(track);
      // Held for holdMs, and through its first missed look (a face not held yet) whenever that was: where
      // analyses are sparser than the hold (a busy machine), one miss alone does not drop a face.
      else if (timestampMs - track.lastSeenMs <= this.options.holdMs || !track.lost) next.push({ ...track, lost: true });
    });
    this.#tracks = next.sort((a, b) => a.id - b.id);
    // A face not detected now is given where it is expected now; the track keeps its detected box.
    return this.#tracks.map((track) => (track.lastSeenMs < timestampMs ? { ...track, box: expectedBox(track, timestampMs - track.lastSeenMs) } : track));
  }

  /**
   * For each box (frame pixels) seen at `timestampMs`, whether an observation of it needs probabilities
   * now: it would start a face, or continue one not classified yet, or one whose label switched less than
   * `settleMs` ago (its expression is changing: it is classified at every analysis until it settles).
   * Changes nothing.
   */
  unsettled(boxes: readonly Box[], timestampMs: number, settleMs: number): boolean[] {
    const matched = this.#match(boxes, timestampMs);
    return boxes.map((_, o) => {
      const track = this.#tracks[matched.get(o) ?? -1];
      return !track || !track.scored || timestampMs - track.switchedMs < settleMs;
    });
  }

  /**
   * Which track each box continues (box index → track index): greedy by IoU with where each track is
   * expected at `timestampMs`, so a face that moved far between two sparse analyses keeps its id; then the
   * boxes left, greedy by distance, continue the tracks left within maxJump face sizes and of a like size.
   */
  #match(boxes: readonly Box[], timestampMs: number): Map<number, number> {
    const expected = this.#tracks.map((track) => expectedBox(track, timestampMs - track.lastSeenMs));
    const overlaps: [number, number, number][] = [];
    const jumps: [number, number, number][] = [];
    expected.forEach((from, t) => boxes.forEach((box, o) => {
      const overlap = iou(from, box);
      if (overlap >= this.options.minIou) overlaps.push([-overlap, t, o]);
      const jump = Math.hypot((centreOf(box).x - centreOf(from).x) / from.width, (centreOf(box).y - centreOf(from).y) / from.height);
      const sizeRatio = box.width / from.width;
      if (jump <= this.options.maxJump && sizeRatio <= MAX_SIZE_RATIO && sizeRatio >= 1 / MAX_SIZE_RATIO) jumps.push([jump, t, o]);
    }));
    const trackTaken = new Set<number>();
    const matched = new Map<number, number>();
    for (const pairs of [overlaps, jumps]) {
      for (const [, t, o] of pairs.sort((a, b) => a[0] - b[0])) {
        if (trackTaken.has(t) || matched.has(o)) continue;
        trackTaken.add(t);
        matched.set(o, t);
      }
    }
    return matched;
  }

  #start(detection: Detection, observed: Float32Array | null, timestampMs: number): TrackedFace {
    const scores = observed ? Float32Array.from(observed) : new Float32Array(0);
    return {
      id: this.#nextId++, box: detection.box, keypoints: detection.keypoints, detectionScore: detection.score,
      velocity: { x: 0, y: 0 }, windowStart: { centre: centreOf(detection.box), atMs: timestampMs },
      scores, scored: observed !== null, labelIndex: observed ? argmax(scores) : 0, switchedMs: -Infinity, lost: false, lastSeenMs: timestampMs, lastScoredMs: timestampMs,
    };
  }

  /**
   * A track continued by a detection: box and keypoints smoothed from where the track was expected (moved
   * by its velocity), so smoothing does not drag a moving face behind; velocity from the detections'
   * centres over a window of at least velocityWindowMs (over one frame, the detector's jitter of a few
   * pixels would read as motion); probabilities smoothed, the shown label switched past the hysteresis.
   */
  #continue(track: TrackedFace, obs: Observation, timestampMs: number): TrackedFace {
    const dt = timestampMs - track.lastSeenMs;
    const wBox = smoothingWeight(dt, this.options.boxTimeConstantMs);
    const wSize = smoothingWeight(dt, this.options.sizeTimeConstantMs);
    const observed = obs.scores;
    // A face's first probabilities are taken as they are: there is nothing to smooth them with.
    const wScore = track.scored ? smoothingWeight(timestampMs - track.lastScoredMs, this.options.scoreTimeConstantMs) : 1;
    const scores = observed ? Float32Array.from(observed, (fresh, i) => mix(track.scores[i] ?? 0, fresh, wScore)) : track.scores;
    const best = argmax(scores);
    const labelIndex = !track.scored || scores[best]! - scores[track.labelIndex]! > this.options.hysteresis ? best : track.labelIndex;
    const lastScoredMs = observed ? timestampMs : track.lastScoredMs;
    const expected = expectedBox(track, dt);
    const moved = { x: expected.x - track.box.x, y: expected.y - track.box.y };
    const b = obs.detection.box;
    // The centre follows quickly; the size, which the detector jitters more than a head changes it, slowly.
    const centre = mixPoint(centreOf(expected), centreOf(b), wBox);
    const width = mix(track.box.width, b.width, wSize);
    const height = mix(track.box.height, b.height, wSize);
    const box: Box = { x: centre.x - width / 2, y: centre.y - height / 2, width, height };
    const k = (name: keyof Keypoints) => mixPoint(shifted(track.keypoints[name], moved), obs.detection.keypoints[name], wBox);
    const keypoints: Keypoints = {
      rightEye: k('rightEye'), leftEye: k('leftEye'), noseTip: k('noseTip'), mouth: k('mouth'), rightEar: k('rightEar'), leftEar: k('leftEar'),
    };
    const detected = centreOf(b);
    let { velocity, windowStart } = track;
    const windowMs = timestampMs - windowStart.atMs;
    if (track.lost) {
      // A face found again after a hold keeps its velocity; its next window starts now.
      windowStart = { centre: detected, atMs: timestampMs };
    } else if (windowMs >= this.options.velocityWindowMs && windowMs > 0) {
      velocity = { x: (detected.x - windowStart.centre.x) / windowMs, y: (detected.y - windowStart.centre.y) / windowMs };
      windowStart = { centre: detected, atMs: timestampMs };
    }
    return {
      id: track.id, box, keypoints, velocity, windowStart, detectionScore: obs.detection.score, scores, scored: track.scored || observed !== null,
      labelIndex, switchedMs: track.scored && labelIndex !== track.labelIndex ? timestampMs : track.switchedMs, lost: false, lastSeenMs: timestampMs, lastScoredMs,
    };
  }
}
