import type { FaceResult, LabelMode, StageTimes } from '@emoface/core';

/** Settings the page can change while running. */
export interface Settings {
  readonly emojiSet: string;
  readonly mode: LabelMode;
  /** Probability smoothing time constant, ms. */
  readonly smoothingMs: number;
}

/** Page → worker. */
export type ToWorker =
  | { readonly type: 'init'; readonly detector: 'front' | 'back'; readonly settings: Settings }
  | { readonly type: 'frame'; readonly bitmap: ImageBitmap; readonly timestampMs: number; readonly still: boolean }
  | { readonly type: 'settings'; readonly settings: Settings };

/** Worker → page. */
export type FromWorker =
  | { readonly type: 'ready'; readonly backend: string }
  | { readonly type: 'result'; readonly faces: readonly FaceResult[]; readonly stageMs: StageTimes & { readonly transfer: number };
      readonly timestampMs: number; readonly width: number; readonly height: number }
  | { readonly type: 'error'; readonly message: string };
