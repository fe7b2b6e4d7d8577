import { DEFAULTS } from '../defaults';
import { centreOf, median } from '../math';
import type { AnalysedFace } from '../messages';
import type { SceneChange } from './searchScheduler';

/** What the pacer reads of a result's faces. */
export type PacedFace = Pick<AnalysedFace, 'id' | 'box' | 'label' | 'lost'>;

/** What the pacer remembers of a face: its label, whether held, and where it was when its speed was last measured. */
interface FaceSeen {
  readonly label: string;
  readonly lost: boolean;
  /** The face's centre (fractions of the frame) at `sinceMs`, and its speed measured up to then (face sizes per second). */
  readonly centre: { readonly x: number; readonly y: number };
  readonly sinceMs: number;
  readonly speed: number;
}

type PacingOptions = { -readonly [K in keyof typeof DEFAULTS.pacing]: number };

/** What one analysis shows the analyser: the whole frame to search, and the known faces to follow (ids). */
export interface AnalysisPlan {
  readonly search: boolean;
  readonly follow: readonly number[];
}

/**
 * When a camera stream's next frame goes to the analyser, what it shows the analyser, and whether it
 * classifies the faces or only moves them. Known faces are followed (see views.ts) where it changes what
 * the call sees: at the active pace while a face moves faster than its emoji's prediction carries it well
 * or an expression changes (a label switches), a few times a second while the scene is still (a face that
 * leaves is noticed at the next of those). The whole frame, the most costly view, is searched for new
 * faces as often as the picture changes away from the people known: every DEFAULTS.search.intervalMs
 * while part of it changes, movingIntervalMs while most of it does (the camera moves), quietIntervalMs
 * while nothing does (the caller tells, see sceneChange). Under pressure (the
 * call's frames late) both intervals double step by step, before a camera frame is dropped for emoface's
 * sake, and come back step by step once the pressure is gone. Time is the camera's (`timestampMs`, ms):
 * the pacer reads no clock.
 */
export class AnalysisPacer {
  readonly options: PacingOptions;
  #lastSearchMs = -Infinity;
  #lastClassifiedMs = -Infinity;
  /** Each face's last follow, and until when it keeps the active pace, ms, by face id. */
  #followedMs = new Map<number, number>();
  #activeUntilMs = new Map<number, number>();
  /** Doublings of the interval for pressure (0: none). */
  #level = 0;
  #lastRaiseMs = -Infinity;
  #lastPressureMs = -Infinity;
  #lastRecoverMs = -Infinity;
  /** The faces of the previous result, by id. */
  #previous = new Map<number, FaceSeen>();

  constructor(options: Partial<PacingOptions> = {}) {
    this.options = { ...DEFAULTS.pacing, ...options };
  }

