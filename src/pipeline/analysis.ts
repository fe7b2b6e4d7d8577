import { chooseEmoji, type EmojiSet } from './emoji/emojiSets';
import type { Gesture } from './gestures/gestureReader';
import { DEFAULTS } from './defaults';
import type { AnalysedFace } from './messages';
import { headRoll } from './render/overlay';
import type { TrackedFace } from './track/tracker';

/** The label a face is drawn with before it is first classified (found small by a search): calm, not a guess. */
const UNCLASSIFIED_LABEL = 'neutral';

/**
 * Tracked faces as the page draws them: boxes in fractions of the `width` × `height` frame (the tracker's
 * pixels), head roll from the eyes, the shown label's emoji from `set` at the intensity of its probability
 * (a face not classified yet: the neutral emoji at its calmest), or the set's emoji for the gesture the
 * face shows (`gestureOf` its id), where the set has one.
 */
export function describeFaces(tracked: readonly TrackedFace[], width: number, height: number, labels: readonly string[],
  set: EmojiSet, gestureOf: (id: number) => Gesture | null = () => null): AnalysedFace[] {
  return tracked.map((face) => {
    const label = face.scored ? labels[face.labelIndex]! : labels.includes(UNCLASSIFIED_LABEL) ? UNCLASSIFIED_LABEL : labels[0]!;
    const { emoji: expression, level } = chooseEmoji(set, label, face.scored ? face.scores[face.labelIndex]! : 0);
    const gesture = gestureOf(face.id);
    const emoji = (gesture && set.gestures?.[gesture]) || expression;
    return {
      id: face.id,
      box: { x: face.box.x / width, y: face.box.y / height, width: face.box.width / width, height: face.box.height / height },
      velocity: { x: (face.velocity.x * 1000) / width, y: (face.velocity.y * 1000) / height },
      roll: headRoll(face.keypoints),
      emoji,
      label,
      level,
      scores: Object.fromEntries(labels.map((l, i) => [l, Math.round((face.scores[i] ?? 0) * 1000) / 1000])),
      lost: face.lost,
      gesture,
    };
  });
}

/**
 * Where a face is expected `ageMs` after the frame it was analysed on: its box moved on by its velocity,
 * for at most DEFAULTS.analysis.maxPredictionMs (beyond that a guess would wander off; the face is then
 * left where that took it until the next analysis).
 */
export function predictedBox(face: Pick<AnalysedFace, 'box' | 'velocity'>, ageMs: number): AnalysedFace['box'] {
  const seconds = Math.min(Math.max(0, ageMs), DEFAULTS.analysis.maxPredictionMs) / 1000;
  return { ...face.box, x: face.box.x + face.velocity.x * seconds, y: face.box.y + face.velocity.y * seconds };
}
