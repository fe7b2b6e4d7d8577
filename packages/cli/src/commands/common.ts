import type { BlazeFaceModel, LabelMode } from '@emoface/core';
import type { LoadedEmojiSet } from '../artwork.js';

/** Options shared by the commands that run the pipeline. */
export interface CommonOptions {
  /** BlazeFace model; each command has its own default (photos: back, eval crops: none). */
  readonly detector?: BlazeFaceModel;
  readonly emojiSet: LoadedEmojiSet;
  readonly mode: LabelMode;
}
