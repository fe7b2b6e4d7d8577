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
