/**
 * Gestures read from what a face does: MediaPipe FaceLandmarker's blendshape scores (0..1) of one face,
 * over time. Each gesture has a rule on a few scores with two thresholds (it starts above `on` and lasts
 * until it falls below `off`, so a score wavering near one threshold does not make it flicker), a time it
 * must be held before it shows (a blink is not a wink; talking is not 😮), and a short hold after it ends.
 */

/** The gestures, most telling first: where several hold at once, the first of them shows. */
export const GESTURES = ['asleep', 'eyesClosed', 'blowKiss', 'wink', 'kiss', 'mouthOpen', 'cheeksPuffed', 'browRaised'] as const;
export type Gesture = (typeof GESTURES)[number];

/** Blendshape scores by MediaPipe's names (eyeBlinkLeft, jawOpen, …); a missing score reads as 0. */
export type Blendshapes = Readonly<Record<string, number>>;

/** Thresholds and times of the rules (ms: camera time). */
export const GESTURE_RULES = {
  /**
   * Eyes: eyeBlink above `closed` is shut; below `open` is open. Eyes looking down read half shut (0.5–0.55
   * on face-api's sample1), closed ones 0.67–0.83 (tests/fixtures/blendshapes.json).
   */
  eyes: { closed: { on: 0.6, off: 0.45 }, open: { on: 0.25, off: 0.35 } },
  /** One eye shut and the other open for this long: a blink shuts both, for 100–400 ms. */
  winkMs: 150,
  /** Both eyes shut for this long (longer than a blink), then for `asleepMs`. */
  eyesClosedMs: 600,
  asleepMs: 2000,
  /** Lips pushed forward (mouthPucker) with the jaw nearly shut; held `blowKissMs` (or with a wink) it is blown. */
  pucker: { on: 0.5, off: 0.35 },
  puckerJawMax: 0.3,
  kissMs: 200,
  blowKissMs: 1500,
  /** The jaw open wide (jawOpen), for longer than a syllable takes. */
  jaw: { on: 0.5, off: 0.35 },
  mouthOpenMs: 500,
  /** Cheeks puffed out (cheekPuff). */
  cheeks: { on: 0.4, off: 0.25 },
  cheeksMs: 300,
  /**
   * One outer brow raised: the two browOuterUp scores this far apart, the higher above `browRaisedMin`.
   * Brows often read unevenly: a gap of 0.5 still shows on 5 % of SFEW's film stills (scripts/blendshapes.mjs).
   */
  browGap: { on: 0.5, off: 0.35 },
  browRaisedMin: 0.4,
  browMs: 300,
  /** A gesture still shows this long after it ends, so that a short break does not flicker. */
  holdAfterMs: 400,
} as const;

type Band = { readonly on: number; readonly off: number };

/** Above a band's threshold: `on` to start, `off` to go on (the band's hysteresis). */
const above = (value: number, band: Band, engaged: boolean) => value >= (engaged ? band.off : band.on);
/** Below an upper band (an "open eye" band counts down). */
const below = (value: number, band: Band, engaged: boolean) => value <= (engaged ? band.off : band.on);

/** Whether each gesture's condition holds on one reading, given which of them held on the last (none: a first reading). */
export function conditions(scores: Blendshapes, engaged: ReadonlySet<Gesture> = new Set()): Set<Gesture> {
  const score = (name: string) => scores[name] ?? 0;
  const rules = GESTURE_RULES;
  const left = score('eyeBlinkLeft');
  const right = score('eyeBlinkRight');
  const held = new Set<Gesture>();
  const closed = (value: number, gesture: Gesture) => above(value, rules.eyes.closed, engaged.has(gesture));
  if (closed(left, 'eyesClosed') && closed(right, 'eyesClosed')) held.add('eyesClosed');
  const winking = (shut: number, open: number) => closed(shut, 'wink') && below(open, rules.eyes.open, engaged.has('wink'));
  if (winking(left, right) || winking(right, left)) held.add('wink');
  if (above(score('mouthPucker'), rules.pucker, engaged.has('kiss')) && score('jawOpen') <= rules.puckerJawMax) held.add('kiss');
  if (above(score('jawOpen'), rules.jaw, engaged.has('mouthOpen'))) held.add('mouthOpen');
  if (above(score('cheekPuff'), rules.cheeks, engaged.has('cheeksPuffed'))) held.add('cheeksPuffed');
  const browLeft = score('browOuterUpLeft');
  const browRight = score('browOuterUpRight');
  if (above(Math.abs(browLeft - browRight), rules.browGap, engaged.has('browRaised')) && Math.max(browLeft, browRight) >= rules.browRaisedMin) held.add('browRaised');
  return held;
}

/**
 * Whether a face comes near a gesture on one reading: some gesture's condition holds at the thresholds
 * that keep a gesture going (each band's `off`), as though every gesture were under way. A face at rest
 * does not stir (eyes open, mouth shut, brows level); one that starts a gesture, or talks, does.
 */
export function stirring(scores: Blendshapes): boolean {
  return conditions(scores, new Set(GESTURES)).size > 0;
}

/** How long each gesture of `conditions` must hold before it shows. */
const MIN_MS: Readonly<Record<Exclude<Gesture, 'asleep' | 'blowKiss'>, number>> = {
  eyesClosed: GESTURE_RULES.eyesClosedMs, wink: GESTURE_RULES.winkMs, kiss: GESTURE_RULES.kissMs,
  mouthOpen: GESTURE_RULES.mouthOpenMs, cheeksPuffed: GESTURE_RULES.cheeksMs, browRaised: GESTURE_RULES.browMs,
};

/**
 * Reads one face's gesture from its blendshapes, reading after reading (one per analysis that read the
 * face, in camera time). Keeps when each condition started; a gesture shows once held its time, and for
 * GESTURE_RULES.holdAfterMs after it ends unless another takes its place.
 */
export class GestureReader {
  /** When each condition that holds started (ms). */
  readonly #since = new Map<Gesture, number>();
  #shown: { gesture: Gesture; untilMs: number } | null = null;

  /** The gesture to show after a reading at `timestampMs`, or null: the expression's emoji. */
  read(scores: Blendshapes, timestampMs: number): Gesture | null {
    const held = conditions(scores, new Set(this.#since.keys()));
    for (const gesture of [...this.#since.keys()]) if (!held.has(gesture)) this.#since.delete(gesture);
    for (const gesture of held) if (!this.#since.has(gesture)) this.#since.set(gesture, timestampMs);
    const heldFor = (gesture: Gesture) => timestampMs - (this.#since.get(gesture) ?? timestampMs);
    const showing = new Set<Gesture>();
    for (const [gesture, minMs] of Object.entries(MIN_MS) as [keyof typeof MIN_MS, number][]) {
      if (held.has(gesture) && heldFor(gesture) >= minMs) showing.add(gesture);
    }
    if (showing.has('eyesClosed') && heldFor('eyesClosed') >= GESTURE_RULES.asleepMs) showing.add('asleep');
    if (showing.has('kiss') && (showing.has('wink') || heldFor('kiss') >= GESTURE_RULES.blowKissMs)) showing.add('blowKiss');
    const first = GESTURES.find((gesture) => showing.has(gesture));
    if (first) {
      this.#shown = { gesture: first, untilMs: timestampMs + GESTURE_RULES.holdAfterMs };
      return first;
    }
    if (this.#shown && timestampMs <= this.#shown.untilMs) return this.#shown.gesture;
    this.#shown = null;
    return null;
  }
}
