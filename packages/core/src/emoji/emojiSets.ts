import { DEFAULTS } from '../defaults.js';

/**
 * An emoji set: for each label, its emoji from calm to intense. An entry is either a Unicode emoji
 * (drawn from bundled artwork) or any key the renderer's artwork lookup knows (custom images).
 */
export interface EmojiSet {
  readonly name: string;
  readonly levels: Readonly<Record<string, readonly string[]>>;
}

/** Faces (Twemoji artwork in the renderers), three intensity levels where the model is confident. */
export const FACES: EmojiSet = {
  name: 'faces',
  levels: {
    angry: ['😠', '😡', '🤬'],
    disgust: ['😒', '🤢', '🤮'],
    fear: ['😟', '😨', '😱'],
    happy: ['🙂', '😀', '😄'],
    neutral: ['😐', '😶'],
    sad: ['🙁', '😢', '😭'],
    surprise: ['😯', '😮', '😲'],
  },
};

/** Cats, for fun. */
export const CATS: EmojiSet = {
  name: 'cats',
  levels: {
    angry: ['😾'],
    disgust: ['😼'],
    fear: ['🙀'],
    happy: ['😺', '😸', '😹'],
    neutral: ['🐱'],
    sad: ['😿'],
    surprise: ['🙀'],
  },
};

/**
 * The file stem Twemoji uses for an emoji: its code points in lower-case hex joined by "-", without
 * U+FE0F (variation selector 16) unless `keepVariationSelector`, as Twemoji names most files.
 */
export function twemojiName(emoji: string, keepVariationSelector = false): string {
  const points = [...emoji].map((c) => c.codePointAt(0)!.toString(16));
  return (keepVariationSelector ? points : points.filter((p) => p !== 'fe0f')).join('-');
}

/** The built-in sets by name. */
export const EMOJI_SETS: Readonly<Record<string, EmojiSet>> = { faces: FACES, cats: CATS };

/** Label modes: 'seven' keeps every label; 'five' keeps the mini-Xception paper's five. */
export type LabelMode = 'seven' | 'five';

/** The five labels of 'five' mode. */
export const FIVE_LABELS = ['angry', 'happy', 'neutral', 'sad', 'surprise'] as const;

/** Checks that `set` has at least one emoji for every label in `labels`; the error names what is missing. */
export function assertEmojiSet(set: EmojiSet, labels: readonly string[]): void {
  if (!set || typeof set.levels !== 'object') throw new TypeError('emoji set must be {name, levels: {label: [emoji…]}}');
  for (const label of labels) {
    const levels = set.levels[label];
    if (!Array.isArray(levels) || levels.length === 0 || !levels.every((e) => typeof e === 'string' && e.length > 0)) {
      throw new TypeError(`emoji set ${set.name}: label ${label} needs a list of one or more emoji`);
    }
  }
}

/**
 * Probabilities restricted to the mode's labels and renormalised (a new array). In 'five' mode the
 * probability of fear and disgust is spread over the five by renormalising.
 */
export function scoresForMode(scores: Float32Array, labels: readonly string[], mode: LabelMode): Float32Array {
  if (mode === 'seven') return Float32Array.from(scores);
  if (mode !== 'five') throw new RangeError(`mode must be 'seven' or 'five', got ${String(mode)}`);
  const keep = labels.map((l) => (FIVE_LABELS as readonly string[]).includes(l));
  const total = scores.reduce((sum, p, i) => sum + (keep[i] ? p : 0), 0);
  return scores.map((p, i) => (keep[i] && total > 0 ? p / total : 0));
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

/** The emoji for `label` shown with probability `p`. */
export function chooseEmoji(set: EmojiSet, label: string, p: number, intensityFrom?: number): { emoji: string; level: number } {
  const levels = set.levels[label];
  if (!levels || levels.length === 0) throw new RangeError(`emoji set ${set.name} has no emoji for ${label}`);
  const level = intensityLevel(p, levels.length, intensityFrom);
  return { emoji: levels[level]!, level };
}
