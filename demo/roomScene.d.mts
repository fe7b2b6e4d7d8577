/** A rectangle in pixels, or in fractions of the frame (0..1) where a doc says so. */
export interface Box { x: number; y: number; width: number; height: number }

/** One group of people in the room: a crop of a photo, scaled, placed, maybe sliding or entering (see roomScene.mjs). */
export interface RoomGroup {
  id: string;
  photo: string;
  crop: Box;
  smallestFacePx: number;
  at: { x: number; y: number };
  slide?: { amplitudePx: number };
  fromFrame?: number;
  faces: ReadonlyArray<{ id: string; box: Box }>;
}

/** The room clip's description: frame size, rate and length, backdrop, groups, frame counter. */
export const ROOM: Readonly<{
  width: number;
  height: number;
  fps: number;
  frames: number;
  backdrop: { photo: string; crop: Box; blurPx: number; brightness: number };
  groups: ReadonlyArray<RoomGroup>;
  counter: { at: { x: number; y: number }; cellPx: number; bits: number };
}>;

/** The faces that enter the room: their ids, and the frame (and second) of the cut that shows them. */
export const ENTERING: Readonly<{ ids: readonly string[]; fromFrame: number; fromSeconds: number }>;

/** A target face on a frame: its box in fractions of the frame and its height in pixels at 1280×720. */
export interface RoomFace { id: string; box: Box; heightPx: number }

/** The target faces on clip frame `frameIndex` (modulo ROOM.frames). */
export function roomFacesAt(frameIndex: number): RoomFace[];

/** The clip's ffmpeg filter graph and its input photos (file names in @vladmandic/face-api's demo folder). */
export function roomFilterGraph(): { photos: string[]; graph: string };

/** The ffmpeg filters that draw the frame counter of the frame's number `n`. */
export function frameCounterFilter(): string;

/** What the counter shows on frame `frameIndex`: 1 (white) or 0 (black) per cell, left to right. */
export function encodeFrameCounter(frameIndex: number): (0 | 1)[];

/** Where to read each counter cell, in fractions of the frame. */
export function frameCounterRegions(): Box[];

/** The frame index that the counter cells' mean brightnesses (0–255) show, or null when they cannot be read. */
export function decodeFrameCounter(levels: readonly number[]): number | null;
