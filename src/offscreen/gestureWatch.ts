import { DEFAULTS } from '../pipeline/defaults';
import { GestureReader, type Blendshapes, type Gesture } from '../pipeline/gestures/gestureReader';

/**
 * The gestures of one stream's faces, by face id: which faces are due a reading of the face landmarker
 * (each at most every DEFAULTS.gestures.readIntervalMs; at most DEFAULTS.gestures.readsPerAnalysis faces
 * per analysis, those read longest ago first: with several faces each is read less often), and each
 * face's GestureReader.
 */
export class GestureWatch {
  readonly #faces = new Map<number, { reader: GestureReader; readAtMs: number; gesture: Gesture | null }>();

  /** Forgets the faces not among `ids` (the stream's tracked faces). */
  keepOnly(ids: readonly number[]): void {
    for (const id of [...this.#faces.keys()]) if (!ids.includes(id)) this.#faces.delete(id);
  }

  /** Of the faces `ids` that can be read at `timestampMs`, those to read now. */
  due(ids: readonly number[], timestampMs: number): number[] {
    const readAt = (id: number) => this.#faces.get(id)?.readAtMs ?? -Infinity;
    return ids.filter((id) => timestampMs - readAt(id) >= DEFAULTS.gestures.readIntervalMs)
      .sort((a, b) => readAt(a) - readAt(b))
      .slice(0, DEFAULTS.gestures.readsPerAnalysis);
  }

  /** Face `id` read at `timestampMs`: its blendshapes, or null where the landmarker found no face. */
  record(id: number, blendshapes: Blendshapes | null, timestampMs: number): void {
    const face = this.#faces.get(id) ?? { reader: new GestureReader(), readAtMs: timestampMs, gesture: null };
    face.readAtMs = timestampMs;
    face.gesture = face.reader.read(blendshapes ?? {}, timestampMs);
    this.#faces.set(id, face);
  }

  /** The gesture face `id` shows (null: none, or not read yet). */
  gestureOf(id: number): Gesture | null {
    return this.#faces.get(id)?.gesture ?? null;
  }
}