  /**
   * Time between follows of face `id` at `nowMs`, ms (without an id: of the face followed most often):
   * the active or still interval, doubled per pressure step, capped.
   */
  intervalMs(nowMs: number, id?: number): number {
    this.#recover(nowMs);
    const ids = id === undefined ? [...this.#previous.keys()] : [id];
    const active = ids.some((face) => nowMs < (this.#activeUntilMs.get(face) ?? -Infinity));
    const base = active ? this.options.activeIntervalMs : this.options.stillIntervalMs;
    return Math.min(this.options.maxIntervalMs, base * 2 ** this.#level);
  }

  /**
   * Time between searches at `nowMs` for a picture that changed as `scene` says since the last search, ms
   * (see DEFAULTS.search), doubled per pressure step up to maxIntervalMs (or the interval itself, if longer).
   */
  searchIntervalMs(nowMs: number, scene: SceneChange = 'local'): number {
    this.#recover(nowMs);
    const { intervalMs, movingIntervalMs, quietIntervalMs, maxIntervalMs } = DEFAULTS.search;
    const base = { local: intervalMs, moving: movingIntervalMs, still: quietIntervalMs }[scene];
    return Math.min(Math.max(maxIntervalMs, base), base * 2 ** this.#level);
  }

  /**
   * Whether the frame at `nowMs` should be analysed, and with which views: a search when one is due (for
   * a picture that changed since the last one as `scene` says), and which of the known `faces` (ids) to
   * follow: each at its own pace (a face that moves or changes expression often, a still one rarely), all
   * of them with a search; null for none. The caller also limits the analyses in flight. Planning changes
   * nothing (until `sent`): a frame may be planned for again once its scene is known.
   */
  plan(nowMs: number, faces: readonly number[], scene: SceneChange = 'local'): AnalysisPlan | null {
    // A clock that went back (a camera restarted) starts the pacing over.
    if (nowMs < this.#lastSearchMs || [...this.#followedMs.values()].some((ms) => nowMs < ms)) {
      this.#lastSearchMs = -Infinity;
      this.#followedMs.clear();
    }
    const search = nowMs - this.#lastSearchMs >= this.searchIntervalMs(nowMs, scene) - 1;
    const follow = search ? [...faces] : faces.filter((id) => nowMs - (this.#followedMs.get(id) ?? -Infinity) >= this.intervalMs(nowMs, id) - 1);
    return search || follow.length > 0 ? { search, follow } : null;
  }

  /**
   * Whether an analysis at `nowMs` should classify every face, or only move them: one per
   * classifyIntervalMs (a moving face's place changes every frame, its expression does not). The analyser
   * classifies a face whose expression is changing at every analysis regardless (see Analyser.analyse).
   */
  classifyDue(nowMs: number): boolean {
    if (nowMs < this.#lastClassifiedMs) this.#lastClassifiedMs = -Infinity;
    return nowMs - this.#lastClassifiedMs >= this.options.classifyIntervalMs - 1;
  }

  /** The frame at `nowMs` went to the analyser, as `plan` said, classifying or not. */
  sent(nowMs: number, plan: AnalysisPlan, classify: boolean): void {
    for (const id of plan.follow) this.#followedMs.set(id, nowMs);
    if (plan.search) this.#lastSearchMs = nowMs;
    if (classify) this.#lastClassifiedMs = nowMs;
  }

  /**
   * The stream was not analysed for a while (emoface switched off on the call): forget its faces and when
   * it was last searched, so that the next frame is searched at once, whatever the pressure. The pressure
   * level stays: the machine may be as busy as before.
   */
  forget(): void {
    this.#lastSearchMs = -Infinity;
    this.#lastClassifiedMs = -Infinity;
    this.#followedMs.clear();
    this.#activeUntilMs.clear();
    this.#previous.clear();
  }

  /**
   * At most how often the stream's faces are read for gestures at `nowMs`, ms: DEFAULTS.gestures'
   * readIntervalMs, doubled per pressure step up to maxReadIntervalMs (gestures give way first).
   */
  gestureIntervalMs(nowMs: number): number {
    this.#recover(nowMs);
    const { readIntervalMs, maxReadIntervalMs } = DEFAULTS.gestures;
    return Math.min(maxReadIntervalMs, readIntervalMs * 2 ** this.#level);
  }

  /** True while analyses run slower than their pace to keep the call's frames on time. */
  yielding(nowMs: number): boolean {
    this.#recover(nowMs);
    return this.#level > 0;
  }

  /** True while the latest result had a face moving faster than movingFacesPerSecond. */
  get moving(): boolean {
    return [...this.#previous.values()].some((face) => face.speed > this.options.movingFacesPerSecond);
  }

  /**
   * A result for the frame at `timestampMs`: a face that moves fast, or whose label switched since the
   * previous result, keeps the active pace for activeHoldMs (the others keep theirs). A face's speed is its centre's travel over at
   * least speedWindowMs, in face widths and heights per second: over one frame, the detector's jitter of a
   * few pixels would read as motion. A face that comes or goes changes nothing here: a new face's emoji is
   * drawn from its first result on, and a still scene's pace already notices it.
   */
  observe(faces: readonly PacedFace[], timestampMs: number): void {
    const seen = new Map<number, FaceSeen>();
    for (const face of faces) {
      const before = this.#previous.get(face.id);
      const centre = centreOf(face.box);
      let now: FaceSeen = { label: face.label, lost: face.lost, centre, sinceMs: timestampMs, speed: 0 };
      if (before && !face.lost && !before.lost) {
        const elapsedMs = timestampMs - before.sinceMs;
        now = elapsedMs < this.options.speedWindowMs ? { ...before, label: face.label } : {
          ...now, speed: (1000 * Math.hypot((centre.x - before.centre.x) / face.box.width, (centre.y - before.centre.y) / face.box.height)) / elapsedMs,
        };
      }
      if ((before !== undefined && before.label !== face.label) || now.speed > this.options.movingFacesPerSecond) {
        this.#activeUntilMs.set(face.id, timestampMs + this.options.activeHoldMs);
      }
      seen.set(face.id, now);
    }
    this.#previous = seen;
    // Faces gone are forgotten.
    for (const map of [this.#activeUntilMs, this.#followedMs]) for (const id of map.keys()) if (!seen.has(id)) map.delete(id);
  }

  /** The call's frames are late at `nowMs`: one more doubling of the interval, at most once per yieldStepMs. */
  pressure(nowMs: number): void {
    this.#lastPressureMs = nowMs;
    if (nowMs - this.#lastRaiseMs < this.options.yieldStepMs) return;
    const maxLevel = Math.ceil(Math.log2(this.options.maxIntervalMs / this.options.activeIntervalMs));
    if (this.#level < maxLevel) this.#level++;
    this.#lastRaiseMs = nowMs;
  }

  /** One step back per recoverStepMs without pressure. */
  #recover(nowMs: number): void {
    if (this.#level === 0) return;
    const since = Math.max(this.#lastPressureMs, this.#lastRecoverMs);
    if (nowMs - since >= this.options.recoverStepMs) {
      this.#level--;
      this.#lastRecoverMs = nowMs;
    }
  }
}

/**
 * Tells when a camera stream's frames are late: frames lost before the page read them (more than
 * DEFAULTS.pressure.lostFramesPerSecond in the last second, by the camera track's own count), the page's
 * time per frame too long (the median of its last few frames above a share of the camera's interval), or
 * an analysis answered late (analyses queue). One slow frame is not pressure, nor is anything in a
 * stream's first DEFAULTS.pressure.warmUpMs (the analyser loads, the artwork is decoded, code compiles).
 * Deterministic: times and counts come in as parameters.
 */
export class PressureGauge {
  readonly #options = DEFAULTS.pressure;
  /** Recent intervals between camera frames, ms (their median is the camera's usual interval). */
  readonly #intervals: number[] = [];
  /** Recent page times per frame, ms. */
  readonly #pageMs: number[] = [];
  /** The camera's count of frames lost before the page read them, with when it was read, over the last second. */
  readonly #lost: { atMs: number; count: number }[] = [];
  #lastFrameMs = -Infinity;
  #firstFrameMs = -Infinity;

  /** The camera's usual time between frames, ms (the median of its recent intervals; 0 before two frames). */
  get frameIntervalMs(): number {
    return median(this.#intervals);
  }

  /**
   * A camera frame at `timestampMs` that took the page `pageMs`, with the camera's count of frames lost so
   * far before the page read them (its frames minus those the page read; null where the browser does not
   * count): true when the frames show pressure.
   */
  frame(timestampMs: number, pageMs: number, lostFrames: number | null): boolean {
    const gapMs = timestampMs - this.#lastFrameMs;
    this.#lastFrameMs = timestampMs;
    if (!(gapMs > 0 && Number.isFinite(gapMs))) {
      // The first frame, or a camera restarted.
      this.#firstFrameMs = timestampMs;
      return false;
    }
    keepLast(this.#intervals, gapMs, RECENT_INTERVALS);
    keepLast(this.#pageMs, pageMs, RECENT_PAGE_TIMES);
    if (!this.#warm(timestampMs)) return false;
    let lostInLastSecond = 0;
    if (lostFrames !== null) {
      this.#lost.push({ atMs: timestampMs, count: lostFrames });
      while (this.#lost[0]!.atMs < timestampMs - 1000) this.#lost.shift();
      lostInLastSecond = lostFrames - this.#lost[0]!.count;
    }
    return lostInLastSecond > this.#options.lostFramesPerSecond || median(this.#pageMs) > this.#options.frameBudgetShare * this.frameIntervalMs;
  }

  /** An analysis answered `latencyMs` after it was sent, at camera time `nowMs`: true when that is late. */
  reply(latencyMs: number, nowMs: number): boolean {
    return this.#warm(nowMs) && latencyMs >= this.#options.lateReplyMs;
  }

  /** Past the stream's warm-up at `nowMs`, with enough frames seen to judge by. */
  #warm(nowMs: number): boolean {
    return nowMs - this.#firstFrameMs >= this.#options.warmUpMs && this.#intervals.length >= RECENT_PAGE_TIMES;
  }
}

/** Camera intervals and page times the gauge keeps. */
const RECENT_INTERVALS = 31;
const RECENT_PAGE_TIMES = 9;

/** Appends `value` to `list`, dropping the oldest beyond `length`. */
function keepLast(list: number[], value: number, length: number): void {
  list.push(value);
  if (list.length > length) list.shift();
}
