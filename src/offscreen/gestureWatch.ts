import { DEFAULTS } from '../pipeline/defaults';
import { GestureReader, stirring, type Blendshapes, type Gesture } from '../pipeline/gestures/gestureReader';

/**
 * The gestures of one stream's faces, by face id: which face is due a reading of the face landmarker
 * (one reading per interval for the whole stream, of the face read longest ago: with several faces each
 * is read less often, and the landmarker's cost stays that of one face), and each face's GestureReader.
 * The interval is the one asked (DEFAULTS.gestures.readIntervalMs, longer under pressure) while a face
 * stirs, and at least DEFAULTS.gestures.calmReadIntervalMs once none has for attentiveMs.
 */
export class GestureWatch {
  readonly #faces = new Map<number, { reader: GestureReader; readAtMs: number; gesture: Gesture | null }>();
  #readAtMs = -Infinity;
  /** Readings keep the interval asked until then, ms (a face stirred, or shows a gesture). */
  #attentiveUntilMs = -Infinity;

  /** When a face of the stream was last read, ms (−Infinity: never). */
  get lastReadMs(): number {
    return this.#readAtMs;
  }

  /** Forgets the faces not among `ids` (the stream's tracked faces). */
  keepOnly(ids: readonly number[]): void {
    for (const id of [...this.#faces.keys()]) if (!ids.includes(id)) this.#faces.delete(id);
  }

  /**
   * Of the faces `ids` that can be read at `timestampMs`, the one to read now, if any: readings at most
   * every `intervalMs` while a face stirs, every calmReadIntervalMs (or `intervalMs` if longer) otherwise.
   * A face never read is read as soon as the interval asked allows.
   */
  due(ids: readonly number[], timestampMs: number, intervalMs: number): number | null {
    if (ids.length === 0) return null;
    const attentive = ids.some((id) => !this.#faces.has(id)) || timestampMs < this.#attentiveUntilMs;
    const gapMs = attentive ? intervalMs : Math.max(intervalMs, DEFAULTS.gestures.calmReadIntervalMs);
    if (timestampMs - this.#readAtMs < gapMs) return null;
    const readAt = (id: number) => this.#faces.get(id)?.readAtMs ?? -Infinity;
    return ids.reduce((oldest, id) => (readAt(id) < readAt(oldest) ? id : oldest));
  }

  /** Face `id` read at `timestampMs`: its blendshapes, or null where the landmarker found no face. */
  record(id: number, blendshapes: Blendshapes | null, timestampMs: number): void {
    const face = this.#faces.get(id) ?? { reader: new GestureReader(), readAtMs: timestampMs, gesture: null };
    face.readAtMs = timestampMs;
    this.#readAtMs = timestampMs;
    face.gesture = face.reader.read(blendshapes ?? {}, timestampMs);
    this.#faces.set(id, face);
    if (face.gesture !== null || (blendshapes !== null && stirring(blendshapes))) {
      this.#attentiveUntilMs = timestampMs + DEFAULTS.gestures.attentiveMs;
    }
  }

  /** The gesture face `id` shows (null: none, or not read yet). */
  gestureOf(id: number): Gesture | null {
    return this.#faces.get(id)?.gesture ?? null;
  }
}
