import cats from '../../../emoji/cats.json';
import faces from '../../../emoji/faces.json';
import { DEFAULTS } from '../defaults';
import { GESTURES, type Gesture } from '../gestures/gestureReader';

/**
 * An emoji set: for each label, its emoji from calm to intense. An entry is a Unicode emoji, drawn
 * from the bundled Twemoji artwork (emoji/twemoji/).
 */
export interface EmojiSet {
  /** Key the settings store, [a-z0-9-]. */
  readonly name: string;
  /** What the popup shows. */
  readonly title: string;
  readonly levels: Readonly<Record<string, readonly string[]>>;
  /** The emoji of each gesture the set shows (src/pipeline/gestures/); one it lacks keeps the expression's. */
  readonly gestures?: Readonly<Partial<Record<Gesture, string>>>;
}

/** Label modes: 'seven' keeps every label; 'five' keeps the mini-Xception paper's five. */
export type LabelMode = 'seven' | 'five';

/** The five labels of 'five' mode (Yi, Hong & Park; also mini-Xception's five-class setting). */
export const FIVE_LABELS = ['angry', 'happy', 'neutral', 'sad', 'surprise'] as const;

/**
 * Checks that `value` is an emoji set with one or more emoji for every label in `labels` and returns it
 * typed; the error names the set and the label or field that is wrong.
 */
export function parseEmojiSet(value: unknown, labels: readonly string[]): EmojiSet {
  if (value === null || typeof value !== 'object') throw new TypeError('emoji set must be {name, title, levels: {label: [emoji…]}}');
  const { name, title, levels, gestures } = value as Record<string, unknown>;
  if (typeof name !== 'string' || !/^(custom:)?[a-z0-9-]{1,40}$/.test(name)) throw new TypeError(`emoji set name must be 1–40 of a-z, 0-9, "-" (after "custom:" for the user's sets), got ${JSON.stringify(name)}`);
  if (typeof title !== 'string' || title.length === 0 || title.length > 60) throw new TypeError(`emoji set ${name}: title must be 1–60 characters`);
  if (levels === null || typeof levels !== 'object') throw new TypeError(`emoji set ${name}: levels must be {label: [emoji…]}`);
  for (const label of labels) {
    const list = (levels as Record<string, unknown>)[label];
    if (!Array.isArray(list) || list.length === 0 || !list.every((e) => typeof e === 'string' && e.length > 0 && e.length <= 16)) {
      throw new TypeError(`emoji set ${name}: label ${label} needs a list of one or more emoji`);
    }
  }
  if (gestures === undefined) return { name, title, levels: levels as Record<string, string[]> };
  if (gestures === null || typeof gestures !== 'object' || Array.isArray(gestures)) throw new TypeError(`emoji set ${name}: gestures must be {gesture: emoji}`);
  for (const [gesture, emoji] of Object.entries(gestures)) {
    if (!(GESTURES as readonly string[]).includes(gesture)) throw new TypeError(`emoji set ${name}: ${JSON.stringify(gesture).slice(0, 40)} is not a gesture (${GESTURES.join(', ')})`);
    if (typeof emoji !== 'string' || emoji.length === 0 || emoji.length > 16) throw new TypeError(`emoji set ${name}: gesture ${gesture} needs one emoji`);
  }
  return { name, title, levels: levels as Record<string, string[]>, gestures: gestures as Partial<Record<Gesture, string>> };
}

/** Every label a set covers (FER2013's seven; the analyser checks them against the model's). */
export const SET_LABELS: readonly string[] = ['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise'];

/** The built-in sets by name, from emoji/*.json. */
export const EMOJI_SETS: Readonly<Record<string, EmojiSet>> = Object.fromEntries(
  [faces, cats].map((json) => parseEmojiSet(json, SET_LABELS)).map((set) => [set.name, set]),
);

/** Every emoji of a set, each once: its labels' in label order, then its gestures'. */
export function emojiOfSet(set: EmojiSet): string[] {
  return [...new Set([...Object.values(set.levels).flat(), ...Object.values(set.gestures ?? {})])];
}

/**
 * The file stem Twemoji uses for an emoji: its code points in lower-case hex joined by "-", without
 * U+FE0F (variation selector 16), as Twemoji names most files.
 */
export function twemojiName(emoji: string): string {
  return [...emoji].map((c) => c.codePointAt(0)!.toString(16)).filter((p) => p !== 'fe0f').join('-');
}

/**
 * Probabilities restricted to the mode's labels and renormalised (a new array). In 'five' mode the
 * probability of fear and disgust is spread over the five by renormalising.
 */
export function scoresForMode(scores: ArrayLike<number>, labels: readonly string[], mode: LabelMode): Float32Array {
  if (mode === 'seven') return Float32Array.from(scores);
  const keep = labels.map((l) => (FIVE_LABELS as readonly string[]).includes(l));
  const values = Float32Array.from(scores);
  const total = values.reduce((sum, p, i) => sum + (keep[i] ? p : 0), 0);
  return values.map((p, i) => (keep[i] && total > 0 ? p / total : 0));
}

/**
 * The emoji level for probability `p` of the shown label: level 0 below `intensityFrom`, then the
 * range up to 1 split evenly over the remaining levels.
 */
export function intensityLevel(p: number, levelCount: number, intensityFrom: number = DEFAULTS.emoji.intensityFrom): number {
  if (levelCount <= 1 || p < intensityFrom) return 0;
  const step = (1 - intensityFrom) / (levelCount - 1);
  return Math.min(levelCount - 1, 1 + Math.floor((p - intensityFrom) / step));
}

/** The emoji for `label` shown with probability `p`, and its intensity level (0 = calmest). */
export function chooseEmoji(set: EmojiSet, label: string, p: number, intensityFrom?: number): { emoji: string; level: number } {
  const levels = set.levels[label];
  if (!levels || levels.length === 0) throw new RangeError(`emoji set ${set.name} has no emoji for ${label}`);
  const level = intensityLevel(p, levels.length, intensityFrom);
  return { emoji: levels[level]!, level };
}
