/**
 * Chromium's insertable streams for MediaStreamTrack (not yet in TypeScript's DOM library):
 * https://w3c.github.io/mediacapture-transform/ (Chromium ships the window-exposed variant).
 */
declare class MediaStreamTrackProcessor {
  constructor(init: { track: MediaStreamTrack; maxBufferSize?: number });
  readonly readable: ReadableStream<VideoFrame>;
}

declare class MediaStreamTrackGenerator extends MediaStreamTrack {
  constructor(init: { kind: 'video' | 'audio' });
  readonly writable: WritableStream<VideoFrame>;
}

/** A video track's frame counters (Chrome; not yet in TypeScript's DOM types). */
interface MediaStreamTrack {
  readonly stats?: { readonly totalFrames: number; readonly deliveredFrames: number; readonly discardedFrames: number };
}

/** A frame's orientation (WebCodecs; Chrome, not yet in TypeScript's DOM types): turned clockwise by `rotation` degrees, then mirrored when `flip`. */
interface VideoFrame {
  readonly rotation?: number;
  readonly flip?: boolean;
}
